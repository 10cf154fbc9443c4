"""Local git ranges and patch series: the same change read either way gives the same attribution."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gate.context.local_git import load_git_changeset
from gate.context.patch import load_patch_changeset
from gate.errors import GitError, InputError
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _added(cs: object) -> dict[str, dict[int, str]]:
    return {f.path: {ln.new_no: ln.text for ln in f.added_lines()} for f in cs.diff.files}  # type: ignore[attr-defined]


def test_default_base_is_the_merge_base_with_main(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("a.py", "x = 1\ny = 2\n")
    first = repo.commit("add y\n\n" + CLAUDE)
    repo.checkout("main")
    repo.write("other.py", "z = 3\n")
    repo.commit("main moves on")
    repo.checkout("feature")
    cs = load_git_changeset(repo.root, None, None)
    assert [c.sha for c in cs.commits] == [first]
    assert [f.path for f in cs.diff.files] == ["a.py"]  # main's own commit is not part of the change
    assert cs.line_origins == {"a.py": {2: first}}
    assert cs.commits[0].added_lines == 1
    assert cs.revisions is not None
    assert cs.revisions.read("head", "a.py") == "x = 1\ny = 2\n"
    assert cs.revisions.read("base", "a.py") == "x = 1\n"
    assert cs.revisions.read("base", "nope.py") is None


def test_lines_belong_to_the_commit_that_last_introduced_them_across_merges(repo: GitRepo) -> None:
    repo.write("m.py", "".join(f"line{i}\n" for i in range(10)))
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    repo.write("m.py", "top\n" + "".join(f"line{i}\n" for i in range(10)))
    c1 = repo.commit("top line")
    repo.branch("side")
    repo.write("m.py", "top\n" + "".join(f"line{i}\n" for i in range(10)) + "bottom\n")
    c2 = repo.commit("bottom line\n\n" + CLAUDE)
    repo.checkout("feature")
    repo.write("n.py", "new\n")
    c3 = repo.commit("new file")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    cs = load_git_changeset(repo.root, base, "HEAD")
    assert cs.line_origins["m.py"] == {1: c1, 12: c2}
    assert cs.line_origins["n.py"] == {1: c3}


def test_paths_ignore_leaves_files_out(repo: GitRepo) -> None:
    repo.write("a.py", "1\n")
    repo.commit("base")
    base = repo.head()
    repo.write("poetry.lock", "lots\n")
    repo.write("web/dist/app.min.js", "x\n")
    repo.write("src/b.py", "2\n")
    repo.commit("change")
    cs = load_git_changeset(repo.root, base, "HEAD", ignore=("**/*.lock", "**/dist/**"))
    assert [f.path for f in cs.diff.files] == ["src/b.py"]
    assert set(cs.diff.ignored_paths) == {"poetry.lock", "web/dist/app.min.js"}
    assert set(cs.line_origins) == {"src/b.py"}


def test_git_errors_are_one_clear_line(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a", "1\n")
    repo.commit("base")
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        load_git_changeset(repo.root, "nope", None)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        load_git_changeset(plain, None, None)


def test_mbox_keeps_commit_metadata_trailers_and_notes(repo: GitRepo) -> None:
    repo.write("f.py", "a\n")
    repo.commit("base")
    repo.write("f.py", "a\nb\n")
    sha = repo.commit(
        "Add b — with ünïcode\n\nWhy it matters.\n\n" + CLAUDE,
        author=("Zoë Ångström", "zoe@example.com"),
    )
    repo.git("notes", "--ref=ai", "add", "-m", "f.py\n  s_0123456789abcd::t_0123456789abcd 2\n---\n{}", sha)
    data = repo.format_patch("HEAD~1..HEAD", "--notes=ai")
    cs = load_patch_changeset(data, "series.mbox")
    (commit,) = cs.commits
    assert commit.sha == sha
    assert str(commit.author) == "Zoë Ångström <zoe@example.com>"
    assert commit.message == "Add b — with ünïcode\n\nWhy it matters.\n\n" + CLAUDE
    assert commit.ai_note is not None and commit.ai_note.startswith(
        "f.py\n  s_0123456789abcd::t_0123456789abcd 2"
    )
    assert cs.line_origins == {"f.py": {2: sha}}


def test_plain_diff_has_no_commits() -> None:
    cs = load_patch_changeset(b"--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n a\n+b\n", "p.diff")
    assert cs.source == "diff" and cs.commits == ()
    assert _added(cs) == {"x": {2: "b"}}


@pytest.mark.parametrize(
    "data", [b"\x00\x01\x02binary", b"hello world\n", b"From: nobody\n\nno patch here\n"]
)
def test_bad_patch_input(data: bytes) -> None:
    if data.startswith(b"From: "):
        cs = load_patch_changeset(data, "x")  # one message with no diff: an empty change, not a crash
        assert cs.diff.files == ()
        return
    with pytest.raises(InputError):
        load_patch_changeset(data, "x")


def _random_history(repo: GitRepo, rng: random.Random) -> str:
    files = {f"f{i}.txt": [f"base {i}-{j}" for j in range(rng.randint(0, 12))] for i in range(3)}
    for path, lines in files.items():
        repo.write(path, "".join(line + "\n" for line in lines))
    repo.commit("base")
    base = repo.head()
    for n in range(rng.randint(2, 6)):
        for path in rng.sample(sorted(files), rng.randint(1, len(files))):
            lines = files[path]
            for _ in range(rng.randint(1, 4)):
                op = rng.random()
                pos = rng.randint(0, len(lines))
                if op < 0.5 or not lines:
                    lines[pos:pos] = [f"c{n} {rng.randint(0, 999)}" for _ in range(rng.randint(1, 3))]
                elif op < 0.8:
                    del lines[min(pos, len(lines) - 1)]
                else:
                    lines[min(pos, len(lines) - 1)] = f"edit c{n}"
            repo.write(path, "".join(line + "\n" for line in lines))
        if rng.random() < 0.2:
            new = f"new{n}.txt"
            files[new] = [f"n{n}"]
            repo.write(new, f"n{n}\n")
        repo.commit(f"commit {n}")
    return base


@pytest.mark.parametrize("seed", range(12))
def test_replaying_the_mbox_agrees_with_git(tmp_path: Path, seed: int) -> None:
    repo = GitRepo(tmp_path / f"r{seed}")
    base = _random_history(repo, random.Random(seed))
    from_git = load_git_changeset(repo.root, base, "HEAD")
    from_mbox = load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "s.mbox")
    assert _added(from_mbox) == _added(from_git)
    assert {p: dict(o) for p, o in from_mbox.line_origins.items()} == {
        p: dict(o) for p, o in from_git.line_origins.items()
    }
    assert from_mbox.diff.removed_count == from_git.diff.removed_count
