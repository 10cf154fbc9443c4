"""Out of memory while the run loads is one line and exit 2, like any error the run cannot get past.

The last-resort handler redacts its line, and redaction loads the secret detector: when the error being
reported is a MemoryError raised while that very module (or what it imports) was loading, importing it
again fails too. The handler then ended in two tracebacks and exit 1, which reads as "fail".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]

# Imports the command line, then caps the process's address space at what it holds plus DELTA MiB, so
# that what the run loads next (the config's models, the secret detector, a thread's stack) runs out.
_CAPPED_RUN = """
import os, resource, sys
from gate.cli import main
with open("/proc/self/status") as status:
    held = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) << 10
resource.setrlimit(resource.RLIMIT_AS, (held + (int(sys.argv[1]) << 20), resource.RLIM_INFINITY))
sys.exit(main(["check", "--repo", sys.argv[2], "--base", "main", "--offline", "--format", "json",
               "--output", os.devnull]))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's size from /proc")
def test_running_out_of_memory_while_loading_is_one_line_and_exit_2(repo: GitRepo) -> None:
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    repo.branch("topic")
    repo.write("app.py", "x = 1\ny = 2\n")
    repo.commit("more")
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    errors = 0
    for room in (0, 5, 10, 20):  # MiB: each runs out at another point of the loading
        proc = subprocess.run(
            [sys.executable, "-c", _CAPPED_RUN, str(room), str(repo.root)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        if proc.returncode < 0:
            continue  # killed by a signal in native code: not the handler's to word
        assert "Traceback" not in proc.stderr, (room, proc.stderr)
        if proc.returncode == 2:
            errors += 1
            lines = proc.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("ai-gate: internal error: "), (room, lines)
        else:
            assert proc.returncode in (0, 1), (room, proc.returncode, proc.stderr)
    assert errors, "no cap ran the loading out of memory"
