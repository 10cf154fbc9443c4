"""What a review leaves for the next run of the same PR (`ReviewState`), and how the review's details say
whether it started from one (`FullReview` or `IncrementalReview`, the review's `details.incremental`).

The state travels compact and opaque, `v1:<base64(zlib(json))>`, in the JSON report (`review_state`) and
in a hidden line of the summary comment. It is bounded: a state too large to keep is not kept, and the next
run reviews everything. Read back, it is untrusted input: validated field by field, and a state that does
not parse is ignored (a full review, said). `gate.review.state` makes and finds it.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Annotated, Final, Literal

from pydantic import ConfigDict, Field, ValidationError

from gate.context.commit_id import FULL_COMMIT_ID_PATTERN, SHA256_HEX_CHARS
from gate.schema.base import Schema

VERSION: Final = "v1"
MAX_STATE_CHARS: Final = 24_000  # encoded; the summary comment holds 65,536 characters in all
MAX_INFLATED_BYTES: Final = 1 << 20
MAX_FINDINGS: Final = 500
MAX_TEXT_CHARS: Final = 2_000  # per finding body and suggestion kept in the state
MAX_MODELS: Final = 20
MAX_REVIEWED_FILES: Final = 10_000


class _Strict(Schema):
    """A state is read back only by this gate: a key it does not know means it is not one."""

    model_config = ConfigDict(extra="forbid")


class KeptFinding(_Strict):
    """A review finding kept for the next run: where it is, what it says, and which models confirmed it."""

    fingerprint: str = Field(max_length=SHA256_HEX_CHARS)  # a prefix of a sha256 hex digest
    path: str = Field(max_length=4096)
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    severity: str = Field(pattern="^(critical|high|medium|low|info)$")
    category: str = Field(max_length=200)
    title: str = Field(max_length=1_000)
    body: str = Field(max_length=MAX_TEXT_CHARS + 20)
    suggestion: str | None = Field(default=None, max_length=MAX_TEXT_CHARS + 20)
    confirmed_by: tuple[str, ...] = Field(default=(), max_length=MAX_MODELS)
    lines_hash: str = Field(max_length=SHA256_HEX_CHARS)  # of the covered lines' text at `head`


Line = Annotated[int, Field(ge=1)]


class ReviewedLines(_Strict):
    """The lines of one file at the state's head that every review model was shown: runs of line
    numbers, first and last inclusive; none for a file whose only change is a removal."""

    path: str = Field(max_length=4096)
    # unbounded here: the state's encoded and inflated sizes bound it
    lines: tuple[tuple[Line, Line], ...] = ()


class ReviewState(_Strict):
    head: str = Field(pattern=FULL_COMMIT_ID_PATTERN)
    models: tuple[str, ...] = Field(max_length=MAX_MODELS)
    findings: tuple[KeptFinding, ...] = Field(default=(), max_length=MAX_FINDINGS)
    # What the review sent to every model: an incremental review holds back only code in it. None in a
    # state written before the gate kept it, and then the next review sends everything.
    reviewed: tuple[ReviewedLines, ...] | None = Field(default=None, max_length=MAX_REVIEWED_FILES)

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


class StateError(Exception):
    """A review state that cannot be used; the run then reviews everything."""


class FullReview(Schema):
    """The review looked at the whole change, and why it did not start from the previous review."""

    mode: Literal["full"] = "full"
    why: str


class IncrementalReview(Schema):
    """The review sent only what changed since the previous review's head, and carried the rest."""

    mode: Literal["incremental"] = "incremental"
    previous_head: str
    units_sent: int
    units_carried: int
    # of the units sent, those unchanged since the previous head that its review had not been shown
    # (a file no longer left out by `paths.ignore`, a hunk the moved base added)
    units_not_reviewed_before: int = 0
    carried: tuple[KeptFinding, ...] = ()
    dropped_fingerprints: tuple[str, ...] = ()
