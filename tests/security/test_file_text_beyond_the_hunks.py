"""File text the gate shows beyond the diff's lines is read for secrets with its file's name.

Learning the change reads the hunks' lines, each file with its name. A prompt also carries text from
outside them: the head-file rows around a hunk, git's section text after `@@` (the line a hunk's
function context names), and whole spec documents. A `.env` value such as `DB_PASSWORD=...` is a secret
only in a file of that name; redacting a whole prompt without one would pass it. Each test plants a
fresh value (the redactor remembers what it saw for the rest of the process) and searches every model
request, the trace and the report for it.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo

MODELS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")


def _value(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


def _env(password: str) -> str:
    """A `.env` whose third line holds the password: a change to its seventh line shows git's three
    lines of context (4-6), the review's extra row above them (3), and the section `DB_PASSWORD=...`."""
    return (
        f"APP_ENV=prod\nDB_HOST=db.internal\nDB_PASSWORD={password}\nCACHE_TTL=60\nLOG_LEVEL=info\n"
        "WORKERS=4\nTIMEOUT=30\n"
    )


def _env_pr(repo: GitRepo, password: str) -> None:
    repo.write(".env", _env(password))
    repo.commit("base")
    repo.branch("pr")
    repo.write(".env", _env(password).replace("TIMEOUT=30", "TIMEOUT=45"))
    repo.commit("Raise the timeout")


def _config(server: FakeModelServer, tmp_path: Path, **extra: object) -> Path:
    data = {**server.review_config(MODELS), **extra}
    path = tmp_path / "ai-gate.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-loopback")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "5")


def _check(tmp_path: Path, source: list[str], config: Path) -> tuple[str, str]:
    """The trace and the JSON report of one `ai-gate check`."""
    trace, report = tmp_path / "trace.jsonl", tmp_path / "report.json"
    code = main(
        ["check", *source, "--config", str(config), "--format", "json", "--output", str(report),
         "--trace", str(trace)]
    )  # fmt: skip
    assert code in (0, 1)
    return trace.read_text(), report.read_text()


def _requests(server: FakeModelServer, schema: str = "review") -> str:
    sent = [json.dumps(call.body, ensure_ascii=False) for call in server.calls if call.schema == schema]
    assert sent, f"no {schema} call was made: nothing was proven"
    return "\n".join(sent)


def test_a_head_row_around_a_hunk_is_redacted_as_a_line_of_its_file(
    model_server: FakeModelServer, repo: GitRepo, tmp_path: Path
) -> None:
    password = _value(11)
    _env_pr(repo, password)
    # A finding on the changed line: the cross-check shows the rows around it, the extra row too.
    finding = {"path": ".env", "start_line": 7, "end_line": 7, "severity": "high", "category": "bug",
               "title": "Timeout raised", "body": "the timeout changed", "suggestion": None}  # fmt: skip
    model_server.script("fake-a", "review", Reply.json({"findings": [finding]}))

    trace, report = _check(
        tmp_path,
        ["--repo", str(repo.root), "--base", "main", "--head", "pr"],
        _config(model_server, tmp_path),
    )

    review = _requests(model_server)
    assert "3 | DB_PASSWORD=[REDACTED]" in review  # the row was shown, its value hidden
    assert "DB_PASSWORD=[REDACTED]" in _requests(model_server, "cross_check")
    for where, text in {"requests": review, "trace": trace, "report": report}.items():
        assert password not in text, where
    assert password not in json.dumps([call.body for call in model_server.calls])


def test_a_hunk_s_section_text_is_redacted_in_the_prompt_and_the_trace(
    model_server: FakeModelServer, repo: GitRepo, tmp_path: Path
) -> None:
    password = _value(12)
    _env_pr(repo, password)
    diff = tmp_path / "change.diff"
    diff.write_text(repo.git("diff", "main", "pr"))
    assert f"@@ DB_PASSWORD={password}" in diff.read_text()  # git names the line above the hunk

    trace, report = _check(tmp_path, ["--diff", str(diff)], _config(model_server, tmp_path))

    review = _requests(model_server)
    assert "### .env in DB_PASSWORD=[REDACTED]" in review
    for where, text in {"requests": review, "trace": trace, "report": report}.items():
        assert password not in text, where


def test_a_hunk_s_section_text_is_redacted_in_the_trace_of_a_run_without_models(
    repo: GitRepo, tmp_path: Path
) -> None:
    password = _value(14)
    _env_pr(repo, password)
    config = tmp_path / "ai-gate.yml"
    config.write_text("version: 1\n")

    trace, report = _check(
        tmp_path, ["--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline"], config
    )

    assert '"section": "DB_PASSWORD=[REDACTED]"' in trace  # the run record keeps the hunk's section
    assert password not in trace + report


def test_a_spec_document_s_unchanged_lines_are_redacted(
    model_server: FakeModelServer, repo: GitRepo, tmp_path: Path
) -> None:
    password = _value(13)
    spec = (
        "# Billing spec\n\nThe billing service must retry twice.\n\nStaging access for QA:\n\n"
        f"    DB_PASSWORD={password}\n\n## Rules\n\n- Invoices are immutable.\n"
    )
    repo.write("docs/billing.md", spec)
    repo.write("app/billing.py", "def bill():\n    return 1\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("docs/billing.md", spec + "- Refunds need approval.\n")
    repo.write("app/billing.py", "def bill():\n    return 2\n")
    repo.commit("Bill two")
    config = _config(model_server, tmp_path, specs=[{"path": "docs/billing.md", "governs": ["app/**"]}])

    trace, report = _check(tmp_path, ["--repo", str(repo.root), "--base", "main", "--head", "pr"], config)

    review = _requests(model_server)
    assert "The billing service must retry twice." in review  # the spec went to the reviewers
    for where, text in {"requests": review, "trace": trace, "report": report}.items():
        assert password not in text, where
