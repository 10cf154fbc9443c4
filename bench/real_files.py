"""The gate against unidiff on real source files: 2k, 20k and 200k added lines, one 20-commit mbox each.

Same measure as the foundation rows (`ai-gate check --diff <mbox> --offline --format json` as a
process; unidiff's process and its in-process parse, in the same run), on the real-file series of
`bench/real_corpus.py`. The 200k run is also profiled in-process (cProfile), and its top entries are
shown, so that where the time goes is read from the same run as the figures.
"""

from __future__ import annotations

import io
import json
import pstats
import sys

from bench import real_corpus
from bench.foundation import _UNIDIFF
from bench.measure import ROOT, Run, ai_gate, best_of, gate_env

REPEAT = 3
TARGET_PARSE_RATIO = 3.0
TARGET_RSS_MB = 300.0
PROFILE_ROWS = 14


def _gate(series: real_corpus.Series) -> Run:
    argv = [ai_gate(), "check", "--offline", "--format", "json", "--no-progress", "--diff", str(series.mbox)]
    result = best_of(REPEAT, argv, env=gate_env())
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ai-gate failed on {series.mbox}: {result.stderr.decode()[-500:]}")
    added = json.loads(result.stdout)["provenance"]["added_lines"]
    if added != series.added:
        raise RuntimeError(f"ai-gate counted {added} added lines in {series.mbox}, expected {series.added}")
    return result


def _unidiff(series: real_corpus.Series) -> tuple[Run, float]:
    result = best_of(REPEAT, [sys.executable, "-c", _UNIDIFF, str(series.mbox)], env=gate_env())
    in_process, added = result.stdout.split()
    if int(added) != series.added:
        raise RuntimeError(f"unidiff counted {added} added lines in {series.mbox}, expected {series.added}")
    return result, float(in_process)


def _warm_bytecode(series: real_corpus.Series) -> None:
    """One untimed run of each command that may write Python's bytecode caches, as an installed package
    has them (pip compiles at install; uv, and an environment with PYTHONDONTWRITEBYTECODE set, do not):
    otherwise every timed run would compile the few hundred modules it imports, ~0.5 s a run."""
    env = gate_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    from bench.measure import run as run_child

    argv = [ai_gate(), "check", "--offline", "--format", "json", "--no-progress", "--diff", str(series.mbox)]
    run_child(argv, env=env)
    run_child([sys.executable, "-c", _UNIDIFF, str(series.mbox)], env=env)


def profile(series: real_corpus.Series, rows: int = PROFILE_ROWS) -> list[str]:
    """Markdown rows of the heaviest functions (by own time, and by cumulative time within the gate)
    of one in-process run on `series`, through a child process so this one's state does not count."""
    script = (
        "import cProfile, sys\n"
        "from gate.cli import main\n"
        "prof = cProfile.Profile()\n"
        "code = prof.runcall(main, sys.argv[2:])\n"
        "prof.dump_stats(sys.argv[1])\n"
    )
    out = ROOT / "bench" / ".work" / "profiles" / f"real-{series.added}.prof"
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-c", script, str(out), "check", "--offline", "--format", "json", "--no-progress"]
    from bench.measure import run as run_child

    # In one process: a profile sees only its own process, and the stages would otherwise run in a child.
    run_child([*argv, "--diff", str(series.mbox)], env=gate_env(AI_GATE_ONE_PROCESS="1"))
    return profile_rows(str(out), rows)


def profile_rows(path: str, rows: int = PROFILE_ROWS) -> list[str]:
    stats = pstats.Stats(path, stream=io.StringIO())
    entries = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = _where(filename, line, name)
        entries.append((where, calls, own, cumulative))
    total = max(e[3] for e in entries)
    cumulative = [e for e in entries if e[0].startswith("gate/")]
    cumulative.sort(key=lambda e: -e[3])
    own = sorted(entries, key=lambda e: -e[2])
    lines = [
        f"Profiled run, in one process (`AI_GATE_ONE_PROCESS=1`): {total:.1f} s under cProfile (which slows"
        " calls several-fold).",
        "",
        "| by own time | calls | own s | | by cumulative time (gate) | calls | cumulative s |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for a, b in zip(own[:rows], cumulative[:rows], strict=False):
        lines.append(f"| `{a[0]}` | {a[1]:,} | {a[2]:.2f} | | `{b[0]}` | {b[1]:,} | {b[3]:.2f} |")
    return lines


def _where(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("gate", "site-packages", "bench"):
        if anchor in parts:
            at = len(parts) - 1 - parts[::-1].index(anchor)
            rel = "/".join(parts[at + (1 if anchor == "site-packages" else 0) :])
            return f"{rel}:{line}({name})"
    return f"{parts[-1]}:{line}({name})"


def _linearity(per_line: list[tuple[int, float, float]]) -> str:
    """Linear when the cost of each added line from 20k to 200k is at most 1.5x its cost from 2k to 20k.

    Judged on CPU time (the work done, which other processes on the machine do not stretch); the 2k to
    20k increment is a fraction of a second, so a moment's load moves its wall-time slope a lot."""
    (n0, w0, c0), (n1, w1, c1), (n2, w2, c2) = per_line
    low, high = (c1 - c0) / (n1 - n0), (c2 - c1) / (n2 - n1)
    wall_low, wall_high = (w1 - w0) / (n1 - n0), (w2 - w1) / (n2 - n1)
    return (
        f"- linear from 2k to 200k (CPU): {low * 1e6:.1f} µs per added line from {n0:,} to {n1:,}, "
        f"{high * 1e6:.1f} µs from {n1:,} to {n2:,} ({high / low:.2f}x), {_mark(high <= 1.5 * low + 1e-9)}; "
        f"by wall time {wall_low * 1e6:.1f} and {wall_high * 1e6:.1f} µs"
    )


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run() -> str:
    rows = []
    verdicts = []
    per_line: list[tuple[int, float, float]] = []
    biggest = None
    _warm_bytecode(real_corpus.real_series(min(real_corpus.REAL_LINES)))
    for lines in real_corpus.REAL_LINES:
        series = real_corpus.real_series(lines)
        uni, parse = _unidiff(series)
        gate = _gate(series)
        per_line.append((series.added, gate.wall, gate.cpu))
        size_mb = series.mbox.stat().st_size / 1e6
        rows.append(
            f"| {series.added:,} | {series.files:,} | {size_mb:.1f} | {gate.wall:.2f} | {gate.cpu:.2f} "
            f"| {gate.peak_rss_mb:.0f} | {gate.wall / series.added * 1e6:.1f} | {uni.wall:.2f} | {parse:.2f} "
            f"| {uni.peak_rss_mb:.0f} | {gate.wall / uni.wall:.1f}x | {gate.wall / parse:.1f}x |"
        )
        if lines == max(real_corpus.REAL_LINES):
            biggest = series
            verdicts.append(
                f"- within {TARGET_PARSE_RATIO:.0f}x unidiff's parse (gate process / unidiff's in-process "
                f"parse): {gate.wall / parse:.1f}x, {_mark(gate.wall / parse <= TARGET_PARSE_RATIO)}"
            )
            verdicts.append(
                f"- peak RSS under {TARGET_RSS_MB:.0f} MB: {gate.peak_rss_mb:.0f} MB, "
                f"{_mark(gate.peak_rss_mb < TARGET_RSS_MB)}"
            )
    verdicts.insert(0, _linearity(per_line))
    assert biggest is not None
    licences = ", ".join(f"{dist} {version} ({licence})" for dist, version, licence in real_corpus.licences())
    return "\n".join(
        [
            "## Real files: `ai-gate check --diff --offline --format json` vs unidiff",
            "",
            f"{real_corpus.FOUNDATION_COMMITS}-commit mbox series of added files, each a window of "
            f"{real_corpus.FOUNDATION_LINES_PER_FILE} consecutive lines of a real source file (at most "
            f"{real_corpus.WINDOWS_PER_FILE} windows a file, round-robin across packages; long lines, "
            "docstrings, string tables and comments as written), cut from the sources of the packages "
            f"installed by the lock: {licences}. Built by `bench/real_corpus.py` under `bench/.work/real/`. "
            f"Best of {REPEAT}, after one untimed run of each command that writes Python's bytecode caches "
            "(as an installed package has them); peak RSS is GNU time's `%M`; *gate CPU s* is the process's "
            "user + system time (the least of the runs); unidiff's parse is in-process, "
            "its process includes interpreter start.",
            "",
            "| added lines | files | mbox MB | gate s | gate CPU s | gate MB | gate µs/line "
            "| unidiff process s | unidiff parse s | unidiff MB | gate / unidiff process "
            "| gate / unidiff parse |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Targets at 200,000 lines:",
            "",
            *verdicts,
            "",
            f"### Where the time goes at {biggest.added:,} lines",
            "",
            *profile(biggest),
        ]
    )
