"""Close-name hints for phantom-symbols findings: the names an owner does define that look most like
the missing one, worked out once per file and (name, owner) and only for the first MAX_HINTED."""

from __future__ import annotations

# Names longer than this get no close-name hint: no one mistypes a name that long, and comparing it
# with every defined name is where the time would go.
MAX_HINT_NAME = 200


def _sorted(names: set[str]) -> tuple[str, ...]:
    """The names a finding offers hints from: sorted for a stable order, the long ones left out."""
    return tuple(sorted(n for n in names if len(n) <= MAX_HINT_NAME))


# Findings of one run that get a close-name hint: each hint compares a name with every name its owner
# defines, so a change adding thousands of both would cost their product; past this, no hints.
MAX_HINTED = 100


class Hints:
    """Close-name hints for one run: each (name, owner's names) worked out once per file that finds it,
    MAX_HINTED at most."""

    def __init__(self) -> None:
        # id of a name set -> (the set, kept alive so that its id is not reused while the entry stands,
        # and its names sorted for hints): sorted once for the run, not once per file.
        self._sorted: dict[int, tuple[set[str], tuple[str, ...]]] = {}
        # (name, scope, id of the sorted names) -> hints
        self._done: dict[tuple[str, int, int], list[str]] = {}
        self._scopes = 0

    def new_scope(self) -> int:
        """A new file's check: the hints it asks for count against MAX_HINTED on their own."""
        self._scopes += 1
        return self._scopes

    def sorted_names(self, names: set[str]) -> tuple[str, ...]:
        """The names a finding offers hints from (callers never modify the sets they pass)."""
        held = self._sorted.get(id(names))
        if held is None:
            held = self._sorted[id(names)] = (names, _sorted(names))
        return held[1]

    def close_names(self, name: str, known: tuple[str, ...], scope: int) -> list[str]:
        """Up to three defined names most like `name` (similarity of at least 0.6, as difflib's cutoff
        reads it), best first. rapidfuzz's bit-parallel Indel ratio is linear in the names compared,
        where difflib's SequenceMatcher took ~24 s against 2,000 long names. `known` comes from
        `sorted_names`, which keeps it alive for the run."""
        key = (name, scope, id(known))
        done = self._done.get(key)
        if done is not None:
            return done
        if not known or len(name) > MAX_HINT_NAME or len(self._done) >= MAX_HINTED:
            return []
        from rapidfuzz import fuzz, process  # loaded at the first hint: a run without one never needs it

        best = process.extract(name, known, scorer=fuzz.ratio, limit=3, score_cutoff=60)
        close = [match for match, _, _ in best]
        self._done[key] = close
        return close
