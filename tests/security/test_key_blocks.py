"""Private keys in every form a change carries them are hidden whole: PEM with encryption headers, PGP
armour, PuTTY and SSH2 key files, OpenSSH, and keys written one string literal a line in code.

Each key is random base64 (made here, not a real key), new for each test: what one test's redaction
remembered cannot hide another's key.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable

import pytest

from gate.context.local_git import load_git_changeset
from gate.redact import REDACTED, learn_changeset, memory, redact, redact_key_blocks
from tests.gitrepo import GitRepo

_B64 = string.ascii_letters + string.digits + "+/"
_rng = random.Random(20261204)


def key_lines(count: int = 4, width: int = 64) -> list[str]:
    return ["".join(_rng.choice(_B64) for _ in range(width)) for _ in range(count)]


def pem_encrypted(body: list[str]) -> str:
    return "\n".join(
        [
            "-----BEGIN RSA PRIVATE KEY-----",
            "Proc-Type: 4,ENCRYPTED",
            "DEK-Info: AES-128-CBC,3F17F5316E2BAC89BF8A7C0A0A6A4B0D",
            "",
            *body,
            "-----END RSA PRIVATE KEY-----",
        ]
    )


def pgp(body: list[str]) -> str:
    return "\n".join(
        [
            "-----BEGIN PGP PRIVATE KEY BLOCK-----",
            "Version: GnuPG v2",
            "Comment: a test key",
            "",
            *body,
            "=Xy9Q",
            "-----END PGP PRIVATE KEY BLOCK-----",
        ]
    )


def putty(version: int) -> Callable[[list[str]], str]:
    def render(body: list[str]) -> str:
        return "\n".join(
            [
                f"PuTTY-User-Key-File-{version}: ssh-rsa",
                "Encryption: none",
                "Comment: rsa-key-20260101",
                "Public-Lines: 1",
                body[0],
                f"Private-Lines: {len(body) - 1}",
                *body[1:],
                "Private-MAC: 0123456789abcdef0123456789abcdef01234567",
            ]
        )

    return render


def ssh2(body: list[str]) -> str:
    return "\n".join(
        [
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
            'Comment: "rsa-key-20260101"',
            *body,
            "---- END SSH2 ENCRYPTED PRIVATE KEY ----",
        ]
    )


def python_escaped(body: list[str]) -> str:
    """An OpenSSH key as Python string literals, one a line, each with its `\\n`."""
    rows = ["-----BEGIN OPENSSH PRIVATE KEY-----", *body, "-----END OPENSSH PRIVATE KEY-----"]
    return "KEY = (\n" + "".join(f'    "{row}\\n"\n' for row in rows) + ")\n"


def python_bytes(body: list[str]) -> str:
    rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
    return "KEY = (\n" + "".join(f'    b"{row}\\n"\n' for row in rows) + ")\n"


def python_continued(body: list[str]) -> str:
    rows = ["-----BEGIN EC PRIVATE KEY-----", *body, "-----END EC PRIVATE KEY-----"]
    return "KEY = " + " \\\n    ".join(f'"{row}\\n"' for row in rows) + "\n"


def javascript_concatenated(body: list[str]) -> str:
    rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
    return "export const key =\n" + " +\n".join(f"  '{row}'" for row in rows) + ";\n"


def javascript_escaped(body: list[str]) -> str:
    rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
    return "export const key =\n" + " +\n".join(f"  '{row}\\n'" for row in rows) + ";\n"


def joined(first: str, join: str, last: str = "", *, lead: bool = False) -> Callable[[list[str]], str]:
    """A PEM key as string literals with `\\n`, one a line, joined by `join` at each line's end, or at
    the start of the next (`lead`): PHP's `.`, Lua's `..`, SQL's `||`, Visual Basic's `& _`."""

    def render(body: list[str]) -> str:
        rows = [f'"{row}\\n"' for row in ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]]
        if lead:
            return first + rows[0] + "".join(f"\n    {join} {row}" for row in rows[1:]) + last + "\n"
        return first + f" {join}\n    ".join(rows) + last + "\n"

    return render


def named_newline(first: str, join: str) -> Callable[[list[str]], str]:
    """A PEM key as string literals without `\n`, one a line, each joined to the next by a newline named
    in code: Visual Basic's `& vbCrLf & _`, PHP's `. PHP_EOL .`, SQL's `|| chr(10) ||`, `+ os.linesep +`."""

    def render(body: list[str]) -> str:
        rows = [f'"{row}"' for row in ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]]
        return first + f" {join}\n    ".join(rows) + "\n"

    return render


def c_commented(body: list[str]) -> str:
    """A PEM key as C string literals, one a line, each with a comment after it."""
    rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
    lines = [f'    "{row}\\n"  // line {n}' for n, row in enumerate(rows)]
    return "static const char *key =\n" + "\n".join(lines) + ";\n"


def appended(lead: str, tail: str, quote: str = '"') -> Callable[[list[str]], str]:
    """A PEM key added to a string a line at a time, each line without `\\n` and a newline after it:
    `key = key & "…" & vbCrLf`, `$key .= '…' . PHP_EOL;`, `key << "…" << "\\n"`."""

    def render(body: list[str]) -> str:
        rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
        return "".join(f"{lead}{quote}{row}{quote}{tail}\n" for row in rows)

    return render


def each(template: str, *, encrypted: bool = False) -> Callable[[list[str]], str]:
    """A PEM key a line at a time through `template`, its `{}` each line of the key (an encrypted key's
    headers and blank line too): `sb.Append("{}" + Environment.NewLine);`, `echo "{}" >> key.pem`."""

    def render(body: list[str]) -> str:
        header = ["Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,0A1B2C3D", ""] if encrypted else []
        rows = ["-----BEGIN RSA PRIVATE KEY-----", *header, *body, "-----END RSA PRIVATE KEY-----"]
        return "".join(template.format(row) + "\n" for row in rows)

    return render


def java_appended(body: list[str]) -> str:
    """A PEM key given to a StringBuilder a line at a time: `sb.append("…\\n")` then `.append("…\\n")`."""
    rows = ["-----BEGIN PRIVATE KEY-----", *body, "-----END PRIVATE KEY-----"]
    return f'sb.append("{rows[0]}\\n")\n' + "".join(f'  .append("{row}\\n")\n' for row in rows[1:]) + ";\n"


def python_encrypted(body: list[str]) -> str:
    """An encrypted PEM as string literals: its headers and blank line are literals too."""
    header = ["-----BEGIN RSA PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED", "DEK-Info: DES-EDE3-CBC,0A1B", ""]
    rows = [*header, *body, "-----END RSA PRIVATE KEY-----"]
    return "KEY = (\n" + "".join(f'    "{row}\\n"\n' for row in rows) + ")\n"


FORMATS = {
    "pem-encrypted": pem_encrypted,
    "pgp": pgp,
    "putty-2": putty(2),
    "putty-3": putty(3),
    "ssh2": ssh2,
    "openssh-python-literals": python_escaped,
    "python-bytes": python_bytes,
    "python-backslash-continued": python_continued,
    "python-encrypted-literals": python_encrypted,
    "javascript-concatenated": javascript_concatenated,
    "javascript-escaped": javascript_escaped,
    "php-concatenated": joined("$key = ", ".", ";"),
    "php-concatenated-at-line-starts": joined("$key = ", ".", ";", lead=True),
    "lua-concatenated": joined("local key = ", ".."),
    "sql-concatenated": joined("SELECT ", "||", ";"),
    "visual-basic-continued": joined("Dim key = ", "& _"),
    "visual-basic-concatenated-at-line-starts": joined("key = ", "&", lead=True),
    "elixir-concatenated": joined("key = ", "<>"),
    "ocaml-concatenated": joined("let key = ", "^"),
    "ruby-appended": joined("key = ", "<<", lead=True),
    "java-appended": java_appended,
    "visual-basic-named-newline": named_newline("Dim key = ", "& vbCrLf & _"),
    "php-named-newline": named_newline("$key = ", ". PHP_EOL ."),
    "sql-named-newline": named_newline("SELECT ", "|| chr(10) ||"),
    "python-named-newline": named_newline("key = (", "+ os.linesep +"),
    "php-newline-string": named_newline("$key = ", '. "\\n" .'),
    "lua-newline-string": named_newline("local key = ", "..  '\\n' .."),
    "elixir-newline-string": named_newline("key = ", '<> "\\n" <>'),
    "t-sql-char": named_newline("SELECT ", "+ CHAR(13) + CHAR(10) +"),
    "postgres-escape-string": named_newline("SELECT ", "|| E'\\n' ||"),
    "php-namespaced-eol": named_newline("$key = ", ". \\PHP_EOL ."),
    "node-eol": named_newline("const key = ", "+ os.EOL +"),
    "visual-basic-control-chars": named_newline("Dim key = ", "& ControlChars.CrLf & _"),
    "powershell-newline": named_newline("$key = ", "+ [Environment]::NewLine +"),
    "c-commented": c_commented,
    "visual-basic-appended": appended("key = key & ", " & vbCrLf"),
    "visual-basic-appended-to": appended("key &= ", " & vbCrLf"),
    "php-appended": appended("$key .= ", " . PHP_EOL;", quote="'"),
    "ruby-appended-with-newline": appended("key << ", ' << "\\n"'),
    "c#-string-builder": each('sb.Append("{}" + Environment.NewLine);'),
    "visual-basic-string-builder": each('sb.Append("{}" & vbCrLf)'),
    "php-written": each("fwrite($f, '{}' . PHP_EOL);"),
    "php-array-pushed": each("$lines[] = '{}' . PHP_EOL;"),
    "python-listed-with-comments": each('lines.append("{}")  # pem'),
    "shell-echoed": each('echo "{}" >> key.pem'),
    "php-appended-encrypted": each('$k .= "{}\\n";', encrypted=True),
    "visual-basic-appended-encrypted": each('k = k & "{}" & vbCrLf', encrypted=True),
    "java-leading-plus-in-rows": each('+12 |     + "{}\\n"', encrypted=True),
}


@pytest.mark.parametrize("render", FORMATS.values(), ids=FORMATS.keys())
def test_every_body_line_of_a_key_is_hidden_and_the_code_after_it_is_kept(
    render: Callable[[list[str]], str],
) -> None:
    body = key_lines()
    text = render(body) + "\n\ndef load_key(path):\n    return open(path).read()\n"
    out = redact(text)
    assert [line for line in body if line in out or line[:24] in out] == []
    assert out.count(REDACTED) >= len(body)
    assert "def load_key(path):\n    return open(path).read()" in out


def test_a_key_block_keeps_its_headers_checksum_and_end_line_and_hides_only_the_body() -> None:
    body = key_lines(3)
    out = redact_key_blocks(pgp(body).split("\n"))
    assert out[1:4] == ["Version: GnuPG v2", "Comment: a test key", ""]
    assert out[4:7] == [REDACTED] * 3
    assert out[-1] == "-----END PGP PRIVATE KEY BLOCK-----"
    out = redact_key_blocks(putty(3)(body).split("\n"))
    assert out == [
        "PuTTY-User-Key-File-3: ssh-rsa",
        "Encryption: none",
        "Comment: rsa-key-20260101",
        "Public-Lines: 1",
        REDACTED,
        "Private-Lines: 2",
        REDACTED,
        REDACTED,
        "Private-MAC: 0123456789abcdef0123456789abcdef01234567",
    ]
    # Headers and blank lines belong before a key's body: after it, they are code after a key that
    # has no END line, and stay as they are.
    lines = ["-----BEGIN RSA PRIVATE KEY-----", *body, "", "name: release", "token"]
    assert redact_key_blocks(lines)[1 + len(body) :] == ["", "name: release", "token"]


def test_a_hidden_body_line_is_remembered_and_hidden_where_it_comes_back_alone() -> None:
    """A prompt cuts a file anywhere: a context row, the second part of a long hunk or an excerpt around
    a finding holds a key's line without the BEGIN line that marks it."""
    body = key_lines(6)
    redact(pgp(body))
    assert redact(f" 41 | {body[3]}") == f" 41 | {REDACTED}"
    assert memory.hide(f"summary quotes {body[0]} here") == f"summary quotes {REDACTED} here"


def test_lines_of_a_key_without_its_begin_line_are_hidden_when_they_stand_together() -> None:
    body = key_lines(3)
    rows = [f"{n:>4} | {line}" for n, line in enumerate(body, 22)] + ["  25 | -----END PRIVATE KEY-----"]
    assert redact("\n".join(rows)).split("\n")[:3] == [f"{n:>4} | {REDACTED}" for n in (22, 23, 24)]
    literals = [f'    "{line}\\n"' for line in key_lines(2)]
    assert redact_key_blocks(literals) == [f'    "{REDACTED}\\n"'] * 2
    # Joined to the string before or after (PHP, Lua, SQL, Visual Basic), as a prompt's rows cut them.
    for before, after in ((". ", ""), ("", " ."), ("|| ", ""), ("", " .."), ("& ", ""), ("", " & _")):
        literals = [f'    {before}"{line}"{after}' for line in key_lines(2)]
        assert redact_key_blocks(literals) == [f'    {before}"{REDACTED}"{after}'] * 2, (before, after)
    # Code's long lines are not taken for a key's.
    code = [
        "    3f2a9c0b7d4e1f8a6c5b2d9e0f1a3b4c5d6e7f8a",  # hex digests, one a line
        "    9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
        '    "django/contrib/admin/static/admin/js/vendor/jquery",',  # a path: no digits
        '    "django/contrib/admin/static/admin/js/vendor/select2",',
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",  # one line alone
        "",
        "    return self.assertEqual(response.status_code, 200)",
        "    return self.assertEqual(response.status_code, 404)",
        "",
        'verify("q3Jm9x2LpZt8VbN4wKc7HdYs1FeR6uTg0AoIiPnM")',  # test vectors given to a call
        'verify("Xy7Pq2Wz9Lm4Nb8Vc3Kd6Rf1Tg5Hj0Sa2Ue7Io9Q")',
    ]
    assert redact_key_blocks(code) == code


STRAY_BEGIN_LINES = {
    "prose": "A key file starts with a line like -----BEGIN PRIVATE KEY-----\nKeep the file out of the "
    "repository.\nRotate it every year.\nAsk the security team for a new one.",
    "python": 'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n'
    "    in_key = True  # read the body below.",
    "visual-basic": 'Const Header = "-----BEGIN PRIVATE KEY-----"\n'
    'Dim msg = "Loaded the key for " & userName &\n    " from the store" & _\n    vbCrLf',
    "php": "$head = '-----BEGIN PRIVATE KEY-----';\n$text = $head . PHP_EOL . $body;\nreturn $text . $tail;",
    "python-comments": 'HEADER = "-----BEGIN PRIVATE KEY-----"  # PKCS#8\n'
    'ALG = "sha256WithRSAEncryption"  # default\nMODE = "strict"  # reject other headers\n'
    'LIMIT = "4096"  # bytes',
    "php-messages": "throw new Exception('-----BEGIN PRIVATE KEY----- missing');\n"
    "throw new Exception('invalid'); // not a key\necho 'Loading' . PHP_EOL;",
    "sql-comments": "-- the header is '-----BEGIN PRIVATE KEY-----'\nSELECT 'active' -- state\n"
    "FROM users WHERE role = 'admin' -- only admins",
    "javascript-cases": "switch (header) {\n  case '-----BEGIN PRIVATE KEY-----': // pkcs8\n"
    "    return 'pkcs8'; // standard",
    "yaml": 'pem_header: "-----BEGIN PRIVATE KEY-----"\nalgorithm: "RS256" # signing\nissuer: "gate" # ours',
    "python-list": 'ACCEPT = [\n    "-----BEGIN PRIVATE KEY-----",\n    "application/json",\n'
    '    "text/plain",\n]',
    "yaml-list": 'markers:\n  - "-----BEGIN PRIVATE KEY-----"\n  - "/api/v1/health/check"\n'
    '  - "/api/v2/status"',
    "php-words": "$msg = '-----BEGIN PRIVATE KEY-----' . \"\\n\"\n  . 'Base64EncodedKey2' . \"\\n\";",
}


@pytest.mark.parametrize("text", STRAY_BEGIN_LINES.values(), ids=STRAY_BEGIN_LINES.keys())
def test_prose_and_code_below_a_begin_line_that_opens_no_key_stay_as_written(text: str) -> None:
    """The marks that join a key's string literals (`.`, `&`, `_`, `||`) and what may follow them (a named
    newline, a comment) count only after a string that stands first on its line, and a line's last word
    shorter than a key's line is its last line only after a full one or before its END: a word that ends
    a sentence or a line of code is no key's line, and nothing of it is remembered."""
    lines = text.split("\n")
    assert redact_key_blocks(lines)[1:] == lines[1:]
    assert memory.hide(text) == text


def test_learning_a_change_remembers_the_keys_in_its_files_outside_the_hunks(repo: GitRepo) -> None:
    """Two keys far from the changed lines: one stays (a window before a re-generated region shows it),
    one is rotated in the middle of its body (its first line is out of the hunk, at base and at head)."""
    kept, old, new = key_lines(20), key_lines(30), key_lines(30)
    rotated = [*old[:5], *new[5:25], *old[25:]]

    def source(second: list[str], total: str) -> str:
        fillers = "".join(f"\n\ndef helper_{i}(x):\n    return x + {i}\n" for i in range(10))
        return (
            f'KEPT = """\n{pem_encrypted(kept)}\n"""\n\nROTATED = """\n{ssh2(second)}\n"""\n{fillers}\n\n'
            f"def total(items):\n    return {total}\n"
        )

    repo.write("app/keys.py", source(old, "sum(items)"))
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/keys.py", source(rotated, "round(sum(items), 2)"))
    repo.commit("Rotate the key and round the total")
    changeset = load_git_changeset(repo.root, "main", "feature")
    shown = "\n".join(line.text for f in changeset.diff.files for hunk in f.hunks for line in hunk.lines)
    assert "BEGIN" not in shown and not any(line in shown for line in kept)

    learn_changeset(changeset)
    known = memory.known()
    assert [line for line in (*kept, *old, *rotated) if line not in known] == []


def test_a_begin_line_in_any_case_opens_a_block() -> None:
    """`_BEGIN` reads `Begin` and `begin`; the search for candidate lines used to find only `BEGIN` and
    `begin`, so a `-----Begin RSA PRIVATE KEY-----` block's short lines went out whole."""
    rng = random.Random(9)
    body = ["".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36)) for _ in range(2)]
    for begin in ("-----Begin RSA PRIVATE KEY-----", "-----bEGIN OPENSSH PRIVATE KEY-----"):
        out = redact_key_blocks([begin, *body, "-----End RSA PRIVATE KEY-----"])
        assert out[1:3] == [REDACTED, REDACTED], out


@pytest.mark.parametrize(
    "filler",
    [pytest.param(" " * 1_020 + "x", id="spaces"), pytest.param(" ++++ " * 40 + "! aaaa", id="prefix")],
)
def test_lines_after_a_begin_line_are_read_in_time_linear_in_their_number(filler: str) -> None:
    """Spaces that three patterns could share, tried at the end of a line after each BEGIN line, cost
    the cube of the line's length (5 s for one line of 1,020 spaces); a long prefix, its square."""
    times = {}
    for count in (20, 200):
        lines = ["-----BEGIN PRIVATE KEY-----", filler] * count
        started = time.process_time()
        redact_key_blocks(lines)
        times[count] = time.process_time() - started
    assert times[200] < 1.0, times
    assert max(times[200], 0.02) / max(times[20], 0.02) < 30, times
