"""Benchmark: the provenance estimate over 2k / 20k / 200k added lines (files of 100 lines, a few
hundred commits, a third with trailers, a tenth with git-ai notes). Cost must grow linearly."""

from __future__ import annotations

import json
import time

from gate.config.models import Provenance
from gate.context.model import ChangeSet, Commit, Person
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.provenance.estimate import estimate

LINES_PER_FILE = 100
REPEATS = 5
_META = json.dumps({"sessions": {"s_0123456789abcd": {"agent_id": {"tool": "claude", "model": "m"}}}})


def _commit(i: int, path: str) -> Commit:
    trailer = (
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>" if i % 3 == 0 else "Signed-off-by: A <a@b>"
    )
    note = f"{path}\n  s_0123456789abcd::t_0123456789abcd 1-40,60\n---\n{_META}" if i % 10 == 1 else None
    return Commit(
        f"{i:040x}", Person("Dev", "dev@example.com"), None, f"change {i}\n\n{trailer}", ai_note=note
    )


def changeset(added: int) -> ChangeSet:
    n_files = added // LINES_PER_FILE
    n_commits = max(3, min(300, n_files // 4))
    paths = [f"src/pkg{f % 40}/mod{f}.py" for f in range(n_files)]
    commits = tuple(_commit(i, paths[i % n_files]) for i in range(n_commits))
    files = []
    origins = {}
    for f, path in enumerate(paths):
        lines = tuple(DiffLine(LineKind.ADDED, None, n, f"x{n} = {n}") for n in range(1, LINES_PER_FILE + 1))
        files.append(FileChange(path, None, FileStatus.ADDED, (Hunk(0, 0, 1, LINES_PER_FILE, "", lines),)))
        origins[path] = {n: commits[(f + n // 25) % n_commits].sha for n in range(1, LINES_PER_FILE + 1)}
    return ChangeSet("git", Diff(tuple(files)), commits, origins)


def run() -> str:
    rows = [
        "## Provenance estimate",
        "",
        "| added lines | files | commits | best of 5 (ms) | ms per 10k lines |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for added in (2_000, 20_000, 200_000):
        cs = changeset(added)
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            result = estimate(cs, Provenance())
            best = min(best, time.perf_counter() - started)
        assert result.added_lines == added
        rows.append(
            f"| {added:,} | {len(cs.diff.files):,} | {len(cs.commits)} | {best * 1000:.1f} | "
            f"{best * 1000 / (added / 10_000):.2f} |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
