"""The review state's bounds: a state over them is not kept (the next run reviews everything), no error."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

from gate.review.state import (
    MAX_FINDINGS,
    MAX_STATE_CHARS,
    KeptFinding,
    ReviewedLines,
    ReviewState,
    encode_state,
    reviewed_lines,
)
from gate.review.units import ReviewUnit

HEAD = "a" * 40


def _kept(i: int, body: str = "why") -> KeptFinding:
    return KeptFinding(
        fingerprint=f"{i:016x}",
        path=f"pkg/mod{i % 50}.py",
        start_line=i + 1,
        end_line=i + 2,
        severity="high",
        category="correctness",
        title=f"Finding {i}",
        body=body,
        lines_hash="0" * 16,
    )


def test_a_state_within_bounds_round_trips() -> None:
    kept = [_kept(i) for i in range(3)]
    encoded, why = encode_state(HEAD, ["openai/a", "openai/b"], kept, ())
    assert why is None and encoded is not None
    state = ReviewState.decode(encoded)
    assert state.head == HEAD and state.findings == tuple(kept) and state.reviewed == ()


def _unit(path: str, numbers: list[int | None]) -> ReviewUnit:
    rows = tuple((no, f"{'' if no is None else no} | x") for no in numbers)
    shown = [no for no in numbers if no is not None] or [1]
    return ReviewUnit(f"{path}#1", path, min(shown), max(shown), "", rows)


def test_a_state_keeps_the_lines_each_file_showed_the_models() -> None:
    # a header line far above the hunk, the hunk with a removed row, a second hunk next to it
    units = [_unit("a.py", [3, 40, 41, None, 42]), _unit("a.py", [43, 44]), _unit("gone.py", [None])]
    shown = reviewed_lines(units)
    assert shown == (
        ReviewedLines(path="a.py", lines=((3, 3), (40, 44))),
        ReviewedLines(path="gone.py", lines=()),
    )
    encoded, why = encode_state(HEAD, ["openai/a"], [], shown)
    assert why is None and encoded is not None
    assert ReviewState.decode(encoded).reviewed == shown


def test_a_state_written_before_the_lines_were_kept_reads_as_saying_nothing_shown() -> None:
    raw = {"head": HEAD, "models": ["openai/a"], "findings": []}
    packed = base64.b64encode(zlib.compress(json.dumps(raw).encode())).decode()
    assert ReviewState.decode(f"v1:{packed}").reviewed is None


def test_more_findings_than_a_state_keeps_is_said_not_raised() -> None:
    encoded, why = encode_state(HEAD, ["openai/a"], [_kept(i) for i in range(MAX_FINDINGS + 515)], ())
    assert encoded is None
    assert why == f"{MAX_FINDINGS + 515:,} findings, more than the {MAX_FINDINGS} a review state keeps"


def test_a_state_too_large_once_encoded_is_said() -> None:
    # distinct, incompressible bodies: the encoded state outgrows the summary comment's share
    kept = [_kept(i, body=hashlib.sha512(str(i).encode()).hexdigest()) for i in range(MAX_FINDINGS)]
    encoded, why = encode_state(HEAD, ["openai/a"], kept, ())
    assert encoded is None and why == f"review state over {MAX_STATE_CHARS:,} characters"
