"""Benchmark inputs: real code changes cut into pull requests of set sizes, and the foundation series.

Real changes come from the diff between two released sdists of well-known packages (downloaded once
with pip, cached under `bench/.work/`). A PR of about N changed lines is a set of whole files from that
diff, committed on top of the base release in a real git repository and split over a few commits, and
exported as a unified diff and as a `git format-patch` mbox series.

The foundation series is generated: N files of 100 added lines each, the lines taken from real source
files, committed with git and exported with format-patch, so its size can be set exactly (2k/20k/200k
added lines) to show how cost grows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"


@dataclass(frozen=True)
class Release:
    package: str
    base: str
    head: str


# rich: a mid-sized pure-Python library, for the small PRs; Django: large enough for 1k to 100k.
RICH = Release("rich", "12.6.0", "13.7.1")
DJANGO = Release("django", "3.2", "5.0")

# PR size (changed lines wanted) -> where its files come from, and whether only Python files count.
PR_SIZES: dict[int, tuple[Release, bool]] = {
    10: (RICH, True),
    100: (RICH, True),
    1_000: (DJANGO, True),
    10_000: (DJANGO, True),
    100_000: (DJANGO, True),
}
REVIEW_SIZES = (10, 100, 1_000, 10_000)
FOUNDATION_LINES = (2_000, 20_000, 200_000)
FOUNDATION_LINES_PER_FILE = 100
FOUNDATION_COMMITS = 20

AI_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dana Developer",
    "GIT_AUTHOR_EMAIL": "dana@example.org",
    "GIT_COMMITTER_NAME": "Dana Developer",
    "GIT_COMMITTER_EMAIL": "dana@example.org",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class CorpusPR:
    """One benchmark pull request: a git repo (branches `main` and `pr`) and its exports."""

    name: str
    release: Release
    repo: Path
    diff: Path  # `git diff main pr`
    mbox: Path  # `git format-patch --stdout main..pr`
    files: int
    added: int
    removed: int
    commits: int

    @property
    def changed(self) -> int:
        return self.added + self.removed


@dataclass(frozen=True)
class Series:
    """A generated foundation series: an mbox of commits that add new files, and the repository they
    came from (branch `base` at the start, `main` at the end of the series)."""

    mbox: Path
    repo: Path
    files: int
    added: int
    commits: int

    @property
    def ai_lines(self) -> int:
        """Lines of the commits that carry the AI trailer (every other one, the first included)."""
        return (self.commits + 1) // 2 * (self.files // self.commits) * FOUNDATION_LINES_PER_FILE


def _git(cwd: Path, *args: str, stdout: int | None = None) -> str:
    env = {**os.environ, **_GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, stdout=stdout or subprocess.PIPE, text=True
    )
    return done.stdout or ""


def sdist_tree(package: str, version: str) -> Path:
    """The unpacked sdist of `package==version` (downloaded on first use)."""
    tree = WORK / "src" / f"{package}-{version}"
    if (tree / ".complete").exists():
        return tree
    dl = WORK / "sdists"
    dl.mkdir(parents=True, exist_ok=True)
    archive = next(dl.glob(f"[{package[0].upper()}{package[0]}]{package[1:]}-{version}.tar.gz"), None)
    if archive is None:
        print(f"bench: downloading {package}=={version} sdist from PyPI", file=sys.stderr)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"),
                *("--disable-pip-version-check", f"{package}=={version}", "-d", str(dl)),
            ],
            check=True,
        )
        archive = next(dl.glob(f"[{package[0].upper()}{package[0]}]{package[1:]}-{version}.tar.gz"))
    shutil.rmtree(tree, ignore_errors=True)
    unpack = tree.with_name(tree.name + ".tmp")
    shutil.rmtree(unpack, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(unpack, filter="data")
    (top,) = list(unpack.iterdir())  # an sdist has one top-level directory
    top.rename(tree)
    unpack.rmdir()
    (tree / ".complete").touch()
    return tree


@dataclass(frozen=True)
class _FileDelta:
    path: str
    added: int
    removed: int


def _deltas(base: Path, head: Path, python_only: bool) -> list[_FileDelta]:
    """Per-file changed lines between two trees (text files only), sorted by path."""
    done = subprocess.run(
        ["git", "diff", "--no-index", "--numstat", "--no-renames", "-z", str(base), str(head)],
        stdout=subprocess.PIPE,
        env={**os.environ, **_GIT_ENV},
        check=False,  # exit 1 means "differences found"
    )
    out: list[_FileDelta] = []
    tokens = iter(done.stdout.decode("utf-8", "replace").split("\0"))
    for record in tokens:
        parts = record.split("\t")
        if len(parts) != 3:
            continue
        raw = parts[2]
        if not raw:  # --no-index reports two paths (old, new) after an empty one
            old, new = next(tokens, ""), next(tokens, "")
            raw = new if new != "/dev/null" else old
        rel = _relative(raw, base, head)
        if parts[0] == "-" or rel is None or rel == ".complete" or rel.endswith((".po", ".mo")):
            continue  # binary files have "-" counts
        if python_only and not rel.endswith(".py"):
            continue
        out.append(_FileDelta(rel, int(parts[0]), int(parts[1])))
    out.sort(key=lambda d: d.path)
    return out


def _relative(raw: str, base: Path, head: Path) -> str | None:
    for root in (head, base):
        prefix = str(root).lstrip("/") + "/"
        stripped = raw.lstrip("/")
        if stripped.startswith(prefix):
            return stripped[len(prefix) :]
    return None


def _select(deltas: list[_FileDelta], target: int) -> list[_FileDelta]:
    """Whole files whose changed lines add up to about `target` (greedy, largest first, deterministic).

    No file may hold more than a twentieth of the target, so that a big PR spans many files as real ones do.
    """
    cap = max(target // 20, 10)
    chosen: list[_FileDelta] = []
    total = 0
    for delta in sorted(deltas, key=lambda d: (-(d.added + d.removed), d.path)):
        size = delta.added + delta.removed
        if size <= cap and total + size <= target * 1.1:
            chosen.append(delta)
            total += size
        if total >= target * 0.9:
            break
    return sorted(chosen, key=lambda d: d.path)


def _commit_count(files: int, target: int) -> int:
    wanted = 2 if target <= 10 else 3 if target <= 100 else 5 if target <= 1_000 else 10
    return max(1, min(files, wanted))


def pr(size: int) -> CorpusPR:
    """The benchmark PR of about `size` changed lines (built on first use, then cached)."""
    release, python_only = PR_SIZES[size]
    name = f"{release.package}-{release.base}..{release.head}-{size}"
    root = WORK / "corpus" / name
    stamp = root / "stamp.txt"
    if stamp.exists():
        files, added, removed, commits = (int(x) for x in stamp.read_text().split())
        return CorpusPR(
            name, release, root / "repo", root / "pr.diff", root / "pr.mbox", files, added, removed, commits
        )
    base = sdist_tree(release.package, release.base)
    head = sdist_tree(release.package, release.head)
    chosen = _select(_deltas(base, head, python_only), size)
    shutil.rmtree(root, ignore_errors=True)
    repo = root / "repo"
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    shutil.copytree(base, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete"))
    _git(repo, "add", "--all", "--force")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", f"{release.package} {release.base}")
    _git(repo, "checkout", "--quiet", "-b", "pr")
    commits = _commit_count(len(chosen), size)
    for index in range(commits):
        group = chosen[index::commits]
        for delta in group:
            source, target = head / delta.path, repo / delta.path
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            else:
                target.unlink()
        _git(repo, "add", "--all", "--force", "--", *[d.path for d in group])
        message = f"Update {len(group)} file(s) towards {release.package} {release.head}\n\n"
        message += "Brings " + ", ".join(d.path for d in group[:3]) + (" and more" if len(group) > 3 else "")
        if index % 2 == 0:  # half the commits carry a real AI attribution trailer
            message += f".\n\n{AI_TRAILER}\n"
        _git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    with (root / "pr.diff").open("w") as fh:
        _git(repo, "diff", "main", "pr", stdout=fh.fileno())
    with (root / "pr.mbox").open("w") as fh:
        _git(repo, "format-patch", "--stdout", "main..pr", stdout=fh.fileno())
    _git(repo, "checkout", "--quiet", "pr")
    added = sum(d.added for d in chosen)
    removed = sum(d.removed for d in chosen)
    stamp.write_text(f"{len(chosen)} {added} {removed} {commits}\n")
    return CorpusPR(
        name, release, repo, root / "pr.diff", root / "pr.mbox", len(chosen), added, removed, commits
    )


FOLLOW_UP = (
    (
        "Handle an empty value in the new helper",
        '\n\ndef _bench_is_blank(value):\n    """True for None and for empty or whitespace-only strings."""\n'
        "    if value is None:\n        return True\n    return not str(value).strip()\n",
    ),
    (
        "Keep the old name importable",
        "\n\n# Kept so that code importing the old name keeps working.\n_bench_legacy_name = None\n",
    ),
)


def follow_up(size: int = 1_000) -> Path:
    """A clone of PR `size` with branch `pr2`: two more small commits on top of `pr` (review feedback)."""
    item = pr(size)
    clone = item.repo.parent / "follow-up"
    if (clone / ".complete").exists():
        return clone
    shutil.rmtree(clone, ignore_errors=True)
    _git(item.repo.parent, "clone", "--quiet", "--no-local", str(item.repo), str(clone))
    _git(clone, "checkout", "--quiet", "-B", "pr", "origin/pr")
    _git(clone, "branch", "--quiet", "--force", "main", "origin/main")
    _git(clone, "checkout", "--quiet", "-b", "pr2", "pr")
    changed = [
        line.split("\t")[-1]
        for line in _git(clone, "diff", "--numstat", "main", "pr2").splitlines()
        if line.endswith(".py")
    ]
    existing = [path for path in changed if (clone / path).exists()]
    for (subject, addition), path in zip(FOLLOW_UP, existing, strict=False):
        with (clone / path).open("a", encoding="utf-8") as fh:
            fh.write(addition)
        _git(clone, "commit", "--quiet", "--no-verify", "-am", f"{subject}\n\n{AI_TRAILER}\n")
    (clone / ".git" / "info" / "exclude").write_text(".complete\n")
    (clone / ".complete").touch()
    return clone


def _source_lines() -> list[str]:
    """Real lines of Python to fill generated files with (non-empty lines of rich's sources)."""
    tree = sdist_tree(RICH.package, RICH.head)
    lines: list[str] = []
    for path in sorted(tree.rglob("*.py")):
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def foundation_series(added_lines: int) -> Series:
    """A series of FOUNDATION_COMMITS commits adding `added_lines` lines in files of 100 lines each."""
    files = added_lines // FOUNDATION_LINES_PER_FILE
    root = WORK / "foundation" / f"series-{added_lines}"
    mbox = root / "series.mbox"
    repo = root / "repo"
    commits = min(FOUNDATION_COMMITS, files)
    if mbox.exists() and (repo / ".complete").exists():
        return Series(mbox, repo, files, files * FOUNDATION_LINES_PER_FILE, commits)
    source = _source_lines()
    shutil.rmtree(root, ignore_errors=True)
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / "README.md").write_text("generated benchmark repository\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "--quiet", "-m", "Start")
    _git(repo, "branch", "base")
    cursor = 0
    per_commit = files // commits
    for index in range(commits):
        paths = []
        for number in range(index * per_commit, (index + 1) * per_commit):
            rel = f"pkg{number // 100:02d}/module_{number:04d}.py"
            body = [source[(cursor + k) % len(source)] for k in range(FOUNDATION_LINES_PER_FILE)]
            cursor += FOUNDATION_LINES_PER_FILE
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(body) + "\n")
            paths.append(rel)
        _git(repo, "add", "--", *paths)
        message = f"Add modules {index * per_commit}..{(index + 1) * per_commit - 1}\n"
        if index % 2 == 0:
            message += f"\n{AI_TRAILER}\n"
        _git(repo, "commit", "--quiet", "-m", message)
    with mbox.open("w") as fh:
        _git(repo, "format-patch", "--stdout", "base..main", stdout=fh.fileno())
    (repo / ".git" / "info" / "exclude").write_text(".complete\n")
    (repo / ".complete").touch()
    return Series(mbox, repo, files, files * FOUNDATION_LINES_PER_FILE, commits)


def run() -> str:
    """The corpus section of the report (and builds every input, so later timings exclude downloads)."""
    rows = []
    for size in PR_SIZES:
        item = pr(size)
        rows.append(
            f"| ~{size:,} | {item.release.package} {item.release.base} → {item.release.head} | {item.files} "
            f"| +{item.added:,} −{item.removed:,} | {item.changed:,} | {item.commits} |"
        )
    series = [foundation_series(lines) for lines in FOUNDATION_LINES]
    return "\n".join(
        [
            "## Corpus",
            "",
            "Real changes: the diff between two released sdists from PyPI (Python files only), cut into PRs "
            "of whole files (greedy, largest first, no file over a twentieth of the target), committed on "
            "top of the base release in a real git repository (branches `main` and `pr`, a few commits, "
            f"every other one with a `{AI_TRAILER}` trailer) and exported as `pr.diff` and `pr.mbox`. "
            "Built under `bench/.work/` (`python -m bench.corpus`).",
            "",
            "| PR | from | files | lines | changed | commits |",
            "| ---: | --- | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Foundation series (generated, for exact sizes): "
            + ", ".join(f"{s.added:,} added lines in {s.files:,} files" for s in series)
            + f", {FOUNDATION_COMMITS} commits each.",
        ]
    )


def main() -> None:
    """Build every corpus input (`python -m bench.corpus`) and print their sizes."""
    for size in PR_SIZES:
        item = pr(size)
        print(f"{item.name}: {item.files} files, +{item.added} -{item.removed}, {item.commits} commits")
    for lines in FOUNDATION_LINES:
        series = foundation_series(lines)
        print(f"foundation {lines}: {series.files} files, +{series.added}, {series.commits} commits")


if __name__ == "__main__":
    main()
