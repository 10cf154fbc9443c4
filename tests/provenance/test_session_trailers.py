"""Trailers that tie a commit to an agent session without naming the agent, on real commits:
Entire CLI's `Entire-Checkpoint: <id>` (entireio/cli cmd/entire/cli/trailers/trailers.go) and
aittributor's `Ai-assisted: true` (block/aittributor src/git.rs), written after its Co-authored-by line."""

from __future__ import annotations

from gate.config.models import Provenance
from gate.context.local_git import load_git_changeset
from gate.provenance.estimate import estimate
from tests.gitrepo import GitRepo

# The two checkpoint ID shapes Entire writes: a legacy 12-hex ID and a ULID.
HEX_ID = "Entire-Checkpoint: a3b2c4d5e6f7"
ULID = "Entire-Checkpoint: 01K9TQ8ZP7X3F5M2WVJ4CNRB6D"
# What `git interpret-trailers --trailer "Co-authored-by: <agent>" --trailer "Ai-assisted: true"` leaves.
AITTRIBUTOR = "Co-authored-by: Claude Code <noreply@anthropic.com>\nAi-assisted: true"


def _lines(prefix: str, n: int) -> str:
    return "".join(f"{prefix}{i}\n" for i in range(n))


def test_entire_and_aittributor_trailers_mark_ai_commits(repo: GitRepo) -> None:
    repo.write("README.md", "project\n")
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    repo.write("a.py", _lines("a", 4))
    hex_id = repo.commit(f"Add a\n\n{HEX_ID}\n")
    repo.write("b.py", _lines("b", 3))
    ulid = repo.commit(f"Add b\n\nSigned-off-by: Dev <dev@example.com>\n{ULID}\n")
    repo.write("c.py", _lines("c", 2))
    paired = repo.commit(f"Add c\n\n{AITTRIBUTOR}\n")
    repo.write("d.py", _lines("d", 5))
    alone = repo.commit("Add d\n\nAi-assisted: true\n")
    repo.write("e.py", _lines("e", 7))
    # Look-alikes: not a checkpoint ID, an explicit "false".
    human = repo.commit("Add e\n\nEntire-Checkpoint: see the wiki\nAi-assisted: false\n")

    result = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())
    rows = {c.sha: c for c in result.commits}
    assert [(rows[s].ai, rows[s].tool) for s in (hex_id, ulid, paired, alone, human)] == [
        (True, "unknown-ai"),
        (True, "unknown-ai"),
        (True, "claude-code"),  # the co-author names the tool; the trailer alone cannot
        (True, "unknown-ai"),
        (False, None),
    ]
    assert [e.text for e in rows[hex_id].evidence] == [HEX_ID]
    assert [e.text for e in rows[ulid].evidence] == [ULID]
    assert [e.text for e in rows[paired].evidence] == AITTRIBUTOR.splitlines()
    assert [e.text for e in rows[alone].evidence] == ["Ai-assisted: true"]
    assert "entireio/cli" in rows[hex_id].evidence[0].source
    assert "block/aittributor" in rows[alone].evidence[0].source
    assert (result.added_lines, result.ai_lines) == (21, 14)
    assert result.tools == {"unknown-ai": 12, "claude-code": 2}
