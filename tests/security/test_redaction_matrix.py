"""Every key format in every place a PR can carry it, and every door out of the gate: no value leaks.

Formats: the documented prefixes (`shpat_`, `dapi`, `npm_`, `PMAK-`, `gsk_`, `hvs.`, `dop_v1_`, `xai-`,
GitHub, Slack, Stripe, AWS, Google, OpenAI, Anthropic, GitLab, Hugging Face, SendGrid, Twilio, PyPI,
Doppler, Linear, Docker, Google OAuth, Alibaba), a base64-wrapped token, values that only config syntax
marks as secrets (`.env`, YAML, JSON, TOML, INI, properties), and credentials that only their place marks
(a connection string, an XML element, `curl -u`, a bearer header, `mysql -p`, `.npmrc`, a Kubernetes
container's env, a YAML block scalar, `.netrc`, a URL's query and userinfo, an API key header, code's
token assignments, `export`, a Makefile, WordPress's `define`, a Terraform default, a bean's setter, a
JDBC or .NET call, Go's MySQL DSN, `docker login -p`, a name and a value in JSON and HCL, a notebook's
`%env` and `os.environ`), and a private key as one base64 run of its DER encoding. Places: a line of a
source file, a 100 KB line with the value past column 10,000, a `.env` assignment, a commit message, the
PR title and body, a file name.

The PR goes through `ai-gate github` against the loopback GitHub (which records every write) and three
scripted models on the loopback model server (which records every request; one model quotes a config
value back in its finding, as a model may), then through `ai-gate check --format text|markdown`. Each
value is searched for in every model request, trace line, report, SARIF, posted check run, status,
review and comment, job summary, output and stdout/stderr.
"""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tests.fakes import prefork
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import github, pull_from_git, runner_env
from tests.gitrepo import GitRepo

MODELS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")
_RNG = random.Random(14)
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
__all__ = ["github"]  # the loopback GitHub fixture


def _r(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _der_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return base64.b64encode(der).decode()


# A fresh value of each documented format (invented; assembled at run time so this file holds none).
FORMATS: dict[str, Callable[[], str]] = {
    "shopify": lambda: "shpat_" + _r(32, HEX),
    "databricks": lambda: "dapi" + _r(32, HEX),
    "npm": lambda: "npm_" + _r(36),
    "postman": lambda: "PMAK-" + _r(24, HEX) + "-" + _r(34, HEX),
    "groq": lambda: "gsk_" + _r(52),
    "vault": lambda: "hvs." + _r(90),
    "digitalocean": lambda: "dop_v1_" + _r(64, HEX),
    "xai": lambda: "xai-" + _r(80),
    "github": lambda: "ghp_" + _r(36),
    "github-fine-grained": lambda: "github_pat_" + _r(22) + "_" + _r(59),
    "slack": lambda: "xoxb-" + _r(12, string.digits) + "-" + _r(24),
    "stripe": lambda: "sk_live_" + _r(24),
    "aws": lambda: "AKIA" + _r(16, string.ascii_uppercase + "234567"),
    "google": lambda: "AIza" + _r(35),
    "openai": lambda: "sk-proj-" + _r(48),
    "anthropic": lambda: "sk-ant-api03-" + _r(93),
    "gitlab": lambda: "glpat-" + _r(20),
    "huggingface": lambda: "hf_" + _r(34, string.ascii_letters),
    "sendgrid": lambda: "SG." + _r(22) + "." + _r(43),
    "twilio": lambda: "SK" + _r(32, HEX),
    "pypi": lambda: "pypi-AgEIcHlwaS5vcmc" + _r(64),
    "doppler": lambda: "dp.pt." + _r(43),
    "linear": lambda: "lin_api_" + _r(40),
    "base64-wrapped": lambda: base64.b64encode(f"token: ghp_{_r(36)}".encode()).decode(),
    "docker": lambda: "dckr_pat_" + _r(27),
    "google-oauth": lambda: "ya29.a0" + _r(60),
    "alibaba": lambda: "LTAI" + _r(20),
    "openrouter": lambda: "sk-or-v1-" + _r(64, HEX),
    "tavily": lambda: "tvly-" + _r(32),
    "langsmith": lambda: "lsv2_sk_" + _r(32, HEX) + "_" + _r(10, HEX),
    "pinecone": lambda: "pcsk_" + _r(5) + "_" + _r(64),
    "firecrawl": lambda: "fc-" + _r(32, HEX),
    "terraform": lambda: _r(14) + ".atlasv1." + _r(67),
    "sentry-user": lambda: "sntryu_" + _r(64, HEX),
    "bedrock": lambda: "ABSK" + _r(132),
    "openshift": lambda: "sha256~" + _r(43),
    "airtable": lambda: "pat" + _r(14) + "." + _r(64, HEX),
    "cloudflare-origin": lambda: "v1.0-" + _r(24, HEX) + "-" + _r(146, HEX),
    "azure-ad": lambda: _r(3) + "8Q~" + _r(34),
    # A private key as one base64 run of its DER encoding, no PEM lines around it; made when the test runs.
    "der-private-key": _der_private_key,
}
PLACES = ("file line", "long line", "config syntax", "commit message", "PR body")
# Values that only the file's syntax marks as secrets: (file, line template), one per syntax.
CONFIG_SYNTAX = {
    ".env": (".env.production", "AWS_SECRET_ACCESS_KEY={}"),
    "YAML": ("deploy/values.yml", "password: {}"),
    "JSON": ("config/settings.json", '  "api_key": "{}",'),
    "TOML": ("config/app.toml", 'secret = "{}"'),
    "INI": ("config/db.ini", "password = {}"),
    "properties": ("src/main/resources/app.properties", "db.password={}"),
    "shell": ("deploy/run.sh", "export DB_PASSWORD={}"),
    "Dockerfile": ("Dockerfile", "ENV DB_PASSWORD={}"),
    ".pypirc": (".pypirc", "password = {}"),
    "JSON inline": ("config/notify.json", '{{"slack": {{"token": "{}", "channel": "#ops"}}}}'),
    "TOML inline": ("config/services.toml", 'sentry = {{ dsn = "https://sentry.io/1", auth_token = "{}" }}'),
    "YAML flow": ("deploy/notify.yaml", 'notifier: {{url: "https://hooks.example.com", token: {}}}'),
}

# Credentials that only their place marks (`PLACED_FORMATS` in gate/redact/formats.py, and YAML and netrc
# values given below their name): (file, text template), one per place.
PLACED_SYNTAX = {
    "connection string": ("config/appsettings.json", '  "Db": "Server=db;User Id=app;Password={};"'),
    "XML element": ("maven/settings.xml", "<server><id>repo</id><password>{}</password></server>"),
    "curl": ("deploy/fetch.sh", "curl -fsS -u deploy:{} https://artifacts.example.org/v1/list"),
    "bearer": ("src/client.py", 'HEADERS = {{"Authorization": "Bearer {}"}}'),
    "mysql": ("deploy/dump.sh", "mysqldump -u root -p{} shop > shop.sql"),
    "npmrc": (".npmrc", "//registry.npmjs.org/:_authToken={}"),
    "kubernetes env": ("deploy/api.yaml", "env:\n  - name: DB_PASSWORD\n    value: {}"),
    "YAML block": ("deploy/values.yaml", "db_password: |\n  {}"),
    "netrc": (".netrc", "machine api.example.org\n  login deploy\n  password {}"),
    "auth pair": ("src/fetch.py", 'r = requests.get(URL, auth=("deploy", "{}"), timeout=5)'),
    "login call": ("src/mail.py", 'smtp.login(user, "{}")'),
    "flow-style env": ("deploy/flow.yaml", "env: [{{name: DB_PASSWORD, value: '{}'}}]"),
    "URL query": ("src/search.py", 'URL = "https://api.example.org/v1/items?api_key={}&q=shoes"'),
    "API key header": ("src/api.py", 'HEADERS = {{"X-Api-Key": "{}"}}'),
    "token authorization": ("deploy/gh.sh", 'curl -H "Authorization: token {}" https://api.github.com/user'),
    "auth token header": ("deploy/probe.sh", 'curl -H "X-Auth-Token: {}" https://api.example.org/health'),
    "URL without a user": ("src/tasks.py", 'app = Celery("tasks", broker="redis://:{}@cache:6379/0")'),
    "Python token": ("src/twilio.py", 'TWILIO_AUTH_TOKEN = "{}"'),
    "JavaScript token": ("web/api.js", 'const token = "{}";'),
    "Go token": ("cmd/api/main.go", 'token := "{}"'),
    "Java token": ("src/main/java/app/Api.java", 'String token = "{}";'),
    "README export": ("docs/setup.md", "export API_TOKEN={}"),
    "Makefile": ("Makefile", "API_TOKEN := {}"),
    "WordPress constant": ("wp-config.php", "define( 'DB_PASSWORD', '{}' );"),
    "Terraform default": (
        "infra/variables.tf",
        'variable "db_password" {{\n  sensitive = true\n  default = "{}"\n}}',
    ),
    "bean setter": ("src/main/java/app/Db.java", 'ds.setPassword("{}");'),
    "mail property": ("src/main/java/app/Mail.java", 'props.put("mail.smtp.password", "{}");'),
    "JDBC connection": ("src/main/java/app/Report.java", 'DriverManager.getConnection(url, "sa", "{}");'),
    ".NET credential": ("src/Mailer.cs", 'new NetworkCredential("ops", "{}")'),
    "Go MySQL DSN": ("cmd/api/db.go", 'sql.Open("mysql", "app:{}@tcp(db:3306)/shop")'),
    "docker login": ("deploy/push.sh", "docker login -u deploy -p {} registry.example.org"),
    "ECS environment": (
        "deploy/taskdef.json",
        '{{\n  "environment": [\n    {{\n      "name": "DB_PASSWORD",\n      "value": "{}"\n    }}\n  ]\n}}',
    ),
    "Postman variable": (
        "postman/coll.json",
        '{{"variable": [{{"key": "apiKey", "value": "{}", "type": "string"}}]}}',
    ),
    "Terraform environment": (
        "infra/task.tf",
        'environment = [\n  {{ name = "DB_PASSWORD", value = "{}" }},\n]',
    ),
    "notebook %env": (
        "nb/setup.ipynb",
        '{{"cells": [{{"source": [\n    "%env OPENAI_API_KEY={}\\n",\n    "import os"\n]}}]}}',
    ),
    "notebook environ": (
        "nb/keys.ipynb",
        '{{"cells": [{{"source": [\n    "os.environ[\\"DB_PASSWORD\\"] = \\"{}\\"\\n",\n'
        '    "import os"\n]}}]}}',
    ),
}


class Plant:
    """One distinct value per (format, place), so a leak says what leaked from where."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[str, str]] = {}  # value -> (format, place)
        self.by: dict[tuple[str, str], str] = {}
        for place in PLACES:
            for name, make in FORMATS.items():
                self._add(make(), name, place)
        for syntax in CONFIG_SYNTAX:
            self._add(_r(14) + "-" + _r(10), f"config {syntax}", "config syntax")
        for place in PLACED_SYNTAX:
            self._add(_r(14) + "-" + _r(10), f"placed {place}", "placed syntax")
        self._add(FORMATS["github"](), "github", "PR title")
        self._add(FORMATS["stripe"](), "stripe", "file name")

    def _add(self, value: str, name: str, place: str) -> None:
        self.values[value] = (name, place)
        self.by[(name, place)] = value

    def of(self, place: str) -> dict[str, str]:
        return {name: v for (name, p), v in self.by.items() if p == place}


def _const(name: str) -> str:
    return name.upper().replace("-", "_").replace(" ", "_")


def make_pr(root: Path, plant: Plant, gate_config: dict[str, object]) -> tuple[GitRepo, str, str]:
    repo = GitRepo(root)
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", yaml.safe_dump(gate_config))
    base = repo.commit("Initial")
    repo.branch("feature")
    code = [f'{name.upper().replace("-", "_")}_KEY = "{v}"' for name, v in plant.of("file line").items()]
    repo.write(
        "src/keys.py", "\n".join(["import os", "", *code, "", "def ready():", "    return True"]) + "\n"
    )
    # One line of ~100 KB with every value past column 10,000.
    filler = "z" * 10_500
    long_line = filler + "".join(f" {v} " + "q" * 3000 for v in plant.of("long line").values())
    repo.write("data/blob.txt", "header\n" + long_line + "\n")
    env_lines = [
        f"{name.upper().replace('-', '_')}_TOKEN={v}" for name, v in plant.of("config syntax").items()
    ]
    repo.write(".env.staging", "\n".join(env_lines) + "\n")
    for syntax, (path, template) in CONFIG_SYNTAX.items():
        repo.write(path, template.format(plant.by[(f"config {syntax}", "config syntax")]) + "\n")
    for place, (path, template) in PLACED_SYNTAX.items():
        repo.write(path, template.format(plant.by[(f"placed {place}", "placed syntax")]) + "\n")
    repo.write(f"notes/{plant.by[('stripe', 'file name')]}.txt", "see the runbook\n")
    message = "\n".join(f"{name}: {v}" for name, v in plant.of("commit message").items())
    head = repo.commit(
        f"Wire up the services\n\n{message}\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        author=("Claude", "noreply@anthropic.com"),
    )
    return repo, base, head


def script_models(server: FakeModelServer, echoed: str) -> None:
    """Each model reports a finding; the first quotes a config value back, as a model may."""
    for i, name in enumerate(("fake-a", "fake-b", "fake-c")):
        finding = {
            "path": "deploy/values.yml",
            "start_line": 1,
            "end_line": 1,
            "severity": "high",
            "category": "security",
            "title": "Credential committed",
            "body": f"model {i}: the password {echoed if i == 0 else '(shown in the file)'} is committed",
            "suggestion": None,
        }
        server.script(name, "review", Reply.json({"findings": [finding]}))


def leak_matrix(plant: Plant, outputs: dict[str, str]) -> Counter[tuple[str, str]]:
    """(place the value was planted, door it came out of) -> number of values that leaked."""
    leaks: Counter[tuple[str, str]] = Counter()
    for door, content in outputs.items():
        for value, (_, place) in plant.values.items():
            if value in content:
                leaks[(place, door)] += 1
    return leaks


def describe(plant: Plant, outputs: dict[str, str]) -> str:
    rows = [f"{place} -> {door}: {n}" for (place, door), n in sorted(leak_matrix(plant, outputs).items())]
    formats = sorted(
        {
            f"{plant.values[v][0]}@{plant.values[v][1]}"
            for v in plant.values
            for c in outputs.values()
            if v in c
        }
    )
    return "\n".join(["leaks (place -> door: values)", *rows, "leaked formats: " + ", ".join(formats)])


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return prefork.run(
        args, {**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}, cwd, timeout=600
    )


@pytest.mark.timeout(900)
def test_no_planted_value_leaves_the_gate_by_any_door(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    plant = Plant()
    yaml_value = plant.by[("config YAML", "config syntax")]
    script_models(model_server, yaml_value)
    gate_config: dict[str, object] = {
        "version": 1,
        **model_server.review_config(MODELS),
        "regen": {"samples": 2, "max_hunks": 3},
    }
    gate_config["models"] = {**model_server.review_config(MODELS)["models"], "regen": ["openai/fake-a"]}  # type: ignore[index]
    repo, base, head = make_pr(tmp_path / "origin", plant, gate_config)
    pr_body = "\n".join(f"- {name}: {v}" for name, v in plant.of("PR body").items())
    pull_from_git(
        github, repo, base, head, number=7,
        title=f"Wire up services {plant.by[('github', 'PR title')]}", body=pr_body,
    )  # fmt: skip
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "checkout", "-q", head], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env.update({"FAKE_MODEL_KEY": "sk-test-fake", "AI_GATE_MODEL_BACKOFF": "0.05"})

    action = _run(["github"], env, workspace)
    assert action.returncode in (0, 1), action.stderr[-3000:]
    # The run was not vacuous: the models were asked, the PR text and the long line reached them.
    assert model_server.count(schema="review") >= 3
    sent = "\n".join(json.dumps(c.body) for c in model_server.calls)
    assert "Wire up services" in sent and "zzzzzzzzzz" in sent

    mbox = tmp_path / "series.mbox"
    mbox.write_text(repo.git("format-patch", "--stdout", f"{base}..{head}"))
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(gate_config))
    local = {
        fmt: _run(["check", "--diff", str(mbox), "--config", str(cfg), "--format", fmt], env, tmp_path)
        for fmt in ("text", "markdown")
    }
    out_dir = workspace / ".ai-gate"
    outputs: dict[str, str] = {
        "model request": sent,
        "GitHub write": "\n".join(
            json.dumps(r.body) for r in github.requests if r.method in ("POST", "PATCH", "PUT")
        ),
        "action stdout/stderr": action.stdout + action.stderr,
        "job summary": (tmp_path / "summary.md").read_text(),
        "outputs": (tmp_path / "output").read_text(),
        **{f"{p.name}": p.read_text() for p in sorted(out_dir.iterdir()) if p.is_file()},
        **{f"check --format {fmt}": r.stdout + r.stderr for fmt, r in local.items()},
    }
    assert "trace.jsonl" in outputs and "report.json" in outputs
    assert not leak_matrix(plant, outputs), describe(plant, outputs)
    # The secrets analyzer saw the planted values (the same detector found what it redacted).
    report = json.loads(outputs["report.json"])
    secret_lines = {(f["path"], f["start_line"]) for f in report["findings"] if f["stage"] == "secrets"}
    assert len(secret_lines) >= len(FORMATS) + len(CONFIG_SYNTAX)
