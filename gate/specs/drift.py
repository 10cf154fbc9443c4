"""The `spec-drift` stage: code a spec governs changed, mostly by AI, without the spec (and the reverse).

Deterministic and advisory, on every PR with specs configured. It reads the spec set (gate/specs), the
diff, and the provenance stage's line attribution:

- `spec-drift`: the change adds lines to files a spec governs, more than DRIFT_AI_SHARE of them
  attributed to AI, and leaves the spec untouched. An AI tool whose context lost the spec is the case
  this catches; the finding names the spec and sits on the largest AI-written run of added lines.
- `spec-without-code`: the change edits a spec and none of the code it governs. A spec that moves
  alone may describe code that no longer matches it.
- `spec-removed`: the change deletes a spec (read at the base revision); deleting the spec is otherwise
  the quiet way past `spec-drift`.

Both are advisory (they never block): a spec is a prompt for a person to look, not proof of a defect.
A spec with no `governs` governs nothing and takes no part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.diff.model import FileChange
from gate.findings import Confidence, Finding, Location, Severity
from gate.provenance.model import ProvenanceResult
from gate.run import RunContext, StageResult
from gate.specs.load import load_specs, read_removed_specs
from gate.specs.model import Spec, SpecSet
from gate.wording import first_of

# More than this share of a spec's governed added lines written by AI, with the spec untouched, is drift.
DRIFT_AI_SHARE = 0.5
MAX_NAMED_FILES = 10  # files listed in one finding's body


class SpecDriftAnalyzer(Analyzer):
    meta = AnalyzerMeta(
        id="spec-drift",
        description="code a spec governs changed (mostly by AI) without the spec, or a spec without its code",
        docs="#spec-drift",
        reads_provenance=True,  # how much of the governed code AI wrote
    )

    def run(self, ctx: RunContext) -> StageResult:
        specs = load_specs(ctx)
        if not specs.configured:
            # nothing to keep in step: checked, with nothing to check (not a gap in coverage)
            return self.meta.result([], {"notes": ["no specs configured"]})
        if not specs.readable:
            return self.meta.skipped("; ".join(specs.notes) or "spec documents not available")
        governing = [s for s in specs.specs if s.governs]
        removed, removed_unread = read_removed_specs(ctx.changeset, ctx.config)
        # A spec the revisions did not give may govern any changed file: a gap, not a spec absent.
        unread = (*specs.unread, *removed_unread)
        if not governing and not removed:
            notes = [f"{u.path} was not read ({u.why}): what it governs is unknown" for u in unread]
            read = "read " if unread else ""
            notes.append(
                f"no spec {read}declares the code it governs (governs in front matter or the specs config)"
            )
            return self.meta.result([], {"specs": len(specs.specs), "notes": notes}, skipped_files=unread)
        assert ctx.provenance is not None
        result = drift(specs, governing, ctx.changeset.diff.files, _touched(ctx), ctx.provenance, self.meta)
        if not removed:
            return replace(result, skipped_files=unread)
        code = [f.path for f in ctx.changeset.diff.files if f.path not in specs.paths]
        extra = [_removed_finding(self.meta, spec, specs.governed_paths(spec, code)) for spec in removed]
        details = {**result.details, "removed_specs": [s.path for s in removed]}
        return self.meta.result([*result.findings, *extra], details, skipped_files=unread)


def _touched(ctx: RunContext) -> frozenset[str]:
    """Every path the change edits, ignored ones included: a spec under an ignored path that was edited
    was still kept in step."""
    diff = ctx.changeset.diff
    paths = {f.path for f in (*diff.files, *diff.ignored_files)}
    paths |= {f.old_path for f in (*diff.files, *diff.ignored_files) if f.old_path}
    return frozenset(paths | set(diff.ignored_paths))


def drift(
    specs: SpecSet,
    governing: Sequence[Spec],
    files: Sequence[FileChange],
    touched: frozenset[str],
    provenance: ProvenanceResult,
    meta: AnalyzerMeta,
) -> StageResult:
    by_path = {f.path: f for f in files}
    code = [f.path for f in files if f.path not in specs.paths]
    findings: list[Finding] = []
    per_spec: list[dict[str, Any]] = []
    for spec in governing:
        governed = specs.governed_paths(spec, code)
        spec_edited = spec.path in touched
        added = sum(by_path[p].added_count for p in governed)
        ai = sum(len(_ai_lines(by_path[p], provenance)) for p in governed)
        row: dict[str, Any] = {
            "spec": spec.path,
            "governed_files": governed[:MAX_NAMED_FILES],
            "added_lines": added,
            "ai_lines": ai,
            "spec_edited": spec_edited,
        }
        if governed and not spec_edited and added and ai / added > DRIFT_AI_SHARE:
            findings.append(_drift_finding(meta, spec, governed, by_path, provenance, added, ai))
            row["finding"] = "spec-drift"
        elif spec_edited and not governed and spec.path in by_path:
            findings.append(_alone_finding(meta, spec, by_path[spec.path]))
            row["finding"] = "spec-without-code"
        per_spec.append(row)
    details = {"threshold_ai_share": DRIFT_AI_SHARE, "specs": per_spec}
    return meta.result(findings, details)


def _ai_lines(change: FileChange, provenance: ProvenanceResult) -> list[int]:
    return [
        line.new_no
        for line in change.added
        if line.new_no is not None and provenance.is_ai_line(change.path, line.new_no)
    ]


def _longest_run(numbers: Sequence[int]) -> tuple[int, int]:
    """The longest run of consecutive line numbers (the first of equals)."""
    best = (numbers[0], numbers[0])
    start = prev = numbers[0]
    for n in numbers[1:]:
        if n != prev + 1:
            start = n
        prev = n
        if prev - start > best[1] - best[0]:
            best = (start, prev)
    return best


def _drift_finding(
    meta: AnalyzerMeta,
    spec: Spec,
    governed: Sequence[str],
    by_path: dict[str, FileChange],
    provenance: ProvenanceResult,
    added: int,
    ai: int,
) -> Finding:
    ai_by_file = {p: sorted(_ai_lines(by_path[p], provenance)) for p in governed}
    where = max(governed, key=lambda p: (len(ai_by_file[p]), -governed.index(p)))
    start, end = _longest_run(ai_by_file[where])
    named = first_of([f"`{p}`" for p in governed], MAX_NAMED_FILES)
    return replace(
        meta.finding(
            "spec-drift",
            Severity.LOW,
            Confidence.MEDIUM,
            f"Code governed by `{spec.path}` changed without the spec",
            f"{ai} of {added} added lines in files `{spec.path}` governs ({named}) are attributed to AI, "
            f"and the change does not touch `{spec.path}`. An AI tool may have worked without the spec in "
            "view: check the change still keeps it, or update the spec in the same pull request.",
            Location(where, start, end),
            category="spec",
        ),
        advisory=True,
    )


def _alone_finding(meta: AnalyzerMeta, spec: Spec, change: FileChange) -> Finding:
    lines = [line.new_no for line in change.added if line.new_no is not None]
    location = Location(spec.path, *_longest_run(lines)) if lines else Location(spec.path)
    globs = ", ".join(f"`{g}`" for g in spec.governs[:5]) + (" …" if len(spec.governs) > 5 else "")
    return replace(
        meta.finding(
            "spec-without-code",
            Severity.INFO,
            Confidence.MEDIUM,
            f"Spec `{spec.path}` changed without the code it governs",
            f"The change edits `{spec.path}` but no file it governs ({globs}). If the spec now says "
            "something new, the code that keeps it is still to come; if it describes existing code, "
            "check that code still matches.",
            location,
            category="spec",
        ),
        advisory=True,
    )


def _removed_finding(meta: AnalyzerMeta, spec: Spec, governed: Sequence[str]) -> Finding:
    if governed:
        named = ", ".join(f"`{p}`" for p in governed[:MAX_NAMED_FILES])
        what = f"and changes code it governed ({named})"
        severity = Severity.LOW
    else:
        what = "and none of the code it governed"
        severity = Severity.INFO
    return replace(
        meta.finding(
            "spec-removed",
            severity,
            Confidence.HIGH,
            f"Spec `{spec.path}` deleted",
            f"The change deletes the spec `{spec.path}` {what}. Its contract no longer reaches reviewers "
            "or this check: make sure removing it was meant.",
            Location(spec.path),
            category="spec",
        ),
        advisory=True,
    )
