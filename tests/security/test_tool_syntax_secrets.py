"""Credentials that other tools' own syntax sets: a Redis `requirepass`, a `.pgpass` line, a systemd
unit's `Environment=`, a SQL `IDENTIFIED BY` or `PASSWORD '…'`, a Spring `<property name="password"
value=…/>`, a default read from the environment (`os.getenv("DB_PASSWORD", "…")`, `process.env.API_KEY
|| "…"`, on one line or wrapped by a formatter), and a YAML value on the line below its `password:`.
Each went to the models whole; each is found through the candidate pass and the prefilter, hidden, and
remembered, and the placeholders and code that stand beside the same syntax stay as written.
"""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from gate.redact import REDACTED, memory, redact, scan_files
from gate.redact.candidates import candidate_lines
from gate.redact.detect import _KEY_ABOVE, PIECE_CHARS, forget_scans
from gate.redact.formats import KEY_FORMATS, PLACED_FORMATS, TOOL_FORMATS
from gate.redact.rules import detector_rules
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

# (path, text): `{}` is where the credential stands.
TOOL_SYNTAX = [
    ("redis/redis.conf", "requirepass {}"),
    ("redis/redis.conf", 'masterauth "{}"'),
    ("redis/sentinel.conf", "sentinel auth-pass mymaster {}"),
    ("deploy/compose.yml", "    command: redis-server --requirepass {} --appendonly yes"),
    ("deploy/redis.sh", "redis-cli CONFIG SET requirepass {}"),
    (".pgpass", "db.example.org:5432:shop:app:{}"),
    ("deploy/pgpass.conf", "*:*:*:postgres:{}"),
    ("deploy/app.service", 'Environment="DB_PASSWORD={}"'),
    ("deploy/app.service", "Environment=API_KEY={}"),
    ("deploy/app.service", "Environment=LOG_LEVEL=info SECRET_KEY={}"),
    ("deploy/app.service", 'Environment="LOG_LEVEL=info" "API_TOKEN={}"'),
    ("docs/deploy.md", 'Environment="DB_PASSWORD={}"'),
    ("db/init.sql", "CREATE USER 'app'@'%' IDENTIFIED BY '{}';"),
    ("db/init.sql", "ALTER USER app IDENTIFIED WITH caching_sha2_password BY '{}';"),
    ("db/oracle.sql", "CREATE USER scott IDENTIFIED BY {};"),
    ("db/init.sql", "ALTER ROLE app WITH LOGIN ENCRYPTED PASSWORD '{}';"),
    ("db/mssql.sql", "CREATE LOGIN app WITH PASSWORD = '{}';"),
    ("src/migrate.py", "cur.execute(\"CREATE USER app WITH PASSWORD '{}'\")"),
    ("src/migrate.py", "cur.execute(\"create user app identified by '{}'\")"),
    ("conf/beans.xml", '<property name="password" value="{}"/>'),
    ("conf/beans.xml", '<property name="dataSource.apiKey" value="{}" />'),
    ("conf/app.xml", "<api-key>{}</api-key>"),
    ("conf/app.xml", "<token>{}</token>"),
    ("src/settings.py", 'DB_PASSWORD = os.getenv("DB_PASSWORD", "{}")'),
    ("src/settings.py", "API_KEY = os.environ.get('API_KEY', '{}')"),
    ("src/settings.py", 'TOKEN = os.environ.get("GITHUB_TOKEN") or "{}"'),
    ("src/db.js", 'const password = process.env.DB_PASSWORD || "{}";'),
    ("src/db.ts", "const key = process.env['API_KEY'] ?? '{}';"),
    # The same calls wrapped as black, prettier and rubocop wrap a long line.
    ("src/settings.py", 'DB_PASSWORD = os.getenv(\n    "DB_PASSWORD", "{}"\n)'),
    ("src/settings.py", 'API_KEY = os.environ.get(\n    "API_KEY",\n    "{}",\n)'),
    ("src/settings.py", 'TOKEN = os.environ.get("GITHUB_TOKEN",\n                       "{}")'),
    ("src/settings.py", 'TOKEN = (\n    os.environ.get("GITHUB_TOKEN")\n    or "{}"\n)'),
    ("src/db.js", "const password =\n  process.env.DB_PASSWORD ||\n  '{}';"),
    ("config/app.rb", 'TOKEN = ENV.fetch(\n  "API_TOKEN",\n  "{}"\n)'),
    ("deploy/values.yaml", "database:\n  password:\n    {}"),
    ("deploy/values.yaml", "api_token:\n  '{}'"),
    # Code's own idioms: WordPress's constants, a bean's setter, a property or variable set by name, Go's
    # MySQL DSN, a Terraform variable's default on its line and below it.
    ("wp-config.php", "define( 'DB_PASSWORD', '{}' );"),
    ("wp-config.php", "define('SECURE_AUTH_KEY', '{}');"),
    ("src/main/java/app/Db.java", '        ds.setPassword("{}");'),
    ("src/main/java/app/Client.java", "    client.setApiKey('{}');"),
    ("src/main/java/app/Mail.java", 'props.put("mail.smtp.password", "{}");'),
    ("src/main/java/app/Tls.java", 'System.setProperty("javax.net.ssl.keyStorePassword", "{}");'),
    ("cmd/server/env.go", '\tos.Setenv("API_TOKEN", "{}")'),
    ("cmd/server/db.go", '\treturn sql.Open("mysql", "app:{}@tcp(db:3306)/shop")'),
    ("infra/variables.tf", 'variable "db_password" {{ default = "{}" }}'),
    (
        "infra/variables.tf",
        'variable "db_password" {{\n  type      = string\n  sensitive = true\n  default   = "{}"\n}}',
    ),
    (
        "infra/variables.tf",
        'variable "api_token" {{\n  validation {{\n    condition = true\n  }}\n  default = "{}"\n}}',
    ),
]

PLACEHOLDERS_AND_CODE = [
    ("redis/redis.conf", "# requirepass foobared"),
    ("redis/redis.conf", "requirepass ${REDIS_PASSWORD}"),
    ("redis/redis.conf", "# masterauth <master-password>"),
    ("docs/redis.md", "Set the requirepass directive in redis.conf."),
    ("deploy/run.sh", 'redis-server --requirepass "$REDIS_PASSWORD"'),
    (".pgpass", "# hostname:port:database:username:password"),
    ("notes/pgpass.txt", "localhost:5432:shop:app:${PGPASSWORD}"),
    ("src/pgpass.py", 'line = f"{host}:{port}:{db}:{user}:{password}"'),
    ("deploy/app.service", 'Environment="DB_PASSWORD=${DB_PASSWORD}"'),
    ("deploy/app.service", "Environment=DB_PASSWORD_FILE=/run/secrets/db"),
    ("deploy/app.service", "EnvironmentFile=/etc/app/secrets.env"),
    ("deploy/app.service", 'Environment="API_TOKEN=changeme"'),
    ("deploy/app.service", 'Environment="API_TOKEN=%i-token"'),
    ("src/env.py", 'args = ["env", "API_TOKEN=%s" % token]'),
    ("src/env.py", 'args = ["env", f"API_TOKEN={token}"]'),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY :password;"),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY '<password>';"),
    ("db/init.sql", "ALTER USER app WITH PASSWORD NULL;"),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY 'changeme';"),
    ("src/db.py", 'cur.execute("CREATE USER %s WITH PASSWORD %s", (name, pw))'),
    ("src/db.py", "cur.execute(f\"ALTER ROLE {name} PASSWORD '{password}'\")"),
    ("src/graph.py", "    # For MultiGraphs, the edges are identified by incident nodes AND edge-key."),
    ("conf/beans.xml", '<property name="password" value="${db.password}"/>'),
    ("conf/beans.xml", '<property name="passwordEncoder" ref="encoder"/>'),
    ("conf/beans.xml", '<property name="tokenStore" value="jdbcTokenStore"/>'),
    ("conf/app.xml", "<token>${env.API_TOKEN}</token>"),
    ("conf/app.xml", "<api-key>your-api-key</api-key>"),
    ("src/settings.py", 'DB_PASSWORD = os.getenv("DB_PASSWORD", "postgres")'),
    ("src/settings.py", 'SECRET_KEY = os.environ.get("SECRET_KEY", "changeme")'),
    ("src/settings.py", 'API_KEY = os.getenv("API_KEY", "")'),
    ("src/settings.py", 'TOKEN_PATH = os.getenv("API_TOKEN", "~/.config/app/token")'),
    ("src/settings.py", 'KEY = os.getenv("API_KEY", "xxxx-xxxx-xxxx")'),
    ("src/settings.py", 'PW = os.getenv("DB_PASSWORD", "%(password)s")'),
    ("src/settings.py", 'PW = os.getenv("DB_PASSWORD", default_password)'),
    ("src/settings.py", 'NAME = os.getenv("DB_PASSWORD", "db_password")'),
    ("src/settings.py", 'DB_PASSWORD = os.getenv(\n    "DB_PASSWORD", "postgres"\n)'),
    ("src/settings.py", 'PW = os.getenv(\n    "DB_PASSWORD",\n    default_password,\n)\nNAME = "app-1"'),
    ("src/settings.py", 'HOST = os.getenv(\n    "DB_HOST", "db-7.internal"\n)'),
    ("src/db.js", "const pw = process.env.DB_PASSWORD || '';"),
    ("src/db.js", "const pw = process.env.DB_PASSWORD || config.db.password;"),
    ("src/db.js", "const t = process.env.API_TOKEN ?? '<token>';"),
    ("deploy/values.yaml", "password:\n  secretKeyRef:\n    name: db"),
    ("deploy/values.yaml", "secrets:\n  - DB_PASSWORD"),
    ("action.yml", "inputs:\n  token:\n    description: The token to use"),
    ("deploy/values.yaml", "password:\n  ${DB_PASSWORD}"),
    ("deploy/values.yaml", "password:\n  *default_password"),
    ("deploy/values.yaml", "token:\n  # set by the pipeline\n  "),
    ("deploy/values.yaml", "password_file:\n  /run/secrets/db_password"),
    ("wp-config.php", "define( 'DB_PASSWORD', getenv('DB_PASSWORD') );"),
    ("wp-config.php", "define( 'AUTH_KEY', 'put your unique phrase here' );"),
    ("wp-config.php", "define( 'DB_PASSWORD', 'password_here' );"),
    ("wp-config.php", "define( 'DB_HOST', 'db.internal:3306' );"),
    ("src/main/java/app/Db.java", "ds.setPassword(password);"),
    ("src/main/java/app/Db.java", 'ds.setPassword("${DB_PASSWORD}");'),
    ("src/main/java/app/Db.java", 'ds.setPasswordEncoder("bcrypt-v2-encoder");'),
    ("src/main/java/app/Mail.java", 'props.put("mail.smtp.password", System.getenv("SMTP_PASSWORD"));'),
    ("src/main/java/app/Mail.java", 'props.put("mail.smtp.auth", "true");'),
    ("src/main/java/app/Tls.java", 'System.setProperty("javax.net.ssl.trustStorePassword", "changeit");'),
    ("cmd/server/db.go", 'dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", user, pass, host, name)'),
    ("cmd/server/db.go", 'dsn := "app:${DB_PASSWORD}@tcp(db:3306)/shop"'),
    ("cmd/server/db.go", 'dsn := "root:@tcp(127.0.0.1:3306)/test"'),
    ("infra/variables.tf", 'variable "db_password" {\n  type      = string\n  sensitive = true\n}'),
    ("infra/variables.tf", 'variable "db_password" {\n  default = ""\n}'),
    ("infra/variables.tf", 'variable "region" {\n  default = "eu-west-1a"\n}'),
    ("infra/variables.tf", 'variable "db_password" { default = "changeme" }'),
    ("infra/variables.tf", 'variable "token_ttl" {}\nvariable "region" {\n  default = "eu-west-1a"\n}'),
]


def _fresh() -> None:
    """Forget what earlier tests remembered: each case must be found by its own syntax."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


def _value(seed: str) -> str:
    rng = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    return "".join(rng.choice(alnum) for _ in range(12)) + "7-" + "".join(rng.choice(alnum) for _ in range(8))


@pytest.mark.parametrize(("path", "template"), TOOL_SYNTAX)
def test_a_credential_a_tools_syntax_sets_is_found_hidden_and_remembered(path: str, template: str) -> None:
    _fresh()
    value = _value(path + template)
    text = template.format(value)
    hits = {hit.value for _, _, hit in scan_files([(path, text.split("\n"))])}
    assert value in hits, (path, hits)
    # Only the value: the syntax around it stays for a reviewer to read.
    assert redact(text, filename=path) == text.replace(value, REDACTED)
    # Remembered: the same value is hidden where nothing marks it.
    assert value not in redact(f"print('{value}')", filename="src/other.py")


@pytest.mark.parametrize(("path", "text"), PLACEHOLDERS_AND_CODE)
def test_placeholders_and_code_in_a_tools_syntax_stay_whole(path: str, text: str) -> None:
    _fresh()
    assert [hit.value for _, _, hit in scan_files([(path, text.split("\n"))])] == []
    assert redact(text, filename=path) == text


@pytest.mark.parametrize(
    "template", [template for path, template in TOOL_SYNTAX if "\n" not in template and "pgpass" not in path]
)
def test_the_candidate_pass_and_the_prefilter_reach_each_line(template: str) -> None:
    """A line the candidate pass skips is never scanned, and a rule the prefilter leaves out of a line's
    plan never runs there: each line must be a candidate, and each format that matches it planned on it.
    (A `.pgpass` file's every line is a candidate, by its name; YAML's value below its name is read
    over the file's lines.)"""
    line = template.format(_value(template))
    assert candidate_lines(["x = 1", line, "y = 2"]) == [1]
    plan = detector_rules().prefilter.plans([line])[0]
    offset = len(detector_rules().regex_rules) + len(detector_rules().other_plugins)
    matching = [index for index, fmt in enumerate(KEY_FORMATS) if next(fmt.finditer(line), None)]
    assert matching, line
    assert [offset + index for index in matching if offset + index not in plan] == []


def test_every_credential_of_a_units_environment_line_is_hidden() -> None:
    _fresh()
    first, second = _value("first"), _value("second")
    line = f"Environment=LOG_LEVEL=info API_KEY={first} DB_PASSWORD={second}"
    assert redact(line, filename="deploy/app.service") == line.replace(first, REDACTED).replace(
        second, REDACTED
    )


def test_each_credential_pair_of_a_units_bare_environment_line_is_found() -> None:
    """`Environment=API_KEY=… DB_PASSWORD=…`: the config rules read `Environment` as the name, so the
    first pair is the unit rule's to find as much as the last."""
    _fresh()
    first, second, third = _value("api"), _value("db"), _value("token")
    line = f"Environment=API_KEY={first} DB_PASSWORD={second} LOG_LEVEL=info API_TOKEN={third}"
    hits = [hit.value for _, _, hit in scan_files([("deploy/app.service", [line])])]
    assert sorted(hits) == sorted([first, second, third])
    _fresh()
    assert redact(line, filename="deploy/app.service") == (
        line.replace(first, REDACTED).replace(second, REDACTED).replace(third, REDACTED)
    )


# Lines built to make each tool-syntax pattern, and the YAML key-above-its-value one, try many ways
# to match before failing: runs of blanks around optional parts, markers repeated with nothing between.
ADVERSARIAL_LINES: list[Callable[[int], str]] = [
    lambda n: "Environment=A=" * (n // 14),
    lambda n: "Environment=A=b " * (n // 16),
    lambda n: "Environment=" + "A=b " * (n // 4),
    lambda n: "Environment=" + "A" * n,
    lambda n: "requirepass " * (n // 12),
    lambda n: "--requirepass" + " " * n + "\x00",
    lambda n: "config set " * (n // 11),
    lambda n: "sentinel auth-pass " * (n // 19),
    lambda n: "'password=" * (n // 10),
    lambda n: "'a_password=" + "x" * n,
    lambda n: "GRANT " * (n // 6),
    lambda n: "create identified" * (n // 17),
    lambda n: "IDENTIFIED BY " * (n // 14),
    lambda n: "create user password '" * (n // 22),
    lambda n: "CREATE USER password" + " " * n + "x",
    lambda n: "getenv('password'," * (n // 18),
    lambda n: "getenv('a_token'" + " " * n + "x",
    lambda n: "process.env.A_TOKEN" + " " * n,
    lambda n: "process.env.password ||" * (n // 23),
    lambda n: "a:" + " " * n + "x",
    lambda n: "- password:" + " " * n + "|x",
    lambda n: "define('DB_PASSWORD', '" + "\\'" * (n // 2),
    lambda n: "define('" + "a_" * (n // 2),
    lambda n: ".setPassword(" * (n // 13),
    lambda n: ".setAbCdEfGh" * (n // 12),
    lambda n: '.put("a_password", "' + "\\x" * (n // 2),
    lambda n: "a:" + "b@" * (n // 2),
    lambda n: '"a:' * (n // 3),
    lambda n: 'variable "a_token" {' + " " * n,
    lambda n: 'variable "a_token" { default = "' + "x" * n,
]


def _cpu(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.growth
@pytest.mark.parametrize("make", ADVERSARIAL_LINES)
def test_each_tool_syntax_pattern_reads_a_line_in_time_linear_in_its_length(
    make: Callable[[int], str],
) -> None:
    """Every tool-syntax pattern and the YAML key rule, on a line made to fail slowly: a line of 224 KB
    of `Environment=A=` took half a minute, one YAML key and 80 KB of blanks 17 seconds."""
    times = {}
    for size in (10_000, 100_000):
        line = make(size)

        def scan(line: str = line) -> None:
            for fmt in TOOL_FORMATS:
                list(fmt.finditer(line))
            _KEY_ABOVE.match(line)

        times[size] = _cpu(scan)
    assert max(times[100_000], 0.02) / max(times[10_000], 0.02) < 30, times


# The patterns that read a credential by its name or its place beside the tool formats: code's and
# config's assignments, a Terraform block, a URL's userinfo and query, an API key header, and lines made
# to make each of them try many ways to match before failing.
def _line_patterns() -> list[re.Pattern[str]]:
    from gate.redact import detect

    placed = [fmt.pattern for fmt in PLACED_FORMATS]
    names = (
        "_CODE_ASSIGNMENT", "_STRING_ASSIGNED", "_EXPORT", "_MAKE_ASSIGNMENT", "_CONFIG_ASSIGNMENT",
        "_CONFIG_PAIR", "_INLINE_PAIR", "_TF_VARIABLE", "_TF_DEFAULT",
    )  # fmt: skip
    return [*placed, *(getattr(detect, name) for name in names)]


LINE_ADVERSARIAL: list[Callable[[int], str]] = [
    lambda n: "a" * n + " = 'x",
    lambda n: "token" * (n // 5) + ": 'x",
    lambda n: "a.b" * (n // 3) + " =",
    lambda n: "token: " + "a" * n,
    lambda n: "token = '" + "\\'" * (n // 2),
    lambda n: "x = {" + "'token': '" * (n // 10),
    lambda n: "{" + ",a:'" * (n // 4),
    lambda n: '{"a":"' + '\\"' * (n // 2),
    lambda n: "://" * (n // 3),
    lambda n: "://a:" + "b@" * (n // 2) + "/",
    lambda n: "://:" + "@" * n + "\x00",
    lambda n: "?api_key=" * (n // 9),
    lambda n: "?access_token=" + "a1" * (n // 2) + "\x00",
    lambda n: "X-Api-Key: " * (n // 11),
    lambda n: "x" + "-a" * (n // 2) + "-token",
    lambda n: "Authorization: token " * (n // 21),
    lambda n: "docker login " + "-u x " * (n // 5),
    lambda n: "export " + "A" * n,
    lambda n: "A" * n + " := x",
    lambda n: 'variable "' + "a" * n,
]


@pytest.mark.growth
@pytest.mark.parametrize("make", LINE_ADVERSARIAL)
def test_each_name_and_place_pattern_reads_a_line_in_time_linear_in_its_length(
    make: Callable[[int], str],
) -> None:
    """The rules that read a value by the name it is given or the place it stands in, on a line made to
    fail slowly: each of their runs is bounded or taken whole, so a line costs its length."""
    patterns = _line_patterns()
    times = {}
    for size in (10_000, 100_000):
        line = make(size)

        def scan(line: str = line) -> None:
            for pattern in patterns:
                list(pattern.finditer(line))

        times[size] = _cpu(scan)
    assert max(times[100_000], 0.02) / max(times[10_000], 0.02) < 30, times


def test_a_tool_syntax_credential_past_a_long_lines_first_piece_is_hidden() -> None:
    _fresh()
    value = _value("long")
    line = "x" * (3 * PIECE_CHARS) + f"; CREATE USER app IDENTIFIED BY '{value}';"
    assert redact(line, filename="db/init.sql") == line.replace(value, REDACTED)


def test_the_review_never_sees_a_credential_a_tools_syntax_sets(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Through the CLI, as users run it: each file's credential is redacted from every model request,
    and the files themselves were sent (so the check is not vacuous)."""
    files: dict[str, list[str]] = {}
    values: list[str] = []
    for path, template in TOOL_SYNTAX:
        value = _value("e2e" + path + template)
        values.append(value)
        files.setdefault(path, []).append(template.format(value))
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    repo.write("README.md", "shop\n")
    repo.commit("base")
    repo.branch("feature")
    for path, texts in files.items():
        repo.write(path, "\n".join(texts) + "\n")
    repo.commit("Deploy the shop")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(("openai/fake-a", "openai/fake-b"))))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    env = {"FAKE_MODEL_KEY": "sk-fake", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    run = run_cli(*args, "--format", "json", env=env)
    assert run.returncode in (0, 1), run.stderr[-2000:]

    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    for marker in ("requirepass", "IDENTIFIED BY", "Environment=", "process.env.DB_PASSWORD", "api-key"):
        assert marker in sent, f"{marker} was not reviewed: nothing was proven"
    assert [value for value in values if value in sent] == []
    assert [value for value in values if value in run.stdout] == []


# Development defaults and fixtures that a tool's syntax holds, each written by a person: hidden from
# the models like any value there, but not what fails a pull request on its own.
CHOSEN_BY_HAND = [
    ("src/app.js", "const secret = process.env.SESSION_SECRET || 'keyboard cat';", "keyboard cat"),
    ("tests/conftest.py", 'os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key")', "test-secret-key"),
    ("src/settings.py", 'SECRET_KEY = os.getenv("SECRET_KEY", "insecure-dev-only")', "insecure-dev-only"),
    ("src/settings.py", 'REDIS = os.getenv("REDIS_PASSWORD", "redis-local")', "redis-local"),
    ("src/session.py", 'SESSION = os.getenv(\n    "SESSION_SECRET", "dev-secret"\n)', "dev-secret"),
    ("deploy/compose.yml", 'env:\n  - "POSTGRES_PASSWORD=postgres"', "postgres"),
    ("db/init.sql", "CREATE USER keycloak WITH PASSWORD 'keycloak';", "keycloak"),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY 'testpass';", "testpass"),
    ("redis/redis.conf", "requirepass foobared", "foobared"),
    ("wp-config.php", "define( 'DB_PASSWORD', 'wordpress' );", "wordpress"),
]
# Names, paths and setting words where a value would stand: not values at all.
NOT_VALUES = [
    ("conf/security.xml", "<rememberToken>enabled</rememberToken>"),
    ("conf/security.xml", "<csrfToken>required</csrfToken>"),
    ("conf/beans.xml", '<property name="apiKey" value="apiKeyHeader"/>'),
    ("deploy/app.service", "Environment=VAULT_SECRET=kv/data/app"),
    ("src/keys.py", 'KEY = os.getenv("PRIVATE_KEY", "keys/dev.pem")'),
    ("src/run.py", 'args = ["env", "API_TOKEN=integration"]'),
]


def _secret_findings(repo: GitRepo, capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> list[dict]:
    repo.write("README.md", "shop\n")
    repo.commit("base")
    repo.branch("feature")
    for path, text in files.items():
        repo.write(path, text + "\n")
    repo.commit("Add the development setup")
    args = ["--repo", str(repo.root), "--base", "main", "--head", "feature", "--offline", "--format", "json"]
    main(["check", *args])
    report = json.loads(capsys.readouterr().out)
    return [finding for finding in report["findings"] if finding["stage"] == "secrets"]


def test_a_development_default_in_a_tools_syntax_is_reported_below_the_failing_level(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _fresh()
    files: dict[str, str] = {}
    for path, text, _ in CHOSEN_BY_HAND:
        files[path] = files[path] + "\n" + text if path in files else text
    for path, text in NOT_VALUES:
        files[path] = files[path] + "\n" + text if path in files else text
    generated = _value("generated")
    files["db/prod.sql"] = f"CREATE USER app IDENTIFIED BY '{generated}';"
    findings = _secret_findings(repo, capsys, files)
    by_path = sorted((finding["path"], finding["severity"]) for finding in findings)
    expected = sorted([(path, "medium") for path, _, _ in CHOSEN_BY_HAND] + [("db/prod.sql", "high")])
    assert by_path == expected
    # Still hidden from the models: a person's word is a password all the same.
    for path, text, value in CHOSEN_BY_HAND:
        assert value not in redact(text, filename=path)
    for path, text in NOT_VALUES:
        assert redact(text, filename=path) == text


def test_a_yaml_value_below_a_key_is_hidden_when_a_hunk_cuts_them_apart(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """`password:` then its value on the next line, with a hunk's edge between them: the key is a
    context row above a hunk that starts at the value, or the hunk ends at the key and the value is a
    context row below. Each row is read on its own, so the pair is learnt from the whole file."""
    above, below = _value("above"), _value("below")
    base = {
        "deploy/values.yaml": f"db:\n  password:\n    {above}\n  port: 1\n  pool: 2\n  user: u\n",
        "deploy/cache.yaml": f"cache:\n  host: a\n  port: 1\n  label:\n    {below}\n  size: 2\n",
    }
    head = {
        "deploy/values.yaml": f"db:\n  password:\n    {above}\n  port: 1\n  pool: 2\n  user: v\n",
        "deploy/cache.yaml": f"cache:\n  host: a\n  port: 1\n  password:\n    {below}\n  size: 2\n",
    }
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    for path, text in base.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("feature")
    for path, text in head.items():
        repo.write(path, text)
    repo.commit("Configure the database")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(("openai/fake-a", "openai/fake-b"))))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    env = {"FAKE_MODEL_KEY": "sk-fake", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    run = run_cli(*args, "--format", "json", env=env)
    assert run.returncode in (0, 1), run.stderr[-2000:]

    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    assert "user: v" in sent and "password:" in sent, "the hunks were not reviewed: nothing was proven"
    assert [value for value in (above, below) if value in sent] == []


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("docker-compose.yml", '    command: ["redis-server", "--requirepass", "{}"]'),
        ("db/init.sql", "CREATE USER 'app'@'%' IDENTIFIED BY '{}';"),
        ("db/init.sql", 'ALTER USER app IDENTIFIED BY "{}";'),
    ],
)
@pytest.mark.parametrize("inside", [",", ";", " "])
def test_a_quoted_tool_value_is_read_to_its_quote(path: str, template: str, inside: str) -> None:
    """A quoted value holds what a bare one ends at (`IDENTIFIED BY 'ab,cd'`), and an argument list
    quotes the option and its value apart: either way the whole value is hidden."""
    _fresh()
    value = _value(template)[:10] + inside + _value(inside)[:10]
    text = template.format(value)
    assert redact(text, filename=path) == text.replace(value, REDACTED)


@pytest.mark.parametrize("inside", ["", " ", "<", "&"])
def test_a_password_in_an_xml_cdata_section_is_hidden(inside: str) -> None:
    """Maven's and others' `<password><![CDATA[…]]></password>`: the section's opening `<` kept the
    element rule from reading the value, and CDATA holds what plain text cannot (`<`, `&`, blanks)."""
    _fresh()
    value = _value("cdata")[:10] + inside + _value(inside)[:10]
    text = f"    <password><![CDATA[{value}]]></password>"
    assert redact(text, filename="conf/settings.xml") == text.replace(value, REDACTED)
    assert value in {hit.value for _, _, hit in scan_files([("conf/settings.xml", [text])])}


def test_a_wrapped_default_changed_in_place_is_found_amid_the_hunks_removed_line() -> None:
    """A hunk's rows as learning reads them: the call's line as context, the old default removed and
    the new one added below it. Both values are found, on their own rows."""
    _fresh()
    old, new = _value("old default"), _value("new default")
    rows = ["DB_PASSWORD = os.getenv(", '    "DB_PASSWORD",', f'    "{old}",', f'    "{new}",', ")"]
    hits = sorted((index, hit.value) for _, index, hit in scan_files([("src/settings.py", rows)]))
    assert hits == [(2, old), (3, new)]
    assert [value for value in (old, new) if value in redact("\n".join(rows[2:4]), filename="x.py")] == []


def test_wrapped_defaults_are_read_in_time_linear_in_the_lines_length() -> None:
    """Each call's line is read joined with the next five, six times: megabyte lines that each open
    an environment read made that the square of nothing, but thirty-six passes over every line."""
    from gate.redact.detect import _defaults_below

    def cost(width: int) -> float:
        lines = ["x = os.getenv(" + "y" * width for _ in range(20)]
        start = time.process_time()
        assert list(_defaults_below(lines)) == []
        return time.process_time() - start

    assert cost(1_000_000) < 20 * max(cost(1_000), 0.005)
