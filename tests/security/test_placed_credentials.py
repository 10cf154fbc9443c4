"""Credentials that only their place marks: no prefix says what they are, the marker before them does.

A password in a connection string or a Maven `settings.xml`, `curl -u user:...`, an `Authorization:
Bearer` header, `mysql -p...`, an `.npmrc` token, a `.netrc` password, a Kubernetes container's env
value below its `- name: DB_PASSWORD` or beside it in flow style, a YAML block scalar under
`password: |`, requests' `auth=("user", ...)`, `smtp.login(user, ...)`, `MySQLdb.connect(host, user,
...)`, JDBC's `getConnection(url, user, ...)`, .NET's `NetworkCredential(user, ...)`, a URL's password
with no user or holding `@`, an API's key in a URL's query or its own header (`X-Api-Key`,
`Authorization: token`), `docker login -p`. Each went to the models whole. Each is found, hidden and
reported now, and the placeholders and code that sit beside the same markers stay as written.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gate.context.local_git import load_git_changeset
from gate.redact import REDACTED, learn_changeset, memory, redact, scan_files
from gate.redact.detect import forget_scans
from tests.gitrepo import GitRepo
from tests.golden_findings import PLACED_SYNTAX, _placed_value

ROOT = Path(__file__).resolve().parents[2]


def _fresh() -> None:
    """Forget what earlier tests remembered: each case must be found by its own place."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


@pytest.mark.parametrize("path", sorted(PLACED_SYNTAX))
def test_a_credential_its_place_marks_is_found_and_hidden(path: str) -> None:
    _fresh()
    value = _placed_value(random.Random(path), path)
    text = PLACED_SYNTAX[path].format(value)
    lines = text.split("\n")
    hits = [hit.value for _, _, hit in scan_files([(path, lines)])]
    assert hits == [value], (path, hits)
    hidden = redact(text, filename=path)
    assert value not in hidden and REDACTED in hidden
    # Only the value: the marker and the rest of the line stay for a reviewer to read.
    assert hidden.replace(REDACTED, value) == text
    # Remembered: the same value is hidden where nothing marks it.
    assert value not in redact(f"print('{value}')", filename="src/other.py")


PLACEHOLDERS_AND_CODE = [
    ("src/db.cs", 'var cs = $"Server={host};Password={password};";'),
    ("src/db.cs", "builder.Password = password;"),
    ("src/db.py", 'conn = f"Server={h};Pwd={pw}"'),
    ("src/db.py", 'dsn = "Password=%s;" % pw'),
    ("src/db.py", 'print("Password=" + pw + ";")'),
    ("src/db.py", "conn = connect(host=h, dbname=d, user=u, password=db_password)"),
    ("src/models.py", "    password=SecretStr('x'),"),
    ("src/db.js", "const cs = `Server=x;Password=${process.env.DB_PASS};`"),
    ("docs/setup.md", "Set `Password=<your password>;` in the connection string."),
    ("maven/settings.xml", "<password>${env.MAVEN_PASSWORD}</password>"),
    ("maven/settings.xml", "<password>{COQLCE6DU6GtcS5PHx7pQ2vLm9zz=}</password>"),
    ("pom.xml", "<passwordPolicy>strict-policy</passwordPolicy>"),
    ("pom.xml", "<tokenizer>standard-tokenizer</tokenizer>"),
    ("conf/app.xml", "<apiKey>YOUR_API_KEY</apiKey>"),
    ("web/login.html", '<label for="password">Password</label>'),
    ("deploy/run.sh", 'curl -u "$USER:$PASS" https://api.example.org'),
    ("deploy/run.sh", "curl -u ${USER}:${TOKEN} https://api.example.org"),
    ("deploy/run.sh", "docker run -u 1000:1000 -u www-data:www-data image"),
    ("deploy/run.sh", 'echo "$TOKEN" | docker login --password-stdin'),
    ("deploy/run.sh", "mysql -u root -p shop"),
    ("deploy/run.sh", 'mysql -u root -p"$MYSQL_PASSWORD" shop'),
    ("deploy/run.sh", "mysql -u root -p$MYSQL_PWD shop"),
    ("src/auth.py", "# The --password option is read from the environment; pass --secret separately."),
    ("src/api.py", 'headers = {"Authorization": f"Bearer {token}"}'),
    ("src/api.py", 'headers = {"Authorization": "Bearer " + token}'),
    ("docs/api.md", "Send `Authorization: Bearer YOUR_ACCESS_TOKEN` with every request."),
    ("docs/api.md", "Send `Authorization: Bearer sk-test-example-key-123` with every request."),
    ("docs/api.md", "Bearer tokens are accepted by the authentication middleware here."),
    ("src/api.py", 'raise ValueError("Basic authentication failed for the configured registry")'),
    (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
    ("src/api.py", "self._auth = auth_handler"),
    ("src/storage.py", 'url = "https://acct.blob.core.windows.net/c?sig=" + signature'),
    ("docs/netrc.md", "machine example.org login me password <password>"),
    ("deploy/api.yaml", "  - name: AUTH_URL\n    value: https://auth.example.org/token"),
    ("deploy/api.yaml", "  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: pw}"),
    ("deploy/api.yaml", "  - name: DB_PASSWORD\n    value: ${DB_PASSWORD}"),
    ("deploy/values.yaml", "tls_secret: |\n  -----BEGIN CERTIFICATE-----"),
    ("deploy/values.yaml", "auth_help: |\n  Sign in with your company account first."),
    ("src/fetch.py", "r = requests.get(URL, auth=(user, password))"),
    ("src/fetch.py", 'r = requests.get(URL, auth=HTTPBasicAuth(user, os.environ["API_PASSWORD"]))'),
    ("src/fetch.py", 'r = requests.get(URL, auth=("deploy", f"{password}"))'),
    ("tests/test_mail.py", 'smtp.login("testuser", "testpw")'),
    ("src/mail.py", "smtp.login(user, password)"),
    ("src/legacy_db.py", "db = MySQLdb.connect(host, user, password, name)"),
    ("src/legacy_db.py", 'db = pymysql.connect("localhost", "root", "", "shop")'),
    ("src/fetch.py", 'ftp = FTP("ftp.example.org", "anonymous", "guest")'),
    ("deploy/flow.yaml", "env: [{name: DB_PASSWORD_FILE, value: /run/secrets/db}]"),
    ("deploy/flow.yaml", "env: [{name: API_TOKEN, value: '${API_TOKEN}'}]"),
    ("deploy/flow.yaml", "env: [{name: LOG_LEVEL, value: debug-verbose}]"),
    ("src/search.py", 'url = f"https://api.example.org/v1/items?api_key={api_key}"'),
    ("src/search.py", 'url = "https://api.example.org/v1/items?api_key=" + api_key'),
    ("src/search.py", 'url = "https://api.example.org/v1/items?page_token=CAEQAA2024x9Zk&q=1"'),
    ("src/search.py", 'url = "https://maps.example.org/tiles?key=user_2024_profile_data"'),
    ("docs/api.md", "Call `GET /v1/items?access_token=YOUR_ACCESS_TOKEN` to list them."),
    ("src/api.py", 'headers = {"X-Api-Key": api_key}'),
    ("src/api.py", 'headers = {"X-Idempotency-Key": "3f2a9c1e-7b4d-4e8f-a1c2-9d8e7f6a5b4c"}'),
    ("src/api.py", 'headers = {"X-Request-Id": "a1b2c3d4e5f6a7b8c9d0"}'),
    ("deploy/probe.sh", 'curl -H "X-Auth-Token: ${API_TOKEN}" https://api.example.org'),
    ("deploy/probe.sh", 'curl -H "X-Api-Key: $API_KEY" https://api.example.org'),
    ("src/api.py", 'headers = {"Authorization": f"token {token}"}'),
    ("docs/api.md", "Send `Authorization: token YOUR_GITHUB_TOKEN` with each request."),
    ("src/tasks.py", 'broker = "redis://:${REDIS_PASSWORD}@cache:6379/0"'),
    ("src/tasks.py", 'broker = f"redis://:{password}@{host}:6379/0"'),
    ("src/git.py", '    "git://[path-to-repo[:]][ref@]path/to/file" (but the actual'),
    ("src/urls.py", "mhu = MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')"),
    ("deploy/push.sh", 'docker login -u deploy -p "$REGISTRY_PASSWORD" registry.example.org'),
    ("deploy/push.sh", 'echo "$TOKEN" | docker login -u deploy --password-stdin registry.example.org'),
    ("deploy/push.sh", "docker login -u deploy registry.example.org -p"),
    ("src/Mailer.cs", "client.Credentials = new NetworkCredential(user, password);"),
    ("src/Report.java", "Connection c = DriverManager.getConnection(url, user, password);"),
]


@pytest.mark.parametrize(("path", "text"), PLACEHOLDERS_AND_CODE)
def test_placeholders_and_code_beside_the_markers_stay_whole(path: str, text: str) -> None:
    _fresh()
    assert [hit.value for _, _, hit in scan_files([(path, text.split("\n"))])] == []
    assert redact(text, filename=path) == text


def _check(repo: GitRepo, base: str, head: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--repo", str(repo.root), "--base", base, "--head", head,
         "--offline", "--format", "json"],
        capture_output=True, text=True, cwd=repo.root, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_value_changed_below_its_name_is_reported_and_never_shown(tmp_path: Path) -> None:
    """The hunk holds the old value (removed) between the name (context) and the new one (added): the
    new value is a secret of the added line, reported there, and neither value is in the report."""
    rng = random.Random(5)
    old, new = ("".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20)) for _ in "ab")
    manifest = "containers:\n  - name: api\n    env:\n      - name: DB_PASSWORD\n        value: {}\n"
    repo = GitRepo(tmp_path / "repo")
    repo.write("deploy/api.yaml", manifest.format(old))
    base = repo.commit("Deploy the API")
    repo.write("deploy/api.yaml", manifest.format(new))
    head = repo.commit("Rotate the database password")
    report = _check(repo, base, head)
    findings = [f for f in report["findings"] if f["stage"] == "secrets"]  # type: ignore[index, union-attr]
    assert [(f["path"], f["start_line"]) for f in findings] == [("deploy/api.yaml", 5)]
    text = json.dumps(report)
    assert old not in text and new not in text


def test_learning_the_change_hides_a_yaml_value_wherever_it_comes_back(tmp_path: Path) -> None:
    _fresh()
    rng = random.Random(6)
    value = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(18))
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "app\n")
    base = repo.commit("Start")
    repo.write("deploy/values.yaml", f"database:\n  password: |\n    {value}\n")
    repo.write("src/app.py", f"FALLBACK = '{value}'\n")
    head = repo.commit("Configure the database")
    report = _check(repo, base, head)
    assert value not in json.dumps(report)
    learn_changeset(load_git_changeset(repo.root, base, head))
    assert value not in redact(f"FALLBACK = '{value}'")


@pytest.mark.parametrize(
    ("path", "text", "value"),
    [
        ("deploy/flow.yaml", 'env: [{name: DB_PASSWORD, value: "Xk9m Q2vL p7Rt"}]', "Xk9m Q2vL p7Rt"),
        ("deploy/flow.yaml", "env: [{name: DB_PASSWORD, value: Xk9m Q2vL p7Rt}]", "Xk9m Q2vL p7Rt"),
        ("src/fetch.py", 'r = requests.get(URL, auth=(user, "Xk9mQ2vLp7Rt",))', "Xk9mQ2vLp7Rt"),
    ],
)
def test_a_placed_value_with_spaces_or_a_trailing_comma_is_hidden_whole(
    path: str, text: str, value: str
) -> None:
    _fresh()
    assert [hit.value for _, _, hit in scan_files([(path, [text])])] == [value]
    assert redact(text, filename=path) == text.replace(value, REDACTED)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("src/db.py", 'DATABASE_URL = "postgres://app:{}@db:5432/app"'),
        (".env", "DATABASE_URL=postgres://app:{}@db:5432/app"),
        ("src/tasks.py", 'app = Celery("tasks", broker="redis://:{}@cache:6379/0")'),
        (".env", "CELERY_BROKER_URL=redis://:{}@cache:6379/0"),
    ],
)
@pytest.mark.parametrize("inside", ["", "@", ":", "@x@"])
def test_a_url_password_runs_to_the_last_at_before_the_host(path: str, template: str, inside: str) -> None:
    """`urlsplit` reads a URL's userinfo to its last `@`: a password holding `@` went to the models from
    that `@` on, and one with no user before it (`redis://:…@cache`, as Celery writes a broker's URL)
    went whole."""
    _fresh()
    value = "Zq8v" + inside + "Lm3pRt7i"
    text = template.format(value)
    assert value in [hit.value for _, _, hit in scan_files([(path, [text])])]
    assert redact(text, filename=path) == text.replace(value, REDACTED)
    # As a prompt shows the line, without the file's name: the remembered value is hidden whole.
    assert "Lm3pRt7i" not in redact(f"+1 | {text}")


@pytest.mark.parametrize(
    "line",
    [
        "smtp.login(user, 'Xk9mQ2vLp7Rt'{}x",
        "r = get(u, auth=('admin', 'Xk9mQ2vLp7Rt'{}x",
        "db = MySQLdb.connect(host, 'root', 'Xk9mQ2vLp7Rt'{}x",
        "env: [{{name: DB_PASSWORD, value: Xk9mQ2vLp7Rt{}x",
    ],
)
def test_a_call_padded_with_blanks_is_read_in_time_linear_in_its_length(line: str) -> None:
    """Blanks after a password argument, on a line that fails at its end: each run of blanks is taken
    whole, so the line costs its length, not its square (a 1 MB line took minutes)."""
    times = {}
    for blanks in (8_000, 80_000):
        text = line.format(" \t" * blanks)
        _fresh()
        started = time.process_time()
        list(scan_files([("src/app.py", [text])]))
        redact(text, filename="src/app.py")
        times[blanks] = time.process_time() - started
    assert max(times[80_000], 0.05) / max(times[8_000], 0.05) < 30, times
