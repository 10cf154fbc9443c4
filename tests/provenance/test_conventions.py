"""Each convention of the tool table, and each pitfall, on real-looking commits."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from gate.cli import main
from gate.config.models import AIIdentity, Provenance
from gate.context.model import Commit, Person, PullRequestInfo
from gate.provenance.classify import classify, classify_commit, parse_identity
from tests.gitrepo import GitRepo

HUMAN = ("Dana Okafor", "dana@example.org")
GITHUB = ("GitHub", "noreply@github.com")


@dataclass(frozen=True)
class Case:
    id: str
    message: str
    tool: str | None  # None = human
    evidence: str | None = None  # the exact text that must be quoted
    author: tuple[str, str] = HUMAN
    committer: tuple[str, str] | None = None


def _commit(case: Case, sha: str = "a" * 40) -> Commit:
    return Commit(
        sha=sha,
        author=Person(*case.author),
        committer=Person(*(case.committer or case.author)),
        message=case.message,
    )


CASES = [
    # Messages that join commits: each commit's trailers are read where the join left them
    Case(
        "cursor-rebase-squash",
        "Add helpers\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n\nfix typo",
        "cursor",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
    ),
    Case(
        "cursor-merge-squash",
        "Squashed commit of the following:\n\ncommit " + "0" * 40 + "\nAuthor: Pat <pat@example.com>\n"
        "Date:   Thu Jan 1 00:00:00 2026 +0000\n\n    Add helpers\n\n"
        "    Co-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
        "cursor",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
    ),
    Case(
        "cursor-folded-trailer",
        "Add helpers\n\nCo-authored-by: Cursor Agent\n <cursoragent@cursor.com>",
        "cursor",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
    ),
    Case(
        "cursor-below-bullets-and-signed-off-by",
        "Fix\n\n* handle CRLF\nSigned-off-by: Pat <pat@example.com>\n"
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
        "cursor",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
    ),
    # Claude Code
    Case(
        "claude-trailer",
        "Fix retry\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        "claude-code",
        "Co-Authored-By: Claude <noreply@anthropic.com>",
    ),
    Case(
        "claude-model-in-name",
        "Fix\n\nCo-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>",
        "claude-code",
        "Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>",
    ),
    Case(
        "claude-key-case-and-spacing",
        "Fix\n\nco-authored-by :   Claude Sonnet 4.6   <noreply@anthropic.com>",
        "claude-code",
        "co-authored-by :   Claude Sonnet 4.6   <noreply@anthropic.com>",
    ),
    Case(
        "claude-footer",
        "Add cache\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
        "claude-code",
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    ),
    Case(
        "claude-footer-plain",
        "Add cache\n\nGenerated with Claude Code\n\nCo-Authored-By: Dana Okafor <dana@example.org>",
        "claude-code",
        "Generated with Claude Code",
    ),
    Case(
        "claude-footer-old-link",
        "Add cache\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\r\n",
        "claude-code",
        "🤖 Generated with [Claude Code](https://claude.ai/code)",
    ),
    Case(
        "claude-session",
        "Add cache\n\nClaude-Session: https://claude.ai/code/session_01AbCd",
        "claude-code",
        "Claude-Session: https://claude.ai/code/session_01AbCd",
    ),
    Case(
        "claude-web-author",
        "Add cache",
        "claude-code",
        "Claude <noreply@anthropic.com>",
        author=("Claude", "noreply@anthropic.com"),
    ),
    Case(
        "claude-github-app",
        "Fix typo\n\nCo-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
        "claude-code",
        "Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
    ),
    Case(
        "claude-hand-written-variant",
        "Fix\n\nCo-Authored-By: Claude Code <claude@anthropic.com>",
        "claude-code",
        "Co-Authored-By: Claude Code <claude@anthropic.com>",
    ),
    Case(
        "chatgpt-is-unknown-ai",
        "Fix\n\nCo-authored-by: ChatGPT <noreply@openai.com>",
        "unknown-ai",
        "Co-authored-by: ChatGPT <noreply@openai.com>",
    ),
    Case("anthropic-employee", "Fix\n\nCo-authored-by: Jane Roe <jane@anthropic.com>", None),
    # Copilot
    Case(
        "copilot-agent-author",
        "Add endpoint",
        "copilot",
        "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
        author=("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
        committer=GITHUB,
    ),
    Case(
        "copilot-squash-author",
        "Add endpoint (#12)\n\n* Initial plan\n* Add endpoint",
        "copilot",
        "Copilot <198982749+Copilot@users.noreply.github.com>",
        author=("Copilot", "198982749+Copilot@users.noreply.github.com"),
        committer=GITHUB,
    ),
    Case(
        "copilot-squash-trailer",
        "Add endpoint (#12)\n\n"
        "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
        "copilot",
        "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
        committer=GITHUB,
    ),
    Case(
        "copilot-editor",
        "Tweak\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
        "copilot",
        "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    ),
    Case(
        "copilot-logs-url",
        "Fix\n\nAgent-Logs-Url: https://github.com/o/r/sessions/0b4e-11aa",
        "copilot",
        "Agent-Logs-Url: https://github.com/o/r/sessions/0b4e-11aa",
    ),
    # Cursor
    Case(
        "cursor-agent-author",
        "Refactor hooks",
        "cursor",
        "Cursor Agent <cursoragent@cursor.com>",
        author=("Cursor Agent", "cursoragent@cursor.com"),
    ),
    Case(
        "cursor-squash-trailer",
        "Refactor (#88)\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>",
        "cursor",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
        committer=GITHUB,
    ),
    Case(
        "cursor-editor",
        "Refactor\n\nCo-authored-by: Cursor <cursoragent@cursor.com>",
        "cursor",
        "Co-authored-by: Cursor <cursoragent@cursor.com>",
    ),
    Case("cursor-made-with", "Refactor\n\nMade-with: Cursor", "cursor", "Made-with: Cursor"),
    # Aider
    Case(
        "aider-trailer",
        "feat: x\n\nCo-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>",
        "aider",
        "Co-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>",
    ),
    Case(
        "aider-old-email",
        "feat: x\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.dev>",
        "aider",
        "Co-authored-by: aider (gpt-4o) <noreply@aider.dev>",
    ),
    Case(
        "aider-prefix",
        "aider: Added check for NO_COLOR environment variable to disable ANSI color.",
        "aider",
        "aider: Added check for NO_COLOR environment variable to disable ANSI color.",
    ),
    Case(
        "aider-author-suffix",
        "Add a /hello endpoint",
        "aider",
        "Dana Okafor (aider) <dana@example.org>",
        author=("Dana Okafor (aider)", "dana@example.org"),
    ),
    Case(
        "aider-prefix-in-squash-body",
        "Redis backend (#9)\n\n* aider: Added src/redis.py\n* aider: Share the window through Redis",
        "aider",
        "* aider: Share the window through Redis",
    ),
    Case("aider-mentioned-mid-line", "Docs\n\nWe tried aider: it was fine", None),
    # Codex, Devin, Jules, OpenHands
    Case(
        "codex-trailer",
        "Fix\n\nCo-authored-by: Codex <noreply@openai.com>",
        "codex",
        "Co-authored-by: Codex <noreply@openai.com>",
    ),
    Case(
        "devin-author",
        "Add docs",
        "devin",
        "Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        author=("Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com"),
    ),
    Case(
        "devin-trailer",
        "Fix\n\nCo-Authored-By: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "devin",
        "Co-Authored-By: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
    ),
    Case(
        "jules-author",
        "Add timeline tool\n\nCo-authored-by: Justin <j@example.com>",
        "jules",
        "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
        author=("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
        committer=("Justin Grayston", "jgrayston@google.com"),
    ),
    Case(
        "openhands-author",
        "Add repo.md",
        "openhands",
        "openhands <openhands@all-hands.dev>",
        author=("openhands", "openhands@all-hands.dev"),
    ),
    Case(
        "openhands-malformed-trailer",
        "Fix\n\nCo-authored-by: openhands openhands@all-hands.dev",
        "openhands",
        "Co-authored-by: openhands openhands@all-hands.dev",
    ),
    Case(
        "openhands-unclosed-bracket",
        "Fix\n\nCo-authored-by: openhands <openhands@all-hands.dev",
        "openhands",
        "Co-authored-by: openhands <openhands@all-hands.dev",
    ),
    # Amazon Q, Gemini, Windsurf, Firebender
    Case(
        "amazon-q-bot",
        "Implement issue",
        "amazon-q",
        "amazon-q-developer[bot] <208079219+amazon-q-developer[bot]@users.noreply.github.com>",
        author=("amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com"),
    ),
    Case(
        "amazon-q-trailer",
        "Add\n\n🤖 Generated with Amazon Q Developer\n\nCo-Authored-By: Amazon Q Developer "
        "<noreply@aws.amazon.com>",
        "amazon-q",
        "Co-Authored-By: Amazon Q Developer <noreply@aws.amazon.com>",
    ),
    # git reads no trailer in a last paragraph that is half prose; the footer still marks the commit
    Case(
        "amazon-q-footer-right-above-the-trailer",
        "Add\n\n🤖 Generated with Amazon Q Developer\nCo-Authored-By: Amazon Q Developer "
        "<noreply@aws.amazon.com>",
        "amazon-q",
        "🤖 Generated with Amazon Q Developer",
    ),
    Case(
        "gemini-cli",
        "Add\n\nCo-Authored-By: gemini-cli <218195315+gemini-cli@users.noreply.github.com>",
        "gemini",
        "Co-Authored-By: gemini-cli <218195315+gemini-cli@users.noreply.github.com>",
    ),
    Case(
        "windsurf",
        "Add\n\nCo-authored-by: Windsurf <windsurf@codeium.com>",
        "windsurf",
        "Co-authored-by: Windsurf <windsurf@codeium.com>",
    ),
    Case(
        "firebender",
        "Add\n\n🤖 Generated with [Firebender](https://firebender.com)\n\n"
        "Co-Authored-By: Firebender <help@firebender.com>",
        "firebender",
        "Co-Authored-By: Firebender <help@firebender.com>",
    ),
    # Assisted-by (kernel convention)
    Case(
        "assisted-by-claude",
        "mm: fix\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse\nSigned-off-by: D <d@e>",
        "claude-code",
        "Assisted-by: Claude:claude-3-opus coccinelle sparse",
    ),
    Case(
        "assisted-by-copilot",
        "mm: fix\n\nAssisted-by: GitHub Copilot:gpt-4.1",
        "copilot",
        "Assisted-by: GitHub Copilot:gpt-4.1",
    ),
    Case(
        "assisted-by-other",
        "mm: fix\n\nAssisted-by: Tabby:starcoder2-15b",
        "unknown-ai",
        "Assisted-by: Tabby:starcoder2-15b",
    ),
    Case(
        "assisted-by-a-tool-name",
        "Fix\n\nAssisted-by: GitHub Copilot",
        "copilot",
        "Assisted-by: GitHub Copilot",
    ),
    Case(
        "assisted-by-an-ai-identity",
        "Fix\n\nAssisted-by: Claude <noreply@anthropic.com>",
        "claude-code",
        "Assisted-by: Claude <noreply@anthropic.com>",
    ),
    Case(
        "assisted-by-between-prose-and-signed-off-by",
        "mm: fix\n\nReported on the list.\nAssisted-by: Claude:claude-3-opus\nSigned-off-by: D <d@e>",
        "claude-code",
        "Assisted-by: Claude:claude-3-opus",
    ),
    Case(
        "assisted-by-a-person",
        "Fix rounding in invoice totals\n\nAssisted-by: Bob Smith <bob@example.com>\n",
        None,
    ),
    Case("assisted-by-a-person-named-claude", "Fix\n\nAssisted-by: Claude Martin <claude@example.com>", None),
    Case("assisted-by-any-word", "Fix\n\nAssisted-by: xyzzy", None),
    Case("assisted-by-chatgpt", "Fix\n\nAssisted-by: ChatGPT", "unknown-ai", "Assisted-by: ChatGPT"),
    Case("assisted-by-gpt-4o", "Fix\n\nAssisted-by: GPT-4o", "unknown-ai", "Assisted-by: GPT-4o"),
    Case("assisted-by-openai-o3", "Fix\n\nAssisted-by: OpenAI o3", "unknown-ai", "Assisted-by: OpenAI o3"),
    Case(
        "assisted-by-gpt-4o-in-cursor",
        "Fix\n\nAssisted-by: GPT-4o via Cursor",
        "cursor",
        "Assisted-by: GPT-4o via Cursor",
    ),
    Case("assisted-by-a-person-named-like-a-model", "Fix\n\nAssisted-by: Gpt Okafor", None),
    # Squash merges: trailers inside the body, bulleted or indented
    # Squash merges: each squashed commit's trailers end its part of the body (GitHub's layout)
    Case(
        "squash-body",
        "Big feature (#40)\n\n* first step\n\nCo-authored-by: openhands <openhands@all-hands.dev>\n\n"
        "* second step\n\n---------\n\nCo-authored-by: Engel Nyst <engel.nyst@gmail.com>",
        "openhands",
        "Co-authored-by: openhands <openhands@all-hands.dev>",
        committer=GITHUB,
    ),
    Case(
        "squash-body-last-commit",
        "Big feature (#40)\n\n* first step\n\n* second step\n\nWith a body.\n\n"
        "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>\n\n---------\n\n"
        "Co-authored-by: Engel Nyst <engel.nyst@gmail.com>",
        "claude-code",
        "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>",
        committer=GITHUB,
    ),
    # Pitfalls: human
    Case(
        "aider-committer-suffix-only",
        "Fix typo by hand",
        None,
        committer=("Dana Okafor (aider)", "dana@example.org"),
    ),
    Case(
        "aider-add-files",
        "aider: Added src/app.py tests/test_app.py",
        None,
        committer=("Dana Okafor (aider)", "dana@example.org"),
    ),
    Case("committer-only-cursor", "Rebase", None, committer=("Cursor Agent", "cursoragent@cursor.com")),
    Case(
        "committer-only-jules",
        "Manual fix",
        None,
        committer=("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
    ),
    Case(
        "review-bot-gemini",
        "Apply suggestion\n\nCo-authored-by: gemini-code-assist[bot] "
        "<176961590+gemini-code-assist[bot]@users.noreply.github.com>",
        None,
    ),
    Case(
        "review-bot-codex",
        "Apply\n\nCo-authored-by: chatgpt-codex-connector[bot] "
        "<199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>",
        None,
    ),
    Case(
        "review-bot-coderabbit",
        "Apply\n\nCo-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>",
        None,
    ),
    # A review bot's name is any text an author types; an AI tool's email beside it is still that tool's.
    Case(
        "review-bot-name-with-claude-email",
        "Add a\n\nCo-authored-by: coderabbitai <noreply@anthropic.com>",
        "claude-code",
        "Co-authored-by: coderabbitai <noreply@anthropic.com>",
    ),
    Case(
        "review-bot-name-as-claude-author",
        "Add a",
        "claude-code",
        "gemini-code-assist[bot] <noreply@anthropic.com>",
        author=("gemini-code-assist[bot]", "noreply@anthropic.com"),
    ),
    Case(
        "openhands-release-bot",
        "Bump version to 1.2.0",
        None,
        author=("OpenHands Bot", "contact@all-hands.dev"),
    ),
    Case(
        "all-hands-employee",
        "Fix\n\nCo-authored-by: John-Mason P. Shackelford <john-mason@all-hands.dev>",
        None,
    ),
    Case("amazon-employee", "Fix\n\nCo-authored-by: Jathin Sreenivas <sjathin@amazon.com>", None),
    Case(
        "words-that-look-like-tools",
        "Fix cursor blinking; update claude.yml workflow\n\nGenerated with care",
        None,
    ),
    Case("generic-agent-name", "Fix\n\nCo-authored-by: Debug Agent <debug@example.com>", None),
    # A footer is a line of its own: a message that speaks of one in prose is a person's.
    Case(
        "claude-footer-mentioned",
        "Strip AI footers\n\nOur release tool copied the 'Generated with Claude Code' footer of\n"
        "upstream PRs into the changelog; drop it before rendering.",
        None,
    ),
    Case(
        "claude-footer-linked-mentioned",
        "Docs: say why `🤖 Generated with [Claude Code](https://claude.ai/code)` is kept in PRs",
        None,
    ),
    Case("amazon-q-footer-mentioned", "Drop the 'Generated with Amazon Q' lines from the template", None),
    Case("firebender-footer-mentioned", "Lint: reject 'Generated with Firebender' in messages", None),
    # A trailer is what git reads as one: the lines that end the message, keys at the line's start.
    Case(
        "trailer-quoted-indented-in-prose",
        "Stop adding AI trailers\n\nOur hook used to append lines like:\n\n"
        "    Co-Authored-By: Claude <noreply@anthropic.com>\n\n"
        "We no longer do that; this commit removes the hook.\n",
        None,
    ),
    Case(
        "trailer-quoted-in-a-middle-paragraph",
        "Stop adding AI trailers\n\nOur hook used to append:\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n\nThis commit removes the hook.\n",
        None,
    ),
    Case(
        "trailer-in-a-bullet",
        "Update contributing guide\n\n- Made-with: Cursor is no longer required in commit messages\n",
        None,
    ),
    Case(
        "trailer-below-a-title-line",
        "Fix\nCo-authored-by: Claude <noreply@anthropic.com>",
        None,
    ),
    # A key whose value must name the tool is no mark with any other value.
    Case("made-with-prose", "Update contributing guide\n\nMade-with: Cursor is no longer required", None),
    Case(
        "agent-logs-url-not-a-link",
        "Document AI policy\n\nAgent-Logs-Url: not applicable (human change)\n",
        None,
    ),
    Case("claude-session-not-a-link", "Fix\n\nClaude-Session: none, written by hand", None),
    Case("aider-prefix-on-a-body-line", "Bump deps\n\naider: we no longer use it, see #12\n", None),
    Case("aider-prefix-on-a-dash-bullet", "Bump deps\n\n- aider: dropped from the dev dependencies", None),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_convention(case: Case) -> None:
    ai, tool, evidence = classify_commit(_commit(case), Provenance(), None)
    assert (ai, tool) == (case.tool is not None, case.tool)
    if case.evidence is not None:
        assert case.evidence in [e.text for e in evidence]
        assert all(e.source for e in evidence)
    else:
        assert evidence == ()


def test_aider_committer_suffix_alone_is_said_in_the_notes() -> None:
    case = next(c for c in CASES if c.id == "aider-committer-suffix-only")
    result = classify(_commit(case), Provenance())
    assert result.committer_only == "aider"
    assert any("only the author counts" in n for n in result.notes)


def test_aider_committer_suffix_with_a_trailer_counts_by_the_trailer() -> None:
    commit = Commit(
        "b" * 40,
        Person(*HUMAN),
        Person("Dana Okafor (aider)", "dana@example.org"),
        "feat: y\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>",
    )
    result = classify(commit, Provenance())
    assert result.tool == "aider" and result.committer_only is None
    assert [e.kind for e in result.evidence] == ["trailer"]


def test_add_files_commit_is_noted() -> None:
    case = next(c for c in CASES if c.id == "aider-add-files")
    result = classify(_commit(case), Provenance())
    assert set(result.notes) == {
        "'aider: Added src/app.py tests/test_app.py': "
        "aider's /add commit of files the user had changed: no AI code",
        "committer Dana Okafor (aider) <dana@example.org> matches aider, but only the author counts",
    }


def test_copilot_initial_plan_is_an_ai_commit_and_a_pr_mark() -> None:
    commit = Commit(
        "c" * 40,
        Person("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
        Person(*GITHUB),
        "Initial plan",
    )
    result = classify(commit, Provenance())
    assert result.tool == "copilot"
    assert result.plan_mark is not None and result.plan_mark.text == "cccccccccccc Initial plan"
    human_plan = Commit("d" * 40, Person(*HUMAN), None, "Initial plan")
    assert classify(human_plan, Provenance()).plan_mark is None


def test_author_evidence_names_the_tool_over_trailers() -> None:
    commit = Commit(
        "e" * 40,
        Person("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
        None,
        "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    )
    result = classify(commit, Provenance())
    assert result.tool == "jules"
    assert {e.tool for e in result.evidence} == {"jules", "claude-code"}


def test_configured_identities_report_their_tool() -> None:
    config = Provenance(
        ai_identities=(
            AIIdentity(name="build-agent", email="agent@corp.example", tool="claude-code"),
            AIIdentity(login="corp-ai[bot]", tool="codex"),
            AIIdentity(email="helper@corp.example"),
        )
    )
    by_identity = Commit("1" * 40, Person("Build-Agent", "AGENT@corp.example"), None, "Fix")
    assert classify_commit(by_identity, config, None)[:2] == (True, "claude-code")
    assert classify_commit(by_identity, config, None)[2][0].text == "Build-Agent <AGENT@corp.example>"
    wrong_email = Commit("2" * 40, Person("build-agent", "someone@corp.example"), None, "Fix")
    assert classify_commit(wrong_email, config, None)[:2] == (False, None)
    pr = PullRequestInfo(commit_logins={"3" * 40: "corp-ai[bot]"})
    by_login = Commit("3" * 40, Person("Corp AI", "corp-ai@corp.example"), None, "Fix")
    assert classify_commit(by_login, config, pr)[:2] == (True, "codex")
    assert classify_commit(by_login, config, None)[:2] == (False, None)
    coauthor = Commit("4" * 40, Person(*HUMAN), None, "Fix\n\nCo-authored-by: Helper <helper@corp.example>")
    ai, tool, evidence = classify_commit(coauthor, config, None)
    assert (ai, tool) == (True, "unknown-ai")
    assert evidence[0].kind == "configured identity"
    assert evidence[0].text == "Co-authored-by: Helper <helper@corp.example>"


def test_bot_login_of_a_commit_counts() -> None:
    commit = Commit("5" * 40, Person("Devin", "devin@example.org"), None, "Fix")
    pr = PullRequestInfo(commit_logins={"5" * 40: "devin-ai-integration[bot]"})
    assert classify_commit(commit, Provenance(), pr)[:2] == (True, "devin")
    review = PullRequestInfo(commit_logins={"5" * 40: "gemini-code-assist[bot]"})
    assert classify_commit(commit, Provenance(), review)[:2] == (False, None)


@pytest.mark.parametrize(
    ("value", "name", "email"),
    [
        ("Claude <noreply@anthropic.com>", "Claude", "noreply@anthropic.com"),
        ("openhands openhands@all-hands.dev", "openhands", "openhands@all-hands.dev"),
        ("openhands <openhands@all-hands.dev", "openhands", "openhands@all-hands.dev"),
        ("  Claude   Opus 4.6  <noreply@anthropic.com> ", "Claude Opus 4.6", "noreply@anthropic.com"),
        ("noreply@anthropic.com", "", "noreply@anthropic.com"),
        ("Just A Name", "Just A Name", ""),
    ],
)
def test_identity_parsing_tolerates_malformed_trailers(value: str, name: str, email: str) -> None:
    assert parse_identity(value) == Person(name, email)


def test_a_persons_commit_that_mentions_the_footer_stays_human_in_the_report(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app.py", "".join(f"def f_{i}(a, b):\n    return combine(a, b, {i})\n" for i in range(20)))
    repo.commit(
        "Strip AI footers from generated PR descriptions\n\nOur release tool copied the "
        "'Generated with Claude Code' footer of\nupstream PRs into the changelog; drop it before rendering."
    )
    main(["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format=json"])
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert (provenance["ai_lines"], provenance["added_lines"]) == (0, 40)


PROSE_THAT_LOOKS_LIKE_MARKS = (
    "Fix rounding in invoice totals\n\nAssisted-by: Bob Smith <bob@example.com>\n",
    "Stop adding AI trailers\n\nOur hook used to append lines like:\n\n"
    "    Co-Authored-By: Claude <noreply@anthropic.com>\n\n"
    "We no longer do that; this commit removes the hook.\n",
    "Update contributing guide\n\n- Made-with: Cursor is no longer required in commit messages\n",
    "Bump deps\n\naider: we no longer use it, see #12\n",
    "Document AI policy\n\nAgent-Logs-Url: not applicable (human change)\n",
)


def test_a_persons_commits_whose_prose_looks_like_trailers_stay_human_in_the_report(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    for n, message in enumerate(PROSE_THAT_LOOKS_LIKE_MARKS):
        repo.write(
            f"app/m{n}.py", "".join(f"def f_{i}(a, b):\n    return combine(a, b, {i})\n" for i in range(5))
        )
        repo.commit(message, author=HUMAN)
    repo.write("app/ai.py", "def helper(a):\n    return combine(a, a, 0)\n")
    repo.commit("Add a helper\n\nCo-Authored-By: Claude <noreply@anthropic.com>", author=HUMAN)
    main(["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format=json"])
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert (provenance["ai_lines"], provenance["added_lines"]) == (2, 52)
    assert [c["ai"] for c in provenance["commits"]] == [False] * 5 + [True]
    assert provenance["commits"][0]["notes"] == [
        "Assisted-by: Bob Smith <bob@example.com>: names a person, not an AI tool; "
        "not counted as AI authorship"
    ]
