"""The review state's bounds: a state over them is not kept (the next run reviews everything), no error."""

from __future__ import annotations

import hashlib

from gate.review.state import MAX_FINDINGS, MAX_STATE_CHARS, KeptFinding, ReviewState, encode_state

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
    encoded, why = encode_state(HEAD, ["openai/a", "openai/b"], kept)
    assert why is None and encoded is not None
    state = ReviewState.decode(encoded)
    assert state.head == HEAD and state.findings == tuple(kept)


def test_more_findings_than_a_state_keeps_is_said_not_raised() -> None:
    encoded, why = encode_state(HEAD, ["openai/a"], [_kept(i) for i in range(MAX_FINDINGS + 515)])
    assert encoded is None
    assert why == f"{MAX_FINDINGS + 515:,} findings, more than the {MAX_FINDINGS} a review state keeps"


def test_a_state_too_large_once_encoded_is_said() -> None:
    # distinct, incompressible bodies: the encoded state outgrows the summary comment's share
    kept = [_kept(i, body=hashlib.sha512(str(i).encode()).hexdigest()) for i in range(MAX_FINDINGS)]
    encoded, why = encode_state(HEAD, ["openai/a"], kept)
    assert encoded is None and why == f"review state over {MAX_STATE_CHARS:,} characters"
