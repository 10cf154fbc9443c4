"""Which added lines the share of code counts: the share the thresholds read by default
(`thresholds.share_of: code`).

Lines no reviewer reads as code dilute that share when a person adds them next to AI code. Three kinds
are left out of it, on both sides (AI lines among them too):
- documentation: prose (`doc_files`);
- data files, told by their names here and nowhere else: JSON, CSV and TSV, SVG, lockfiles and checksum
  files (`pnpm-lock.yaml`, `go.sum`, `Cargo.lock`), source maps, and a file named as minified that is
  minified (`gate.context.minified`). Not Jest snapshots (`.snap`), which Jest runs as JavaScript, nor
  `package.json` and `composer.json`, whose scripts run on install;
- lines that change only whitespace: an added line that takes the place of a removed line the same
  but for leading and trailing whitespace, where indentation is syntax only if it keeps its nesting
  (`gate.provenance.whitespace_changes`).
Only the share changes: every analyzer still reads these files as it reads any other, and `ai_lines`
still counts every AI line, an AI-written fixture's too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from gate.context.file_kinds import shown_lines
from gate.context.minified import is_readable, named_minified
from gate.context.model import RevisionReader
from gate.diff.model import FileChange
from gate.provenance.doc_files import is_documentation
from gate.provenance.line_marks import Owned
from gate.provenance.model import DATA_FILES, DOCUMENTATION, LEFT_OUT_KINDS, WHITESPACE_ONLY
from gate.provenance.whitespace_changes import whitespace_only

DATA_SUFFIXES = frozenset(
    {
        ".json", ".jsonl", ".ndjson", ".geojson", ".csv", ".tsv", ".svg",
        ".lock", ".lockfile", ".sum", ".map",
    }
)  # fmt: skip
# Lockfiles whose suffix says another kind of file (`pnpm-lock.yaml` is YAML, `.terraform.lock.hcl` HCL).
DATA_NAMES = frozenset({"pnpm-lock.yaml", ".terraform.lock.hcl", "package.resolved"})
# Files of a data suffix that hold commands a tool runs: `scripts` run on `npm install`/`composer install`.
CODE_NAMES = frozenset({"package.json", "composer.json"})


@dataclass(frozen=True)
class CodeLines:
    """The added and AI lines the share of code counts, and the lines it leaves out, by kind."""

    added: int = 0
    ai: int = 0
    unknown: int = 0  # lines of unknown origin (`ProvenanceResult.unknown_lines`)
    left_out: Mapping[str, int] = field(default_factory=dict)  # kind -> added lines left out
    data_files: tuple[str, ...] = ()  # the data files whose lines were left out


def is_data_file(path: str, change: FileChange | None, revisions: RevisionReader | None) -> bool:
    """Data by its name: a suffix or name above, or named as minified and minified at head (read from
    the head revision when the run has it, else from the lines the diff shows)."""
    name = PurePosixPath(path).name.lower()
    if name in CODE_NAMES:
        return False
    if PurePosixPath(name).suffix in DATA_SUFFIXES or name in DATA_NAMES:
        return True
    if not named_minified(name):
        return False
    head = revisions.read("head", path) if revisions is not None else None
    if head is not None:
        return not is_readable(head.splitlines())
    return change is None or not is_readable(line.text for line in shown_lines(change))


def code_lines(
    owners: Mapping[str, Owned],
    ai_line_map: Mapping[str, frozenset[int]],
    by_path: Mapping[str, FileChange],
    revisions: RevisionReader | None,
    unknown_map: Mapping[str, Collection[int]] | None = None,
) -> CodeLines:
    """The added, AI and unknown-origin (`unknown_map`) lines of the change's code, with what was left
    out and why."""
    added = ai = unknown = 0
    left_out: Counter[str] = Counter()
    data_files: list[str] = []
    for path, (lines, _) in owners.items():
        change = by_path.get(path)
        ai_lines = ai_line_map.get(path, frozenset())
        unknown_lines = set((unknown_map or {}).get(path, ()))
        if is_documentation(path, change, revisions):
            left_out[DOCUMENTATION] += len(lines)
        elif is_data_file(path, change, revisions):
            left_out[DATA_FILES] += len(lines)
            data_files.append(path)
        else:
            same = whitespace_only(change, revisions) if change is not None else frozenset()
            counted = [n for n in lines if n not in same]
            left_out[WHITESPACE_ONLY] += len(lines) - len(counted)
            added += len(counted)
            ai += sum(1 for n in counted if n in ai_lines)
            unknown += sum(1 for n in counted if n in unknown_lines)
    return CodeLines(
        added=added,
        ai=ai,
        unknown=unknown,
        left_out={kind: left_out[kind] for kind in LEFT_OUT_KINDS if left_out[kind]},
        data_files=tuple(data_files),
    )
