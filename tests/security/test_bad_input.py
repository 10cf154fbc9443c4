"""Bad input through the real CLI: one clear line and exit 2 (or a clean pass), bounded time and memory.

Each case runs `python -m gate check` as a child process and measures its CPU time and peak RSS.
The bounds are generous on purpose (a slow CI machine must not flake); the point is that no input
makes the gate hang, balloon or print a traceback.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo
from tests.security.measure import Run, run_gate

MAX_CPU_SECONDS = 60
MAX_RSS_MB = 1536


def assert_bounded(run: Run, name: str) -> None:
    print(run.figure(name))  # shown with -s; the figures go to the security notes
    assert run.cpu_seconds < MAX_CPU_SECONDS, run.figure(name)
    assert run.peak_rss_mb < MAX_RSS_MB, run.figure(name)
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout


def assert_one_clear_line(run: Run, name: str, *expected: str) -> None:
    assert_bounded(run, name)
    assert run.returncode == 2, (run.returncode, run.stderr[-500:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    assert lines[0].startswith("ai-gate: ") and "internal error" not in lines[0], lines[0]
    assert len(lines[0]) < 500
    for text in expected:
        assert text in lines[0], lines[0]


def check_diff(path: Path | str, *extra: str, stdin: bytes | None = None) -> Run:
    return run_gate("check", "--diff", str(path), "--offline", "--format", "json", *extra, stdin=stdin)


def test_empty_input_is_a_clean_pass() -> None:
    run = check_diff("-", stdin=b"")
    assert_bounded(run, "empty input")
    assert run.returncode == 0 and run.stderr == ""
    assert json.loads(run.stdout)["verdict"] == "pass"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("random bytes", random.Random(1).randbytes(256 << 10), "binary data"),
        ("random bytes, no NUL", bytes(b or 1 for b in random.Random(2).randbytes(256 << 10)), "bad input"),
        (
            "non-UTF-8 text",
            "Grüße aus Köln, ceci n'est pas un diff\n".encode("latin-1") * 100,
            "no diff found",
        ),
        ("only a hunk", b"@@ -1 +1 @@\n-a\n+b\n", "bad input"),
        ("header without source", b"+++ b/x\n@@ -0,0 +1 @@\n+a\n", "bad input"),
        ("hunk past any file", b"", "beyond the 1,000,000 lines"),
    ],
)
def test_unreadable_patches_are_one_line_and_exit_2(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    if name == "hunk past any file":
        # The first hunk ends with context, so the file may go on: the far line is the bound's to refuse.
        data = b"".join(
            f"From {n:040x} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.com>\nSubject: s\n\n---\n"
            f"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -{start},2 +{start},3 @@\n a\n+{n}\n z\n".encode()
            for n, start in ((1, 1), (2, 10**14))
        )
    patch = tmp_path / "input.patch"
    patch.write_bytes(data)
    assert_one_clear_line(check_diff(patch), name, expected, str(patch))


# A value the refused line holds: an error names the line by its number, never quotes it.
_PASSWORD = "Zq8vLm3pRt7xW2Yd"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "a line of no kind in a hunk",
            f"--- a/.env\n+++ b/.env\n@@ -1,2 +1,3 @@\n A=1\n+B=2\nDB_PASSWORD={_PASSWORD}\n",
            "Hunk diff line expected (line 6)",
        ),
        (
            "a hunk before any file",
            f"@@ -1 +1 @@ DB_PASSWORD={_PASSWORD}\n-a\n+b\n",
            "Unexpected hunk found (line 1)",
        ),
        (
            "a target header after another file's source",
            f"diff --git a/x b/x\n--- a/x\n+++ b/DB_PASSWORD={_PASSWORD}\n",
            "Target without source (line 3)",
        ),
    ],
)
def test_a_refused_line_is_named_by_its_number_not_quoted(
    tmp_path: Path, name: str, data: str, expected: str
) -> None:
    patch = tmp_path / "input.diff"
    patch.write_text(data)
    run = check_diff(patch)
    assert_one_clear_line(run, name, expected)
    assert _PASSWORD[:6] not in run.stderr + run.stdout


def test_binary_patch_from_git_is_read(repo: GitRepo) -> None:
    repo.write("img.bin", bytes(range(256)) * 64)
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    base = repo.head()
    repo.write("img.bin", bytes(reversed(range(256))) * 80)
    repo.write("new.bin", b"\x00\x01binary\xff" * 100)
    repo.write("a.py", "x = 2\n")
    repo.commit("binary change")
    patch = repo.root.parent / "binary.patch"
    patch.write_text(repo.git("diff", "--binary", base, "HEAD"))
    run = check_diff(patch)
    assert_bounded(run, "git diff --binary")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    # The literals are read as the git source reads the blobs: bytes of no binary format the gate knows,
    # which a tool may read as text, so the same commit is neutral from either source.
    assert report["verdict"] == "neutral"
    assert report["reasons"] == [
        "not read: 2 files git calls binary whose content is text or of no binary format the gate knows "
        "(img.bin, new.bin); the verdict is neutral"
    ]
    assert report["provenance"]["added_lines"] == 1  # a.py; the binary files carry no lines


def test_non_utf8_bytes_in_a_diff_are_read_and_said(tmp_path: Path) -> None:
    patch = tmp_path / "latin1.diff"
    patch.write_bytes(b"--- a/greet.py\n+++ b/greet.py\n@@ -1 +1 @@\n-hi = 'x'\n+hi = 'Gr\xfc\xdfe'\n")
    run = check_diff(patch, "--format", "text")
    assert_bounded(run, "non-UTF-8 diff")
    assert run.returncode == 0, run.stderr
    assert "not valid UTF-8" in run.stdout


def test_a_10_mb_line(tmp_path: Path) -> None:
    patch = tmp_path / "line.diff"
    patch.write_bytes(
        b"diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n"
        b"@@ -0,0 +1 @@\n+" + b"a" * (10 << 20) + b"\n"
    )
    run = check_diff(patch)
    assert_bounded(run, "10 MB line")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["provenance"]["added_lines"] == 1


def test_100000_files(tmp_path: Path) -> None:
    patch = tmp_path / "files.diff"
    with patch.open("w") as out:
        for i in range(100_000):
            path = f"d{i % 100}/f{i}.py"
            out.write(
                f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
                f"@@ -0,0 +1 @@\n+x = {i}\n"
            )
    run = check_diff(patch)
    assert_bounded(run, "100,000 files")
    report = json.loads(run.stdout)
    assert run.returncode == (1 if report["verdict"] == "fail" else 0), run.stderr
    assert report["provenance"]["added_lines"] == 100_000


EXAMPLE_DIFF = b"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


@pytest.mark.parametrize(
    ("name", "config", "expected"),
    [
        ("invalid YAML", "review:\n  quorum: [1, 2\ngate: {}\n", ":3: invalid YAML"),
        ("unknown key", "review:\n  quorum: 2\n  qorum: 3\n", ":3: unknown key 'review.qorum'"),
        ("wrong type", "gate:\n  fail_on: sometimes\n", ":2: 'gate.fail_on'"),
        (
            "wrong type, nested",
            "thresholds:\n  review:\n    ai_share: lots\n",
            ":3: 'thresholds.review.ai_share'",
        ),
        ("not a mapping", "- just\n- a list\n", "must be a mapping"),
        ("python tag", "gate: !!python/object/apply:os.system ['true']\n", ":1: invalid YAML: tag"),
        (
            "alias bomb",
            "a: &a [x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
            ),
            "over 10000 values",
        ),
        ("not UTF-8", "review:\n  quorum: 2 # \udcff\n", "not UTF-8"),
    ],
)
def test_bad_configs_are_one_line_and_exit_2(tmp_path: Path, name: str, config: str, expected: str) -> None:
    path = tmp_path / "ai-gate.yml"
    path.write_bytes(config.encode("utf-8", "surrogateescape"))
    run = check_diff("-", "--config", str(path), stdin=EXAMPLE_DIFF)
    assert_one_clear_line(run, name, "bad config", expected)


def test_config_validate_agrees(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("models:\n  review: gpt\n  endpoints: []\n")
    run = run_gate("config", "validate", str(path))
    assert_one_clear_line(run, "config validate", "bad config", f"{path}:")
