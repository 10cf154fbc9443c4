"""Private keys in every form a change carries them are hidden whole: PEM with encryption headers, PGP
armour, PuTTY and SSH2 key files, OpenSSH, and keys written one string literal a line in code.

Each key is random base64 (made here, not a real key), new for each test: what one test's redaction
remembered cannot hide another's key.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from gate.redact import REDACTED, redact, redact_key_blocks

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
