"""Credentials planted in a PR never leave the gate: not to a model, a trace, a report or a log line.

An AWS key, a GitHub token, a private key block and a password assignment are planted in the diff,
in a commit message and in the PR title and body; the review runs against three scripted models on a
loopback server that records every request, and everything the gate writes is searched for them.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from gate.app import run_gate
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import PullRequestInfo
from gate.report import json_v1, markdown, text
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

MODELS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")


class Planted:
    """Distinct credentials for one place, so a leak says where it came from."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        upper, alnum = string.ascii_uppercase + string.digits, string.ascii_letters + string.digits
        b64 = alnum + "+/"
        self.aws = "AKIA" + "".join(rng.choice(upper) for _ in range(16))
        self.github = "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
        self.password = "".join(rng.choice(alnum) for _ in range(14)) + "-Q9!"
        self.key_lines = ["".join(rng.choice(b64) for _ in range(64)) for _ in range(3)]

    @property
    def private_key(self) -> str:
        return "\n".join(
            ["-----BEGIN RSA PRIVATE KEY-----", *self.key_lines, "-----END RSA PRIVATE KEY-----"]
        )

    @property
    def values(self) -> list[str]:
        return [self.aws, self.github, self.password, *self.key_lines]

    def code(self) -> str:
        return (
            f'AWS_ACCESS_KEY_ID = "{self.aws}"\n'
            f'GITHUB_TOKEN = "{self.github}"\n'
            f'db_password = "{self.password}"\n'
            f'DEPLOY_KEY = """\n{self.private_key}\n"""\n'
        )

    def prose(self) -> str:
        return (
            f"Temporary creds for staging: aws {self.aws}, token {self.github},\n"
            f'password = "{self.password}"\n\n{self.private_key}\n'
        )


IN_DIFF, IN_COMMIT, IN_PR = Planted(1), Planted(2), Planted(3)
# The gate's own model key: it goes to the provider in a header, and nowhere else.
MODEL_KEY = "sk-proj-" + "".join(random.Random(4).choice(string.ascii_letters) for _ in range(40))
ALL_VALUES = {**dict.fromkeys(IN_DIFF.values, "diff"), **dict.fromkeys(IN_COMMIT.values, "commit")}
ALL_VALUES.update(dict.fromkeys(IN_PR.values, "PR"))
ALL_VALUES[MODEL_KEY] = "model key"


def leaks(where: str, content: str) -> list[str]:
    return [
        f"{origin} secret {value[:8]}… in {where}" for value, origin in ALL_VALUES.items() if value in content
    ]


def make_pr(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("app/settings.py", 'DEBUG = False\nNAME = "shop"\n')
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/settings.py", 'DEBUG = False\nNAME = "shop"\n' + IN_DIFF.code() + "TIMEOUT = 30\n" * 3)
    repo.commit("Wire staging settings\n\n" + IN_COMMIT.prose())
    return repo


def script_models(server: FakeModelServer) -> None:
    """Each model reports a finding on the planted lines, so the review has something to post."""
    for i, name in enumerate(("fake-a", "fake-b", "fake-c")):
        finding = {
            "path": "app/settings.py",
            "start_line": 3,
            "end_line": 4,
            "severity": "high",
            "category": "security",
            "title": "Hard-coded credentials",
            "body": f"model {i}: credentials committed in settings",
            "suggestion": None,
        }
        server.script(name, "review", Reply.json({"findings": [finding]}))


def config_data(server: FakeModelServer) -> dict[str, object]:
    return server.review_config(MODELS)


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", MODEL_KEY)
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "5")


def assert_no_model_request_leaks(server: FakeModelServer) -> None:
    assert server.calls, "the review made no model call: nothing was proven"
    found = [leak for call in server.calls for leak in leaks("a model request", json.dumps(call.body))]
    assert not found, found


def test_the_pipeline_sends_reports_and_traces_no_secret(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script_models(model_server)
    repo = make_pr(tmp_path / "repo")
    config = Config.model_validate(config_data(model_server))
    changeset = load_git_changeset(repo.root, "main", "feature", config.paths.ignore)
    pr = PullRequestInfo(
        number=7, title=f"Staging creds {IN_PR.aws}", body=IN_PR.prose(), head_branch="feature"
    )
    changeset = replace(changeset, pr=pr)
    # The planted secrets really are in what the gate read.
    assert IN_COMMIT.github in changeset.commits[-1].message
    added = "\n".join(line.text for f in changeset.diff.files for line in f.added_lines())
    assert IN_DIFF.key_lines[1] in added
    trace = tmp_path / "trace.jsonl"
    outcome = run_gate(changeset, config, trace_path=trace)

    assert_no_model_request_leaks(model_server)
    # The PR text went to the models (redacted), so the PR test is not vacuous.
    assert any("Staging creds" in json.dumps(c.body) for c in model_server.calls)
    found = leaks("the trace", trace.read_text())
    rendered = {"json": json_v1.render(outcome), "markdown": markdown.render(outcome)}
    import io

    buf = io.StringIO()
    text.render(outcome, buf, color=False)
    rendered["text"] = buf.getvalue()
    for name, content in rendered.items():
        found += leaks(f"the {name} report", content)
    captured = capsys.readouterr()
    found += leaks("stdout", captured.out) + leaks("stderr", captured.err)
    assert not found, found
    # The secrets analyzer did see them: the findings exist, masked.
    secret_findings = [f for f in outcome.findings if f.stage == "secrets"]
    assert len(secret_findings) >= 3
    assert any(f.stage == "review" for f in outcome.findings)


def test_the_cli_logs_and_writes_no_secret(model_server: FakeModelServer, tmp_path: Path) -> None:
    script_models(model_server)
    repo = make_pr(tmp_path / "repo")
    series = tmp_path / "series.mbox"
    series.write_text(repo.git("format-patch", "--stdout", "main..feature"))
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(config_data(model_server)))
    out = tmp_path / "out"
    env = {"FAKE_MODEL_KEY": MODEL_KEY, "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    common = ("check", "--diff", str(series), "--config", str(cfg))
    runs = [
        run_cli(*common, "--format", "json", "--output", str(out / "report.json"),
                "--trace", str(out / "trace.jsonl"), env=env),
        # To stdout, with --debug, where a careless log line would show.
        run_cli(*common, "--format", "markdown", "--debug", env=env),
    ]  # fmt: skip
    for run in runs:
        assert run.returncode in (0, 1), run.stderr[-2000:]
    assert_no_model_request_leaks(model_server)
    found = []
    for i, run in enumerate(runs):
        found += leaks(f"stdout of run {i}", run.stdout) + leaks(f"stderr of run {i}", run.stderr)
    for path in sorted(out.iterdir()):
        found += leaks(path.name, path.read_text())
    assert not found, found
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "fail"  # the secrets analyzer blocks: it saw them


def test_a_private_key_body_is_redacted_line_by_line_and_nothing_after_it() -> None:
    from gate.redact import REDACTED, redact, redact_lines

    key = IN_DIFF.private_key.split("\n")
    rows = [
        f"+{n:>6} | {line}" for n, line in enumerate(["KEY = '''", *key, "'''", "total_amount_due = 1"], 1)
    ]
    out = redact("\n".join(rows))
    assert not [v for v in IN_DIFF.key_lines if v in out]
    assert "total_amount_due = 1" in out and "'''" in out
    # The trace redacts a hunk's lines as a sequence: the same result.
    assert not [v for v in IN_DIFF.key_lines if v in "\n".join(redact_lines([*key, "x"]))]
    # A short last body line is key material too.
    assert (
        redact_lines(["-----BEGIN EC PRIVATE KEY-----", "AbC9==", "-----END EC PRIVATE KEY-----"])[1]
        == REDACTED
    )
    # A stray BEGIN line does not blind reviewers to the code after it.
    code = ["-----BEGIN OPENSSH PRIVATE KEY-----", "", "def refund(order, amount):", "    return amount"]
    assert redact_lines(code)[2:] == code[2:]


def test_a_secret_in_an_ignored_file_is_hidden_where_app_code_repeats_it(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """`paths.ignore` leaves a vendored config out of the review, not out of what the run learns: its
    password, flagged there by the secrets stage, is hidden in the app code the models read. (Through a
    child process, as users run it: there the secrets stage may run in a forked process, whose findings
    come back after the review has started.)"""
    password = "".join(random.Random(5).choice(string.ascii_letters + string.digits) for _ in range(18))
    repo.write("README.md", "shop\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("vendor/acme/settings.env", f"DB_PASSWORD={password}\n")
    repo.write("app/db.py", f'def connect(driver):\n    return driver.connect(host="db", pw_="{password}")\n')
    repo.commit("Connect to the database")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump({**config_data(model_server), "paths": {"ignore": ["vendor/**"]}}))
    trace = tmp_path / "trace.jsonl"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    env = {"FAKE_MODEL_KEY": MODEL_KEY, "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    run = run_cli(
        *args, "--format", "json", "--output", str(tmp_path / "report.json"), "--trace", str(trace), env=env
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]

    sent = [json.dumps(call.body) for call in model_server.calls]
    assert any("driver.connect" in body for body in sent), "app/db.py was not reviewed: nothing was proven"
    assert not [body for body in sent if password in body]
    assert password not in trace.read_text() and password not in (tmp_path / "report.json").read_text()
