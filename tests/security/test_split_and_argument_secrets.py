"""Secrets that a formatter, a connection string's syntax, a signing call or an error line held apart
from what marks them, and that went to the models, the report or stderr whole or in part.

black wraps a long value in parentheses below its name (`API_TOKEN = (` / `"…"` / `)`) and splits a
longer one into strings Python joins; an ADO.NET or ODBC password holds blanks (`Password=open sesame
42!;`); a JWT's or an HMAC's key is a literal argument (`jwt.encode(payload, "…", algorithm="HS256")`,
`hmac.new(b"…", msg, sha256)`) under no name at all; a passphrase of more than three words lost all but
its first word to the config rule, and a prefixed string (`u"…"`, `b"…"`) all but what ran to its first
blank; an error about a config line quoted `password: …` in the middle of its own line. Each is found,
hidden whole, and remembered now; the code and prose that stand in the same syntax stay as written.
"""

from __future__ import annotations

import json
import random
import secrets
import string
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gate.redact import REDACTED, memory, redact, scan_files
from gate.redact.detect import forget_scans
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli


def _fresh() -> None:
    """Forget what earlier tests remembered: each case must be found by its own syntax."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


def _key(seed: str, n: int = 24) -> str:
    rng = random.Random(seed)
    # Opened by a digit: a random run of letters can read as a camelCase name (`hKtlQQoCtv…`).
    return "7" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n - 2)) + "k"


# (path, text, the secret's parts): `{0}`, `{1}` are where they stand.
SPLIT_OR_PLACED = [
    # A value black wrapped below its name, whole or split into strings Python joins.
    ("app/settings.py", 'API_TOKEN = (\n    "{0}"\n)', 1),
    ("app/settings.py", 'password = (\n    "{0}"\n    "{1}"\n)', 2),
    ("app/settings.py", 'SECRET_KEY: str = (\n    "{0}"\n    "{1}"\n)', 2),
    ("app/settings.py", 'HEADERS = {{\n    "auth_token": (\n        "{0}"\n        "{1}"\n    ),\n}}', 2),
    ("app/client.py", 'client = Client(\n    token=(\n        "{0}"\n    ),\n)', 1),
    ("web/api.js", "const accessToken =\n  '{0}';", 1),
    # A connection string's password with blanks, in code and in config files.
    ("app/db.py", 'CONN = "Server=db;User Id=app;Password={0} {1}!;"', 2),
    ("src/Db.cs", 'var cs = "Server=db;User Id=app;Password={0} {1};Encrypt=true";', 2),
    ("appsettings.json", '  "Default": "Server=db;Database=shop;User Id=app;Password={0} {1}"', 2),
    ("config/odbc.ini", "conn = Driver={{ODBC Driver 18}};Server=db;Uid=app;Pwd={0} {1}!;", 2),
    ("deploy/values.yaml", '  connection: "Driver={{ODBC Driver 18}};Server=db;Uid=app;Pwd={0} {1}"', 2),
    (".env", 'DB_CONN="Server=db;Uid=app;Pwd={0} {1};"', 2),
    # A literal key given to a signing call.
    ("app/auth.py", 'token = jwt.encode(payload, "{0}", algorithm="HS256")', 1),
    ("app/auth.py", 'claims = jwt.decode(token, "{0}", algorithms=["HS256"])', 1),
    ("app/auth.py", 'claims = jwt.decode(token, key="{0}", algorithms=["HS256"])', 1),
    ("app/auth.py", 'jwt.encode({{"sub": user.id}}, "{0}")', 1),
    ("app/auth.py", 'mac = hmac.new(b"{0}", msg, hashlib.sha256)', 1),
    ("app/auth.py", 'mac = hmac.new("{0}".encode(), msg, "sha256")', 1),
    ("web/auth.js", "const t = jwt.sign(payload, '{0}', {{ expiresIn: '1h' }});", 1),
    ("web/auth.js", "const mac = crypto.createHmac('sha256', '{0}').update(body);", 1),
    ("cmd/hook.go", '\tmac := hmac.New(sha256.New, []byte("{0}"))', 1),
    # A cipher's key, and an API's key given to its SDK's client.
    ("app/crypt.py", 'cipher = AES.new(b"{0}", AES.MODE_GCM)', 1),
    ("app/crypt.py", 'cipher = ChaCha20_Poly1305.new(key=b"{0}", nonce=nonce)', 1),
    ("app/crypt.py", 'f = Fernet(b"{0}")', 1),
    ("web/crypt.js", "const c = crypto.createCipheriv('aes-256-cbc', '{0}', iv);", 1),
    ("src/Crypt.java", 'SecretKeySpec spec = new SecretKeySpec("{0}".getBytes(UTF_8), "AES");', 1),
    ("src/Text.cs", 'var client = new TextAnalyticsClient(endpoint, new AzureKeyCredential("{0}"));', 1),
    ("src/Chat.cs", 'var client = new OpenAIClient("{0}");', 1),
    ("cmd/chat.go", '\tclient := openai.NewClient("{0}")', 1),
    ("src/Chat.java", 'OpenAiService service = new OpenAiService("{0}");', 1),
    ("src/chat.php", "$client = OpenAI::client('{0}');", 1),
    ("app/rerank.py", 'co = cohere.ClientV2("{0}")', 1),
    ("app/chat.rb", 'client = OpenAI::Client.new(access_token: "{0}")', 1),
    ("app/chat.rb", "client = Anthropic::Client.new(api_key: '{0}')", 1),
    ("src/chat.rs", 'let config = OpenAIConfig::new().with_api_key("{0}");', 1),
    # A passphrase of more than three words, and a prefixed string, in config syntax and in code.
    ("config/app.yml", 'api_token: "{0} horse battery staple again"', 1),
    (".env", 'GPG_PASSPHRASE="{0} horse battery staple again now"', 1),
    ("config/app.toml", 'password = u"{0} horse battery staple again"', 1),
    ("config/app.toml", 'db_password = u"correct horse battery {0} again"', 1),
    ("app/settings.py", 'password = b"correct horse battery {0} again"', 1),
    ("app/settings.py", 'db_passphrase = r"correct horse {0} staple"', 1),
]
# The signing keys a person writes (`my-signing-key-…`), and passphrases, with their own kind of words.
_WORDS = {"jwt": "my-signing-key-", "hmac": "my-signing-key-", "createHmac": "my-signing-key-"}


def _parts(path: str, text: str, count: int) -> list[str]:
    if "horse" in text:
        return ["battery9" + _key(path + text, 6)]
    if "Password={0} {1}" in text or "Pwd={0} {1}" in text:
        return ["open" + _key(path + text, 6), "sesame" + _key(text, 4)]
    prefix = next((word for call, word in _WORDS.items() if call in text), "")
    return [prefix + _key(path + text + str(part)) for part in range(count)]


@pytest.mark.parametrize(("path", "template", "count"), SPLIT_OR_PLACED)
def test_a_split_or_placed_secret_is_found_hidden_whole_and_remembered(
    path: str, template: str, count: int
) -> None:
    _fresh()
    parts = _parts(path, template, count)
    text = template.format(*parts)
    filler = [f"line_{i} = {i}" for i in range(50)]
    hits = {hit.value for _, _, hit in scan_files([(path, [*filler, *text.split("\n"), *filler])])}
    assert [part for part in parts if not any(part in hit for hit in hits)] == [], (path, hits)
    hidden = redact(text, filename=path)
    assert [part for part in parts if part in hidden] == [], hidden
    assert REDACTED in hidden
    # What is left is the syntax: each redaction stands for one whole value, nothing of it beside.
    for part in parts:
        for piece in (part[:4], part[-4:]):
            assert piece not in hidden, hidden
    # Remembered: each row is hidden as a prompt shows it, without the file's name or the lines above.
    _fresh()
    for _ in scan_files([(path, text.split("\n"))]):
        pass
    rows = [redact(f"+{number} | {row}") for number, row in enumerate(text.split("\n"))]
    assert [part for part in parts if any(part in row for row in rows)] == []


# Code and prose that stand in the same syntax: no value of theirs is a secret.
NOT_SECRETS = [
    ("app/views.py", 'message = (\n    "Your session has expired, "\n    "please sign in again."\n)'),
    ("app/views.py", 'TOKEN_HELP = (\n    "Paste the token you were given "\n    "when you signed up"\n)'),
    ("app/views.py", 'TOKEN_URL = (\n    "https://oauth2.googleapis.com/token"\n)'),
    ("app/views.py", 'token = (\n    request.headers.get("X-Token")\n    or "anonymous-user"\n)'),
    ("app/views.py", 'password = (\n    "{}"\n)'),
    ("app/views.py", 'ARGS = (\n    "--token",\n    "value-of-it",\n)'),
    ("app/views.py", 'x = foo(\n    "Zq8v7Lm3p2Xw91abcdEF"\n)'),
    ("deploy/values.yaml", 'api_token:\n  - "Zq8v7Lm3p2Xw91abcdEF"'),
    ("src/Db.cs", 'var cs = $"Server={host};Password={password};";'),
    ("src/Db.cs", 'var cs = "Server=db;Password=" + password + ";";'),
    ("docs/setup.md", 'Set "Server=db;Password=your password here;" in the connection string.'),
    ("docs/setup.md", "It ends in ';Password=the one the administrator gave you and no more;'."),
    ("app/auth.py", 'token = jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")'),
    ("app/auth.py", 'claims = jwt.decode(token, options={"verify_signature": False})'),
    ("app/auth.py", 'token = jwt.encode(payload, "secret", algorithm="HS256")'),
    ("app/auth.py", "mac = hmac.new(key, msg, hashlib.sha256)"),
    ("app/auth.py", 'mac = hmac.new(os.environb[b"HOOK_KEY"], msg, "sha256")'),
    ("web/auth.js", "const mac = crypto.createHmac('sha256', process.env.HOOK_SECRET);"),
    ("app/crypt.py", "cipher = AES.new(self.key, AES.MODE_GCM)"),
    ("app/crypt.py", "f = Fernet(Fernet.generate_key())"),
    ("web/crypt.js", "const c = crypto.createCipheriv('aes-256-cbc', key, iv);"),
    (
        "src/Text.cs",
        'var credential = new AzureKeyCredential(Environment.GetEnvironmentVariable("AZURE_KEY"));',
    ),
    ("cmd/chat.go", '\tclient := openai.NewClient(os.Getenv("OPENAI_API_KEY"))'),
    ("src/Chat.cs", 'var client = new OpenAIClient("YOUR_API_KEY");'),
    ("app/chat.rb", 'client = OpenAI::Client.new(access_token: ENV.fetch("OPENAI_ACCESS_TOKEN"))'),
    ("src/chat.rs", "let config = OpenAIConfig::new().with_api_key(key);"),
    ("app/models.py", 'password = b"password"'),
    ("app/forms.py", 'secret = b"The secret is kept in the vault, never here."'),
    ("schema.json", '    "token": "Paste the token from the settings page here"'),
]


@pytest.mark.parametrize(("path", "text"), NOT_SECRETS)
def test_code_and_prose_in_the_same_syntax_stay_whole(path: str, text: str) -> None:
    _fresh()
    assert [hit.value for _, _, hit in scan_files([(path, text.split("\n"))])] == []
    assert redact(text, filename=path) == text


TWILIO_CLIENTS = [
    ("app/sms.py", 'client = Client(account_sid, "{}")'),
    ("app/sms.py", 'client = Client("AC' + "0f" * 16 + '", "{}")'),
    ("web/sms.js", "const client = twilio(accountSid, '{}');"),
    ("web/sms.js", "const client = require('twilio')(process.env.TWILIO_ACCOUNT_SID, '{}');"),
    ("src/Sms.java", 'Twilio.init(ACCOUNT_SID, "{}");'),
    ("src/Sms.cs", 'TwilioClient.Init(accountSid, "{}");'),
    ("app/sms.rb", "@client = Twilio::REST::Client.new(account_sid, '{}')"),
]


@pytest.mark.parametrize(("path", "template"), TWILIO_CLIENTS)
def test_a_twilio_auth_token_given_to_its_client_is_found_and_hidden(path: str, template: str) -> None:
    """Twilio's auth token is 32 hex digits, with no prefix and often no name: given to the client after
    the account's SID, it is one all the same. Another client's second argument stays as written."""
    _fresh()
    token = secrets.token_hex(16)
    line = template.format(token)
    hits = [(hit.kind, hit.value) for _, _, hit in scan_files([(path, [line])])]
    assert ("Twilio Auth Token", token) in hits, hits
    hidden = redact(line, filename=path)
    assert token not in hidden and REDACTED in hidden
    _fresh()
    for other in ('client = Client(user_id, "{}")', 'client = HttpClient(session_sid, "{}")'):
        text = other.format(token)
        assert [hit for _, _, hit in scan_files([(path, [text])])] == [], other
        assert redact(text, filename=path) == text


EXCHANGE_CLIENTS = [
    ("bot/trade.py", 'client = Client("{0}", "{1}")'),
    ("bot/trade.py", "client = await AsyncClient.create('{0}', '{1}')"),
    ("bot/trade.py", 'client = Client(api_key="{0}", api_secret="{1}")'),
    ("bot/trade.py", 'client = Client(API_KEY, "{1}")'),
]


def _token(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n - 1)) + "7"


@pytest.mark.parametrize(("path", "template"), EXCHANGE_CLIENTS)
def test_an_exchange_clients_key_and_secret_written_out_are_found_and_hidden(
    path: str, template: str
) -> None:
    """python-binance's `Client("…", "…")`: an exchange's key and secret, random tokens with no prefix and
    no name, went to every model. Each written out is a finding now; another client, a stand-in or a
    variable stays as written."""
    _fresh()
    key, secret = _token(), _token()
    line = template.format(key, secret)
    hits = {hit.value for _, _, hit in scan_files([(path, [line])])}
    assert secret in hits and (key in hits or "{0}" not in template), hits
    hidden = redact(line, filename=path)
    assert secret not in hidden and key not in hidden
    _fresh()
    for other in (
        'client = HttpClient("{0}", "{1}")',
        'client = Client("{2}", "{3}")',
        "client = Client(api_key, api_secret)",
    ):
        text = other.format(key, secret, "a" * 40, "b" * 40)
        assert [hit for _, _, hit in scan_files([(path, [text])])] == [], other


def test_a_wrapped_value_changed_in_place_is_hidden_amid_the_hunks_removed_lines() -> None:
    """A hunk's rows as learning reads them: the name's line as context, the old string removed and
    the new one added below it. Both are read with the name and both are hidden."""
    _fresh()
    old, new = _key("old"), _key("new")
    rows = ["API_TOKEN = (", f'    "{old}"', f'    "{new}"', ")"]
    hits = sorted((index, hit.value) for _, index, hit in scan_files([("app/settings.py", rows)]))
    assert hits == [(1, old), (2, new)]


def test_a_sentence_in_quotes_keeps_its_first_word_alone_and_a_passphrase_is_whole() -> None:
    _fresh()
    sentence = '    "credential": "Establishes the identity of a party to communication, usually with keys."'
    assert [hit.value for _, _, hit in scan_files([("schema.json", [sentence])])] == ["Establishes"]
    phrase = "battery9 horse correct staple again and again"
    line = f'  "api_token": "{phrase}"'
    assert [hit.value for _, _, hit in scan_files([("config.json", [line])])] == [phrase]


def test_an_error_line_never_prints_the_config_secret_it_quotes(repo: GitRepo) -> None:
    """pydantic quotes what it could not take (`(got 'password: hunter2-…')`): the error line read as
    prose left the pair in the middle of it, where config syntax is not read."""
    secret = "hunter2-" + _key("error", 12)
    token = _key("error token", 20)
    repo.write("README.md", "shop\n")
    repo.commit("base")
    for name, value in (("password", secret), ("api_token", token)):
        config = repo.root / f"{name}.yml"
        config.write_text(f'thresholds:\n  review:\n    changed_lines: "{name}: {value}"\n')
        run = run_cli("check", "--repo", str(repo.root), "--offline", "--config", str(config))
        assert run.returncode == 2, run.stderr
        assert "changed_lines" in run.stderr and f"{name}: {REDACTED}" in run.stderr, run.stderr
        assert value not in run.stderr + run.stdout


def test_the_review_never_sees_a_split_or_placed_secret(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Through the CLI, as users run it: each file's secret is redacted from every model request and
    from the report, and the files themselves were sent (so the check is not vacuous)."""
    files: dict[str, list[str]] = {}
    parts: list[str] = []
    for path, template, count in SPLIT_OR_PLACED:
        these = _parts("e2e" + path, template, count)
        parts.extend(these)
        files.setdefault(path, []).append(template.format(*these))
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    repo.write("README.md", "shop\n")
    repo.commit("base")
    repo.branch("feature")
    for path, texts in files.items():
        repo.write(path, "\n".join(texts) + "\n")
    repo.commit("Sign the sessions")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(("openai/fake-a", "openai/fake-b"))))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    env = {"FAKE_MODEL_KEY": "sk-fake", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    run = run_cli(*args, "--format", "json", env=env)
    assert run.returncode in (0, 1), run.stderr[-2000:]

    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    for marker in ("API_TOKEN = (", "jwt.encode", "hmac.new", "Pwd=", "GPG_PASSPHRASE="):
        assert marker in sent, f"{marker} was not reviewed: nothing was proven"
    assert [part for part in parts if part in sent] == []
    markdown = run_cli(*args, "--format", "markdown", env=env)
    assert [part for part in parts if part in run.stdout + run.stderr + markdown.stdout] == []
    findings = json.loads(run.stdout)["findings"]
    assert {f["path"] for f in findings if f["stage"] == "secrets"} >= set(files)


# Lines made to make the new readers try many ways to match before failing: calls opened again and
# again, runs of blanks before a closing mark that never comes, a thousand strings below one name.
ADVERSARIAL: list[tuple[str, Callable[[int], str]]] = [
    ("app/auth.py", lambda n: "jwt.encode(" * (n // 11)),
    ("app/auth.py", lambda n: "jwt.encode(a" + " " * n + ","),
    ("app/auth.py", lambda n: "jwt.decode({" + "a" * n),
    ("app/auth.py", lambda n: "hmac.new(" * (n // 9)),
    ("cmd/hook.go", lambda n: "hmac.New(a," + " " * n + "[]byte(x"),
    ("web/auth.js", lambda n: "createHmac('a'," * (n // 15)),
    ("app/db.py", lambda n: '";Password=' + "a " * (n // 2) + "("),
    ("app/db.py", lambda n: '";Password=a' + " " * n + "x"),
    ("app/db.py", lambda n: ";Password=" * (n // 10)),
    ("app/settings.py", lambda n: "API_TOKEN = (\n" + '    "a"\n' * (n // 8) + ")"),
    ("app/settings.py", lambda n: "API_TOKEN = (\n" * (n // 14)),
    ("config/app.toml", lambda n: "password = u'" + "a" * n),
    ("app/settings.py", lambda n: 'password = b"' + "a " * (n // 2)),
]


@pytest.mark.parametrize(("path", "make"), ADVERSARIAL)
def test_the_new_readers_take_time_linear_in_the_texts_length(path: str, make: Callable[[int], str]) -> None:
    def cost(size: int) -> float:
        lines = make(size).split("\n")
        best = float("inf")
        for _ in range(3):
            _fresh()
            started = time.process_time()
            for _ in scan_files([(path, lines)]):
                pass
            best = min(best, time.process_time() - started)
        return best

    assert max(cost(100_000), 0.02) / max(cost(10_000), 0.02) < 30
