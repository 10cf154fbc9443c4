"""`ai-gate replay TRACE`: recompute the findings and the verdict of a recorded run, with no network.

The trace's `run` record gives the configuration, the diff's shape, provenance and every stage's
result; the review findings are rebuilt from the recorded model answers (`gate.review.replay`), and
the verdict is decided again by `gate.policy.decide`. A trace that cannot be read is a `TraceError`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gate import policy
from gate.errors import TraceError
from gate.models.trace import TRACE_VERSION
from gate.models.trace_codec import (
    decode_changeset,
    decode_config,
    decode_provenance,
    decode_stage,
    decode_usage,
)
from gate.run import Outcome, StageResult

MAX_TRACE_BYTES = 512 << 20


def read_trace(path: Path) -> list[dict[str, Any]]:
    try:
        if path.stat().st_size > MAX_TRACE_BYTES:
            raise TraceError(f"{path}: larger than {MAX_TRACE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TraceError(f"{path}:{number}: not a JSON line: {exc.msg}") from None
        if not isinstance(record, dict) or "type" not in record:
            raise TraceError(f"{path}:{number}: not a trace record (no 'type')")
        records.append(record)
    if not records or records[0].get("type") != "header":
        raise TraceError(f"{path}: not an ai-gate trace (no header line)", "pass the file written by --trace")
    version = records[0].get("trace_version")
    if version != TRACE_VERSION:
        raise TraceError(f"{path}: trace format version {version!r}, this build reads {TRACE_VERSION}")
    return records


def replay_trace(path: Path) -> Outcome:
    from gate.intent.replay import recompute as recompute_spec
    from gate.review.replay import recompute

    records = read_trace(path)
    runs = [r for r in records if r["type"] == "run"]
    if not runs:
        raise TraceError(
            f"{path}: no run record: the run that wrote this trace did not finish",
            "replay needs a trace from a run that reached its verdict",
        )
    run = runs[-1]
    calls = [r for r in records if r["type"] == "call"]
    try:
        config = decode_config(run["config"])
        changeset = decode_changeset(run["changeset"])
        provenance = decode_provenance(run["provenance"])
        recorded = [decode_stage(s) for s in run["stages"]]
        results: list[StageResult] = []
        for stage in recorded:
            if stage.stage == "review" and stage.ran and stage.quorum:
                stage = recompute(stage, calls, config.gate.fail_on)
            elif stage.stage == "spec" and stage.ran and stage.quorum:
                stage = recompute_spec(stage, calls, config.gate.fail_on)
            results.append(stage)
        usage = decode_usage(run["usage"])
        escalations = {k: (bool(v[0]), str(v[1])) for k, v in run.get("escalations", {}).items()}
    except (KeyError, TypeError, ValueError, IndexError, ValidationError) as exc:
        raise TraceError(
            f"{path}: malformed run record: {type(exc).__name__}: {exc}".splitlines()[0]
        ) from None
    decision = policy.decide(results, changeset, config)
    notes = [
        *run.get("notes", []),
        f"replayed from {path.name}: {len(calls)} recorded model call(s), none made",
    ]
    if decision.verdict != run.get("verdict"):
        notes.append(
            f"the recorded run reached '{run.get('verdict')}', the replay reaches '{decision.verdict}'"
        )
    for rebuilt in ("review", "spec"):
        before = {f.fingerprint for s in recorded if s.stage == rebuilt for f in s.findings}
        after = {f.fingerprint for s in results if s.stage == rebuilt for f in s.findings}
        if before != after:
            notes.append(
                f"the {rebuilt} findings rebuilt from the recorded answers differ from the recorded ones"
            )
    return Outcome(
        verdict=decision.verdict,
        reasons=decision.reasons,
        provenance=provenance,
        stages=tuple(results),
        findings=decision.findings,
        usage=usage,
        changeset=changeset,
        config=config,
        notes=tuple(notes),
        escalations=escalations,
    )
