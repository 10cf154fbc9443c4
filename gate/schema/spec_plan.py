"""What the spec check sent: the requirements it numbered and, per chunk, the statements that govern it.

The `spec` stage keeps it in `StageResult.spec_plan` and the trace records it, so a replay judges the
recorded answers against the same statements and chunks without a model.
"""

from __future__ import annotations

from gate.schema.base import Schema


class SpecStatement(Schema):
    """A requirement as the gate numbers it (`R1`..); `source` is the id of the intent source it is from."""

    id: str
    source: str
    statement: str


class SpecChunkPlan(Schema):
    """What one chunk was checked against: the statements (by id) that govern its files."""

    id: str
    paths: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()  # the lines the chunk showed, as `path:start-end`


class SpecPlan(Schema):
    requirements: tuple[SpecStatement, ...] = ()
    chunks: tuple[SpecChunkPlan, ...] = ()
