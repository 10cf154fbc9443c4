"""A stage run on the main thread is stopped when the run's time is up (`gate.deadline`), and fails
closed: also one stuck in a regular expression, or one that catches every `Exception`.

pytest's own timeout holds the timer signal in this process, so each check runs in an interpreter of
its own, as the command line does; nothing is patched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gate import deadline

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not hasattr(deadline.signal, "setitimer"), reason="needs a timer signal")


def _python(code: str, tmp_path: Path) -> str:
    script = tmp_path / "check.py"
    script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + textwrap.dedent(code))
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={**os.environ, "AI_GATE_ONE_PROCESS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_a_block_past_its_time_is_stopped_wherever_it_is_and_leaves_no_timer(tmp_path: Path) -> None:
    out = _python(
        """
        import re, signal, time
        from gate import deadline

        def stopped(seconds, work):
            started = time.monotonic()
            try:
                with deadline.limit(seconds):
                    work()
            except deadline.TimeUp as up:
                # When: at its time (a loaded machine may add a moment), never long after.
                took = time.monotonic() - started
                return up.started, seconds <= took < seconds + 10
            return None

        def loop_that_swallows_exceptions():
            while True:
                try:
                    sum(range(100))
                except Exception:
                    pass

        print(stopped(0.3, lambda: re.match(r"(a+)+$", "a" * 40 + "b")))  # hours of backtracking
        print(stopped(0.3, loop_that_swallows_exceptions))
        print(stopped(0, lambda: None))
        print(stopped(float("inf"), lambda: None))
        print(signal.getsignal(signal.SIGALRM) == signal.SIG_DFL, signal.getitimer(signal.ITIMER_REAL))
        """,
        tmp_path,
    )
    assert out.splitlines() == ["(True, True)", "(True, True)", "(False, True)", "None", "True (0.0, 0.0)"]


def test_a_stage_in_this_process_past_the_run_s_time_fails_closed_and_the_rest_are_not_started(
    tmp_path: Path,
) -> None:
    out = _python(
        f"""
        import json
        from pathlib import Path
        from gate.analyzers import PhantomSymbolsAnalyzer
        from gate.config.models import Budget, Config
        from gate.pipeline import run
        from gate.report.json_v1 import to_dict
        from gate.models.budget import RunBudget
        from gate.models.trace import TraceWriter
        from gate.redact import ready
        from gate.run import RunContext, Services
        from tests.test_worker import RunsOn, _changeset

        class Spins(RunsOn):
            def run(self, ctx):
                while True:
                    try:
                        sum(range(100))
                    except Exception:
                        pass

        changeset = _changeset(Path({str(tmp_path / "repo")!r}))
        config = Config(budget=Budget(max_seconds=1))
        # The detector's rules are built before the clock starts, as the command line builds them while
        # git reads the range: on a loaded machine their build alone could spend the second, and the
        # stage would not start at all.
        ready()
        # As the run makes it: the budget's clock starts with the run.
        with TraceWriter.open(Path({str(tmp_path / "trace.jsonl")!r})) as trace:
            services = Services(budget=RunBudget.from_config(config.budget), trace=trace)
            ctx = RunContext(changeset=changeset, config=config, offline=True, services=services)
            print(json.dumps(to_dict(run(ctx, [Spins(), PhantomSymbolsAnalyzer()]))))
        """,
        tmp_path,
    )
    report = json.loads(out)
    assert report["verdict"] == "fail"  # gate.on_stage_error: fail, the default
    spun, later = report["stages"]["secrets"], report["stages"]["phantom-symbols"]
    assert spun["ran"] is False and spun["skipped_reason"] == "stage failed"
    assert spun["error"] == (
        "the stage had not finished when the run's time was up (budget.max_seconds 1 s; it was stopped)"
    )
    assert later["ran"] is False and later["skipped_reason"] == "stage failed"
    assert later["error"] == "the stage did not start: the run's time was up (budget.max_seconds 1 s)"
    # The trace names each stage stopped, and why, as it does a stage that raised.
    records = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    assert [(r["stage"], r["error"], r["where"]) for r in records if r["type"] == "error"] == [
        ("secrets", spun["error"], []),
        ("phantom-symbols", later["error"], []),
    ]


def test_where_another_handler_holds_the_timer_signal_a_block_runs_without_a_limit() -> None:
    # Here pytest's timeout holds it (or this is not the main thread): nothing is armed or replaced.
    if deadline.available():
        pytest.skip("the timer signal is free in this process")
    with deadline.limit(0):
        pass


def test_the_secret_scan_runs_before_a_check_listed_ahead_of_it_that_spins_to_the_end_of_the_run_s_time(
    tmp_path: Path,
) -> None:
    """A hostile input that keeps an earlier-listed check busy until the time is up cannot take the
    leaked-token finding away: `secrets` runs first (the report keeps the list's order)."""
    out = _python(
        f"""
        import json
        from pathlib import Path
        from gate.analyzers import SecretsAnalyzer
        from gate.config.models import Budget, Config
        from gate.pipeline import run
        from gate.report.json_v1 import to_dict
        from gate.models.budget import RunBudget
        from gate.redact import ready
        from gate.run import RunContext, Services
        from tests.test_worker import RunsOn, _leaked_token

        class Spins(RunsOn):
            id = "dependencies"
            reads_learning = False
            runs_first = False

            def run(self, ctx):
                while True:
                    pass

        changeset = _leaked_token(Path({str(tmp_path / "repo")!r}))
        config = Config(budget=Budget(max_seconds=2))
        ready()
        services = Services(budget=RunBudget.from_config(config.budget))
        ctx = RunContext(changeset=changeset, config=config, offline=True, services=services)
        print(json.dumps(to_dict(run(ctx, [Spins(), SecretsAnalyzer()]))))
        """,
        tmp_path,
    )
    report = json.loads(out)
    assert list(report["stages"])[:3] == ["provenance", "dependencies", "secrets"]
    assert [(f["stage"], f["path"], f["blocking"]) for f in report["findings"]] == [
        ("secrets", "settings.py", True)
    ]
    assert report["stages"]["dependencies"]["error"] == (
        "the stage had not finished when the run's time was up (budget.max_seconds 2 s; it was stopped)"
    )
