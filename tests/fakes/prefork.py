"""`python -m gate` in a process of its own, forked from one that has already imported the gate and litellm.

A test that runs the Action as the runner does starts a fresh interpreter, which spends a second importing
the gate, PyGithub and pydantic, and four more importing litellm when the run calls a model: most of such a
test's time, the same every run. Here one server process per test process imports them once and forks a
child per run; the child sets the run's environment, working directory, standard streams and arguments,
then runs `python -m gate`'s entry point, which ends the process with its exit code. Everything after the
imports is the run's own: its config, its git and HTTP traffic to the loopback servers, its worker
process (the child has one thread, so the gate forks its stages' process as in a fresh run), its report.

`run` is `subprocess.run([python, "-m", "gate", *args], env=..., cwd=..., capture_output=True,
text=True, timeout=...)`, returning the same `CompletedProcess`. A test of what a fresh interpreter does
before the run (which modules it loads, what the import order costs), or of its memory and CPU time,
starts one with `subprocess` instead. The runs of one server share its hash seed.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]

# Imported by the server before any run, beside every module of the gate package: what the gate imports
# inside functions (litellm only on a path that calls a model; detect-secrets' plugins when it scans).
PRELOAD = (
    "litellm",
    "detect_secrets.core.plugins.util",
    "detect_secrets.plugins.keyword",
    "detect_secrets.util.filetype",
)


class _Server:
    def __init__(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            # litellm imported as the gate imports it (`gate.models.runtime`): no `.env` read
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LITELLM_MODE": "PRODUCTION",
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.prefork"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.requests: IO[bytes] = self.proc.stdin
        self.answers: IO[bytes] = self.proc.stdout
        if self.answers.readline() != b"ready\n":
            raise RuntimeError("the pre-forked gate server did not start: " + str(self.proc.wait()))

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.write(json.dumps(request).encode() + b"\n")
        self.requests.flush()
        line = self.answers.readline()
        if not line:
            raise RuntimeError("the pre-forked gate server went away: " + str(self.proc.wait()))
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.requests.close()
        self.proc.wait(timeout=30)


_server: _Server | None = None
_asking = threading.Lock()  # one request on the pipe at a time


def run(
    args: list[str],
    env: dict[str, str],
    cwd: Path | str,
    timeout: float = 120,
    input: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m gate *args` with exactly `env`, in `cwd`; its output captured as text."""
    global _server
    with _asking, tempfile.TemporaryDirectory() as tmp:
        if _server is None or _server.proc.poll() is not None:
            _server = _Server()
            atexit.register(_server.close)
        streams = {name: str(Path(tmp, name)) for name in ("stdin", "stdout", "stderr")}
        Path(streams["stdin"]).write_bytes(input or b"")
        answer = _server.ask({"args": args, "env": env, "cwd": str(cwd), "timeout": timeout, **streams})
        out = Path(streams["stdout"]).read_bytes().decode("utf-8", "replace")
        err = Path(streams["stderr"]).read_bytes().decode("utf-8", "replace")
    argv = [sys.executable, "-m", "gate", *args]
    if answer["timed_out"]:
        raise subprocess.TimeoutExpired(argv, timeout, out, err)
    return subprocess.CompletedProcess(argv, answer["returncode"], out, err)


# The server.


def _serve() -> dict[str, Any]:
    """Import, then fork a child per request; in the child, return its request."""
    import importlib
    import pkgutil

    import gate

    for name in PRELOAD:
        importlib.import_module(name)
    for module in pkgutil.walk_packages(gate.__path__, "gate."):
        if module.name != "gate.__main__":
            importlib.import_module(module.name)
    # Requests and answers on descriptors of their own; 0 and 1 are a child's to take.
    requests, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    assert threading.active_count() == 1, "a fork needs a single thread: " + str(threading.enumerate())
    answers.write(b"ready\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            answers.close()
            return request  # type: ignore[no-any-return]
        timed_out = not _waited(pid, request["timeout"])
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        answer = {"returncode": os.waitstatus_to_exitcode(status), "timed_out": timed_out}
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()
    raise SystemExit(0)


def _waited(pid: int, timeout: float) -> bool:
    """Whether the child ended within `timeout` seconds (it is not reaped)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (not Linux, or before 5.3): asked every 10 ms
        deadline = time.monotonic() + timeout
        while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def _become(request: dict[str, Any]) -> None:
    """The child: the run's streams, environment, directory and arguments, then the gate's entry point."""
    for fd, name, flags in (
        (0, "stdin", os.O_RDONLY),
        (1, "stdout", os.O_WRONLY | os.O_CREAT),
        (2, "stderr", os.O_WRONLY | os.O_CREAT),
    ):
        opened = os.open(request[name], flags)
        os.dup2(opened, fd)
        os.close(opened)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = [str(ROOT / "gate" / "__main__.py"), *request["args"]]
    from gate.cli import entry

    try:
        entry()
    except SystemExit as done:  # `--help`, or argparse's own errors: the interpreter's exit, without its
        # teardown of the preloaded libraries (a fresh process that exits here never loaded them)
        code = done.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
        os._exit(code or 0)


if __name__ == "__main__":
    _become(_serve())
