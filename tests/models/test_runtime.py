"""litellm is imported once per process, with the collector paused, and frozen after: its objects are
walked by no later collection, and what its first completion would import comes with it."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"},
    )
    assert "Traceback" not in done.stderr
    return done.stdout.split()


def test_the_import_starts_once_and_leaves_the_collector_as_it_found_it() -> None:
    out = _run(
        """
        import gc, importlib.util, sys, threading
        from gate.models import runtime
        from gate.config.models import Config
        from gate.models.warmup import warm_up
        named = Config.model_validate({"models": {"review": ["gpt-4o"]}})
        gc.set_threshold(10_000, 50, 100)
        callers = [threading.Thread(target=runtime.import_in_background) for _ in range(4)]
        for t in callers:
            t.start()
        warm_up({"review": (True, "ai share 0.8")}, named)
        for t in callers:
            t.join()
        importing = [t for t in threading.enumerate() if t.name == "import-litellm"]
        print(len(importing))
        for t in importing:
            t.join()
        runtime.import_in_background()  # loaded: nothing more to start
        print(sum(t.name == "import-litellm" for t in threading.enumerate()))
        print(gc.get_threshold() == (10_000, 50, 100), gc.get_freeze_count() > 100_000)
        known = [m for m in runtime.FIRST_CALL_MODULES if importlib.util.find_spec(m) is not None]
        print(len(known) == len(runtime.FIRST_CALL_MODULES), all(m in sys.modules for m in known))
        lm = runtime.litellm()
        print(lm is sys.modules["litellm"], lm.drop_params, lm.telemetry, lm.callbacks == [])
        """
    )
    assert out == ["1", "0", "True", "True", "True", "True", "True", "True", "False", "True"]


def test_a_caller_that_comes_during_the_background_import_gets_the_configured_module() -> None:
    out = _run(
        """
        import gc
        from gate.models import runtime
        runtime.import_in_background()
        lm = runtime.litellm()  # waits for the thread's import, never a second one
        print(lm.drop_params, lm.disable_hf_tokenizer_download, lm.suppress_debug_info)
        print(gc.get_threshold()[0] > 0, gc.get_freeze_count() > 100_000)
        """
    )
    assert out == ["True", "True", "True", "True", "True"]


def test_parsing_on_other_threads_during_the_import_gets_every_tree() -> None:
    # The import defines pydantic models (which parse signatures) on its own thread while the stages
    # parse the change's files: both go through the parser's lock, with or without collections.
    out = _run(
        """
        import ast, threading, time
        from gate import syntax
        from gate.models import runtime
        source = "\\n".join(f"def f{i}(a, b):\\n    return [x for x in (a, b) if x]" for i in range(300))
        runtime.import_in_background()
        importing = [t for t in threading.enumerate() if t.name == "import-litellm"]
        trees = 0
        while importing[0].is_alive():
            trees += len(syntax.parse_module(source).body) == 300
            trees += len(ast.parse(source).body) == 300
            # A pause between parses: a loop that never lets go of the interpreter made the import
            # (thousands of file reads, each a hand-over) take ten times as long.
            time.sleep(0.02)
        importing[0].join()
        print(trees > 0, runtime.litellm().drop_params)
        """
    )
    assert out == ["True", "True"]


def test_a_run_that_ends_during_the_background_import_waits_for_it_before_the_process_ends() -> None:
    """A run that started the import on a thread and ended before it needed litellm (here: `ai-gate
    report schema`, which reads no change) waits for the import before the process exits: left
    running, it created OpenSSL contexts while the exit tore OpenSSL down, and the process died with a
    segmentation fault instead of its exit code. The check is the last of the exit handlers."""
    out = _run(
        """
        import atexit, sys, threading
        def last():
            alive = [t.name for t in threading.enumerate() if t.name == "import-litellm"]
            print("alive" if alive else "done")
        atexit.register(last)
        from gate.cli import main
        from gate.models import runtime
        runtime.import_in_background()
        code = main(["report", "schema"])
        print("exit", code, file=sys.stderr)
        """
    )
    assert out[-1] == "done"
