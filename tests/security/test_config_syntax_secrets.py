"""Credentials in syntaxes beyond one `NAME=value` at a line's start: found by the scan that learns the
change's secrets, so hidden wherever they appear, and by the redaction of a file's lines.

Several pairs on one line (`ENV A=x B=y`, `export A=x B=y`), a Dockerfile's `ENV NAME value`, a
`.properties` `name value`, a YAML anchor or tag before the value, names that say less on their own
(`SMTP_PASS`, `ENCRYPTION_KEY`: their value must look random), and code's strings given to a name that
ends in a credential's word (`TWILIO_AUTH_TOKEN = "…"`, `const token = "…"`, `token := "…"`,
`db_password: str = "…"`), `export API_TOKEN=…` and a Makefile's `API_TOKEN := …`: their value must
look random.
"""

from __future__ import annotations

import pytest

from gate.redact import forget_scans, redact, scan_files

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
