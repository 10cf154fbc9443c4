"""secrets: credentials in added lines, masked in findings; placeholders are not credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.secrets import SecretsAnalyzer, is_placeholder, mask
from gate.findings import Severity
from gate.redact import REDACTED, find_secrets, redact, scan_lines
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context

# Realistic-looking but invented values, assembled so this file itself holds no contiguous key.
AWS = "AKIA" + "Z3MSJV4XQ7PRWQ2T"
GITHUB_FINE = (
    "github_pat_"
    + "11AQZR5PY0wM8dN3kL2vXq"
    + "_"
    + "Tg7Hs2Kd9Lm4Np8Qr3Vx6Yz1Bc5Df0Gh7Jk2Mn9Pq4Rs8Tu3Vw6Xy1Za5Bc"
)
ANTHROPIC = "sk-ant-api03-" + "Jx8Qm2Vn7Kp4Lr9Ts3Wy6Zb1Cd5Fg0Hj8Kn2Mp7Qs4Rv9Tw3Xz6Ab1Ce5Dg0Fh8Jk2Ln7Mq4"
OPENAI = "sk-proj-" + "Pq4Rs8Tu3Vw6Xy1Za5Bc0De7Fg2Hj9Kl4Mn8Pq3Rs6" + "T3BlbkFJ" + "Wx7Yz2Ab5Cd9Ef3Gh6Jk1Lm4"
SLACK = "xoxb-" + "2849583710-4958271036485-Qw8Er2Ty6Ui0Op4As9Df3Gh"


def run(tmp_path: Path, after: Files) -> StageResult:
    return SecretsAnalyzer().run(context(change(tmp_path, {}, after)))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f'AWS_ACCESS_KEY_ID = "{AWS}"', "AWS Access Key"),
        (f"token: {GITHUB_FINE}", "GitHub Token"),
        (f"ANTHROPIC_API_KEY={ANTHROPIC}", "Anthropic API Key"),
        (f"client = OpenAI(api_key='{OPENAI}')", "OpenAI Token"),
        (f"SLACK_TOKEN={SLACK}", "Slack Token"),
        ("db = 'postgres://admin:Vq83mZt2Lw@db.internal:5432/app'", "Basic Auth Credentials"),
        ("db = 'postgres://admin:hunter2@db.internal:5432/app'", "Basic Auth Credentials"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "Private Key"),
    ],
)
def test_the_detector_knows_old_and_new_key_formats(line: str, kind: str):
    hits = list(find_secrets(line))
    assert [h.kind for h in hits] == [kind]
    # Redaction hides the whole key, not just the prefix a pattern matched.
    assert REDACTED in redact(line) and hits[0].value not in redact(line)


def test_scanning_a_text_finds_what_scanning_each_line_finds():
    lines = ["x = 1", f'k = "{AWS}"', "def f():", f"    return '{OPENAI}'", "password = 'Zr8!kq2Lmv'"]
    by_line = [(i, h) for i, line in enumerate(lines) for h in find_secrets(line)]
    assert sorted(scan_lines(lines), key=lambda p: p[0]) == sorted(by_line, key=lambda p: p[0])
    assert len(by_line) == 3


def test_findings_are_located_and_never_show_the_secret(tmp_path: Path):
    result = run(tmp_path, {"config.py": f'import os\nAWS_KEY = "{AWS}"\nSLACK = "{SLACK}"\n'})
    assert [(f.location.path, f.location.start_line) for f in result.findings if f.location] == [
        ("config.py", 2),
        ("config.py", 3),
    ]
    for f in result.findings:
        assert f.severity is Severity.HIGH and f.stage == "secrets"
        assert AWS not in f.title + f.body and SLACK not in f.title + f.body
    assert result.findings[0].title == "AWS Access Key AKIA…WQ2T added in config.py"


def test_a_hard_coded_password_is_a_medium_finding(tmp_path: Path):
    result = run(tmp_path, {"settings.py": 'DB_PASSWORD = "Zr8!kq2Lmv"\n'})
    [finding] = result.findings
    assert finding.severity is Severity.MEDIUM and "Zr8!kq2Lmv" not in finding.body


@pytest.mark.parametrize(
    "line",
    [
        'aws_key = "AKIAIOSFODNN7EXAMPLE"',  # AWS's documentation key
        'password = "changeme"',
        'password = "<your-password-here>"',
        "password = os.environ['DB_PASSWORD']",
        'token = os.getenv("GITHUB_TOKEN")',
        "api_key: ${OPENAI_API_KEY}",
        'api_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        "stripe_key = 'sk_live_abcdefghijklmnopqrstuvwx'",  # a typed-in alphabet
        "password = '{{ secrets.DB_PASSWORD }}'",
        'api_key_env: "PROXY_API_KEY"',  # the name of the variable, not its value
        "def reset_password(user, token):",
        # The password documentation writes in a URL: a docstring's, a README's, httpx's own example.
        "    e.g. `pass` in `https://user:pass@host:port/path?query#fragment`",
        '    print(urllib3.util.parse_url("https://username:password@host.com:80/path"))',
        '    url = httpx.URL("HTTPS://jo%40email.com:a%20secret@example.org:1234/")',
        # A value given to a name that describes a credential, not one: its type, name, hash, holder.
        "    secret_type = 'AWS Access Key'",
        '    super().__init__(secret_manager_name="my_vault")',
        '    user_api_key_dict: "UserAPIKeyAuth",',
        '    "api_key_hash": "STRING",',
        "    value = compute(alpha, beta)  # no secrets here",
    ],
)
def test_placeholders_and_environment_reads_are_not_findings(tmp_path: Path, line: str):
    assert run(tmp_path, {"conf.py": line + "\n"}).findings == ()


@pytest.mark.parametrize(
    ("line", "password"),
    [
        ('password_name = "correcthorse"; password = "correcthorse"', "correcthorse"),
        ('cfg = {"password_field": "sunshine", "password": "sunshine"}', "sunshine"),
        ('db = {"password_type": "sunshine", "password": sunshine}', "sunshine"),
    ],
)
def test_a_value_given_to_a_describing_name_and_to_the_credential_is_reported(
    tmp_path: Path, line: str, password: str
):
    """The keyword rule does not say where it read the value: one place that describes a credential
    (`password_name`) must not excuse another that holds it, in the findings or in what a prompt shows."""
    [finding] = run(tmp_path, {"conf.py": line + "\n"}).findings
    assert finding.location is not None and finding.location.start_line == 1
    assert password not in redact(line, filename="conf.py")


def test_config_files_need_no_quotes(tmp_path: Path):
    after: Files = {
        ".env": "DEBUG=1\nDB_PASSWORD=Zr8kq2Lmv9\nAPI_TOKEN_ENV=OPENAI_API_KEY\n",
        "deploy/values.yaml": "db:\n  password: Zr8kq2Lmv9\n  passwordFrom: ${DB_PASSWORD}\n",
        "app.py": "password = compute_password()\n",
    }
    found = sorted(
        (f.location.path, f.location.start_line) for f in run(tmp_path, after).findings if f.location
    )
    assert found == [(".env", 2), ("deploy/values.yaml", 2)]


def test_a_real_default_next_to_an_environment_read_is_still_reported(tmp_path: Path):
    line = f'key = os.environ.get("AWS_KEY", "{AWS}")\n'
    assert len(run(tmp_path, {"conf.py": line}).findings) == 1


def test_a_wallet_key_a_loader_falls_back_to_is_reported(tmp_path: Path):
    """The key is in the repository whatever the environment holds at run time; written with its `0x`,
    in single, double or back quotes."""
    key = "9f3c" + "7a1e5b2d" * 7 + "c4d0"
    lines = [
        f"const w = new Wallet(process.env.PK || '0x{key}');",
        f'const k = process.env.DEPLOYER_PK ?? "0x{key[::-1]}";',
        f"key = os.getenv('PK', '0x{key.upper()}')",
    ]
    found = run(tmp_path, {"deploy.ts": "\n".join(lines) + "\n"}).findings
    assert sorted(f.location.start_line for f in found if f.location) == [1, 2, 3]


def test_placeholder_rules_both_ways():
    assert is_placeholder("AKIAIOSFODNN7EXAMPLE", "")
    assert not is_placeholder(AWS, "")
    assert is_placeholder("hunter2", "pw = os.environ['PW']")
    assert not is_placeholder("Zr8!kq2Lmv", 'pw = os.environ.get("PW", "Zr8!kq2Lmv")')
    assert mask(AWS) == "AKIA…WQ2T" and mask("shortpass") == "sh…ss" and mask("abc") == "…"
    # Words: a word at either end would give a part of the secret away whole.
    assert mask("correct horse battery staple") == "of 4 words"


def test_a_private_key_needs_its_body(tmp_path: Path):
    header = "-----BEGIN RSA PRIVATE KEY-----"
    body = "MIIEowIBAAKCAQEA" + "q7Z3mKp9Lw2Vx8Nc4Rt6Yb1Hd5Fg0Jk3Mn7Ps2Qv9Tx4Wz8" + "Ab6Ce1Dg5Fh0Jl3Km7No2Pr"
    parser = f'if line.startswith("{header}"):\n    start = True\n'
    assert run(tmp_path, {"keys.py": parser}).findings == ()
    [finding] = run(tmp_path / "2", {"deploy/id_rsa": f"{header}\n{body}\n"}).findings
    assert finding.severity is Severity.HIGH and body not in finding.body


def test_removed_lines_are_not_scanned(tmp_path: Path):
    changeset = change(tmp_path, {"conf.py": f'KEY = "{AWS}"\n'}, {"conf.py": "KEY = os.environ['KEY']\n"})
    assert SecretsAnalyzer().run(context(changeset)).findings == ()


def test_a_der_private_key_whose_letters_spell_a_placeholder_word_is_still_a_key(tmp_path: Path):
    """A key's random base64 spells `fake`, `todo` or `xxxx` somewhere in one run of 800 characters in
    about one 2048-bit key of 200: its shape is a private key's, checked, not a person's example."""
    import base64

    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa

    der = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()
    )
    run_of = base64.b64encode(der).decode()
    spelled = run_of[:400] + "FAkE" + run_of[404:]  # the head the shape is read from is kept
    line = f'KEY = load_der_private_key(b64decode("{spelled}"))\n'
    [finding] = run(tmp_path, {"app/sign.py": line}).findings
    assert finding.severity is Severity.HIGH and "Private Key" in finding.title


@pytest.mark.parametrize(
    "source",
    [
        '   "source": "import os\\nos.environ[\\"OPENAI_API_KEY\\"] = \\"{}\\"\\n"',
        '    "os.environ[\\"OPENAI_API_KEY\\"] = \\"{}\\"\\n",',
    ],
    ids=["one string", "list of lines"],
)
def test_a_notebook_cell_that_sets_a_key_in_the_environment_is_a_finding(tmp_path: Path, source: str):
    """The cell sets the variable (`os.environ[...] = "..."`), it does not read it: the value is the
    line's literal, though the JSON escapes its quotes. It is graded as the same line of Python is."""
    value = "Jf4nQ8xW2pLm7Rt5Zs9Kd3Vb"
    [finding] = run(tmp_path, {"nb/a.ipynb": "{\n" + source.format(value) + "\n}\n"}).findings
    [as_python] = run(tmp_path / "py", {"app.py": f'os.environ["OPENAI_API_KEY"] = "{value}"\n'}).findings
    assert finding.severity is as_python.severity and value not in finding.body


def test_a_url_password_documentation_writes_is_no_finding_a_real_one_blocks(tmp_path: Path):
    """`https://user:pass@host:port/path` in a docstring was a high, blocking finding: a PR that showed how
    a URL is spelled failed. A password documentation writes is a placeholder; a real one still blocks."""
    after: Files = {
        "app/urls.py": (
            '"""Parse `https://user:pass@host:port/path` or `https://username:password@host`."""\n'
            'DB = "postgres://app:hunter2@db.prod/shop"\n'
        )
    }
    result = run(tmp_path, after)
    assert [(f.location.start_line, f.severity) for f in result.findings] == [(2, Severity.HIGH)]
    assert result.details["placeholders_ignored"] == 2
