"""Reading files at base and head through one long-running `git cat-file` process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gate.context.catfile import BlobReader
from gate.context.git import Git
from gate.context.revisions import MAX_FILE_BYTES, TOO_LARGE, GitRevisions
from gate.errors import GitError
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_revisions(repo: GitRepo) -> tuple[GitRepo, str, str]:
    repo.write("a.py", "x = 1\n")
    repo.write("dir with space/ünïcode name.py", "café = 'naïve'\n")
    base = repo.commit("base")
    repo.write("a.py", "x = 1\ny = 2\n")
    repo.write("new.py", "z = 3\n")
    repo.write("image.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    repo.write("big.txt", "a" * (MAX_FILE_BYTES + 1))
    repo.write("limit.txt", "b" * (MAX_FILE_BYTES - 1) + "\n")
    repo.write("latin1.txt", b"caf\xe9\n")
    repo.write("line\nbreak.txt", "odd name\n")
    repo.remove("dir with space/ünïcode name.py")
    head = repo.commit("head")
    return repo, base, head


def _revisions(setup: tuple[GitRepo, str, str]) -> GitRevisions:
    repo, base, head = setup
    return GitRevisions(Git.open(repo.root), base, head)


def test_reads_each_revision_and_says_none_for_a_missing_file(
    two_revisions: tuple[GitRepo, str, str],
) -> None:
    revs = _revisions(two_revisions)
    assert revs.read("base", "a.py") == "x = 1\n"
    assert revs.read("head", "a.py") == "x = 1\ny = 2\n"
    assert revs.read("head", "new.py") == "z = 3\n"
    assert revs.read("base", "new.py") is None
    assert revs.read("head", "nothing/here.py") is None
    assert revs.read("head", "a.py") == "x = 1\ny = 2\n"  # the process keeps answering after a miss
    revs.close()


def test_paths_with_spaces_unicode_and_newlines(two_revisions: tuple[GitRepo, str, str]) -> None:
    revs = _revisions(two_revisions)
    assert revs.read("base", "dir with space/ünïcode name.py") == "café = 'naïve'\n"
    assert revs.read("head", "dir with space/ünïcode name.py") is None
    assert revs.read("head", "line\nbreak.txt") == "odd name\n"
    revs.close()


def test_binary_large_and_undecodable_files(two_revisions: tuple[GitRepo, str, str]) -> None:
    revs = _revisions(two_revisions)
    assert revs.read("head", "image.bin") is None
    assert revs.read("head", "big.txt") is None
    assert revs.why_unread("head", "big.txt") == TOO_LARGE  # there, but not read: not an absent file
    assert revs.why_unread("head", "image.bin") is None  # read, and binary
    limit = revs.read("head", "limit.txt")
    assert limit is not None and len(limit) == MAX_FILE_BYTES
    assert revs.read("head", "latin1.txt") == "caf\ufffd\n"
    assert revs.read("head", "a.py") == "x = 1\ny = 2\n"  # nothing of the skipped big blob is left over
    revs.close()


def test_a_directory_is_not_a_file(two_revisions: tuple[GitRepo, str, str]) -> None:
    revs = _revisions(two_revisions)
    assert revs.read("base", "dir with space") is None
    assert revs.why_unread("base", "dir with space") is None
    revs.close()


@pytest.mark.parametrize("one_by_one", [False, True])
def test_a_submodule_is_not_a_file_git_could_not_read(
    repo: GitRepo, one_by_one: bool, request: pytest.FixtureRequest
) -> None:
    """Git answers "missing" for a submodule's commit, as for a blob a partial clone lacks; the tree
    tells them apart: a submodule is no file the run left unread."""
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},vendor/lib")
    repo.git("commit", "-q", "-m", "add a submodule")
    if one_by_one:
        request.getfixturevalue("git_without_batch_command")
    revs = GitRevisions(Git.open(repo.root), "HEAD~1", "HEAD")
    assert "vendor/lib" in revs.list_files("head")
    assert revs.read("head", "vendor/lib") is None
    assert revs.why_unread("head", "vendor/lib") is None
    revs.close()


def test_shared_between_threads(two_revisions: tuple[GitRepo, str, str]) -> None:
    repo, base, head = two_revisions
    reader = BlobReader(Git.open(repo.root))
    specs = [f"{head}:a.py", f"{base}:a.py", f"{head}:new.py", f"{base}:new.py"] * 50
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda spec: reader.read(spec, MAX_FILE_BYTES), specs))
    assert got == [b"x = 1\ny = 2\n", b"x = 1\n", b"z = 3\n", None] * 50
    reader.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs os.fork")
def test_a_forked_child_reads_through_its_own_git_process(two_revisions: tuple[GitRepo, str, str]) -> None:
    """Parent and child both read at once, many times: neither may read the other's answers."""
    repo, base, head = two_revisions
    reader = BlobReader(Git.open(repo.root))
    assert reader.read(f"{head}:a.py", 100) == b"x = 1\ny = 2\n"  # the parent's process is running
    parents = reader._proc
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ok = all(reader.read(f"{base}:a.py", 100) == b"x = 1\n" for _ in range(300))
            code = 0 if ok and reader._proc is not parents else 3
        finally:
            os._exit(code)
    got = [reader.read(f"{head}:new.py", 100) for _ in range(300)]
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert got == [b"z = 3\n"] * 300 and reader._proc is parents
    reader.close()


def test_one_process_for_many_reads_and_a_restart_after_close(
    two_revisions: tuple[GitRepo, str, str],
) -> None:
    repo, _, head = two_revisions
    reader = BlobReader(Git.open(repo.root))
    assert reader.read(f"{head}:a.py", 100) == b"x = 1\ny = 2\n"
    first = reader._proc
    assert first is not None
    for _ in range(20):
        assert reader.read(f"{head}:new.py", 100) == b"z = 3\n"
    assert reader._proc is first
    reader.close()
    assert first.returncode == 0  # closed and reaped
    assert reader.read(f"{head}:a.py", 100) == b"x = 1\ny = 2\n"
    assert reader._proc is not first
    reader.close()


def test_dropping_the_reader_ends_its_process(two_revisions: tuple[GitRepo, str, str]) -> None:
    repo, _, head = two_revisions
    reader = BlobReader(Git.open(repo.root))
    assert reader.read(f"{head}:a.py", 100) is not None
    proc = reader._proc
    assert proc is not None
    del reader
    gc.collect()
    assert proc.returncode == 0


def test_a_dead_process_is_replaced(two_revisions: tuple[GitRepo, str, str]) -> None:
    repo, _, head = two_revisions
    reader = BlobReader(Git.open(repo.root))
    assert reader.read(f"{head}:a.py", 100) is not None
    assert reader._proc is not None
    reader._proc.kill()
    reader._proc.wait()
    # A dead process is noticed before the request and replaced.
    assert reader.read(f"{head}:a.py", 100) == b"x = 1\ny = 2\n"
    reader.close()


def test_a_bad_repository_is_a_git_error(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-repo"
    empty.mkdir()
    reader = BlobReader(Git(empty))
    with pytest.raises(GitError):
        reader.read("HEAD:a.py", 100)


@pytest.mark.usefixtures("git_without_batch_command")
def test_a_git_without_batch_command_is_read_file_by_file(two_revisions: tuple[GitRepo, str, str]) -> None:
    """git before 2.36 has no `cat-file --batch-command`: the reader falls back to a process a file."""
    revs = _revisions(two_revisions)
    assert revs.read("head", "a.py") == "x = 1\ny = 2\n"
    assert revs._blobs is None  # the batch reader was tried, failed, and is not tried again
    assert revs.read("base", "a.py") == "x = 1\n"
    assert revs.read("head", "big.txt") is None
    assert revs.why_unread("head", "big.txt") == TOO_LARGE
    assert revs.read("head", "image.bin") is None
    revs.close()


def test_a_read_interrupted_mid_answer_leaves_the_next_read_right(repo: GitRepo, tmp_path: Path) -> None:
    # A stage stopped when the run's time is up (or Ctrl-C) can be in the middle of a blob's answer;
    # the report's line keys are read through the same reader afterwards. Run where the timer signal
    # is free (pytest's own timeout holds it here).
    repo.write("big.bin", os.urandom(8 * 1024 * 1024))
    repo.write("small.txt", "small\n")
    head = repo.commit("blobs")
    script = tmp_path / "interrupt.py"
    script.write_text(
        f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from gate import deadline
from gate.context.catfile import BlobReader
from gate.context.git import Git

reader = BlobReader(Git.open(Path({str(repo.root)!r})))
interrupted = 0
for step in range(1, 41):
    try:
        with deadline.limit(step * 0.00025):
            reader.read("{head}:big.bin", 1 << 30)
    except deadline.TimeUp:
        interrupted += 1
    assert reader.read("{head}:small.txt", 100) == b"small\\n", step
reader.close()
print(interrupted)
"""
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) > 0  # some reads were interrupted, and each next read was right
