"""Where the review's findings land: the lines the prompts showed, with each path spelled as the models
read it, and the findings that could not be placed there.

A review prompt names each file in a `### path` header, redacted with the rest of the prompt. A path that
holds a value remembered as a secret (a folder named like a password: `POSTGRES_PASSWORD=postgres` and
`postgres/db.py`, or any word a PR's commit message sets) reaches the models as `[REDACTED]/db.py`, and
they cite it so; their answers are redacted too before the run reads them
(`gate.models.structured.redacted_answer`). A finding is therefore placed against the paths as shown,
then given the one file of the diff that spelling stands for. Matched against the raw paths instead,
every finding on such a file would be dropped as off its chunk, and the PR would pass.

Two kinds of findings cannot be placed, and each is a model error rather than a note under a pass (the
verdict then follows `gate.on_model_error`): one on a spelling that stands for more than one file (to
pick one would be a guess), and one that two or more distinct models raised on one place that their
chunk did not show (a place several models flag is not noise, and no one judged it).

The trace keeps the places as shown (the chunks' `lines` in the stage's details) and the spellings shared
by several files (`paths_shown_alike`), so that a replay places every finding as the run did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gate import invisible
from gate.redact import redact
from gate.review.consensus import STAGE
from gate.review.units import Chunk, shown_paths
from gate.schema.coverage import Gap
from gate.wording import first_of

UNPLACED_NAMED = 5  # places of unplaced findings a model error names one by one
MAX_LINES_CHARS = 200  # `Gap.lines`: a model can give any line number


def as_shown(path: str) -> str:
    """A path as a review prompt's header spells it: redacted, its invisible characters escaped, as the
    model client treats every message it sends."""
    return invisible.shown(redact(path))


def spellings(paths: Iterable[str]) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """Each path as the prompts spell it (`as_shown`, worked out once a path); each spelling to the one
    file it stands for; and the spellings that stand for more than one, which name no file."""
    spelled: dict[str, str] = {}
    stands_for: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        if path not in spelled:
            spelled[path] = as_shown(path)
            stands_for[spelled[path]].add(path)
    files = {shown: next(iter(raw)) for shown, raw in stands_for.items() if len(raw) == 1}
    return spelled, files, frozenset(shown for shown, raw in stands_for.items() if len(raw) > 1)


@dataclass(frozen=True)
class Places:
    """The lines each chunk showed, as `path:start-end` with the path as shown (chunk id -> places)."""

    shown: Mapping[str, Sequence[str]]
    # a path as shown -> the file of the diff it stands for; empty in a replay, which keeps the spelling
    files: Mapping[str, str] = field(default_factory=dict)
    # paths as shown that stand for more than one file of the diff
    alike: frozenset[str] = frozenset()

    @cached_property  # read for each answer of a run: once, not once per answer over every chunk
    def paths(self) -> frozenset[str]:
        return shown_paths(self.shown)

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> Places:
        """The places of the run's chunks, each path spelled as its prompt showed it."""
        spelled, files, alike = spellings(unit.path for chunk in chunks for unit in chunk.units)
        shown = {
            chunk.id: tuple(f"{spelled[u.path]}:{u.start_line}-{u.end_line}" for u in chunk.units)
            for chunk in chunks
        }
        return cls(shown, files, alike)

    @classmethod
    def recorded(cls, details: Mapping[str, Any]) -> Places:
        """The places a recorded review stage's details keep (none from a trace that predates them)."""
        shown: dict[str, list[str]] = {}
        for chunk in details.get("chunks") or ():
            if isinstance(chunk, Mapping) and isinstance(chunk.get("lines"), list):
                shown[str(chunk.get("id"))] = [str(line) for line in chunk["lines"]]
        alike = details.get("paths_shown_alike")
        return cls(shown, alike=frozenset(str(p) for p in alike) if isinstance(alike, list) else frozenset())

    def details(self) -> dict[str, Any]:
        """What the stage's details keep of the places besides the chunks' lines."""
        return {"paths_shown_alike": sorted(self.alike)} if self.alike else {}


@dataclass(frozen=True)
class Unplaced:
    """A finding left out: on code its chunk did not show, or on a path shown alike for several files."""

    model: str
    path: str  # as the model wrote it, cleaned (`gate.review.consensus.norm_path`)
    start_line: int
    end_line: int
    alike: bool = False

    @property
    def place(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"

    @property
    def span(self) -> tuple[int, int]:
        return min(self.start_line, self.end_line), max(self.start_line, self.end_line)


@dataclass(frozen=True)
class _Place:
    """Unplaced findings on one path whose lines overlap, and the models that raised them."""

    path: str
    start: int
    end: int
    models: frozenset[str]
    alike: bool

    @property
    def lines(self) -> str:
        return f"{self.start}-{self.end}"

    def named(self) -> str:
        return f"{self.path}:{self.lines} ({', '.join(sorted(self.models))})"


def _places(unplaced: Iterable[Unplaced]) -> list[_Place]:
    """The unplaced findings gathered by path into runs of overlapping lines."""
    by_path: dict[tuple[str, bool], list[Unplaced]] = defaultdict(list)
    for u in unplaced:
        by_path[(u.path, u.alike)].append(u)
    out: list[_Place] = []
    for (path, alike), items in sorted(by_path.items()):
        run: list[Unplaced] = []
        end = 0
        for u in sorted(items, key=lambda u: u.span):
            if run and u.span[0] > end:
                out.append(_place(path, run, alike))
                run = []
            end = max(end, u.span[1]) if run else u.span[1]
            run.append(u)
        out.append(_place(path, run, alike))
    return out


def _place(path: str, run: Sequence[Unplaced], alike: bool) -> _Place:
    start = min(u.span[0] for u in run)
    end = max(u.span[1] for u in run)
    return _Place(path, start, end, frozenset(u.model for u in run), alike)


def _unlocated(unplaced: Iterable[Unplaced]) -> list[_Place]:
    """The places no finding on which may be let go: a path shown alike for several files, or one that
    two or more distinct models flagged."""
    return [p for p in _places(unplaced) if p.alike or len(p.models) > 1]


def unplaced_error(unplaced: Sequence[Unplaced]) -> str | None:
    """The model error for findings the gate could not place and must not drop; None when there are none."""
    places = _unlocated(unplaced)
    if not places:
        return None
    named = first_of(
        [p.named() + (": the path is shown alike for more than one file" if p.alike else "") for p in places],
        UNPLACED_NAMED,
        "; ",
    )
    return (
        f"findings could not be located at {len(places)} place(s) on code their chunk did not show, or "
        f"on a path that names more than one file: {named}"
    )


def unplaced_gaps(unplaced: Sequence[Unplaced]) -> list[Gap]:
    """The places of `unplaced_error` as coverage gaps: code models flagged that no one judged."""
    return [
        Gap(
            stage=STAGE,
            kind="failure",
            reason=(
                f"findings of {', '.join(sorted(p.models))} could not be located: "
                + (
                    "the path is shown alike for more than one file"
                    if p.alike
                    else "on code their chunk did not show"
                )
            ),
            path=p.path,
            lines=p.lines if len(p.lines) <= MAX_LINES_CHARS else None,
        )
        for p in _unlocated(unplaced)
    ]
