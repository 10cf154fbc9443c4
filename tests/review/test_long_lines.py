"""Nothing is hidden from reviewers silently: a long line goes to the models whole, split into rows that
keep its line number; a line too long even for that is cut, and the cut is coverage missing.

Real repositories, the real review stage over litellm to the loopback model server; the prompts the
server received are what the models saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.config.models import Config
from gate.review.units import MAX_LINE_CHARS, MAX_REVIEWED_LINE_CHARS
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.review.scenario import MODELS, gate, stage

HIDDEN = "subprocess.call(cmd, shell=True)"


@pytest.fixture(autouse=True)
def _model_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")


def _repo(root: Path, line: str) -> GitRepo:
    repo = GitRepo(root)
    repo.write("tools/run.py", "import subprocess\n\n\ndef run(cmd):\n    return 0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("tools/run.py", f"import subprocess\n\n\ndef run(cmd):\n{line}\n    return 0\n")
    repo.commit("run the command")
    return repo


def _config(server: FakeModelServer, **gate_policy: str) -> Config:
    data = server.review_config(MODELS)
    if gate_policy:
        data["gate"] = gate_policy
    return Config.model_validate(data)


def _review_prompts(server: FakeModelServer) -> list[str]:
    return [c.last_user for c in server.calls if c.schema == "review"]


def test_code_at_column_560_reaches_every_reviewer(tmp_path: Path, model_server: FakeModelServer) -> None:
    # A call at column ~560 of a long added line, as a hostile author would place it.
    line = "    x = " + " + ".join(f"'{i:03d}'" for i in range(69)) + f"; {HIDDEN}  # ok"
    assert 540 < line.index(HIDDEN) < 600
    outcome = gate(_repo(tmp_path / "repo", line), _config(model_server))
    prompts = _review_prompts(model_server)
    assert len(prompts) == len(MODELS)
    for prompt in prompts:
        rows = [r for r in prompt.splitlines() if r.startswith(("+5 |", "+5… |"))]
        assert rows[0].startswith("+5 | ") and all(r.startswith("+5… | ") for r in rows[1:])
        assert len(rows) >= -(-len(line) // MAX_LINE_CHARS)  # the whole line, in rows of at most 400
        assert all(len(r.split(" | ", 1)[1]) <= MAX_LINE_CHARS for r in rows)
        assert "".join(r.split(" | ", 1)[1] for r in rows) == line  # nothing lost, nothing added
        assert any(HIDDEN in r for r in rows)
        assert "truncated" not in prompt
    review = stage(outcome)
    assert review.model_error is None and review.details["cut_lines"] == []


def test_a_line_too_long_to_send_whole_is_named_as_not_reviewed(
    tmp_path: Path, model_server: FakeModelServer
) -> None:
    line = "    data = '" + "ab" * MAX_REVIEWED_LINE_CHARS + f"'; {HIDDEN}"
    outcome = gate(_repo(tmp_path / "repo", line), _config(model_server, on_model_error="fail"))
    prompts = _review_prompts(model_server)
    assert not any(HIDDEN in prompt for prompt in prompts)
    # the line is split over several chunks; the one that ends it shows the cut to each model
    assert sum("…(cut: " in prompt for prompt in prompts) == len(MODELS)
    review = stage(outcome)
    assert review.ran and len(_review_prompts(model_server)) >= len(MODELS)
    [cut] = review.details["cut_lines"]
    assert cut["path"] == "tools/run.py" and cut["line"] == 5
    assert f"only the first {MAX_REVIEWED_LINE_CHARS:,} were sent" in cut["reason"]
    assert review.model_error is not None and "tools/run.py:5" in review.model_error
    assert outcome.verdict == "fail"  # coverage missing follows gate.on_model_error
    assert any("not reviewed" in r and "tools/run.py:5" in r for r in outcome.reasons)


def test_a_credential_across_a_row_boundary_is_redacted_whole(
    tmp_path: Path, model_server: FakeModelServer
) -> None:
    key = "AKIA" + "Z3MSJV4XQ7PRWQ2T"
    line = "    pad = '" + "x" * (MAX_LINE_CHARS - 15) + key + "'"  # no space to cut at
    assert line.index(key) < MAX_LINE_CHARS < line.index(key) + len(key)  # the key spans the boundary
    gate(_repo(tmp_path / "repo", line), _config(model_server))
    prompts = _review_prompts(model_server)
    assert prompts and all(key[:10] not in p and key[-10:] not in p for p in prompts)
    assert all("[REDACTED]" in p for p in prompts)
