"""The trace's `run` record keeps what other code reads from a stage as typed fields, so a replay has the
models a stage called, the files an analyzer skipped and those it read as code, and the spec check's plan
without reading details."""

from __future__ import annotations

import json

from gate.models.trace_codec import decode_stage, encode_stage
from gate.run import StageResult
from gate.schema.coverage import SkippedFile
from gate.schema.spec_plan import SpecChunkPlan, SpecPlan, SpecStatement


def test_models_skipped_files_and_the_spec_plan_round_trip_through_the_trace() -> None:
    plan = SpecPlan(
        requirements=(SpecStatement(id="R1", source="I1", statement="amounts are Decimal"),),
        chunks=(SpecChunkPlan(id="c1", paths=("shop/pay.py",), statements=("R1",)),),
    )
    result = StageResult(
        "spec",
        ran=True,
        why="called",
        models=("openai/fake-a", "openai/fake-b"),
        skipped_files=(SkippedFile(path="blob.bin", why="binary file"),),
        read_as_code=("shop/pay.py",),
        spec_plan=plan,
    )
    again = decode_stage(json.loads(json.dumps(encode_stage(result))))
    assert (again.models, again.skipped_files, again.read_as_code, again.spec_plan) == (
        result.models,
        result.skipped_files,
        ("shop/pay.py",),
        plan,
    )
    assert again.details == {}  # none of it is in the report's details


def test_a_record_without_them_reads_as_none_recorded() -> None:
    bare = encode_stage(StageResult("secrets", ran=True, why="runs on every PR"))
    for key in ("models", "skipped_files", "read_as_code", "spec_plan"):
        bare.pop(key)
    again = decode_stage(bare)
    assert (again.models, again.skipped_files, again.read_as_code, again.spec_plan) == ((), (), (), None)
