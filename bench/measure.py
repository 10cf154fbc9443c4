"""Measuring a child process: wall time and peak resident memory, one process at a time."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    peak_rss_mb: float  # of the child (and any children it waited for)
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu: float = 0.0  # user + system seconds of the child and the children it waited for


TIME = Path("/usr/bin/time")


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: Path | None = None,
) -> Run:
    """Run one child and measure its wall time and peak RSS.

    The peak RSS comes from GNU time, which forks the command from its own small process: a child forked
    straight from this (large) Python process would inherit this process's high-water mark at exec.
    """
    out_path = _scratch("stdout")
    err_path = _scratch("stderr")
    rss_path = _scratch("rss")
    rss_path.unlink(missing_ok=True)
    command = [str(TIME), "--format=%M", f"--output={rss_path}", *argv] if TIME.exists() else list(argv)
    with (
        out_path.open("wb") as out,
        err_path.open("wb") as err,
        stdin.open("rb") if stdin else open(os.devnull, "rb") as inp,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, env=dict(env) if env else None, stdin=inp, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(
        status
    )  # reaped by wait4; tell Popen so it does not wait again
    peak_kb = usage.ru_maxrss  # an upper bound when GNU time is missing
    if rss_path.exists():
        peak_kb = int(rss_path.read_text().split()[-1])
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, peak_kb / 1024, proc.returncode, out_path.read_bytes(), err_path.read_bytes(), cpu)


def best_of(repeat: int, argv: Sequence[str], **kwargs: object) -> Run:
    """The fastest of `repeat` runs (the least disturbed by a noisy machine); peak RSS is the max seen, CPU
    time the least."""
    runs = [run(argv, **kwargs) for _ in range(repeat)]  # type: ignore[arg-type]
    fastest = min(runs, key=lambda r: r.wall)
    return Run(
        fastest.wall,
        max(r.peak_rss_mb for r in runs),
        fastest.returncode,
        fastest.stdout,
        fastest.stderr,
        min(r.cpu for r in runs),
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _scratch(name: str) -> Path:
    directory = ROOT / "bench" / ".work" / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{os.getpid()}.{name}"


def gate_env(**extra: str) -> dict[str, str]:
    """The environment `ai-gate` runs in for benchmarks: no network telemetry, local cost map."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", NO_COLOR="1")
    env.update(extra)
    return env


def ai_gate() -> str:
    return str(VENV_BIN / "ai-gate")
