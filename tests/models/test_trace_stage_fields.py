"""The trace's `run` record keeps what other code reads from a stage as typed fields, so a replay has the
models a stage called, the files an analyzer skipped and those it read as code, and the spec check's plan
without reading details."""

from __future__ import annotations

import json

from gate.context.model import ChangeSet
from gate.diff.model import Diff
from gate.models.trace_codec import _changeset, decode_changeset, decode_stage, encode_stage
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


def test_the_change_keeps_what_it_left_unread_through_the_trace() -> None:
    """A replay's coverage names the same files as not analysed as the run's did."""
    change = ChangeSet(
        source="git",
        diff=Diff(files=()),
        unread=("1 Python file whose coding line has Python read other text (app/net.py: coding utf-7)",),
        refused=("big.py",),
        misread={"app/net.py": "Python reads other text by its coding line (coding utf-7)"},
    )
    again = decode_changeset(json.loads(json.dumps(_changeset(change))))
    assert (again.unread, again.refused, again.misread) == (change.unread, change.refused, change.misread)

    older = _changeset(change)
    older.pop("misread")  # a trace written before the field: nothing misread
    assert decode_changeset(older).misread == {}
