"""The real-file series: added files cut whole-line from real source files, with their long lines.

The generated foundation series fills files with short lines of one package; real files carry long
lines, docstrings, string tables and comments, which cost every reader more. This series is cut from
the Python sources of packages installed in the bench's own environment (their versions are pinned by
`requirements-dev.lock`, so the series is the same on every machine that installs the lock): each
added file is a window of 100 consecutive lines of one real file, at most WINDOWS_PER_FILE windows a
file, taken round-robin across the packages so that every size of the series mixes them all.

Built under `bench/.work/real/` on first use (not committed: the 200k mbox is about 8 MB).
"""

from __future__ import annotations

import importlib.metadata
import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import AI_TRAILER, FOUNDATION_COMMITS, FOUNDATION_LINES_PER_FILE, WORK, Series, _git

# Distribution -> the top-level package directory its sources are cut from. Licences are read from
# each distribution's own metadata when the report is written.
PACKAGES: dict[str, str] = {
    "litellm": "litellm",
    "openai": "openai",
    "pydantic": "pydantic",
    "rich": "rich",
    "PyGithub": "github",
    "aiohttp": "aiohttp",
    "jinja2": "jinja2",
    "requests": "requests",
    "urllib3": "urllib3",
    "click": "click",
    "httpx": "httpx",
    "detect-secrets": "detect_secrets",
}
WINDOWS_PER_FILE = 3
REAL_LINES = (2_000, 20_000, 200_000)
# A window larger than this is left out: the analyzers' own file size limit is 1 MB, and a file past it
# measures the limit, not the readers.
MAX_WINDOW_CHARS = 200_000


@dataclass(frozen=True)
class Window:
    package: str
    source: str  # path inside the package's directory
    index: int  # which window of that file
    lines: tuple[str, ...]

    @property
    def path(self) -> str:
        stem = self.source.removesuffix(".py")
        return f"{self.package}/{stem}{'' if self.index == 0 else f'_part{self.index + 1}'}.py"


def _package_root(dist: str) -> Path:
    files = importlib.metadata.distribution(dist).files or []
    top = PACKAGES[dist]
    for f in files:
        parts = Path(str(f)).parts
        if parts and parts[0] == top:
            return Path(str(f.locate())).parents[len(parts) - 2]
    raise RuntimeError(f"bench: the sources of {dist} are not installed")


def _windows(dist: str) -> list[Window]:
    root = _package_root(dist)
    out: list[Window] = []
    for path in sorted(root.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "\r" in text:
            continue
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rel = path.relative_to(root).as_posix()
        for index in range(min(WINDOWS_PER_FILE, len(lines) // FOUNDATION_LINES_PER_FILE)):
            chunk = tuple(lines[index * FOUNDATION_LINES_PER_FILE : (index + 1) * FOUNDATION_LINES_PER_FILE])
            if sum(map(len, chunk)) + len(chunk) <= MAX_WINDOW_CHARS:
                out.append(Window(PACKAGES[dist], rel, index, chunk))
    return out


def windows(count: int) -> list[Window]:
    """The first `count` windows, taken round-robin across the packages (deterministic)."""
    per_package = [_windows(dist) for dist in PACKAGES]
    mixed = [w for group in itertools.zip_longest(*per_package) for w in group if w is not None]
    if len(mixed) < count:
        raise RuntimeError(f"bench: only {len(mixed)} real-file windows, {count} wanted")
    return mixed[:count]


def licences() -> list[tuple[str, str, str]]:
    """(distribution, version, licence) of every package the series is cut from."""
    out = []
    for dist in PACKAGES:
        meta = importlib.metadata.metadata(dist)
        licence = meta.get("License-Expression") or ""
        if not licence:
            classifiers = [
                c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or () if "License ::" in c
            ]
            licence = ", ".join(classifiers) or (meta.get("License") or "").split("\n")[0][:60]
        out.append((dist, meta["Version"], licence))
    return out


def real_series(added_lines: int) -> Series:
    """FOUNDATION_COMMITS commits adding `added_lines` lines of real files, 100 lines a file."""
    files = added_lines // FOUNDATION_LINES_PER_FILE
    root = WORK / "real" / f"series-{added_lines}"
    mbox = root / "series.mbox"
    repo = root / "repo"
    commits = min(FOUNDATION_COMMITS, files)
    # The series is cut again when the lock moves a package it is cut from, so that the report names
    # the versions its files come from.
    sources = "".join(f"{dist}=={version}\n" for dist, version, _ in licences())
    stamp = root / "sources.txt"
    if mbox.exists() and (repo / ".complete").exists() and stamp.exists() and stamp.read_text() == sources:
        return Series(mbox, repo, files, files * FOUNDATION_LINES_PER_FILE, commits)
    chosen = windows(files)
    shutil.rmtree(root, ignore_errors=True)
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / "README.md").write_text("benchmark repository of real source files\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "--quiet", "-m", "Start")
    _git(repo, "branch", "base")
    per_commit = files // commits
    for index in range(commits):
        group = chosen[index * per_commit : (index + 1) * per_commit]
        for window in group:
            path = repo / window.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(window.lines) + "\n", encoding="utf-8")
        _git(repo, "add", "--force", "--", *[w.path for w in group])
        message = f"Add {len(group)} files from {', '.join(sorted({w.package for w in group}))}\n"
        if index % 2 == 0:
            message += f"\n{AI_TRAILER}\n"
        _git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    with mbox.open("w") as fh:
        _git(repo, "format-patch", "--stdout", "base..main", stdout=fh.fileno())
    (repo / ".git" / "info" / "exclude").write_text(".complete\n")
    (repo / ".complete").touch()
    stamp.write_text(sources)
    return Series(mbox, repo, files, files * FOUNDATION_LINES_PER_FILE, commits)


def main() -> None:
    for lines in REAL_LINES:
        series = real_series(lines)
        size = series.mbox.stat().st_size
        print(
            f"real {lines}: {series.files} files, +{series.added}, {series.commits} commits, {size:,} bytes"
        )


if __name__ == "__main__":
    main()
