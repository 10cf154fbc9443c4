"""The command line as users run it: exit codes, formats, and one clear line for bad input."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ai-assisted-series.mbox"


def ai_gate(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gate", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd or ROOT,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def test_help_lists_every_command() -> None:
    proc = ai_gate("--help")
    assert proc.returncode == 0
    for command in ("check", "github", "replay", "publish", "config", "report"):
        assert command in proc.stdout


def test_check_the_bundled_example_as_json() -> None:
    proc = ai_gate("check", "--diff", str(EXAMPLE), "--offline", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema_version"] == 1
    assert report["verdict"] == "fail"
    blocking = {(f["stage"], f["path"], f["start_line"]) for f in report["findings"] if f["blocking"]}
    assert blocking == {("weakened-tests", "test_limiter.py", 26), ("phantom-symbols", "test_limiter.py", 35)}
    tools = [c["tool"] for c in report["provenance"]["commits"]]
    assert tools == [None, "claude-code", "aider", None, "cursor", None, "claude-code"]
    assert set(report) >= {"verdict", "reasons", "provenance", "stages", "findings", "usage"}
    assert set(report["provenance"]) >= {"ai_share", "ai_lines", "added_lines", "commits"}
    assert len(report["provenance"]["commits"]) == 7
    assert report["provenance"]["added_lines"] == sum(
        c["added_lines"] for c in report["provenance"]["commits"]
    )
    assert report["stages"]["provenance"]["ran"] is True
    for stage in ("review", "regen"):
        assert report["stages"][stage]["ran"] is False


def test_check_a_git_range_and_stdin_diff(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.branch("topic")
    repo.write("a.py", "x = 1\ny = 2\n")
    repo.commit("more")
    proc = ai_gate("check", "--repo", str(repo.root), "--format", "json", "--offline")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["provenance"]["added_lines"] == 1
    diff = repo.git("diff", "main", "topic").encode()
    proc = ai_gate("check", "--diff", "-", "--format", "markdown", "--offline", stdin=diff)
    assert proc.returncode == 0 and "AI Quality Gate" in proc.stdout


def test_output_file_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.md"
    proc = ai_gate("check", "--diff", str(EXAMPLE), "--offline", "--format", "markdown", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert out.read_text().startswith("## ")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["check", "--diff", "/no/such/file"], None, "no such file"),
        (["check", "--diff", "-"], b"\x00\xff\xfe random bytes", "binary data"),
        (["check", "--diff", "-"], b"this is not a diff\n", "no diff found"),
        (["check", "--repo", "/"], None, "not a git repository"),
        (["check", "--config", "/no/such.yml", "--diff", "-"], b"", "cannot read"),
        (["check", "--bogus"], None, "usage"),
        (["config", "validate", "/no/such.yml"], None, "no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], stdin: bytes | None, message: str) -> None:
    proc = ai_gate(*args, stdin=stdin)
    assert proc.returncode == 2, proc
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_empty_input_is_a_clean_pass() -> None:
    proc = ai_gate("check", "--diff", "-", "--format", "json", "--offline", stdin=b"")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["verdict"] == "pass"


def test_config_schema_and_validate(tmp_path: Path) -> None:
    proc = ai_gate("config", "schema")
    schema = json.loads(proc.stdout)
    assert schema["additionalProperties"] is False
    assert {"paths", "thresholds", "models", "review", "regen", "gate"} <= set(schema["properties"])
    good = tmp_path / "good.yml"
    good.write_text("review:\n  quorum: 3\n")
    assert ai_gate("config", "validate", str(good)).returncode == 0
    bad = tmp_path / "bad.yml"
    bad.write_text("review:\n  quorum: 3\n  qorum: 2\n")
    proc = ai_gate("config", "validate", str(bad))
    assert proc.returncode == 2 and f"{bad}:3: unknown key 'review.qorum'" in proc.stderr


def test_help_does_not_import_heavy_modules() -> None:
    heavy = "('litellm', 'github', 'pydantic', 'rich', 'unidiff')"
    code = (
        "import sys; from gate.cli import build_parser; build_parser(); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_an_offline_check_loads_no_network_client(repo: GitRepo) -> None:
    """The model and registry clients (litellm ~2 s, httpx) stay unloaded on the offline path."""
    repo.write("app.py", "import os\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", "import os\nimport requests\n\nprint(os.getcwd(), requests)\n")
    repo.commit("use requests")
    heavy = "('litellm', 'httpx', 'openai', 'github', 'tenacity')"
    code = (
        "import sys; from gate.cli import main; "
        f"code = main(['check', '--repo', {str(repo.root)!r}, '--base', 'main', '--offline', '--format', "
        "'json', '--output', '/dev/null']); "
        f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy})))"
    )
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.strip() == "0 []", proc.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the stages' process is forked")
def test_with_a_spinner_on_a_terminal_the_stages_still_run_in_a_second_process(tmp_path: Path) -> None:
    # The spinner's refresh thread starts with the first message, after the fork: a thread running at
    # the fork would keep the run in one process.
    import pty

    forks = tmp_path / "forks"
    script = tmp_path / "run.py"
    script.write_text(
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        f"os.register_at_fork(after_in_parent=lambda: open({str(forks)!r}, 'a').write('fork\\n'))\n"
        "from gate.cli import main\n"
        f"sys.exit(main(['check', '--diff', {str(EXAMPLE)!r}, '--offline', '--format', 'json',"
        f" '--output', {str(tmp_path / 'report.json')!r}]))\n"
    )
    leader, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, str(script)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            cwd=ROOT,
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "TERM": "xterm"},
            timeout=120,
            check=False,
        )
        os.close(terminal)
        shown = b""
        with contextlib.suppress(OSError):  # the terminal's other end is closed: all was read
            while chunk := os.read(leader, 65536):
                shown += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 1, shown.decode("utf-8", "replace")[-2000:]
    # The spinner ran, on the terminal: the cursor hidden, a stage's message shown.
    assert b"\x1b[?25l" in shown and any(stage in shown for stage in (b"provenance", b"regen", b"spec"))
    assert forks.read_text() == "fork\n"
    assert json.loads((tmp_path / "report.json").read_text())["verdict"] == "fail"


def test_a_crash_in_native_code_says_where_it_was() -> None:
    """A segmentation fault after the command line has started prints each thread's stack on stderr,
    so a job that ends on one shows where, rather than ending with no word."""
    crash = "from gate.cli import main; import ctypes; main(['config', 'schema']); ctypes.string_at(0)"
    proc = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert "Fatal Python error: Segmentation fault" in proc.stderr
    assert 'File "<string>", line 1' in proc.stderr


def test_a_profiled_run_keeps_its_profile(tmp_path: Path) -> None:
    """`ai-gate` ends without the interpreter's teardown, except under a profiler (or a debugger, or a
    coverage tool), which writes what it found as the interpreter exits. (cProfile's command line
    exits 0 whatever the program's code.)"""
    out = tmp_path / "run.prof"
    config = ROOT / "examples" / "ai-gate.yml"
    argv = ["-m", "cProfile", "-o", str(out), "-m", "gate", "check", "--diff", str(EXAMPLE), "--offline"]
    argv += ["--config", str(config)]
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.run([sys.executable, *argv], capture_output=True, env=env, timeout=120, cwd=ROOT)
    assert b"AI Quality Gate: FAIL" in proc.stdout, proc.stderr
    assert out.stat().st_size > 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_output_that_cannot_be_written_is_no_success() -> None:
    """A passing run whose report cannot be written (a full disk) exits 120 with one line, as the
    interpreter's own exit does, not 0."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "gate", "config", "validate", str(ROOT / "examples" / "ai-gate.yml")],
            stdout=full,
            stderr=subprocess.PIPE,
            env={**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
            timeout=120,
            cwd=ROOT,
        )
    assert proc.returncode == 120
    assert proc.stderr.decode().splitlines() == [
        "ai-gate: could not write the output: [Errno 28] No space left on device"
    ]
