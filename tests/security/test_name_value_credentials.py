"""Credentials given as a name and a value: an ECS task definition's `{"name": "DB_PASSWORD", "value":
…}` (the value on the line below), a Postman collection's `{"key": "apiKey", "value": …}`, Terraform's
`{ name = "DB_PASSWORD", value = … }`, and a notebook's `%env OPENAI_API_KEY=…` or `os.environ[…] = …`
inside the JSON strings of its cells. Each went to the models whole, with no `secrets` finding. Each is
found, reported and hidden now; a form's field called `password` with an empty value, a placeholder or
a label beside it is not a credential.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from gate.redact import REDACTED, memory, redact, scan_files
from gate.redact.detect import forget_scans
from tests.gitrepo import GitRepo

_ALNUM = string.ascii_letters + string.digits

ECS_TASK = """{{
  "family": "payments",
  "containerDefinitions": [
    {{
      "name": "api",
      "environment": [
        {{
          "name": "DB_PASSWORD",
          "value": "{}"
        }},
        {{"name": "REGION", "value": "eu-west-1"}}
      ]
    }}
  ]
}}"""
POSTMAN_PRETTY = """{{
  "variable": [
    {{
      "key": "apiKey",
      "type": "string",
      "value": "{}"
    }}
  ]
}}"""
TERRAFORM_BLOCK = """resource "aws_ecs_task_definition" "api" {{
  container_definitions = jsonencode([{{
    environment = [
      {{
        name  = "STRIPE_SECRET"
        value = "{}"
      }},
    ]
  }}])
}}"""

# (path, text with `{}` where the value stands)
NAMED_VALUES = {
    "deploy/taskdef.json": ECS_TASK,
    "deploy/inline.json": '{{"environment": [{{"name": "DB_PASSWORD", "value": "{}"}}]}}',
    "postman/coll.json": '    {{"key": "password", "value": "{}", "type": "string"}}',
    "postman/pretty.json": POSTMAN_PRETTY,
    # The name on the line that opens its object, the value on the next.
    "deploy/opened.json": '  {{"name": "DB_PASSWORD",\n    "value": "{}"}}',
    "deploy/main.tf": '      {{ name = "DB_PASSWORD", value = "{}" }},',
    "deploy/block.tf": TERRAFORM_BLOCK,
    "config/app.toml": 'env = [{{ name = "API_TOKEN", value = "{}" }}]',
    "web/env.js": 'const env = [{{ name: "DB_PASSWORD", value: "{}" }}];',
    "nb/env.ipynb": '    "%env OPENAI_API_KEY={}\\n",',
    "nb/spaced.ipynb": '    "%env DB_PASSWORD {}\\n",',
    "nb/export.ipynb": '    "!export API_TOKEN={}\\n",',
    "nb/environ.ipynb": '    "os.environ[\\"DB_PASSWORD\\"] = \\"{}\\"\\n",',
}


def _fresh() -> None:
    """Forget what earlier tests remembered: each case must be found by its own place."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


def _value(rng: random.Random) -> str:
    return "7" + "".join(rng.choice(_ALNUM) for _ in range(12)) + "-q9Z"


@pytest.mark.parametrize("path", sorted(NAMED_VALUES))
def test_a_credential_given_as_a_name_and_a_value_is_found_and_hidden(path: str) -> None:
    _found_and_hidden(path, NAMED_VALUES[path])


ECS_VALUE_FIRST = """{{
  "containerDefinitions": [
    {{
      "environment": [
        {{
          "value": "{}",
          "name": "DB_PASSWORD"
        }}
      ]
    }}
  ]
}}"""
TERRAFORM_VALUE_FIRST = """environment = [
  {{
    value = "{}"
    name  = "STRIPE_SECRET"
  }},
]"""
# The same pairs with the value before the name: an object's keys have no order.
VALUE_FIRST = {
    "deploy/taskdef.json": ECS_VALUE_FIRST,
    "deploy/inline.json": '{{"environment": [{{"value": "{}", "name": "DB_PASSWORD"}}]}}',
    "postman/env.json": '    {{"value": "{}", "key": "apiKey", "enabled": true}}',
    "postman/opened.json": '  {{ "value": "{}",\n    "key": "apiKey"\n  }}',
    "deploy/block.tf": TERRAFORM_VALUE_FIRST,
}


@pytest.mark.parametrize("path", sorted(VALUE_FIRST))
def test_a_credential_given_value_first_is_found_and_hidden(path: str) -> None:
    _found_and_hidden(path, VALUE_FIRST[path])


def test_a_notebook_cell_whose_source_is_one_string_is_read_as_code() -> None:
    """nbformat's schema allows a cell's `source` as one JSON string as well as a list of lines."""
    _found_and_hidden(
        "nb/source.ipynb", '   "source": "import os\\nos.environ[\\"OPENAI_API_KEY\\"] = \\"{}\\"\\n"'
    )


def _found_and_hidden(path: str, template: str) -> None:
    _fresh()
    value = _value(random.Random(path))
    text = template.format(value)
    lines = text.split("\n")
    hits = [(lines[index], hit.value) for _, index, hit in scan_files([(path, lines)])]
    assert [found for _, found in hits] == [value], (path, hits)
    assert value in hits[0][0]  # reported on the value's own line
    hidden = redact(text, filename=path)
    assert value not in hidden and REDACTED in hidden
    assert hidden.replace(REDACTED, value) == text
    # Remembered: the same value is hidden where nothing marks it.
    assert value not in redact(f"print('{value}')", filename="src/other.py")


NOT_CREDENTIALS = [
    # A form's schema: a field called `password`, its value empty, a placeholder, a label or a template.
    ("ui/form.json", '{"fields": [{"name": "password", "value": "", "type": "password"}]}'),
    ("ui/form.json", '  {"name": "password", "value": "Enter your password"},'),
    ("ui/form.json", '  {"name": "password", "value": "********"},'),
    ("postman/coll.json", '    {"key": "apiKey", "value": "{{apiKey}}"},'),
    ("deploy/taskdef.json", '  {"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"},'),
    ("deploy/main.tf", '  { name = "DB_PASSWORD", value = var.db_password },'),
    # A place, not the credential; a name that is no credential's.
    ("deploy/taskdef.json", '  {"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db-password"},'),
    ("deploy/taskdef.json", '  {"name": "TOKEN_TTL_SECONDS", "value": "3600"},'),
    ("deploy/taskdef.json", '{\n  "name": "DB_PASSWORD",\n  "valueFrom": "arn:aws:ssm:::parameter/db"\n}'),
    # The value of the next object, not of this one.
    ("deploy/taskdef.json", '{\n  "name": "DB_PASSWORD"\n},\n{\n  "value": "Xq7mR2xL9kT4pW8z"\n}'),
    ("nb/a.ipynb", '    "%env DB_PASSWORD=$SECRET\\n",'),
    ("nb/a.ipynb", '    "os.environ[\\"DB_PASSWORD\\"] = getpass()\\n",'),
    # The same, the value first.
    ("ui/form.json", '{"fields": [{"value": "", "name": "password", "type": "password"}]}'),
    ("ui/form.json", '{\n  "value": "Enter your password",\n  "name": "password"\n}'),
    ("postman/coll.json", '    {"value": "{{apiKey}}", "key": "apiKey"},'),
    ("deploy/main.tf", '  {\n    value = var.db_password\n    name  = "DB_PASSWORD"\n  },'),
    ("deploy/taskdef.json", '{\n  "value": "Xq7mR2xL9kT4pW8z"\n},\n{\n  "name": "DB_PASSWORD"\n}'),
    (
        "deploy/taskdef.json",
        '{\n  "value": "Xq7mR2xL9kT4pW8z",\n  "name": "REGION",\n  "name": "DB_PASSWORD"\n}',
    ),
    ("nb/a.ipynb", '   "source": "import os\\nos.environ[\\"DB_PASSWORD\\"] = getpass()\\n"'),
]


@pytest.mark.parametrize(("path", "text"), NOT_CREDENTIALS)
def test_a_placeholder_or_a_label_beside_a_credential_name_stays_whole(path: str, text: str) -> None:
    _fresh()
    lines = text.split("\n")
    assert [hit.value for _, _, hit in scan_files([(path, lines)])] == []
    assert redact(text, filename=path) == text


def _check(repo: GitRepo, base: str, head: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--repo", str(repo.root), "--base", base, "--head", head,
         "--offline", "--format", "json"],
        capture_output=True, text=True, cwd=repo.root, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_form_schema_does_not_fail_a_change_and_a_chosen_password_is_a_development_default(
    tmp_path: Path,
) -> None:
    """A UI schema's `password` field passes; a person's word (`postgres`) given to `DB_PASSWORD` is
    reported below the level that fails a run, as the tool formats report such a value; a generated
    value fails it."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "app\n")
    base = repo.commit("Start")
    repo.write(
        "ui/login.json",
        '{\n  "fields": [\n    {\n      "name": "password",\n      "label": "Password",\n'
        '      "value": "",\n      "placeholder": "Enter your password"\n    }\n  ]\n}\n',
    )
    repo.write("deploy/dev.tf", 'env = [\n  { name = "DB_PASSWORD", value = "postgres" },\n]\n')
    head = repo.commit("Add the login form and a development database")
    report = _check(repo, base, head)
    findings = [f for f in report["findings"] if f["stage"] == "secrets"]  # type: ignore[index, union-attr]
    assert [(f["path"], f["severity"]) for f in findings] == [("deploy/dev.tf", "medium")]
    assert report["verdict"] == "pass", report["reasons"]  # type: ignore[index]
    assert "postgres" not in json.dumps(findings)


def test_a_value_changed_below_its_name_in_json_is_reported_and_never_shown(tmp_path: Path) -> None:
    """The hunk holds the old value (removed) between the name (context) and the new one (added)."""
    rng = random.Random(9)
    old, new = _value(rng), _value(rng)
    repo = GitRepo(tmp_path / "repo")
    repo.write("deploy/taskdef.json", ECS_TASK.format(old) + "\n")
    base = repo.commit("Deploy the API")
    repo.write("deploy/taskdef.json", ECS_TASK.format(new) + "\n")
    head = repo.commit("Rotate the database password")
    report = _check(repo, base, head)
    findings = [f for f in report["findings"] if f["stage"] == "secrets"]  # type: ignore[index, union-attr]
    assert [(f["path"], f["start_line"], f["severity"]) for f in findings] == [
        ("deploy/taskdef.json", 9, "high")
    ]
    assert report["verdict"] == "fail"  # type: ignore[index]
    text = json.dumps(report)
    assert old not in text and new not in text
