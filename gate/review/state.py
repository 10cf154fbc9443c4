"""What a review leaves for the next run of the same PR: the head it reviewed, its findings, and the
lines of each file every model was shown (so that the next run holds back only code a review saw).

An incremental re-review (`gate.review.incremental`) starts from it. It travels compact and opaque,
`v1:<base64(zlib(json))>`, in the JSON report (`review_state`) and in a hidden line of the summary
comment (`<!-- ai-quality-gate:state=v1:... -->`, like the gate's other markers), the line right under
the comment's marker and only there: the rest of the comment quotes file names, titles and findings the
PR shaped, which could spell such a line anywhere else. No redaction of what
is written can read it, so the findings' words are redacted before they are kept. It is bounded: a
state too large to keep is not kept, and the next run reviews everything. Read back, it is untrusted
input: validated field by field, and a state that does not parse is ignored (a full review, said).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from gate.findings import Finding
from gate.redact import redact, redacted_prefix
from gate.review.units import ReviewUnit
from gate.schema.review_state import (
    MAX_FINDINGS,
    MAX_REVIEWED_FILES,
    MAX_STATE_CHARS,
    MAX_TEXT_CHARS,
    KeptFinding,
    ReviewedLines,
    ReviewState,
    StateError,
)

__all__ = [
    "MAX_FINDINGS",
    "MAX_STATE_CHARS",
    "KeptFinding",
    "ReviewState",
    "ReviewedLines",
    "StateError",
    "comment_line",
    "encode_state",
    "from_comment",
    "keep",
    "lines_hash",
    "reviewed_lines",
]

COMMENT_PREFIX = "<!-- ai-quality-gate:state="
CUT = " …(cut)"  # ends a body or suggestion longer than MAX_TEXT_CHARS
_COMMENT = re.compile(r"<!-- ai-quality-gate:state=(v1:[A-Za-z0-9+/=]+) -->")


def encode_state(
    head: str, models: Sequence[str], kept: Sequence[KeptFinding], reviewed: Sequence[ReviewedLines]
) -> tuple[str | None, str | None]:
    """(the encoded state, None), or (None, why it is not kept) when it is over a bound."""
    if len(kept) > MAX_FINDINGS:
        return None, f"{len(kept):,} findings, more than the {MAX_FINDINGS} a review state keeps"
    if len(reviewed) > MAX_REVIEWED_FILES:
        return None, f"{len(reviewed):,} files reviewed, more than the {MAX_REVIEWED_FILES:,} a state keeps"
    state = ReviewState(head=head, models=tuple(models), findings=tuple(kept), reviewed=tuple(reviewed))
    encoded = state.encode()
    if encoded is None:
        return None, f"review state over {MAX_STATE_CHARS:,} characters"
    return encoded, None


def reviewed_lines(units: Iterable[ReviewUnit]) -> tuple[ReviewedLines, ...]:
    """Per file, the numbered lines the units show (the enclosing definition's header, context and
    added lines), as runs; a file whose units show no numbered line is listed with none."""
    shown: dict[str, set[int]] = {}
    for unit in units:
        shown.setdefault(unit.path, set()).update(no for no, _ in unit.rows if no is not None and no >= 1)
    return tuple(ReviewedLines(path=path, lines=_runs(numbers)) for path, numbers in shown.items())


def _runs(numbers: set[int]) -> tuple[tuple[int, int], ...]:
    runs: list[tuple[int, int]] = []
    for no in sorted(numbers):
        if runs and no == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], no)
        else:
            runs.append((no, no))
    return tuple(runs)


def lines_hash(head_lines: Sequence[str] | None, start: int, end: int) -> str:
    """A short hash of lines start..end (1-based, inclusive) of the head file; "" when unknown."""
    if head_lines is None or end > len(head_lines) or start < 1:
        return ""
    text = "\n".join(head_lines[start - 1 : end])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def keep(finding: Finding, head_lines: Sequence[str] | None) -> KeptFinding | None:
    """The finding as the state keeps it. A suggestion fewer than the quorum of its models gave is left
    out: the state does not say whose it was, and carried over it would read as a confirmed fix."""
    loc = finding.location
    if loc is None or loc.start_line is None:
        return None
    end = loc.end_line or loc.start_line
    suggestion = None if finding.said("suggested_by") else finding.suggestion
    return KeptFinding(
        fingerprint=finding.fingerprint,
        path=loc.path,
        start_line=loc.start_line,
        end_line=end,
        severity=finding.severity.value,
        category=_kept(finding.category, 200),
        title=_kept(finding.title, 1_000),
        body=_kept(finding.body, MAX_TEXT_CHARS, CUT),
        suggestion=_kept(suggestion, MAX_TEXT_CHARS, CUT) if suggestion is not None else None,
        confirmed_by=finding.confirmed_by[:20],
        lines_hash=lines_hash(head_lines, loc.start_line, end),
    )


def _kept(text: str, limit: int, marker: str = "") -> str:
    """A finding's words as the state keeps them: redacted, because the state is written and posted
    encoded, where no redaction of the report or the comment can read it; then cut to `limit`."""
    text = redact(text)
    return text if len(text) <= limit else redacted_prefix(text, limit) + marker


def comment_line(encoded: str) -> str:
    return f"{COMMENT_PREFIX}{encoded} -->"


def from_comment(body: str) -> str | None:
    """The encoded state in a summary comment's body, if it has one: its second line, the one the gate
    writes right under the marker (the first line), read as a whole. A state line anywhere else is text
    the comment quotes, not the gate's."""
    lines = body.lstrip().split("\n", 2)
    match = _COMMENT.fullmatch(lines[1].rstrip("\r")) if len(lines) > 1 else None
    return match.group(1) if match else None
