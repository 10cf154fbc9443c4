"""Run the CLI as a child process and measure it: exit code, output, time and peak memory (`run_gate`),
or only its exit code and output (`run_cli`).

Peak RSS and CPU time come from the child's own resource usage (wait4), so tests running side by side
do not blur each other's figures the way RUSAGE_CHILDREN's running maximum or wall time would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fakes import prefork

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall time, for the figures
    cpu_seconds: float  # the child's user + system time: what bounds are checked against
    peak_rss_mb: float

    def figure(self, name: str) -> str:
        return (
            f"{name}: exit {self.returncode}, {self.seconds:.2f} s ({self.cpu_seconds:.2f} s CPU), "
            f"peak RSS {self.peak_rss_mb:.0f} MB"
        )


def run_cli(
    *args: str, stdin: bytes | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI's exit code and output, not measured: a process forked from one that has imported the gate
    and litellm (`tests.fakes.prefork`), with the environment `run_gate` gives its child."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})}
    return prefork.run(list(args), env, ROOT, timeout, stdin)


def run_gate(
    *args: str, stdin: bytes | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path, in_path = Path(tmp, "out"), Path(tmp, "err"), Path(tmp, "in")
        in_path.write_bytes(stdin or b"")
        with in_path.open("rb") as fin, out_path.open("wb") as fout, err_path.open("wb") as ferr:
            started = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-m", "gate", *args],
                stdin=fin,
                stdout=fout,
                stderr=ferr,
                cwd=ROOT,
                env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **(env or {})},
            )
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
        return Run(
            returncode=proc.returncode,
            stdout=out_path.read_text("utf-8", "replace"),
            stderr=err_path.read_text("utf-8", "replace"),
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            # Linux reports ru_maxrss in KiB.
            peak_rss_mb=usage.ru_maxrss / 1024,
        )
