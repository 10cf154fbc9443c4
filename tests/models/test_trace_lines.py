"""A trace line is the record with every string redacted: the messages (redacted before they were sent)
with every value remembered since hidden, every other field scanned for secrets. Each review model is
sent the same chunk, so a writer keeps the texts it hid; a value remembered later is still hidden."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from gate.models.trace import CallRecord, TraceWriter
from gate.redact import REDACTED, hide_tree, memory, redact_tree

TOKEN = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token's documented format


def _record(model: str, messages: list[dict[str, str]]) -> CallRecord:
    return CallRecord(
        stage="review",
        model=model,
        schema="review",
        unit="chunk-1",
        prompt_version="review/1",
        purpose="answer",
        attempt=0,
        parameters={"max_tokens": 100, "note": f"key {TOKEN}"},
        messages=messages,
        response=[json.dumps({"findings": [{"title": "leak", "body": f"uses {TOKEN}"}]})],
        validation=["ok"],
        error=None,
        started_at=1.0,
    )


def _expected(record: CallRecord) -> dict[str, Any]:
    """What the trace promises, field by field, from the redaction functions themselves."""
    return {k: hide_tree(v) if k == "messages" else redact_tree(v) for k, v in record.to_json().items()}


def test_each_line_is_the_record_redacted_field_by_field(tmp_path: Path) -> None:
    remembered_later = f"Zq{uuid.uuid4().hex}9"  # unique to this test: the memory lasts the process
    messages = [
        {"role": "system", "content": "You review code."},
        {"role": "user", "content": f"+1 | password = get('{remembered_later}')"},
    ]
    records = [_record(m, messages) for m in ("openai/a", "openai/b")]
    path = tmp_path / "trace.jsonl"
    with TraceWriter.open(path) as writer:
        for record in records:
            writer.record_call(record)
        expected = [_expected(r) for r in records]
        memory.remember([remembered_later])
        # the same messages again: the value learnt since is hidden, not the text kept from before
        writer.record_call(records[0])
        expected.append(_expected(records[0]))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert lines == expected
    assert [remembered_later in line["messages"][1]["content"] for line in lines] == [True, True, False]
    assert REDACTED in lines[2]["messages"][1]["content"]
    assert all(TOKEN not in json.dumps(line) for line in lines)
