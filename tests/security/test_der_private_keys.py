"""A private key written as one base64 run of its DER encoding, with no PEM lines around it
(`load_der_private_key(b64decode("MIIEvQIBADANBgkq…"))`, an EC key in a JavaScript or Java string): its
pieces went to the models and the trace, and no finding said so. Every private key syntax (PKCS#8, its
encrypted form, PKCS#1, SEC1, OpenSSL's DSA) is found by the shape of its first bytes now, reported as a
private key, and hidden whole; public keys and certificates, which open the same way, are not.

The keys are made when the tests run: none is kept in the repository.
"""

from __future__ import annotations

import base64
import datetime
import json
import random
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x25519
from cryptography.x509.oid import NameOID

from gate.cli import main
from gate.redact import REDACTED, memory, redact, redact_lines, scan_files
from gate.redact.detect import PRIVATE_KEY_KIND, forget_scans
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo

_PKCS8, _OPENSSL = ser.PrivateFormat.PKCS8, ser.PrivateFormat.TraditionalOpenSSL


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _private(key: object, form: ser.PrivateFormat, encryption: object = None) -> str:
    return _b64(
        key.private_bytes(ser.Encoding.DER, form, encryption or ser.NoEncryption())  # type: ignore[attr-defined]
    )


def _public(key: object) -> str:
    public = key.public_key()  # type: ignore[attr-defined]
    return _b64(public.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo))


_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_P256 = ec.generate_private_key(ec.SECP256R1())
_P384 = ec.generate_private_key(ec.SECP384R1())
_ED25519 = ed25519.Ed25519PrivateKey.generate()
_X25519 = x25519.X25519PrivateKey.generate()
_DSA = dsa.generate_private_key(key_size=2048)

_ENCRYPTED = ser.BestAvailableEncryption(b"correct horse")
# (name, path, line with `{}` where the key stands, the key)
KEYS = [
    ("RSA PKCS#8", "app/sign.py", 'SIGNER = load_der_private_key(b64decode("{}"))', _private(_RSA, _PKCS8)),
    ("RSA PKCS#1", "web/keys.js", "const rsaKey = '{}';", _private(_RSA, _OPENSSL)),
    ("RSA PKCS#8 encrypted", "conf/keys.yaml", "signing: {}", _private(_RSA, _PKCS8, _ENCRYPTED)),
    ("EC P-256 PKCS#8", "src/main/java/Push.java", '  PrivateKey PK = load("{}");', _private(_P256, _PKCS8)),
    ("EC P-384 SEC1", "cmd/sign/main.go", 'const ecKey = "{}"', _private(_P384, _OPENSSL)),
    ("Ed25519 PKCS#8", "app/keys.rb", 'KEY = "{}".unpack1("m")', _private(_ED25519, _PKCS8)),
    ("X25519 PKCS#8", "docs/setup.md", "    {}", _private(_X25519, _PKCS8)),
    ("DSA", "tests/data/keys.txt", "{}", _private(_DSA, _OPENSSL)),
]


def _fresh() -> None:
    """Forget what earlier tests remembered: each key must be found where it stands."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


@pytest.mark.parametrize(("name", "path", "template", "key"), KEYS, ids=[k[0] for k in KEYS])
def test_a_der_private_key_in_one_base64_run_is_found_and_hidden_whole(
    name: str, path: str, template: str, key: str
) -> None:
    _fresh()
    line = template.format(key)
    hits = [hit for _, _, hit in scan_files([(path, [line])])]
    assert [(hit.kind, hit.value) for hit in hits] == [(PRIVATE_KEY_KIND, key)], name
    hidden = redact(line, filename=path)
    assert hidden == template.format(REDACTED)
    # Remembered: the same key is hidden where nothing around it is read.
    assert key not in redact(f"print({key!r})", filename="src/other.py")


def _certificate() -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "api.example.org")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(_P256.public_key())
        .serial_number(7)
        .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2034, 1, 1, tzinfo=datetime.UTC))
        .sign(_P256, hashes.SHA256())
    )
    return _b64(certificate.public_bytes(ser.Encoding.DER))


def _random_run() -> str:
    rng = random.Random(3)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "M" + "".join(rng.choice(alphabet) for _ in range(200))


PUBLIC = [
    ("RSA public key", _public(_RSA)),
    (
        "RSA public key, PKCS#1",
        _b64(_RSA.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1)),
    ),
    ("EC public key", _public(_P256)),
    ("Ed25519 public key", _public(_ED25519)),
    ("DSA public key", _public(_DSA)),
    ("certificate", _certificate()),
    ("random base64 opening with M", _random_run()),
]


@pytest.mark.parametrize(("name", "run"), PUBLIC, ids=[p[0] for p in PUBLIC])
def test_a_public_key_or_a_certificate_in_one_base64_run_is_not_a_private_key(name: str, run: str) -> None:
    _fresh()
    line = f'PUBLIC = "{run}"'
    kinds = [hit.kind for _, _, hit in scan_files([("app/verify.py", [line])])]
    assert PRIVATE_KEY_KIND not in kinds, name


MODELS = ("openai/fake-a", "openai/fake-b")


def _reviewed(repo: GitRepo, model_server: FakeModelServer, tmp_path: Path) -> Path:
    """Run the gate on `main...feature` with every change reviewed by two models that find nothing; the
    folder holding its report (`report.json`) and trace (`trace`)."""
    config = tmp_path / "ai-gate.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "thresholds": {"review": {"changed_lines": 1}},
                "models": {"review": list(MODELS), "endpoints": model_server.endpoints(MODELS)},
                "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
            }
        )
    )
    for model in MODELS:
        model_server.script(model.split("/", 1)[1], "review", Reply.json({"findings": []}))
    out = tmp_path / "out"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    main([*args, "--format", "json", "--output", str(out / "report.json"), "--trace", str(out / "trace")])
    return out


def _left(model_server: FakeModelServer, out: Path) -> tuple[list[str], dict[str, str]]:
    """What a `_reviewed` run let out: the model requests' bodies, and every place by name (each request,
    and each file the run wrote into `out`: `report.json`, `trace`)."""
    sent = [json.dumps(call.body) for call in model_server.calls]
    written = {path.name: path.read_text() for path in sorted(out.iterdir())}
    return sent, {**{f"model request {i}": body for i, body in enumerate(sent)}, **written}


def test_no_piece_of_a_der_key_reaches_a_model_the_trace_or_the_report(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    rsa_key, ec_key = _private(_RSA, _PKCS8), _private(_P256, _PKCS8)
    repo.write("app/__init__.py", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "app/sign.py",
        "from base64 import b64decode\n\nfrom cryptography.hazmat.primitives.serialization import "
        f'load_der_private_key\n\nSIGNER = load_der_private_key(b64decode("{rsa_key}"), None)\n',
    )
    repo.write("app/client.js", f'const pk = "{ec_key}";\nmodule.exports = {{ pk }};\n')
    repo.commit("Sign requests\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    assert any("load_der_private_key" in body for body in sent)
    findings = json.loads(places["report.json"])["findings"]
    assert sorted((f["path"], f["severity"]) for f in findings if f["stage"] == "secrets") == [
        ("app/client.js", "high"),
        ("app/sign.py", "high"),
    ]
    # Any 24 characters of either key past its common opening (`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC`).
    pieces = [key[at : at + 24] for key in (rsa_key, ec_key) for at in range(40, len(key) - 24, 24)]
    leaked = [f"{piece} in {where}" for piece in pieces for where, text in places.items() if piece in text]
    assert leaked == []


def test_a_pem_key_is_one_finding_not_one_more_for_its_first_body_line() -> None:
    """A PEM body's first line opens as the whole key does (`MIIEvQIBADANBgkq…`) but holds 48 of its
    bytes: the block reader hides it beside the BEGIN line, and it is no key of its own."""
    _fresh()
    pem = _RSA.private_bytes(ser.Encoding.PEM, _PKCS8, ser.NoEncryption()).decode()
    lines = ["KEY = '''", *pem.strip().split("\n"), "'''"]
    hits = [(index, hit.kind) for _, index, hit in scan_files([("app/pem.py", lines)])]
    assert hits == [(1, PRIVATE_KEY_KIND)]


def _wrapped(run: str, width: int = 64) -> list[str]:
    return [run[at : at + width] for at in range(0, len(run), width)]


def _url_safe_sec1() -> str:
    """A P-256 SEC1 key whose URL-safe encoding holds a `-` or `_` among the characters its shape is read
    from (its first 48): the standard alphabet alone reads no key there."""
    while True:
        key = ec.generate_private_key(ec.SECP256R1())
        der = key.private_bytes(ser.Encoding.DER, _OPENSSL, ser.NoEncryption())
        run = base64.urlsafe_b64encode(der).decode()
        if set(run[:48]) & {"-", "_"}:
            return run


_RSA_RUN = _private(_RSA, _OPENSSL)
_P384_RUN = _private(_P384, _PKCS8)
_URL_SAFE_RUN = _url_safe_sec1()
# (name, path, the line, the key's pieces as the line holds them)
WRAPPED = [
    (
        "JSON string with \\n escapes",
        "cfg/signer.json",
        '  "der_b64": {},'.format(json.dumps("\n".join(_wrapped(_RSA_RUN)))),
        _wrapped(_RSA_RUN),
    ),
    (
        "JSON string with \\r\\n escapes, 76 wide",
        "cfg/signer.json",
        '{{"key": {}}}'.format(json.dumps("\r\n".join(_wrapped(_P384_RUN, 76)))),
        _wrapped(_P384_RUN, 76),
    ),
    (
        "JSON string inside a JSON string",
        "deploy/values.json",
        '  "secret": {},'.format(json.dumps(json.dumps({"der": "\n".join(_wrapped(_RSA_RUN))}))),
        _wrapped(_RSA_RUN),
    ),
    (
        "concatenated string literals",
        "app/sign.py",
        "KEY = b64decode({})".format(" + ".join(f'"{piece}"' for piece in _wrapped(_P384_RUN))),
        _wrapped(_P384_RUN),
    ),
    (
        "a list of string pieces joined",
        "app/sign.py",
        'KEY = "".join([{}])'.format(", ".join(f'"{piece}"' for piece in _wrapped(_RSA_RUN))),
        _wrapped(_RSA_RUN),
    ),
    (
        "adjacent string literals",
        "app/sign.py",
        "KEY = b64decode({})".format(" ".join(f"'{piece}'" for piece in _wrapped(_P384_RUN))),
        _wrapped(_P384_RUN),
    ),
    (
        "a JSON array of lines with \\n escapes",
        "cfg/signer.json",
        '  "der_lines": {},'.format(json.dumps([piece + "\n" for piece in _wrapped(_RSA_RUN)])),
        _wrapped(_RSA_RUN),
    ),
    ("URL-safe base64", "app/der_url.py", f'KEY = "{_URL_SAFE_RUN}"', [_URL_SAFE_RUN]),
    *[
        (
            f"string literals joined by {join}",
            path,
            "key = {};".format(f" {join} ".join(f"'{piece}'" for piece in _wrapped(_RSA_RUN))),
            _wrapped(_RSA_RUN),
        )
        for join, path in (
            (".", "app/keys.php"),
            ("..", "keys.lua"),
            ("||", "seed.sql"),
            ("&", "Keys.vb"),
            ("<>", "keys.ex"),
            ("^", "keys.ml"),
            ("<<", "keys.cc"),
        )
    ],
]


@pytest.mark.parametrize(("name", "path", "line", "pieces"), WRAPPED, ids=[w[0] for w in WRAPPED])
def test_a_der_private_key_wrapped_on_one_line_or_url_safe_is_one_finding_hidden_whole(
    name: str, path: str, line: str, pieces: list[str]
) -> None:
    _fresh()
    hits = [hit for _, _, hit in scan_files([(path, [line])])]
    assert [hit.kind for hit in hits] == [PRIVATE_KEY_KIND], (name, hits)
    hidden = redact(line, filename=path)
    assert REDACTED in hidden
    assert [piece for piece in pieces if piece in hidden] == [], name
    # Remembered: the key is hidden where the line's text stands again.
    assert pieces[len(pieces) // 2][-16:] not in redact(f"sent: {line}", filename="logs/requests.txt")


def _notebook(pieces: list[str]) -> list[str]:
    """The lines of a notebook whose one cell sets `SIGNING_KEY = (` to the pieces, a string a line."""
    source = ["SIGNING_KEY = (\n", *[f'    "{p}"\n' for p in pieces], ")\n", "token = sign(SIGNING_KEY)"]
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1).split(
        "\n"
    )


def _over_lines(run: str) -> dict[str, tuple[str, list[str], int]]:
    """A key's pieces written a line each, as code and config write a long string: (path, lines, the
    index of the line that holds the first piece)."""
    pieces = _wrapped(run)
    return {
        "Java concatenation": (
            "src/main/java/Keys.java",
            [
                f'    static final String KEY = "{pieces[0]}" +',
                *[f'        "{p}" +' for p in pieces[1:-1]],
                f'        "{pieces[-1]}";',
            ],
            0,
        ),
        "Python strings in parentheses": (
            "app/keys.py",
            ["KEY = (", *[f"    '{p}'" for p in pieces], ")"],
            1,
        ),
        "JSON array": (
            "cfg/keys.json",
            ['  "der": [', *[f'    "{p}",' for p in pieces[:-1]], f'    "{pieces[-1]}"', "  ],"],
            1,
        ),
        "YAML list": ("cfg/keys.yaml", ["der:", *[f"  - {p}" for p in pieces]], 1),
        "a notebook cell": (
            "nb/sign.ipynb",
            _notebook(pieces),
            _notebook(pieces).index(f'    "    \\"{pieces[0]}\\"\\n",'),
        ),
        "bare lines": ("keys/signer.der.b64", pieces, 0),
        "PHP concatenation": (
            "app/keys.php",
            [f'$key = "{pieces[0]}" .', *[f'    "{p}" .' for p in pieces[1:-1]], f'    "{pieces[-1]}";'],
            0,
        ),
        "PHP concatenation at line starts": (
            "app/keys.php",
            [f"$key = '{pieces[0]}'", *[f"    . '{p}'" for p in pieces[1:-1]], f"    . '{pieces[-1]}';"],
            0,
        ),
        "Lua concatenation": (
            "keys.lua",
            [f'local key = "{pieces[0]}" ..', *[f'  "{p}" ..' for p in pieces[1:-1]], f'  "{pieces[-1]}"'],
            0,
        ),
        "SQL concatenation": (
            "db/seed.sql",
            [
                f"INSERT INTO k VALUES ('{pieces[0]}' ||",
                *[f"  '{p}' ||" for p in pieces[1:-1]],
                f"  '{pieces[-1]}');",
            ],
            0,
        ),
        "Visual Basic continuation": (
            "Keys.vb",
            [
                f'Dim key = "{pieces[0]}" & _',
                *[f'    "{p}" & _' for p in pieces[1:-1]],
                f'    "{pieces[-1]}"',
            ],
            0,
        ),
        "a string added to line by line": (
            "app/keys.py",
            [f'key = "{pieces[0]}"', *[f'key += "{p}"' for p in pieces[1:]], "sign(key)"],
            0,
        ),
        "PHP's string appended to": (
            "app/keys.php",
            [f"$k['der'] = '{pieces[0]}';", *[f"$k['der'] .= '{p}';" for p in pieces[1:]]],
            0,
        ),
        "Elixir concatenation": (
            "lib/keys.ex",
            [f'@key "{pieces[0]}" <>', *[f'  "{p}" <>' for p in pieces[1:-1]], f'  "{pieces[-1]}"'],
            0,
        ),
        "OCaml concatenation": (
            "keys.ml",
            [f'let key = "{pieces[0]}" ^', *[f'  "{p}" ^' for p in pieces[1:-1]], f'  "{pieces[-1]}"'],
            0,
        ),
        "Ruby's string appended to": (
            "lib/keys.rb",
            [f'key = "{pieces[0]}"', *[f'key << "{p}"' for p in pieces[1:]]],
            0,
        ),
        "Java's StringBuilder": (
            "src/main/java/Keys.java",
            [
                f'sb.append("{pieces[0]}")',
                *[f'  .append("{p}")' for p in pieces[1:-1]],
                f'  .append("{pieces[-1]}");',
            ],
            0,
        ),
        "Lua's string joined to itself": (
            "keys.lua",
            [f'key = "{pieces[0]}"', *[f'key = key .. "{p}"' for p in pieces[1:]]],
            0,
        ),
        "PHP's property appended to": (
            "src/Signer.php",
            [f"$this->key = '{pieces[0]}';", *[f"$this->key .= '{p}';" for p in pieces[1:]]],
            0,
        ),
        "Python's f-strings in parentheses added to": (
            "app/keys.py",
            [f"key = f'{pieces[0]}'", *[f"key += (f'{p}')" for p in pieces[1:]]],
            0,
        ),
        "block comments after each piece": (
            "web/keys.js",
            [f"let key = '{pieces[0]}'; /* 1 */", *[f"key += '{p}'; /* n */" for p in pieces[1:]]],
            0,
        ),
        "a StringBuilder spaced out": (
            "src/main/java/Keys.java",
            [f'sb .append ( "{p}" ) ;' for p in pieces],
            0,
        ),
        "T-SQL's Unicode literals": (
            "db/seed.sql",
            [f"SET @k = N'{pieces[0]}' +", *[f"  N'{p}' +" for p in pieces[1:-1]], f"  N'{pieces[-1]}';"],
            0,
        ),
        "T-SQL's variable added to": (
            "db/seed.sql",
            [f"SET @k = N'{pieces[0]}';", *[f"SET @k = @k + n'{p}';" for p in pieces[1:]]],
            0,
        ),
        "PL/pgSQL's assignment": (
            "db/seed.sql",
            [f"k := '{pieces[0]}';", *[f"k := k || '{p}';" for p in pieces[1:]]],
            0,
        ),
        "PHP's static and spaced properties": (
            "src/Signer.php",
            [f"self::$key = '{pieces[0]}';", *[f"$this -> key .= '{p}';" for p in pieces[1:]]],
            0,
        ),
        "JavaScript's private field": (
            "src/signer.js",
            [f"this.#key = '{pieces[0]}';", *[f"this.#key += '{p}';" for p in pieces[1:]]],
            0,
        ),
        "C++'s wide strings": (
            "src/keys.cpp",
            [f'k.append(L"{p}");' for p in pieces],
            0,
        ),
        "Java concatenation with CRLF line ends, a blank line between": (
            "src/main/java/Keys.java",
            [
                f'    static final String KEY = "{pieces[0]}" +\r',
                *[f'        "{p}" +\r' for p in pieces[1:3]],
                "\r",
                *[f'        "{p}" +\r' for p in pieces[3:-1]],
                f'        "{pieces[-1]}";\r',
            ],
            0,
        ),
        "C#'s verbatim strings": (
            "src/Keys.cs",
            [f'var key = @"{pieces[0]}" +', *[f'  @"{p}" +' for p in pieces[1:-1]], f'  @"{pieces[-1]}";'],
            0,
        ),
    }


@pytest.mark.parametrize("name", list(_over_lines(_RSA_RUN)))
def test_a_der_private_key_wrapped_over_lines_is_one_finding_hidden_whole(name: str) -> None:
    """The first piece ends its line and the lines below hold nothing but pieces: one finding on the
    first piece's line, and no piece left in the text, also where the text is redacted before the
    change's secrets were learnt (the block reader hides the lines below; the first is read here)."""
    path, lines, first = _over_lines(_RSA_RUN)[name]
    pieces = _wrapped(_RSA_RUN)
    _fresh()
    hits = [(index, hit.kind) for _, index, hit in scan_files([(path, lines)])]
    assert hits == [(first, PRIVATE_KEY_KIND)]
    for learnt in (True, False):
        if not learnt:
            _fresh()
        shown = redact_lines(lines, filename=path)
        assert [piece for piece in pieces if any(piece in line for line in shown)] == [], (name, learnt)
    # Learnt: each piece is hidden where it stands alone, in a text cut from the file.
    _fresh()
    list(scan_files([(path, lines)]))
    assert pieces[0] not in redact(f"excerpt: {pieces[0]}", filename="notes.txt")


_P256_SEC1_RUN = _private(_P256, _OPENSSL)


def _remembered(pieces: list[str]) -> list[str]:
    """The pieces a key's reading remembers: not a last one under six characters (two or three bytes and
    padding), nor a short one of letters alone, which may be a word."""
    return [
        p for p in pieces if len(p.rstrip("=")) >= memory.MIN_REMEMBERED and (not p.isalpha() or len(p) >= 12)
    ]


def _java(pieces: list[str], after_first: str = "", between: str | None = None) -> list[str]:
    """A Java constant of the pieces, one a line; `after_first` ends the first piece's line (a comment),
    and `between` is a line put after the first piece (a blank line, a comment alone)."""
    lines = [f'    "{p}" +' for p in pieces[:-1]] + [f'    "{pieces[-1]}";']
    lines[0] += after_first
    return [
        "class K {",
        "  static final String KEY =",
        *lines[:1],
        *([between] if between is not None else []),
        *lines[1:],
        "}",
    ]


SPREAD = [
    ("RSA in 32-character pieces", _java(_wrapped(_RSA_RUN, 32)), _wrapped(_RSA_RUN, 32)),
    ("RSA in 8-character pieces", _java(_wrapped(_RSA_RUN, 8)), _wrapped(_RSA_RUN, 8)),
    (
        "EC with a blank line after the first piece",
        _java(_wrapped(_P256_SEC1_RUN), between=""),
        _wrapped(_P256_SEC1_RUN),
    ),
    (
        "EC with a comment after the first piece",
        _java(_wrapped(_P256_SEC1_RUN), after_first=" // part 1"),
        _wrapped(_P256_SEC1_RUN),
    ),
    (
        "EC with a comment line among the pieces",
        _java(_wrapped(_P256_SEC1_RUN, 40), between="    // the rest"),
        _wrapped(_P256_SEC1_RUN, 40),
    ),
    (
        "EC in 64-character pieces, a formatter's wrap",
        _java(_wrapped(_P256_SEC1_RUN)),
        _wrapped(_P256_SEC1_RUN),
    ),
]


@pytest.mark.parametrize(("name", "lines", "pieces"), SPREAD, ids=[s[0] for s in SPREAD])
def test_a_der_key_in_short_pieces_or_with_lines_between_is_one_finding_hidden_whole(
    name: str, lines: list[str], pieces: list[str]
) -> None:
    """Pieces of any width from 8 characters, a blank line or a comment between two of them, and a comment
    after the first: one finding on the first piece's line (not one more for each piece a formatter's wrap
    reader takes), and no piece shown, learnt first or not."""
    _fresh()
    hits = [(index, hit.kind) for _, index, hit in scan_files([("src/K.java", lines)])]
    assert hits == [(2, PRIVATE_KEY_KIND)], name
    for learnt in (True, False):
        if not learnt:
            _fresh()
        shown = redact_lines(lines, filename="src/K.java")
        # Read outside the change's learning, the text may be prose: only the pieces shaped as a credential
        # are remembered (the learning remembers every piece of a key the change adds: the whole-run test).
        kept = [p for p in _remembered(pieces) if memory.credential_shaped(p)]
        assert [piece for piece in kept if any(piece in line for line in shown)] == [], (name, learnt)


@pytest.mark.parametrize("width", [8, 16, 32])
def test_a_der_key_in_short_pieces_fails_the_pr_and_no_piece_reaches_a_model(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """Through the whole run: the stage keeps the key's finding (pieces under 40 characters are a body
    all the same), and the change's learning remembers every piece of more than a few characters,
    whatever its shape (`/XLvrZQnlgNuXX/vGWpAZfab+umFLUba` has no digit)."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    pieces = _wrapped(_RSA_RUN, width)
    repo.write("README.md", "keys\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("src/K.java", "\n".join(_java(pieces)) + "\n")
    repo.commit("Sign requests\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    report = json.loads((out / "report.json").read_text())
    assert [(f["path"], f["severity"]) for f in report["findings"] if f["stage"] == "secrets"] == [
        ("src/K.java", "high")
    ]
    assert report["verdict"] == "fail"
    sent = [json.dumps(call.body) for call in model_server.calls]
    places = {
        **{f"model request {i}": body for i, body in enumerate(sent)},
        "trace": (out / "trace").read_text(),
    }
    kept = _remembered(pieces)
    leaked = [f"{piece} in {where}" for piece in kept for where, text in places.items() if piece in text]
    assert leaked == []


def test_a_key_made_up_in_a_commit_message_hides_no_name_from_the_run() -> None:
    """A key's opening, then names of code one a line, in a commit message: its pieces are read as a
    key's, but prose is no code the change adds, so only pieces shaped as a credential are remembered
    there, and the names stay visible wherever the code shows them."""
    from gate.redact import learn_messages

    _fresh()
    names = [
        "login_handler",
        "send_session_cookie_to",
        "collect_tokens_again",
        "refresh_access_window",
        "persist_user_profile",
        "validate_csrf_header",
        "rotate_signing_material",
    ]
    message = "\n".join(["Refactor the auth flow", "", _P256_SEC1_RUN[:48], *names])
    assert sum(map(len, [_P256_SEC1_RUN[:48], *names])) >= len(_P256_SEC1_RUN)  # as long as the key says
    learn_messages([message])
    redact(message)  # as a prompt or the report holds it
    code = "".join(f"    {name}()\n" for name in names)
    assert redact(code, filename="src/auth.py") == code


def test_the_openings_among_a_keys_pieces_are_read_with_it_not_again() -> None:
    """A key's first 48 characters on every line: each line opens a key whose pieces are the lines below.
    Read once each, as the key before them: a key's worth of lines gives one finding, not one a line."""
    _fresh()
    lines = [_private(_RSA, _PKCS8)[:48]] * 2_000
    hits = [index for _, index, _ in scan_files([("keys/heads.txt", lines)])]
    assert 0 < len(hits) <= len(lines) // 30


def test_a_key_written_many_times_over_is_answered_from_the_scan_as_it_was_found() -> None:
    """The same key wrapped over lines many times in one file: each time is one finding, and a second
    read of the file (the `secrets` stage after the run's first scan) gives the same findings. A line's
    hits were added to once for each time its text came back, so each of its copies then answered with
    every copy's hits (a megabyte of such lines: four times the scan's time)."""
    _fresh()
    _, lines, _ = _over_lines(_RSA_RUN)["a string added to line by line"]
    file = [("app/keys.py", lines * 40)]
    first = [(index, hit.kind) for _, index, hit in scan_files(file)]
    assert first == [(index * len(lines), PRIVATE_KEY_KIND) for index in range(40)]
    assert [(index, hit.kind) for _, index, hit in scan_files(file)] == first


def test_a_public_key_or_a_key_cut_short_over_lines_is_not_a_private_key() -> None:
    """A public key opens as a private one does not; a private key's pieces that stop short of the
    length its opening declares (a line of code between them) are no finding of their own."""
    _fresh()
    path, lines, _ = _over_lines(_public(_RSA))["Java concatenation"]
    assert PRIVATE_KEY_KIND not in [hit.kind for _, _, hit in scan_files([(path, lines)])]
    _fresh()
    path, lines, _ = _over_lines(_RSA_RUN)["Python strings in parentheses"]
    cut = [*lines[:5], "    # the rest is read from the vault", ")"]
    assert PRIVATE_KEY_KIND not in [hit.kind for _, _, hit in scan_files([(path, cut)])]


def test_a_public_key_wrapped_on_one_line_is_not_a_private_key() -> None:
    _fresh()
    run = _public(_RSA)
    line = '  "spki": {},'.format(json.dumps("\n".join(_wrapped(run))))
    kinds = [hit.kind for _, _, hit in scan_files([("cfg/verify.json", [line])])]
    assert PRIVATE_KEY_KIND not in kinds


def _digitless(run: str) -> list[str]:
    """A key's 64-character pieces, the sixth with each digit written as a letter and a `/` first: bytes
    that are the key's for its reading (its opening and length), in which no digit stands, as in one of a
    2048-bit RSA key's 64-character lines in about two thousand."""
    pieces = _wrapped(run)
    pieces[5] = "/" + pieces[5][1:].translate(str.maketrans("0123456789", "ghijklmnop"))
    return pieces


def test_a_der_key_piece_with_no_digit_is_hidden() -> None:
    """Read outside the change's learning, a key's pieces were remembered only when shaped as a
    credential, and a piece with no digit is not: it was shown (the runs that made this suite fail now
    and then). A piece that reads as key bytes as a PEM body's lines do is remembered now, so it is hidden
    there, and in a cut of the text that starts below the key's first line."""
    pieces = _digitless(_RSA_RUN)
    assert not memory.credential_shaped(pieces[5])
    lines = _java(pieces)
    for learnt in (True, False):
        _fresh()
        if learnt:
            assert [hit.kind for _, _, hit in scan_files([("src/K.java", lines)])] == [PRIVATE_KEY_KIND]
        shown = redact_lines(lines, filename="src/K.java")
        assert [piece for piece in _remembered(pieces) if any(piece in line for line in shown)] == [], learnt
        assert shown[:2] == lines[:2] and shown[-1] == lines[-1]
    assert pieces[5] not in redact("\n".join(lines[4:]), filename="notes.txt")


def test_a_removed_der_key_piece_with_no_digit_reaches_no_model(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the change removes is shown to the models as removed lines, redacted by what the learning
    remembered: a value on a line the change does not add only when shaped as a credential, and a piece
    of the key with no digit is not. It went to every model."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    pieces = _digitless(_RSA_RUN)
    repo.write("src/K.java", "\n".join(_java(pieces)) + "\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("src/K.java", 'class K {\n  static final String KEY = System.getenv("SIGNING_KEY");\n}\n')
    repo.commit("Read the key from the environment\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    assert any("SIGNING_KEY" in body for body in sent)
    kept = _remembered(pieces)
    leaked = [f"{piece} in {where}" for piece in kept for where, text in places.items() if piece in text]
    assert leaked == []
