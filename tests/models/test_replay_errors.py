"""A trace that cannot be replayed is one clear line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.cli import main
from gate.errors import TraceError
from gate.replay import replay_trace

HEADER = '{"type": "header", "trace_version": 1}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header line"),
        ("not json\n", "not a JSON line"),
        ('{"no": "type"}\n', "not a trace record"),
        ('{"type": "header", "trace_version": 99}\n', "trace format version 99"),
        (HEADER + "\n", "no run record"),
        (HEADER + '\n{"type": "run", "config": {}}\n', "malformed run record"),
        (HEADER + '\n{"type": "run", "config": {"nope": 1}, "changeset": {}}\n', "malformed run record"),
    ],
)
def test_malformed_traces(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(text)
    with pytest.raises(TraceError, match=message):
        replay_trace(path)


def test_missing_trace_at_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "none.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ai-gate: bad trace:") and "no such file" in err and "Traceback" not in err
