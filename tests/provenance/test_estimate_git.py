"""The AI share of real git ranges: per-line attribution, git-ai notes, Agent Trace files, and the same
change read as a `git format-patch --notes=ai` series."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gate.cli import main
from gate.config.models import Provenance
from gate.context.local_git import load_git_changeset
from gate.context.model import TOO_LARGE
from gate.context.patch import load_patch_changeset
from gate.context.revisions import MAX_FILE_BYTES
from gate.provenance.estimate import estimate
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
CURSOR = ("Cursor Agent", "cursoragent@cursor.com")
AIDER_COMMITTER = ("Test Human (aider)", "human@example.com")


def _lines(prefix: str, n: int) -> str:
    return "".join(f"{prefix}{i}\n" for i in range(n))


def _base(repo: GitRepo) -> str:
    repo.write("README.md", "project\n")
    repo.commit("base")
    base = repo.head()
    repo.branch("feature")
    return base


def test_share_counts_each_line_for_the_commit_that_last_added_it(repo: GitRepo) -> None:
    base = _base(repo)
    repo.write("app.py", _lines("ai", 10))
    ai = repo.commit("Add app\n\n" + CLAUDE)
    repo.write("app.py", _lines("ai", 6) + _lines("human", 4))  # a person rewrites the last 4 lines
    human = repo.commit("Rewrite the tail by hand")
    repo.write("ui.ts", _lines("cursor", 5))
    cursor = repo.commit("Add UI", author=CURSOR)
    repo.write("notes.txt", _lines("typo", 3))
    by_hand = repo.commit("Notes", committer=AIDER_COMMITTER)
    result = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())
    assert (result.added_lines, result.ai_lines) == (18, 11)
    assert result.ai_share == 11 / 18
    assert result.tools == {"claude-code": 6, "cursor": 5}
    assert result.ai_line_map == {"app.py": frozenset(range(1, 7)), "ui.ts": frozenset(range(1, 6))}
    rows = {c.sha: c for c in result.commits}
    assert (rows[ai].ai, rows[ai].tool, rows[ai].added_lines, rows[ai].ai_lines) == (
        True,
        "claude-code",
        6,
        6,
    )
    assert [e.text for e in rows[ai].evidence] == [CLAUDE]
    assert (rows[human].ai, rows[human].added_lines) == (False, 4)
    assert [str(e) for e in rows[cursor].evidence] == ["author: Cursor Agent <cursoragent@cursor.com>"]
    assert (rows[by_hand].ai, rows[by_hand].added_lines) == (False, 3)
    assert result.basis == ("author identities", "commit trailers")
    assert any("aider-suffixed committer" in n for n in result.notes)


def test_nothing_ai_says_so(repo: GitRepo) -> None:
    base = _base(repo)
    repo.write("a.py", "x = 1\n")
    repo.commit("plain")
    result = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())
    assert (result.ai_share, result.ai_lines, result.added_lines) == (0.0, 0, 1)
    assert result.basis == ("commit metadata: no AI marks found",)


def _note(path: str, rows: list[str], meta: dict[str, object]) -> str:
    return "\n".join([path, *(f"  {r}" for r in rows), "---", json.dumps(meta, indent=2)])


SESSION = "s_0123456789abcd::t_0123456789abcd"
HUMAN_KEY = "h_abcdef01234567"
META = {
    "schema_version": "authorship/3.0.0",
    "base_commit_sha": "0" * 40,
    "prompts": {"a1b2c3d4e5f60718": {"agent_id": {"tool": "mock_ai", "id": "x", "model": "m"}}},
    "sessions": {
        "s_0123456789abcd": {"agent_id": {"tool": "claude", "id": "sess", "model": "claude-opus-4-6"}}
    },
    "humans": {HUMAN_KEY: {"author": "Test Human"}},
}


def _git_ai_repo(repo: GitRepo) -> tuple[str, str, str]:
    """A human commit whose note attests AI lines, then a later commit that shifts them down."""
    base = _base(repo)
    repo.write("calc.py", _lines("line", 8))
    first = repo.commit("Add calc")  # no trailer: only the note knows
    # lines 2-5 by a Claude session, 6-7 by a known human, 8 by the mock tool, 1 untracked;
    # the raw ranges run past what the commit added (git-ai's counts can).
    note = _note("calc.py", [f"{SESSION} 2-5,40-41", f"{HUMAN_KEY} 6-7", "a1b2c3d4e5f60718 8"], META)
    repo.git("notes", "--ref=ai", "add", "-m", note, first)
    repo.write("calc.py", _lines("top", 2) + _lines("line", 8))
    second = repo.commit("Add a header\n\n" + CLAUDE)
    note2 = _note("calc.py", [f"{HUMAN_KEY} 2"], META)  # of its 2 lines, the second was typed by a person
    repo.git("notes", "--ref=ai", "add", "-m", note2, second)
    return base, first, second


def test_git_ai_notes_add_ai_lines_and_never_take_them_away(repo: GitRepo) -> None:
    base, first, second = _git_ai_repo(repo)
    cs = load_git_changeset(repo.root, base, "HEAD")
    result = estimate(cs, Provenance())
    # head: 1-2 by the second commit (a Claude commit: its note calling line 2 human is disregarded),
    # 3-10 the first commit's 1-8 shifted by 2 (a commit with no marks: the note adds its AI lines)
    assert result.ai_line_map == {"calc.py": frozenset({1, 2, 4, 5, 6, 7})}
    assert (result.added_lines, result.ai_lines) == (10, 6)
    assert result.tools == {"claude-code": 6}
    rows = {c.sha: c for c in result.commits}
    assert (rows[first].ai, rows[first].tool, rows[first].ai_lines) == (True, "claude-code", 4)
    assert [str(e) for e in rows[first].evidence] == [f"git-ai note: calc.py: {SESSION} 2-5,40-41"]
    assert (rows[second].ai, rows[second].ai_lines, rows[second].added_lines) == (True, 2, 2)
    assert "git-ai notes" in result.basis and "commit trailers" in result.basis
    assert any("2 lines are attested human" in n for n in result.notes)
    assert result.disregarded == (
        f"git-ai note (refs/notes/ai) disregarded: it calls 1 line of commit {second[:12]} human, but its "
        f"commit is AI by trailer: {CLAUDE}; records supplied with a "
        "change may add AI attribution, never remove it",
    )
    assert any("mock_ai" in n for n in result.notes)


def test_the_same_series_as_format_patch_with_notes_gives_the_same_estimate(repo: GitRepo) -> None:
    base, _, _ = _git_ai_repo(repo)
    from_git = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())
    mbox = repo.format_patch(f"{base}..HEAD", "--notes=ai")
    assert b"Notes (ai):" in mbox
    from_mbox = estimate(load_patch_changeset(mbox, "series.mbox"), Provenance())
    assert from_mbox.ai_line_map == from_git.ai_line_map
    assert (from_mbox.ai_lines, from_mbox.added_lines, from_mbox.tools) == (6, 10, {"claude-code": 6})
    assert [(c.ai, c.tool, c.ai_lines) for c in from_mbox.commits] == [
        (c.ai, c.tool, c.ai_lines) for c in from_git.commits
    ]


def test_a_dashed_line_in_a_commit_message_does_not_cut_its_trailers_from_a_format_patch_series(
    repo: GitRepo,
) -> None:
    """format-patch ends the message with the last `---` line, before the diffstat and the notes; a
    message's own `---` line above its trailer cut the trailer off, so the series read as human."""
    base = _base(repo)
    repo.write("app/limiter.py", _lines("x = ", 10))
    repo.commit(f"Add the limiter\n\nSliding window.\n\n---\n\n{CLAUDE}")
    from_git = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())
    mbox = repo.format_patch(f"{base}..HEAD", "--notes=ai")
    changeset = load_patch_changeset(mbox, "series.mbox")
    assert CLAUDE in changeset.commits[0].message and "app/limiter.py |" not in changeset.commits[0].message
    from_mbox = estimate(changeset, Provenance())
    assert (from_git.ai_lines, from_mbox.ai_lines) == (10, 10)


def test_agent_trace_records_add_ai_lines_and_never_take_them_away(repo: GitRepo) -> None:
    base = _base(repo)
    repo.write("svc.py", _lines("svc", 6))
    repo.commit("Add service\n\n" + CLAUDE)
    repo.write("web.py", _lines("web", 4))
    web_sha = repo.commit("Add web by hand")
    records = [
        {
            "version": "0.1.0",
            "id": "00000000-0000-0000-0000-000000000001",
            "timestamp": "2026-01-10T10:00:00Z",
            "tool": {"name": "cursor", "version": "2.0"},
            "files": [
                {
                    "path": "web.py",
                    "conversations": [
                        {
                            "url": "https://cursor.com/c/1",
                            "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
                            "ranges": [{"start_line": 1, "end_line": 2}],
                        }
                    ],
                },
                {
                    "path": "svc.py",
                    "conversations": [
                        {"contributor": {"type": "human"}, "ranges": [{"start_line": 5, "end_line": 6}]}
                    ],
                },
            ],
        },
        {
            "version": "0.1.0",
            "id": "00000000-0000-0000-0000-000000000002",
            "timestamp": "2026-01-09T10:00:00Z",
            "vcs": {"type": "git", "revision": "f" * 40},
            "files": [
                {
                    "path": "web.py",
                    "conversations": [
                        {"contributor": {"type": "ai"}, "ranges": [{"start_line": 3, "end_line": 4}]}
                    ],
                }
            ],
        },
        {  # at a commit of the range that is not the head: placed through that commit's lines
            "version": "0.1.0",
            "id": "00000000-0000-0000-0000-000000000003",
            "timestamp": "2026-01-11T10:00:00Z",
            "vcs": {"type": "git", "revision": web_sha[:12]},
            "tool": {"name": "windsurf", "version": "1"},
            "files": [
                {
                    "path": "web.py",
                    "conversations": [
                        {"contributor": {"type": "ai"}, "ranges": [{"start_line": 4, "end_line": 4}]}
                    ],
                }
            ],
        },
    ]
    repo.write(".agent-trace/traces.jsonl", "".join(json.dumps(r) + "\n" for r in records) + "not json\n")
    repo.commit("Record traces")
    cs = load_git_changeset(repo.root, base, "HEAD", ignore=(".agent-trace/**",))
    result = estimate(cs, Provenance())
    # svc.py is a Claude commit's: the record calling its lines 5-6 human is disregarded
    assert result.ai_line_map == {"svc.py": frozenset(range(1, 7)), "web.py": frozenset({1, 2, 4})}
    assert result.tools == {"claude-code": 6, "cursor": 2, "windsurf": 1}
    assert len(result.disregarded) == 1 and "calls 2 lines of commit" in result.disregarded[0]
    web = next(c for c in result.commits if c.subject == "Add web by hand")
    assert (web.ai, web.tool, web.ai_lines) == (True, "cursor", 3)
    assert [str(e) for e in web.evidence] == [
        "agent trace: web.py 1-2 ai anthropic/claude-opus-4-5 https://cursor.com/c/1",
        "agent trace: web.py 4-4 ai",
    ]
    assert "Agent Trace records" in result.basis
    assert any("other than the head" in n for n in result.notes)
    assert any("not trace records" in n for n in result.notes)


def test_pr_label_makes_every_line_ai_and_commit_marks_keep_their_tool(repo: GitRepo) -> None:
    base = _base(repo)
    repo.write("a.py", _lines("a", 3))
    repo.commit("by hand")
    repo.write("b.py", _lines("b", 2))
    repo.commit("with claude\n\n" + CLAUDE)
    cs = load_git_changeset(repo.root, base, "HEAD")
    from gate.context.model import PullRequestInfo

    labelled = replace(cs, pr=PullRequestInfo(number=7, labels=("AI-Generated",)))
    result = estimate(labelled, Provenance())
    assert (result.ai_lines, result.added_lines) == (5, 5)
    assert result.tools == {"unknown-ai": 3, "claude-code": 2}
    assert [str(e) for e in result.pr_evidence] == ["PR label: AI-Generated"]
    assert "PR labels" in result.basis
    other = replace(cs, pr=PullRequestInfo(number=7, labels=("enhancement",)))
    assert estimate(other, Provenance()).ai_lines == 2


def _legacy(n: int) -> str:
    return "".join(
        f"def legacy_{i}(value, other):\n    return combine(value + {i}, other * {i})\n" for i in range(n)
    )


def test_base_lines_a_person_re_indents_are_not_credited_to_a_later_ai_commit(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app/legacy.py", _legacy(150))
    repo.commit("Legacy helpers")
    repo.branch("pr")
    # a person wraps the existing module in a class: 300 lines re-indented, one new
    indented = "".join(f"    {line}\n" for line in _legacy(150).splitlines())
    repo.write("app/legacy.py", "class Legacy:\n" + indented)
    repo.commit("Wrap the legacy helpers in a class")
    method = "    def helper(self, value):\n        return self.legacy_0(value, 2)\n"
    repo.write("app/legacy.py", "class Legacy:\n" + indented + method)
    repo.commit("Add a helper\n\n" + CLAUDE)
    main(["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format=json"])
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert (provenance["ai_lines"], provenance["added_lines"]) == (2, 303)
    assert [(c["ai"], c["added_lines"]) for c in provenance["commits"]] == [(False, 1), (True, 2)]
    assert any(n.startswith("300 added lines could not be tied") for n in provenance["notes"])


def test_an_agent_trace_file_git_cannot_read_leaves_the_lines_it_may_mark_unknown(repo: GitRepo) -> None:
    """The Agent Trace file at head past the reader's size limit: its records, which call the lines of a
    commit with no AI marks AI, are not read. Those lines are of unknown origin, counted as possibly AI by
    the thresholds, with a note that says why; not a person's."""
    record = {
        "version": "0.1.0",
        "id": "00000000-0000-0000-0000-000000000001",
        "timestamp": "2026-01-10T10:00:00Z",
        "tool": {"name": "cursor", "version": "2.0"},
        "files": [
            {
                "path": "web.py",
                "conversations": [
                    {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 4}]}
                ],
            }
        ],
    }
    # Records of other files, enough to take the file past the size limit.
    others = [{**record, "files": [{**record["files"][0], "path": f"old/m{i}.py"}]} for i in range(9_000)]
    traces = "".join(json.dumps(r) + "\n" for r in [record, *others])
    assert len(traces.encode()) > MAX_FILE_BYTES
    repo.write(".agent-trace/traces.jsonl", traces)
    base = _base(repo)
    repo.write("svc.py", _lines("svc", 6))
    repo.commit("Add service\n\n" + CLAUDE)
    repo.write("web.py", _lines("web", 4))
    repo.commit("Add web")

    result = estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())

    assert result.ai_line_map == {"svc.py": frozenset(range(1, 7))}
    assert (result.ai_lines, result.unknown_lines, result.added_lines) == (6, 4, 10)
    assert result.threshold_ai_lines == 10
    assert (
        f"the Agent Trace file .agent-trace/traces.jsonl at head was not read ({TOO_LARGE}): the 4 added "
        "lines nothing else marks AI, which its records may, are of unknown origin, counted as possibly AI "
        "by the thresholds"
    ) in result.notes
    assert not any("of unknown origin (which commit" in n for n in result.notes)
