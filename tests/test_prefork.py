"""A run forked by `tests.fakes.prefork` gives what a fresh `python -m gate` gives: the exit code and the
output, in the run's own directory, with the run's environment, its standard input read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes import prefork

ROOT = Path(__file__).resolve().parents[1]
DIFF = b"""diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1 +1,2 @@
 x = 1
+y = 2
"""
CASES = {
    "help": (["--help"], {}),
    "config from the directory": (["config", "validate", "ai-gate.yml"], {}),
    "bad config": (["config", "validate", "broken.yml"], {}),
    "diff on stdin": (["check", "--diff", "-", "--offline", "--format", "markdown"], {}),
    "environment": (["check", "--diff", "-", "--offline"], {"AI_GATE_MODEL_TIMEOUT": "0"}),
}


@pytest.mark.parametrize("case", CASES)
def test_a_forked_run_is_a_fresh_run(case: str, tmp_path: Path) -> None:
    (tmp_path / "ai-gate.yml").write_text("version: 1\ngate:\n  fail_on: high\n")
    (tmp_path / "broken.yml").write_text("version: 2\n")
    args, extra = CASES[case]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **extra}
    command = [sys.executable, "-m", "gate", *args]
    fresh = subprocess.run(command, input=DIFF, env=env, cwd=tmp_path, capture_output=True, timeout=120)
    forked = prefork.run(args, env, tmp_path, input=DIFF)
    assert (forked.returncode, forked.stderr) == (fresh.returncode, fresh.stderr.decode())
    assert forked.stdout == fresh.stdout.decode()
    assert forked.returncode == {"bad config": 2, "environment": 2}.get(case, 0), forked.stderr


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polled"])
@pytest.mark.parametrize(("lives", "timeout", "ended"), [(0.1, 5, True), (5, 0.2, False)])
def test_the_server_tells_a_child_that_ended_from_one_past_its_timeout(
    pidfd: bool, lives: float, timeout: float, ended: bool, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open", raising=False)  # as on a system without it
    pid = os.fork()
    if pid == 0:
        time.sleep(lives)
        os._exit(3)
    try:
        assert prefork._waited(pid, timeout) is ended
    finally:
        if not ended:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == (3 if ended else -signal.SIGKILL)
