"""A secret where the gate cuts a text to its bound: no part of it is posted, printed or written.

A token cut short is a piece that no detector recognises and that the redaction of the whole output,
the last door, no longer finds: 35 of a GitHub token's 36 random characters went out that way. Every
text the gate cuts is redacted first, and the cut keeps a `[REDACTED]` whole. Each door is checked
through the real CLI (and `ai-gate github` against the loopback GitHub and models); the cutting
helpers themselves, each with a token across its bound, below.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gate.redact import REDACTED, cut_redacted
from gate.report.summary import cell
from gate.report.unchecked import shorten
from gate.sanitize import code_block, plain, sanitize
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer
from tests.github.conftest import github, pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate as run_action
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

__all__ = ["github"]  # the loopback GitHub fixture

# The shortest piece of a token searched for: shorter runs of random characters turn up by chance.
PIECE = 8


def _token(seed: int) -> str:
    """A GitHub token of the documented shape, made at run time (this file holds none)."""
    rng = random.Random(seed)
    return "ghp_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))


def pieces_shown(token: str, text: str) -> list[str]:
    """The starts of `token` (from `PIECE` characters up) that `text` holds: what a cut leaves."""
    return [token[:n] for n in range(PIECE, len(token) + 1) if token[:n] in text]


def assert_no_piece(token: str, outputs: dict[str, str]) -> None:
    shown = {
        door: pieces_shown(token, text)[-1:] for door, text in outputs.items() if pieces_shown(token, text)
    }
    assert not shown, shown
    for door, text in outputs.items():
        assert text.count("[REDAC") == text.count(REDACTED), f"{door}: a [REDACTED] cut in two"


def _series(repo: GitRepo, base: str) -> Path:
    mbox = repo.root.parent / "series.mbox"
    mbox.write_text(repo.git("format-patch", "--stdout", f"{base}..HEAD"))
    return mbox


def _offline(mbox: Path) -> dict[str, str]:
    """`ai-gate check --offline` in every format: what each prints."""
    outputs = {}
    for fmt in ("json", "markdown", "text", "sarif"):
        run = run_cli("check", "--diff", str(mbox), "--offline", "--format", fmt)
        assert run.returncode in (0, 1), run.stderr[-2000:]
        outputs[f"check --format {fmt}"] = run.stdout + run.stderr
    return outputs


def test_an_ai_commit_subject_cut_in_the_summary_posts_no_part_of_its_token(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    # The summary's commit cell keeps 79 characters: the token starts at the 41st.
    token = _token(1)
    subject = f"Switch the nightly mirror job to token: {token} (old one revoked)"
    models = ("openai/fake-a", "openai/fake-b")
    repo = GitRepo(tmp_path / "origin")
    repo.write("scripts/mirror.py", "import os\n")
    repo.write(".github/ai-gate.yml", yaml.safe_dump(model_server.review_config(models)))
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("scripts/mirror.py", 'import os\n\nTOKEN = os.environ["MIRROR_TOKEN"]\n')
    head = repo.commit(f"{subject}\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    pull_from_git(github, repo, base, head, number=7, title="Mirror job", body="")
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env["FAKE_MODEL_KEY"] = "sk-test"

    action = run_action(env, workspace)

    assert action.returncode in (0, 1), action.stderr[-2000:]
    writes = [r for r in github.requests if r.method in ("POST", "PATCH", "PUT")]
    (comment,) = github.issue_comments[7]
    assert "Switch the nightly mirror job to token:" in comment["body"]  # the subject was shown, cut
    outputs = {
        "GitHub write": "\n".join(json.dumps(r.body, ensure_ascii=False) for r in writes),
        "job summary": (tmp_path / "summary.md").read_text(),
        "action stdout/stderr": action.stdout + action.stderr,
        **{p.name: p.read_text() for p in sorted((workspace / ".ai-gate").iterdir()) if p.is_file()},
        **_offline(_series(repo, base)),
    }
    assert_no_piece(token, outputs)


def test_a_quote_of_a_commit_message_or_a_test_line_cut_at_its_bound_holds_no_part_of_a_token(
    tmp_path: Path,
) -> None:
    token = _token(2)
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "tests/test_api.py",
        f"def test_login(api):\n    assert api.ok()\n    assert api.login(token='{token}')\n",
    )
    repo.write("app.py", "x = 1\n")
    base = repo.commit("base")
    # The removed assertion is quoted in a finding's title, cut at 60 characters, the token from the 25th;
    # the aider marker's line is quoted as evidence, cut at 300, the token from the 265th.
    repo.write("tests/test_api.py", "def test_login(api):\n    assert api.ok()\n")
    repo.write("app.py", "x = 2\n")
    repo.commit("aider: " + "x" * 256 + f" {token} rotated")

    outputs = _offline(_series(repo, base))

    report = json.loads(outputs["check --format json"])
    (commit,) = report["provenance"]["commits"]
    assert commit["tool"] == "aider" and commit["evidence"][0].startswith("message: aider: xxx")
    assert any(f["title"].startswith("Assertion removed from tests/test_api.py") for f in report["findings"])
    assert_no_piece(token, outputs)


# Each helper that bounds text, with a text that puts a token across its bound.
HELPERS: dict[str, tuple[Callable[[str], str], int]] = {
    "summary cell": (lambda text: cell(text, 80), 80),
    "check-run title": (lambda text: shorten(text, 140), 140),
    "annotation (plain)": (lambda text: plain(text, max_chars=255), 255),
    "comment text (sanitize)": (lambda text: sanitize(text, max_chars=300), 300),
    "suggestion block": (lambda text: code_block(text, max_chars=300), 300),
    "cut_redacted": (lambda text: cut_redacted(text, 120), 120),
}


@pytest.mark.parametrize("name", HELPERS)
@pytest.mark.parametrize("room", [3, 14, 25, 38])
def test_no_bounding_helper_cuts_a_token_into_a_piece(name: str, room: int) -> None:
    """The token starts `room` characters before the bound; the cut keeps no piece of it, nor part of
    the [REDACTED] that stands for it."""
    bound_text, limit = HELPERS[name]
    token = _token(3)
    shown = bound_text("x" * (limit - room - 1) + " " + token + " and some more words after it")
    assert not pieces_shown(token, shown), shown[-80:]
    assert shown.count("[REDAC") == shown.count(REDACTED), shown[-80:]
