"""`python -m bench` (`make bench`): run every benchmark module and rewrite bench/README.md.

Each module in MODULES exposes `run() -> str`, a markdown section. A module that is not there yet is
listed as missing rather than failing the run; a module that fails is reported with its error, so one
broken benchmark does not hide the others. `python -m bench foundation overhead` runs only those and prints
their sections instead of rewriting the README.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import os
import platform
import sys
import time
import traceback
from pathlib import Path

MODULES = (
    "corpus",  # first: builds every input, so the timings below exclude downloads
    "foundation",
    "real_files",  # the same measure on real source files, with a profile of the largest
    "provenance",
    "overhead",
    "pr_agent",  # before model_stages, which compares with this run's PR-Agent figures
    "model_stages",
    "spec_context",
    "incremental",
    "analyzers",
    "analyzer_limits",
    "review_concurrency",
    "model_overlap",  # review and re-generation side by side
    "regen_similarity",
    "regen_speed",
    "github_requests",
    "hostile_inputs",
)
PACKAGES = (
    "ai-quality-gate",
    "unidiff",
    "litellm",
    "openai",
    "pydantic",
    "PyGithub",
    "rich",
    "detect-secrets",
)
README = Path(__file__).resolve().parent / "README.md"
INTRO = Path(__file__).resolve().parent / "INTRO.md"


def _reference_loop() -> float:
    """Seconds for a fixed pure-Python loop (best of 3): the machine's pace on the day, so that absolute
    times of runs on different days can be set against each other."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best


def _machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
            memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores ({cpu}), {memory} memory, "
        f"{platform.system()} {platform.release()}",
        f"- load average at the end of the run: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
        "(1 / 5 / 15 min; other work on the machine makes absolute times noisy, ratios less so)",
        f"- reference loop (10 million additions in pure Python, CPU s, best of 3): {_reference_loop():.2f}",
        f"- Python {platform.python_version()} ({sys.executable})",
        f"- packages: {', '.join(versions)}",
    ]


def _section(name: str) -> tuple[str, str]:
    """(status, markdown) for one module."""
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{name}":
            return "not present yet", f"## {name}\n\n_`bench/{name}.py` is not present yet._"
        return _failed(name)
    except Exception:  # a module that no longer imports is one failed benchmark, not a lost run
        return _failed(name)
    start = time.perf_counter()
    try:
        body: str = module.run()
    except Exception:  # one failing benchmark must not hide the others; its traceback goes in the report
        return _failed(name)
    return f"{time.perf_counter() - start:.0f} s", body


def _failed(name: str) -> tuple[str, str]:
    print(f"bench: {name} failed", file=sys.stderr)
    detail = traceback.format_exc(limit=6)
    traceback.print_exc()
    return "failed", f"## {name}\n\n**failed**:\n\n```\n{detail}```"


def compile_gate() -> None:
    """Byte-compile the gate's own modules, as an installed `ai-gate` has them (pip and the image compile at
    install): the editable checkout under test otherwise recompiles every module in every process when
    `PYTHONDONTWRITEBYTECODE` is set. The dependencies are compiled by `scripts/install-env`."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "gate", quiet=1, workers=0)


def main(argv: list[str]) -> int:
    wanted = argv or list(MODULES)
    unknown = [name for name in wanted if name not in MODULES]
    if unknown:
        print(f"bench: unknown module(s) {', '.join(unknown)}; known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    compile_gate()
    sections: list[str] = []
    summary: list[str] = []
    failed = False
    for name in wanted:
        print(f"bench: running {name}", file=sys.stderr, flush=True)
        status, body = _section(name)
        failed = failed or status == "failed"
        print(f"bench: {name}: {status}", file=sys.stderr, flush=True)
        summary.append(f"| `bench/{name}.py` | {status} |")
        sections.append(body.rstrip() + "\n")
    if argv:
        print("\n".join(sections))
        return 1 if failed else 0
    parts = [
        "# Benchmarks\n",
        "_This file is written by `make bench` (`python -m bench`); edit `bench/INTRO.md` instead._\n",
        INTRO.read_text().rstrip() + "\n" if INTRO.exists() else "",
        "## This run\n",
        "\n".join(_machine()) + "\n",
        "| module | time |\n| --- | ---: |\n" + "\n".join(summary) + "\n",
        *sections,
    ]
    README.write_text("\n".join(part for part in parts if part))
    print(f"bench: wrote {README}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
