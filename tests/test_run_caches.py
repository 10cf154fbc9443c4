"""What a run caches of a change's text (parsed files, test lines, token sequences) ends with the run."""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.source import _parse
from gate.analyzers.weakened_tests.lines import is_assertion
from gate.app import run_gate
from gate.config.models import Config
from gate.regen.tokens import normalized_tokens
from tests.analyzers.gitrepo import change


def test_a_run_leaves_no_text_in_the_caches(tmp_path: Path) -> None:
    before: dict[str, str | bytes | None] = {
        "app.py": "def f():\n    return 1\n",
        "tests/test_a.py": "def test_a():\n    assert f() == 1\n",
    }
    after: dict[str, str | bytes | None] = {
        "app.py": "def f():\n    return 2\n",
        "tests/test_a.py": "def test_a():\n    assert True\n",
    }
    normalized_tokens("x = 1\n", "python")
    outcome = run_gate(change(tmp_path, before, after), Config(), offline=True)
    assert any(f.stage == "weakened-tests" for f in outcome.findings)  # the test lines were read
    assert _parse.cache_info().currsize == 0
    assert is_assertion.cache_info().currsize == 0
    assert normalized_tokens.cache_info().currsize == 0
