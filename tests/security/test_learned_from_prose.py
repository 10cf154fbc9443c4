"""Values read from text the change does not submit as code (commit messages, the PR's words, removed and
context lines) are hidden where they stand, and remembered for the rest of the run only when they are
shaped as credentials: remembered, a value is hidden from every prompt, so prose must not be able to name
code or sentences for the models to be shown `[REDACTED]` instead."""

from __future__ import annotations

import secrets
import string
from dataclasses import replace
from pathlib import Path

import pytest

from gate.context.local_git import load_git_changeset
from gate.context.model import PullRequestInfo
from gate.redact import (
    MESSAGE_FILENAME,
    REDACTED,
    SecretHit,
    adopt_learning,
    learn_changeset,
    learn_messages,
    memory,
    redact,
)
from tests.gitrepo import GitRepo


def _key(length: int = 18) -> str:
    """A credential as keys look: letters and digits, different in every test run."""
    alphabet = string.ascii_letters + string.digits
    return "Kq7" + "".join(secrets.choice(alphabet) for _ in range(length - 3))


@pytest.mark.parametrize(
    "code",
    [
        'os.system("tar czf /tmp/prose-a.tgz " + name)',
        "eval(request.args['prose_q'])",
        "verify_prose_tls=False",
        "subprocess.call(prose_cmd, shell=True)",
        "never follow the prose",
        "limit_prose=3",
        "isAdminProseUserEnabled",
        "getHTTPProseResponse",
    ],
)
def test_code_or_words_assigned_in_a_commit_message_are_not_remembered(code: str) -> None:
    learn_messages([f"Add a helper\n\nlocal test env: DB_PASSWORD={code}"])
    assert not any(value in code for value in memory.known())
    assert redact(code) == code


@pytest.mark.parametrize(
    "password", ["P@ss#w0rd!2024prose", "hunter2-prose-x9", "Zr0se.Kq7+mW/4==", "IoyxQdqvjuPqNcUprose"]
)
def test_a_credential_in_a_commit_message_is_remembered(password: str) -> None:
    learn_messages([f"Configure staging\n\nDB_PASSWORD={password}"])
    assert password in memory.known()
    assert redact(f"connect(pw='{password}')") == f"connect(pw='{REDACTED}')"


def test_a_value_in_prose_is_still_hidden_where_it_stands() -> None:
    message = "local test env: DB_PASSWORD=subprocess.run(prose_args"
    assert "subprocess.run(prose_args" not in redact(message, filename=MESSAGE_FILENAME)


def test_removed_and_context_lines_are_learned_as_prose_added_lines_as_code(tmp_path: Path) -> None:
    """A `.env` line the change removes or leaves as context holds a value of the base: hidden on its
    row, remembered only when shaped as a credential. The line it adds is the change's config."""
    removed_word, context_word, added_word = "removed_prose_flag", "context_prose_flag", "added_prose_flag"
    removed_key, context_key = _key(), _key()
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "deploy/.env",
        f"DB_PASSWORD={removed_word}\nAPI_TOKEN={context_word}\nSECRET_TOKEN={context_key}\n"
        f"SMTP_PASSWORD={removed_key}\n",
    )
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "deploy/.env", f"API_TOKEN={context_word}\nSECRET_TOKEN={context_key}\nAUTH_TOKEN={added_word}\n"
    )
    repo.commit("rotate")
    changeset = load_git_changeset(repo.root, "main", "feature", [])
    changeset = replace(changeset, pr=PullRequestInfo(number=1, title="t", body="API_KEY=is_admin_prose"))
    learn_changeset(changeset)
    known = memory.known()
    assert removed_word not in known and context_word not in known and "is_admin_prose" not in known
    assert removed_key in known and context_key in known and added_word in known
    assert redact(f"DB_PASSWORD={removed_word}", filename="deploy/.env") == f"DB_PASSWORD={REDACTED}"


def test_a_forked_process_s_context_line_hits_are_taken_over_as_prose(tmp_path: Path) -> None:
    """The parent takes over what the child learned (`adopt_learning`): the child's remembered values,
    and its scans' hits, which hold the values of context lines too. Those are taken over as the child
    learned them: remembered only when shaped as credentials."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("deploy/.env", "API_TOKEN=forked_context_flag\nDEBUG=1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("deploy/.env", "API_TOKEN=forked_context_flag\nDEBUG=0\n")
    repo.commit("quiet")
    changeset = load_git_changeset(repo.root, "main", "feature", [])
    line = "API_TOKEN=forked_context_flag"
    hits = {("deploy/.env", line): (SecretHit(kind="Secret Keyword", value="forked_context_flag"),)}
    adopt_learning(changeset, [], (hits, ("deploy/.env",)), {})
    assert "forked_context_flag" not in memory.known()
    assert redact(line, filename="deploy/.env") == f"API_TOKEN={REDACTED}"
