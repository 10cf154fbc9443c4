"""Spec documents and which code each governs: `Spec`, the run's `SpecSet`, and the spec context of one
prompt.

A spec governs the files its `governs` globs match (gitignore-style, like `paths.instructions`). A spec
with no `governs` governs nothing: it is never the spec a change "drifted" from, and no chunk gets it as
its own. It is still *general context*: while the general specs together stay within
MAX_GENERAL_SPEC_CHARS, every review prompt carries them (a short contract that names no paths is
usually about the whole project, and sending it costs little); past that, they are left out of
prompts, with a note asking for `governs`, so a large unscoped spec set cannot cost tokens on every call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pathspec
from pathspec.patterns.gitwildmatch import GitWildMatchPatternError

from gate.schema.coverage import SkippedFile

# Characters of spec text one prompt may carry: governing specs first, then general ones.
MAX_CHUNK_SPEC_CHARS = 24_000
# The general specs (no `governs`) go into every prompt only while together they fit in this.
MAX_GENERAL_SPEC_CHARS = 6_000


@dataclass(frozen=True)
class Spec:
    """One spec document at the head revision.

    `text` is the document without its front matter (what a reviewer reads); `content_hash` is
    `sha256:<hex>` of the document as read, front matter included, so a cache keyed by it notices any
    edit. `governs` is the union of the document's front-matter globs and its config entries' globs;
    `declared_in` says where they came from ("front matter", "config").
    """

    path: str
    governs: tuple[str, ...]
    text: str
    content_hash: str
    truncated: bool = False
    declared_in: tuple[str, ...] = ()
    _matcher: pathspec.PathSpec | None = field(default=None, compare=False, repr=False)

    @staticmethod
    def matcher(globs: Iterable[str]) -> pathspec.PathSpec:
        """Raises ValueError for a glob gitignore syntax cannot read."""
        try:
            return pathspec.PathSpec.from_lines("gitwildmatch", list(globs))
        except (GitWildMatchPatternError, ValueError, TypeError) as exc:
            raise ValueError(str(exc)) from None

    @property
    def is_general(self) -> bool:
        """Governs no path: general context only (see the module's docstring)."""
        return not self.governs

    def governs_path(self, path: str) -> bool:
        if not self.governs:
            return False
        matcher = self._matcher or self.matcher(self.governs)
        return matcher.match_file(path)


@dataclass(frozen=True)
class SpecContext:
    """The spec text one prompt carries: (spec, text as sent) in order, and the specs left out or cut."""

    sections: tuple[tuple[Spec, str], ...] = ()
    left_out: tuple[str, ...] = ()  # "docs/a.md: why"

    @property
    def chars(self) -> int:
        return sum(len(text) for _, text in self.sections)


@dataclass(frozen=True)
class SpecSet:
    """The spec documents of a run, read once at the head revision.

    `configured` is False when the config names no specs. `readable` is False when specs are configured
    but the change came without its repository (a plain patch): then no spec was read and the notes
    say so, so nothing that depends on specs looks checked. `unread`: the spec documents the revision
    holds but did not give, and the list of files at head when it was not given, each with why
    (`RevisionReader.why_unread`): a gap in what the stages that read specs checked, not a spec absent.
    """

    specs: tuple[Spec, ...] = ()
    notes: tuple[str, ...] = ()
    configured: bool = False
    readable: bool = True
    unread: tuple[SkippedFile, ...] = ()

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(s.path for s in self.specs)

    def get(self, path: str) -> Spec | None:
        return next((s for s in self.specs if s.path == path), None)

    def governing(self, paths: Iterable[str]) -> list[Spec]:
        """The specs that govern at least one of `paths`, in spec path order. A spec document is not
        code: it governs no other spec."""
        wanted = [p for p in dict.fromkeys(paths) if p not in self.paths]
        return [s for s in self.specs if s.governs and any(s.governs_path(p) for p in wanted)]

    def governed_paths(self, spec: Spec, paths: Iterable[str]) -> list[str]:
        """Which of `paths` (spec documents excepted) `spec` governs."""
        specs = self.paths
        return [p for p in dict.fromkeys(paths) if p not in specs and spec.governs_path(p)]

    @property
    def general(self) -> tuple[Spec, ...]:
        """The specs with no `governs`."""
        return tuple(s for s in self.specs if s.is_general)

    @property
    def general_context(self) -> tuple[Spec, ...]:
        """The general specs every prompt carries: in path order, while together within the bound."""
        sent: list[Spec] = []
        left = MAX_GENERAL_SPEC_CHARS
        for spec in self.general:
            if len(spec.text) > left:
                break
            sent.append(spec)
            left -= len(spec.text)
        return tuple(sent)

    @property
    def general_left_out(self) -> tuple[Spec, ...]:
        sent = set(s.path for s in self.general_context)
        return tuple(s for s in self.general if s.path not in sent)

    def context_for(self, paths: Iterable[str], max_chars: int = MAX_CHUNK_SPEC_CHARS) -> SpecContext:
        """The spec text a prompt about `paths` carries: the specs governing them, then the general
        context, within `max_chars` (a spec that does not fit whole is cut, the ones after it left out)."""
        sections: list[tuple[Spec, str]] = []
        left_out: list[str] = []
        left = max_chars
        for spec in [*self.governing(paths), *self.general_context]:
            if left <= 0:
                left_out.append(f"{spec.path}: spec text in one prompt is limited to {max_chars} characters")
                continue
            text = spec.text
            if len(text) > left:
                left_out.append(f"{spec.path}: cut to {left} characters (limit {max_chars} a prompt)")
                text = text[:left]
            left -= len(text)
            sections.append((spec, text))
        return SpecContext(tuple(sections), tuple(left_out))

    def largest_context_chars(self, paths: Iterable[str], max_chars: int = MAX_CHUNK_SPEC_CHARS) -> int:
        """An upper bound of the spec text any prompt about some of `paths` carries: what a chunk's
        budget must leave room for."""
        return self.context_for(paths, max_chars).chars
