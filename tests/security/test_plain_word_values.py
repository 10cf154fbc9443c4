"""A value remembered as a secret that is a few plain words (`password` in a docs URL's
`user:password@host`, `something` in `# e.g. private_key "something"`, a weak password) is hidden where
it stands as a value, not wherever the word appears. Hidden everywhere, one placeholder in a README
blanked every `password` name in the code every model read, and the report's own words ("Secret
Keyword", "or a secret store"); and a pull request could hide any name of its code from the models by
assigning it to a password in a `.env`. A real password of plain words is still hidden where it stands as
a value: below its YAML key, in quotes, in a connection string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.redact import REDACTED
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.test_der_private_keys import _left, _reviewed


def test_a_placeholder_password_leaves_the_codes_names_and_the_reports_words_whole(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    repo.write("app/__init__.py", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write("docs/setup.md", "Connect with `postgres://app:password@localhost/shop`.\n")
    repo.write(".env", "SIGNING_SECRET=exfiltrate\n")
    repo.write(
        "app/auth.py",
        "def login(user, password):\n    return check_password(user, password)\n\n\n"
        "def export(rows):\n    return exfiltrate(rows)\n",
    )
    # A real password of plain words, below its key: hidden in every row that shows it.
    repo.write("config/db.yml", "db:\n  password:\n    dragonfly\n")
    repo.commit("Add login\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    prompts = "\n".join(sent)
    assert "def login(user, password):" in prompts
    assert "check_password(user, password)" in prompts
    assert "return exfiltrate(rows)" in prompts
    assert [where for where, text in places.items() if "dragonfly" in text] == []
    report = json.loads(places["report.json"])
    secrets = [f for f in report["findings"] if f["stage"] == "secrets"]
    # The docs URL's `password` is a placeholder: hidden where it stands, not reported.
    assert {f["path"] for f in secrets} == {".env", "config/db.yml"}
    for finding in secrets:
        assert REDACTED not in finding["title"] + finding["body"], finding
        assert finding["body"].endswith("or a secret store.")
