"""What a review leaves for the next run of the same PR: the head it reviewed and its findings.

An incremental re-review (`gate.review.incremental`) starts from it. It travels compact and opaque,
`v1:<base64(zlib(json))>`, in the JSON report (`review_state`) and in a hidden line of the summary
comment (`<!-- ai-quality-gate:state=v1:... -->`, like the gate's other markers). It is bounded: a
state too large to keep is not kept, and the next run reviews everything. Read back, it is untrusted
input: validated field by field, and a state that does not parse is ignored (a full review, said).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gate.findings import Finding

VERSION = "v1"
MAX_STATE_CHARS = 24_000  # encoded; the summary comment holds 65,536 characters in all
MAX_INFLATED_BYTES = 1 << 20
MAX_FINDINGS = 500
MAX_TEXT_CHARS = 2_000  # per finding body and suggestion kept in the state
COMMENT_PREFIX = "<!-- ai-quality-gate:state="
_COMMENT = re.compile(r"<!-- ai-quality-gate:state=(v1:[A-Za-z0-9+/=]+) -->")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeptFinding(_Model):
    fingerprint: str = Field(max_length=64)
    path: str = Field(max_length=4096)
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    severity: str = Field(pattern="^(critical|high|medium|low|info)$")
    category: str = Field(max_length=200)
    title: str = Field(max_length=1_000)
    body: str = Field(max_length=MAX_TEXT_CHARS + 20)
    suggestion: str | None = Field(default=None, max_length=MAX_TEXT_CHARS + 20)
    confirmed_by: tuple[str, ...] = Field(default=(), max_length=20)
    lines_hash: str = Field(max_length=64)  # of the covered lines' text at `head`


class ReviewState(_Model):
    head: str = Field(pattern="^[0-9a-f]{40}$|^[0-9a-f]{64}$")
    models: tuple[str, ...] = Field(max_length=20)
    findings: tuple[KeptFinding, ...] = Field(default=(), max_length=MAX_FINDINGS)

    def encode(self) -> str | None:
        """`v1:<base64>`, or None when it would be larger than the bound."""
        raw = json.dumps(self.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
        packed = base64.b64encode(zlib.compress(raw.encode(), 9)).decode()
        text = f"{VERSION}:{packed}"
        return text if len(text) <= MAX_STATE_CHARS else None

    @classmethod
    def decode(cls, text: str) -> ReviewState:
        """The state in `text`; a `StateError` says why it is not one."""
        version, _, packed = text.strip().partition(":")
        if version != VERSION:
            raise StateError(f"review state version {version[:10]!r} is not {VERSION}")
        if len(packed) > MAX_STATE_CHARS:
            raise StateError("review state larger than the bound")
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(base64.b64decode(packed, validate=True), MAX_INFLATED_BYTES)
            if inflater.unconsumed_tail:
                raise StateError("review state inflates past the bound")
            return cls.model_validate(json.loads(raw))
        except (binascii.Error, zlib.error, ValueError, ValidationError) as exc:
            raise StateError(f"review state unreadable: {type(exc).__name__}") from None


def encode_state(
    head: str, models: Sequence[str], kept: Sequence[KeptFinding]
) -> tuple[str | None, str | None]:
    """(the encoded state, None), or (None, why it is not kept) when it is over a bound."""
    if len(kept) > MAX_FINDINGS:
        return None, f"{len(kept):,} findings, more than the {MAX_FINDINGS} a review state keeps"
    encoded = ReviewState(head=head, models=tuple(models), findings=tuple(kept)).encode()
    if encoded is None:
        return None, f"review state over {MAX_STATE_CHARS:,} characters"
    return encoded, None


class StateError(Exception):
    """A review state that cannot be used; the run then reviews everything."""


def lines_hash(head_lines: Sequence[str] | None, start: int, end: int) -> str:
    """A short hash of lines start..end (1-based, inclusive) of the head file; "" when unknown."""
    if head_lines is None or end > len(head_lines) or start < 1:
        return ""
    text = "\n".join(head_lines[start - 1 : end])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def keep(finding: Finding, head_lines: Sequence[str] | None) -> KeptFinding | None:
    loc = finding.location
    if loc is None or loc.start_line is None:
        return None
    end = loc.end_line or loc.start_line
    return KeptFinding(
        fingerprint=finding.fingerprint,
        path=loc.path,
        start_line=loc.start_line,
        end_line=end,
        severity=finding.severity.value,
        category=finding.category[:200],
        title=finding.title[:1_000],
        body=_cut(finding.body),
        suggestion=_cut(finding.suggestion) if finding.suggestion is not None else None,
        confirmed_by=finding.confirmed_by[:20],
        lines_hash=lines_hash(head_lines, loc.start_line, end),
    )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + " …(cut)"


def comment_line(encoded: str) -> str:
    return f"{COMMENT_PREFIX}{encoded} -->"


def from_comment(body: str) -> str | None:
    """The encoded state in a summary comment's body, if it has one."""
    match = _COMMENT.search(body)
    return match.group(1) if match else None
