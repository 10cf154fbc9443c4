"""A `git format-patch` series is read as `git am` reads it, so the gate checks what `git am` applies.

Each series here is written by git (`format-patch`, with `--attach` or `--inline` where the test says
so) and then given a shape a mail client or a hand can give it: a body sent as base64 or
quoted-printable, CRLF line ends, a `From ` line with another date than format-patch writes, a `---`
paragraph under the trailers, a `Subject:` header first. `git am` applies every one of them; the gate
once read the encoded bodies as commits with no diff (a pass, a shell call and a key never read),
and the others as a plain diff or with the trailer in the wrong place (AI lines counted as a person's).
Each test applies the series with `git am` too and compares the commits it records with the gate's.
"""

from __future__ import annotations

import base64
import json
import os
import quopri
import subprocess
from pathlib import Path

import pytest

from gate.cli import main
from gate.context.patch import load_patch_changeset
from tests.gitrepo import GitRepo

CLAUDE = "Co-authored-by: Claude <noreply@anthropic.com>"
EVIL = (
    'import os\nLIMIT = 3\n\ndef run(name):\n    os.system("tar czf /tmp/a.tgz " + name)\n'
    '    return "AKIAIOSFODNN7EXAMPL3"\n'
)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A person's commit on main, then on `pr` one of theirs and an AI commit adding app/evil.py."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/ok.py", "def ok():\n    return 1\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/ok.py", "def ok():\n    return 2\n")
    repo.commit("Tweak ok")
    repo.write("app/evil.py", EVIL)
    repo.commit("Add a helper\n\n" + CLAUDE)
    return repo


def _git_am(repo: GitRepo, series: bytes, tmp_path: Path, fmt: str = "%B") -> list[str]:
    """The messages (or `fmt`) of the commits `git am` makes of `series` on main (failing the test if it
    cannot)."""
    where = tmp_path / f"am{len(list(tmp_path.glob('am*')))}"
    repo.git("worktree", "add", "-q", "--detach", str(where), "main")
    (tmp_path / "series.in").write_bytes(series)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@b"}

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True, env=env)
        return done.stdout.decode()

    git("am", "-q", str(tmp_path / "series.in"))
    assert (where / "app" / "evil.py").read_text() == EVIL
    return git("log", "--reverse", f"--format={fmt}%x00", "main..HEAD").split("\0")[:-1]


def _check(series: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    path = tmp_path / "series.mbox"
    path.write_bytes(series)
    code = main(["check", "--diff", str(path), "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _assert_read_as_git_am(
    repo: GitRepo, series: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`git am` and the gate see the same two commits, the second an AI commit adding the helper."""
    recorded = _git_am(repo, series, tmp_path)
    changeset = load_patch_changeset(series, "series.mbox")
    # The message `git am` records opens the gate's (which keeps what a `---` line of its own cut off).
    assert [c.message[: len(m.strip())] for c, m in zip(changeset.commits, recorded, strict=True)] == [
        m.strip() for m in recorded
    ]
    assert recorded[1].strip().endswith(CLAUDE)
    assert [line.text for line in changeset.diff.by_path["app/evil.py"].added] == EVIL.splitlines()

    code, report = _check(series, tmp_path, capsys)

    prov = report["provenance"]
    assert [(c["subject"], c["ai"], c["added_lines"]) for c in prov["commits"]] == [
        ("Tweak ok", False, 1),
        ("Add a helper", True, 6),
    ]
    assert (prov["ai_lines"], prov["added_lines"]) == (6, 7)
    assert code == 1 and report["verdict"] == "fail"
    assert [(f["rule"], f["path"]) for f in report["findings"] if f["blocking"]] == [
        ("hard-coded-secret", "app/evil.py")
    ]


def _encode_bodies(series: bytes, encoding: str) -> bytes:
    """The series with each message's body sent in `encoding`, as a mail client may send it."""
    out = []
    for message in series.split(b"\nFrom "):
        head, _, body = message.partition(b"\n\n")
        data = base64.encodebytes(body) if encoding == "base64" else quopri.encodestring(body)
        head += b"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8"
        out.append(head + f"\nContent-Transfer-Encoding: {encoding}\n\n".encode() + data)
    return b"\nFrom ".join(out)


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_a_body_in_a_transfer_encoding_is_decoded_as_git_am_decodes_it(
    repo: GitRepo, encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = _encode_bodies(repo.format_patch("main..pr"), encoding)
    assert b"LIMIT = 3" not in series

    _assert_read_as_git_am(repo, series, tmp_path, capsys)


@pytest.mark.parametrize("option", ["--attach", "--inline"])
def test_a_series_with_the_patch_in_a_mime_part_is_read_as_git_am_reads_it(
    repo: GitRepo, option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _assert_read_as_git_am(repo, repo.format_patch("main..pr", option), tmp_path, capsys)


def test_a_body_that_does_not_decode_is_an_input_error(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = _encode_bodies(repo.format_patch("main..pr"), "base64")
    # A character short: git would read every later byte of the line six bits out of place.
    head, _, body = series.rpartition(b"\n\n")
    path = tmp_path / "series.mbox"
    path.write_bytes(head + b"\n\n" + body[1:])

    code = main(["check", "--diff", str(path), "--offline", "--format", "json"])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "patch 2: the base64 body does not decode" in err


def test_a_from_line_with_another_date_starts_a_message_as_git_mailsplit_starts_one(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = repo.format_patch("main..pr")
    first, _, rest = series.partition(b" Mon Sep 17 00:00:00 2001\n")
    second = rest.replace(b" Mon Sep 17 00:00:00 2001\n", b" Sun Dec  6 12:32:42 2026\n")
    assert second != rest

    _assert_read_as_git_am(repo, first + b" Mon Sep 17 00:00:00 2001\n" + second, tmp_path, capsys)


def test_crlf_line_ends_are_read_as_git_mailsplit_reads_them(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = repo.format_patch("main..pr").replace(b"\n", b"\r\n")

    _assert_read_as_git_am(repo, series, tmp_path, capsys)


def test_the_first_dash_line_ends_the_message_as_git_mailinfo_ends_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A paragraph under the trailers and a second `---` line: the message ends at the first.
    series = repo.format_patch("main..pr").replace(
        CLAUDE.encode() + b"\n---\n", CLAUDE.encode() + b"\n---\nReviewed offline, see below.\n\n---\n"
    )

    _assert_read_as_git_am(repo, series, tmp_path, capsys)


@pytest.mark.parametrize("blank", [b"\x0b", b"\x0c"])
def test_a_dash_line_with_a_blank_git_does_not_count_is_message_text_as_git_mailinfo_reads_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], blank: bytes
) -> None:
    # git's isspace() is C's without the vertical tab and the form feed: `---\v` is no break, and the
    # trailer below it is the message's.
    series = repo.format_patch("main..pr").replace(
        b"\n\n" + CLAUDE.encode(), b"\n\n---" + blank + b"\nSee the notes.\n\n" + CLAUDE.encode()
    )

    _assert_read_as_git_am(repo, series, tmp_path, capsys)


CLAUDE_AUTHOR = "Claude <noreply@anthropic.com>"


@pytest.mark.parametrize(
    "headers",
    [
        f"From: {CLAUDE_AUTHOR}",
        f"from: {CLAUDE_AUTHOR}",
        f"From:{CLAUDE_AUTHOR}",
        f"Date: Mon, 1 Dec 2025 10:00:00 +0000\nFrom: {CLAUDE_AUTHOR}",
        "From: Claude\n <noreply@anthropic.com>",
        f"\n\nSUBJECT: Add a helper\nFROM: {CLAUDE_AUTHOR}",
        f"[PATCH] Add a helper\n\nFrom: {CLAUDE_AUTHOR}",
        f"Subject: Add a helper\n>From {'a' * 40} Mon Sep 17 00:00:00 2001\n\nFrom: {CLAUDE_AUTHOR}",
    ],
    ids=[
        "as format-patch writes it",
        "lower case",
        "no blank",
        "after a date",
        "folded",
        "upper case",
        "after a patch line and an empty line",
        "after a separator line and an empty line",
    ],
)
def test_an_author_named_by_a_header_in_the_body_is_read_as_git_am_reads_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], headers: str
) -> None:
    # The AI commit sent by a person, with no trailer: only the header that opens its body names the AI.
    series = repo.format_patch("main..pr").replace(
        b"\n\n" + CLAUDE.encode() + b"\n---\n", b"\n\n" + headers.encode() + b"\n\nWrite the helper.\n---\n"
    )
    authors = [a.strip() for a in _git_am(repo, series, tmp_path, "%an <%ae>")]
    assert authors[1] == CLAUDE_AUTHOR

    changeset = load_patch_changeset(series, "series.mbox")

    assert [f"{c.author.name} <{c.author.email}>" for c in changeset.commits] == authors
    assert changeset.commits[1].message == "Add a helper\n\nWrite the helper."
    _, report = _check(series, tmp_path, capsys)
    assert [c["ai"] for c in report["provenance"]["commits"]] == [False, True]


@pytest.mark.parametrize("where", ["mail header", "in the body"])
@pytest.mark.parametrize(
    "author",
    [
        "Claude, <noreply@anthropic.com>",
        "Claude; <noreply@anthropic.com>",
        '"Claude" noreply@anthropic.com',
        "Claude noreply@anthropic.com",
        'Claude <"noreply"@anthropic.com>',
        "noreply@anthropic.com (Claude)",
        "Claude\t <noreply@anthropic.com>",
        "=?utf-8?q?noreply?=@anthropic.com",
        "Claude <=?utf-8?q?noreply?=@anthropic.com>",
        "=?utf-8?b?bm9yZXBseQ==?=@anthropic.com",
        "=?UTF-8?Q?Cl=C3=A4ude?= =?utf-8?q?_AI?= <noreply@anthropic.com>",
    ],
)
def test_an_author_address_is_read_as_git_am_reads_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, author: str
) -> None:
    # The AI commit with no trailer, its author written as a mail client or a hand may write it: git
    # mailinfo takes the word around the `@` as the address, and ident strips the punctuation around it.
    series = repo.format_patch("main..pr").replace(b"\n\n" + CLAUDE.encode() + b"\n---\n", b"\n\n---\n")
    first, at, second = series.partition(b"\nSubject: [PATCH 2/2]")
    if where == "mail header":
        head, _, _ = first.rpartition(b"\nFrom: ")
        series = head + b"\nFrom: " + author.encode() + at + second
    else:
        series = series.replace(b"Add a helper\n\n---\n", f"Add a helper\n\nFrom: {author}\n\n---\n".encode())
    recorded = [a.strip() for a in _git_am(repo, series, tmp_path, "%an <%ae>")]
    assert recorded[1].endswith("<noreply@anthropic.com>")

    changeset = load_patch_changeset(series, "series.mbox")

    assert [f"{c.author.name} <{c.author.email}>" for c in changeset.commits] == recorded
    _, report = _check(series, tmp_path, capsys)
    assert [c["ai"] for c in report["provenance"]["commits"]] == [False, True]


def test_a_header_whose_encoded_word_does_not_decode_is_an_input_error_as_git_am_refuses_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = repo.format_patch("main..pr").replace(
        b"Subject: [PATCH 2/2] Add a helper", b"Subject: =?bogus?q?x?="
    )
    path = tmp_path / "series.mbox"
    path.write_bytes(series)
    worktree = tmp_path / "am"
    repo.git("worktree", "add", "-q", "--detach", str(worktree), "main")
    refused = subprocess.run(["git", "-C", str(worktree), "am", "-q", str(path)], capture_output=True)
    assert refused.returncode != 0

    code = main(["check", "--diff", str(path), "--offline", "--format", "json"])

    assert code == 2
    assert "encoded word does not decode" in capsys.readouterr().err


def test_a_mail_that_opens_with_its_headers_is_read_as_a_message(repo: GitRepo, tmp_path: Path) -> None:
    """`git am` takes a file whose first lines are mail headers for a mailbox of one message, with no
    `From ` line: the gate once read it as a plain diff, the trailer lost."""
    lines = repo.format_patch("-1").split(b"\n")
    assert lines[1].startswith(b"From: ") and lines[3].startswith(b"Subject: ")
    mail = b"\n".join([lines[3], lines[1], lines[2], *lines[4:]])

    recorded = _git_am(repo, mail, tmp_path)
    read = load_patch_changeset(mail, "one.mbox").commits

    assert [c.message.strip() for c in read] == [m.strip() for m in recorded]
    assert [(c.message, c.author.email) for c in read] == [("Add a helper\n\n" + CLAUDE, "human@example.com")]


def test_mbox_messages_after_other_text_are_an_input_error(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither `git am` nor `git mailsplit` splits a file that does not open with a message."""
    path = tmp_path / "series.mbox"
    path.write_bytes(b"The series for review:\n\n" + repo.format_patch("main..pr"))

    code = main(["check", "--diff", str(path), "--offline", "--format", "json"])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "holds mbox messages but does not open with one" in err
