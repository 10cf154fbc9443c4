"""Credentials in syntaxes beyond one `NAME=value` at a line's start: found by the scan that learns the
change's secrets, so hidden wherever they appear, and by the redaction of a file's lines.

Several pairs on one line (`ENV A=x B=y`, `export A=x B=y`), a Dockerfile's `ENV NAME value`, a
`.properties` `name value`, a YAML anchor or tag before the value, names that say less on their own
(`SMTP_PASS`, `ENCRYPTION_KEY`: their value must look random), each pair of an inline table or a flow
map (`{"token": "…", "channel": "#ops"}`), a quoted value to its closing quote (`"Xk9m\\"7qR"`), and
code's strings given to a name that ends in a credential's word (`TWILIO_AUTH_TOKEN = "…"`, `const token
= "…"`, `token := "…"`, `db_password: str = "…"`), `export API_TOKEN=…` and a Makefile's `API_TOKEN :=
…`: their value must look random.
"""

from __future__ import annotations

import pytest

from gate.redact import REDACTED, forget_scans, redact, scan_files

FOUND = [
    ("Dockerfile", "ENV APP_ENV=prod DB_PASSWORD={}"),
    ("Dockerfile", "ENV DB_PASSWORD {}"),
    ("deploy/run.sh", "export APP_ENV=prod DB_PASSWORD={}"),
    ("conf/app.properties", "db.password {}"),
    ("conf/app.yml", "POSTGRES_PASSWORD: &pw {}"),
    ("conf/app.yml", "admin_password: !!str {}"),
    (".env.production", "SMTP_PASS={}"),
    (".env.production", "JWT_SIGNING_KEY={}"),
    (".env.production", "GPG_PASSPHRASE={}"),
    (".env.production", "ENCRYPTION_KEY={}9f8e7d6c5b4a"),
    ("app/settings.py", "    db_password: str = '{}'"),
    ("app/settings.py", "PASSWORD = r'{}'"),
    (".env", "GPG_SIGNING_KEY={}"),
    (".env", "GCP_PUB_SUB_KEY={}"),
    (".env", "MAILGUN_PUBLIC_KEY={}"),
    (".env", "ENCRYPTION_KEY_FILE={}/Tn4Wp7Zk3Mb6/Qw=="),
    # Code: a string given to a name that ends in `token` or `auth`, in any language's assignment.
    ("app/settings.py", 'TWILIO_AUTH_TOKEN = "{}"'),
    ("app/client.py", '    client = Client(token="{}")'),
    ("app/client.py", 'HEADERS = {{"auth_token": "{}"}}'),
    ("web/api.js", 'const token = "{}";'),
    ("web/api.ts", "export const accessToken: string = `{}`;"),
    ("web/api.js", "const client = new Client({{ token: '{}' }});"),
    ("cmd/server/main.go", '\ttoken := "{}"'),
    ("src/main/java/app/Api.java", '    private static final String token = "{}";'),
    ("app/Api.cs", '    var apiKey = @"{}";'),
    ("config/app.php", "    'api_token' => '{}',"),
    ("README.md", "export API_TOKEN={}"),
    ("docs/setup.md", "    $ export GITHUB_TOKEN={}"),
    ("Makefile", "API_TOKEN := {}"),
    ("build/release.mk", "export PYPI_TOKEN ?= {}"),
    # Config: each pair of an inline table or a flow map, not only a line's first.
    ("config/notify.json", '{{"slack": {{"token": "{}", "channel": "#ops"}}}}'),
    ("config/notify.json", '  "slack": {{"channel": "#ops", "token": "{}"}},'),
    ("config/app.toml", 'sentry = {{ dsn = "https://sentry.io/1", auth_token = "{}" }}'),
    ("deploy/values.yaml", 'notifier: {{url: "https://hooks.example.com", token: {}}}'),
    ("deploy/values.yaml", "  slack: {{channel: ops, token: {}}}"),
    (".docker/config.json", '{{"auths": {{"ghcr.io": {{"auth": "{}"}}}}}}'),
]

NOT_SECRETS = [
    (".env", "SORT_KEY=created_at"),
    (".env", "CACHE_KEY_PREFIX=myapp_cache"),
    (".env", "BYPASS_MODE=enabled_always"),
    ("Dockerfile", "ENV PATH /opt/venv/bin:$PATH"),
    ("Dockerfile", "ENV LANG=C.UTF-8 LC_ALL=C.UTF-8"),
    ("conf/app.properties", "app.name My Application Name"),
    ("app/tokens.py", "TOKEN_TYPE: str = 'bearer_token_kind'"),
    ("app/tokens.py", "SECRET_HEADER: str = 'x-secret-header'"),
    ("app/tokens.py", "USER_API_KEY_HASH_PARAM: Final = 'app_a2a_user_api_key_hash'"),
    ("app/rules.py", "    password = r'([a-f0-9]{48}(?![a-f0-9]))'"),
    ("app/rules.py", "    cl_api_key = r'([a-z]{24})'"),
    (".env", "CACHE_KEY=user_profile_v2"),
    ("Dockerfile", "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D"),
    ("conf/app.properties", "keystore.password.file /etc/keys/pass.txt"),
    (".env", "DB_PASSWORD_FILE=/run/secrets/db_password"),
    ("app/settings.py", 'TOKEN_URL = "https://oauth2.googleapis.com/token"'),
    ("app/settings.py", 'TOKENIZER = "gpt2-medium-v2"'),
    ("app/settings.py", 'AUTH_TOKEN_PATH = "/run/secrets/auth-token2"'),
    ("app/settings.py", "token = get_token(scope='repo2')"),
    ("app/settings.py", 'credential_type = "oauth2"'),
    ("app/sso.py", 'def retained(auth: "OneLogin_Saml2_Auth") -> None:'),
    ("app/stubs.py", '    "auth0": "types-auth0-python",'),
    ("app/models.py", "user = User(username='scolvin', password=b'password1')"),
    ("app/style.py", '        Token: "#ddd0c0ff",'),
    ("web/i18n.js", 'const units = {"token": "1M tokens", "second": "per second"};'),
    ("web/api.js", "const token = process.env.API_TOKEN;"),
    ("web/api.js", "const token = `${prefix}-${id}`;"),
    ("web/api.js", 'if (token == "a1b2c3d4e5f6a7b8") {'),
    ("README.md", "export API_TOKEN=$(cat ~/.config/token)"),
    ("README.md", "export GITHUB_TOKEN=your_token_here"),
    ("Makefile", "API_TOKEN ?= $(shell cat .token)"),
    ("config/notify.json", '{"slack": {"token": "${SLACK_TOKEN}", "channel": "#ops"}}'),
    ("config/app.toml", 'sentry = { dsn = "https://sentry.io/1", auth_token_file = "/run/secrets/sentry" }'),
    (".github/workflows/ci.yml", '      with: {token: "${{ secrets.GITHUB_TOKEN }}", fetch-depth: 0}'),
    ("deploy/values.yaml", "env: [{name: API_TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}]"),
]


@pytest.fixture(autouse=True)
def _fresh() -> None:
    forget_scans()


@pytest.mark.parametrize(("index", "path", "template"), [(i, *case) for i, case in enumerate(FOUND)])
def test_a_credential_in_its_files_syntax_is_learned_and_hidden(index: int, path: str, template: str) -> None:
    secret = f"Xk29fjQ{index:02d}pLm3Rw"  # one per case: no case is hidden by what another remembered
    line = template.format(secret)
    # Beside many lines, as the change is learned: the candidate pass must not skip it.
    filler = [f"line_{i} = {i}" for i in range(100)]
    hits = [hit.value for _, _, hit in scan_files([(path, [*filler, line, *filler])])]
    value = next(v for v in hits if secret in v)
    assert value in line
    assert value not in redact(line, filename=path)
    assert value not in redact(f"quoted back by a model: {value}")  # remembered, hidden anywhere


@pytest.mark.parametrize(("path", "line"), NOT_SECRETS)
def test_a_name_alone_makes_no_secret(path: str, line: str) -> None:
    assert not list(scan_files([(path, [line])]))
    assert redact(line, filename=path) == line


# (path, template, what stands inside the value): an escaped quote where a double-quoted string reads
# escapes, the other quote, and marks that ended a bare value (a YAML plain value keeps its blanks and
# commas, and ends at a comment).
QUOTED = [
    ("config/app.json", '    "password": "{}"', ('\\"', "'", "#", ", ", ";")),
    (".env", 'SMTP_PASSWORD="{}"', ('\\"', "'", "#", ", ", ";")),
    ("app/settings.py", 'DB_PASSWORD = "{}"', ('\\"', "'", "#", ", ", ";")),
    ("config/app.toml", 'password = "{}"', ('\\"', "'", "#", ", ", ";")),
    ("config/db.yml", "  password: {}", ("'", '"', ";")),
]


@pytest.mark.parametrize(
    ("path", "template", "inside"),
    [(path, template, inside) for path, template, marks in QUOTED for inside in marks],
)
def test_a_value_is_read_past_a_quote_or_a_mark_inside_it(path: str, template: str, inside: str) -> None:
    """A quoted value runs to its unescaped closing quote, a bare one to a blank or a comment: a quote
    inside the value ended the match, and the prompt showed `"[REDACTED]"7qR4wZ"`."""
    value = "Xk9mP2vL" + inside + "7qR4wZ"
    line = template.format(value)
    assert value in [hit.value for _, _, hit in scan_files([(path, [line])])]
    assert redact(line, filename=path) == line.replace(value, REDACTED)
    # As a prompt shows the row, without the file's name: nothing of the value is left.
    assert "7qR4wZ" not in redact(f"+4 | {line}")


def test_a_sentence_in_quotes_is_not_taken_whole_for_a_credential() -> None:
    """A quoted value with blanks is a passphrase when short, prose (a schema's description) when long:
    only its first word is taken, as before."""
    line = '    "credential": "Establishes the identity of a party to communication, usually with keys."'
    assert [hit.value for _, _, hit in scan_files([("schema.json", [line])])] == ["Establishes"]
    phrase = '  "password": "correct horse battery staple9"'
    assert [hit.value for _, _, hit in scan_files([("config.json", [phrase])])] == [
        "correct horse battery staple9"
    ]
