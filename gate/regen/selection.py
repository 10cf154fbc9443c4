"""Which hunks to re-generate: AI-authored, logic-bearing, largest first; every other hunk says why not."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gate.config.models import Regen
from gate.diff.model import Diff, DiffLine, FileChange, Hunk, LineKind
from gate.provenance.model import ProvenanceResult
from gate.redact.hidden import HIDDEN, hidden_added
from gate.regen.tokens import language_for

MIN_CODE_LINES = 3
# A region longer than this is not re-generated: samples of it would cost much and compare poorly.
MAX_REGION_LINES = 150
# Unchanged lines that may sit inside one region (blank lines between statements, a kept line).
MAX_CONTEXT_GAP = 2

_HASH_COMMENT_LANGUAGES = frozenset({"python", "bash", "sh", "ruby", "perl", "r", "make", "cmake", "toml"})
_IMPORT = re.compile(
    r"^(import\s|from\s+\S+\s+import\s|#\s*include\b|using\s+[\w.]+\s*;|use\s+[\w:\\{}, ]+;?$"
    r"|(const|let|var)\s+[\w{}, ]+\s*=\s*require\(|require(_relative)?[\s(]|package\s+[\w.]+;?$"
    r"|@import\s|extern\s+crate\s)"
)
# The first line of a top-level definition, in Python and the common C-like and scripting languages.
_DEFINITION = re.compile(
    r"(@\w|(async\s+)?def\s|class\s|(export\s+)?(default\s+)?(async\s+)?function\b|func\s|fn\s"
    r"|pub(\(\w+\))?\s+(fn|struct|enum|trait)\s|impl\b|(public|private|protected|internal)\s|interface\s)"
)
# Lines that carry decisions: branches, loops, returns, raises, comparisons and boolean logic.
_DECISION = re.compile(
    r"\b(if|elif|else|for|while|case|switch|match|catch|except|try|return|raise|throw|and|or|not)\b"
    r"|==|!=|<=|>=|&&|\|\||(?<![<>-])[<>](?![<>=])"
)


@dataclass(frozen=True)
class Region:
    """One AI-authored hunk chosen for re-generation: the changed span of the hunk, both sides."""

    path: str
    language: str
    start_line: int  # first line of the span on the new side
    end_line: int
    code: str  # the submitted code of the span (new side)
    old_start: int  # where the span starts on the base side (the line after it, for a pure insertion)
    old_code: str  # what the span replaced (base side); empty for a pure insertion
    hunk: Hunk
    weight: int  # how logic-bearing: code lines plus decision points
    added_lines: int

    @property
    def id(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"


# How the reasons below begin for a hunk that was never a candidate: passing it over is the design, not
# a gap in what was checked.
NOT_CANDIDATE = ("not AI-authored", "not code", "trivial")


@dataclass(frozen=True)
class SkippedHunk:
    path: str
    start_line: int
    end_line: int
    reason: str

    @property
    def candidate(self) -> bool:
        """Whether the hunk was one to re-generate (then leaving it out is a gap in the check)."""
        return not self.reason.startswith(NOT_CANDIDATE)

    def as_json(self) -> dict[str, Any]:
        """The hunk as the report lists it (`dataclasses.asdict`'s fields, without its deep copy: a
        large change skips thousands of hunks)."""
        return {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "reason": self.reason,
        }

    @property
    def lines(self) -> str:
        return (
            f"{self.start_line}-{self.end_line}" if self.start_line != self.end_line else str(self.start_line)
        )


@dataclass(frozen=True)
class Selection:
    regions: tuple[Region, ...]
    skipped: tuple[SkippedHunk, ...]
    withheld: tuple[str, ...] = ()  # files whose regions no model is sent (`withheld`)
    hidden: tuple[str, ...] = ()  # regions a remembered value would hide in part (`hidden`)


def select_regions(diff: Diff, provenance: ProvenanceResult, config: Regen) -> Selection:
    """AI-authored hunks worth re-generating, most logic-bearing first, at most `regen.max_hunks`."""
    candidates: list[Region] = []
    skipped: list[SkippedHunk] = []
    for change in diff.files:
        for hunk in change.hunks:
            for span_index, span in change_blocks(hunk):
                added = [line for line in span if line.kind is LineKind.ADDED]
                if not added:
                    continue
                region_or_reason = _consider(change, hunk, span_index, span, provenance)
                if isinstance(region_or_reason, Region):
                    candidates.append(region_or_reason)
                else:
                    first, last = added[0].new_no or hunk.new_start, added[-1].new_no or hunk.new_end
                    skipped.append(SkippedHunk(change.path, first, last, region_or_reason))
    candidates.sort(key=lambda r: (-r.weight, -r.added_lines, r.path, r.start_line))
    chosen = candidates[: config.max_hunks]
    for region in candidates[config.max_hunks :]:
        reason = f"beyond regen.max_hunks ({config.max_hunks}); less logic-bearing than the hunks checked"
        skipped.append(SkippedHunk(region.path, region.start_line, region.end_line, reason))
    skipped.sort(key=lambda s: (s.path, s.start_line))
    return Selection(tuple(chosen), tuple(skipped))


def withheld(selection: Selection, unlearned: Mapping[str, str]) -> Selection:
    """The selection without the regions of the files the run could not read whole, each a candidate
    left out with why (`gate.redact.unlearned_files`): their secrets are not all known, so no line of
    them goes to a model."""
    if not any(region.path in unlearned for region in selection.regions):
        return selection
    kept = tuple(region for region in selection.regions if region.path not in unlearned)
    left = [
        SkippedHunk(region.path, region.start_line, region.end_line, unlearned[region.path])
        for region in selection.regions
        if region.path in unlearned
    ]
    skipped = sorted((*selection.skipped, *left), key=lambda s: (s.path, s.start_line))
    return Selection(kept, tuple(skipped), tuple(dict.fromkeys(hunk.path for hunk in left)))


def hidden(selection: Selection, diff: Diff) -> Selection:
    """The selection without the regions that have an added line a value remembered elsewhere in the run
    would hide in part (`gate.redact.hidden`), each a candidate left out with its lines: the models would
    compare their re-generations with code that is not the code the change submits."""
    found = hidden_added(diff, [(r.path, r.start_line, r.end_line) for r in selection.regions])
    if not found:
        return selection
    left: list[SkippedHunk] = []
    kept: list[Region] = []
    for region in selection.regions:
        lines = [n for path, n in found if path == region.path and region.start_line <= n <= region.end_line]
        if not lines:
            kept.append(region)
            continue
        reason = f"line(s) {', '.join(map(str, lines))} {HIDDEN}"
        left.append(SkippedHunk(region.path, region.start_line, region.end_line, reason))
    skipped = sorted((*selection.skipped, *left), key=lambda s: (s.path, s.start_line))
    ids = tuple(f"{h.path}:{h.start_line}-{h.end_line}" for h in left)
    return Selection(tuple(kept), tuple(skipped), selection.withheld, ids)


def change_blocks(hunk: Hunk) -> list[tuple[int, list[DiffLine]]]:
    """The hunk's runs of changed lines as (index in the hunk, lines), context lines inside a run kept.

    Git merges changes up to six lines apart into one hunk; an added import and a new function below it
    are two regions to judge, so runs split where more than `MAX_CONTEXT_GAP` context lines separate them,
    and where an added top-level definition starts: each new function of a new file is re-generated on
    its own, with the rest of the file around it, rather than the whole file from its commit message.
    """
    # Blank lines added or removed at the edges of a run are layout, not part of the region.
    changed = [
        i for i, line in enumerate(hunk.lines) if line.kind is not LineKind.CONTEXT and line.text.strip()
    ]
    if not changed:
        changed = [i for i, line in enumerate(hunk.lines) if line.kind is not LineKind.CONTEXT]
    blocks: list[tuple[int, list[DiffLine]]] = []
    start = prev = changed[0] if changed else 0
    for i in changed[1:]:
        if i - prev - 1 > MAX_CONTEXT_GAP or _starts_definition(hunk.lines[i], hunk.lines[prev]):
            blocks.append((start, list(hunk.lines[start : prev + 1])))
            start = i
        prev = i
    if changed:
        blocks.append((start, list(hunk.lines[start : prev + 1])))
    return blocks


def _starts_definition(line: DiffLine, previous: DiffLine) -> bool:
    """An added, unindented definition (or its first decorator) that does not continue a decorator."""
    return (
        line.kind is LineKind.ADDED
        and not line.text[:1].isspace()
        and _DEFINITION.match(line.text) is not None
        and not previous.text.startswith("@")
    )


def _consider(
    change: FileChange, hunk: Hunk, span_index: int, span: list[DiffLine], prov: ProvenanceResult
) -> Region | str:
    """The changed span as a region to re-generate, or the reason it is not one."""
    added = [line for line in span if line.kind is LineKind.ADDED]
    ai = sum(1 for line in added if line.new_no is not None and prov.is_ai_line(change.path, line.new_no))
    if ai * 2 <= len(added):
        return f"not AI-authored ({ai} of {len(added)} added lines attributed to AI)"
    language = language_for(change.path)
    if language is None:
        return "not code (documentation or data file)"
    removed = [line for line in span if line.kind is LineKind.REMOVED]
    if not any(line.text.strip() for line in added):
        return "trivial: whitespace only"
    if _squeezed(removed) == _squeezed(added):
        return "trivial: whitespace-only change"
    code = [line.text for line in added if line.text.strip() and not _is_comment(line.text, language)]
    if not code:
        return "trivial: comments only"
    if _imports_only(code):
        return "trivial: imports only"
    if len(code) < MIN_CODE_LINES:
        return f"trivial: under {MIN_CODE_LINES} lines of code ({len(code)})"
    new_side = [line for line in span if line.kind is not LineKind.REMOVED]
    if len(new_side) > MAX_REGION_LINES:
        return f"too large to re-generate ({len(new_side)} lines > {MAX_REGION_LINES})"
    old_side = [line for line in span if line.kind is not LineKind.ADDED]
    start = next(line.new_no for line in new_side if line.new_no is not None)
    end = new_side[-1].new_no or start
    return Region(
        path=change.path,
        language=language,
        start_line=start,
        end_line=end,
        code="".join(line.text + "\n" for line in new_side),
        old_start=_old_start(hunk, span_index),
        old_code="".join(line.text + "\n" for line in old_side),
        hunk=hunk,
        weight=len(code) + sum(len(_DECISION.findall(line)) for line in code),
        added_lines=len(added),
    )


def _old_start(hunk: Hunk, span_index: int) -> int:
    """Base line where the span begins: its first old line, else the line after the preceding ones."""
    for line in hunk.lines[span_index:]:
        if line.kind is not LineKind.ADDED and line.old_no is not None:
            return line.old_no
    preceding = [line.old_no for line in hunk.lines[:span_index] if line.old_no is not None]
    if preceding:
        return max(preceding) + 1
    return hunk.old_start + 1 if hunk.old_count == 0 else max(hunk.old_start, 1)


def _squeezed(lines: Sequence[DiffLine]) -> str:
    return "".join("".join(line.text.split()) for line in lines)


def _is_comment(text: str, language: str) -> bool:
    stripped = text.strip()
    if language in _HASH_COMMENT_LANGUAGES:
        return stripped.startswith("#")
    return stripped.startswith(("//", "/*", "*", "*/", "--", "<!--"))


def _imports_only(code: Sequence[str]) -> bool:
    """Every code line is an import (continuation lines of a parenthesized import included)."""
    in_block = False
    for line in code:
        stripped = line.strip()
        if in_block:
            in_block = not stripped.startswith(")")
            continue
        if not _IMPORT.match(stripped) and stripped not in ("import (", ")"):
            return False
        in_block = stripped.endswith("(")
    return True
