"""The two line-level record readers against their specifications, with fixtures written from the spec
text. Each fixture names the section it comes from.

- Git AI Standard v3.0.0: git-ai-project/git-ai `specs/git_ai_standard_v3.0.0.md` (commit 55a1d728).
- Agent Trace v0.1.0: cursor/agent-trace `README.md` (commit 2754f077).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gate.provenance.line_records import parse_agent_traces, parse_git_ai_note

# ------------------------------------------------------------------------------ Git AI Standard v3.0.0

# 1.2.5 Complete Example (Sessions Format), as printed.
SESSIONS_EXAMPLE = """src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
  h_31dce776f88375 42-50
src/lib.rs
  s_e7f2a90b31cc48::t_deadbeef012345 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {},
  "humans": {
    "h_31dce776f88375": {
      "author": "Developer <dev@example.com>"
    }
  },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com"
    },
    "s_e7f2a90b31cc48": {
      "agent_id": {
        "tool": "claude",
        "id": "conv_abc123def456",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com",
      "custom_attributes": {
        "team": "backend"
      }
    }
  }
}"""

# 1.2.6 Complete Example (Legacy Format), as printed.
LEGACY_EXAMPLE = """src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef0b5678ef0b5678 25,30-35
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-4.5-opus"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 25,
      "total_deletions": 5,
      "accepted_lines": 20,
      "overriden_lines": 0
    },
    "ef0b5678ef0b5678": {
      "agent_id": {
        "tool": "cursor",
        "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "model": "claude-3-sonnet"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 6,
      "total_deletions": 0,
      "accepted_lines": 6,
      "overriden_lines": 0
    }
  }
}"""

# 1.2.7 Complete Example (Mixed Format), as printed.
MIXED_EXAMPLE = """src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10
  h_31dce776f88375 15-20
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {
        "tool": "cursor",
        "id": "old_session_id",
        "model": "gpt-4"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 50,
      "total_deletions": 0,
      "accepted_lines": 50,
      "overriden_lines": 0
    }
  },
  "humans": {
    "h_31dce776f88375": {
      "author": "Developer <dev@example.com>"
    }
  },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": {
        "tool": "claude",
        "id": "conv_abc123",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com"
    }
  }
}"""

# 1.2.4 Required Fields, with a session and a known human to route keys to.
META: dict[str, Any] = {
    "schema_version": "authorship/3.0.0",
    "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
    "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "x", "model": "gpt-4"}}},
    "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude", "id": "c", "model": "m"}}},
    "humans": {"h_31dce776f88375": {"author": "Developer <dev@example.com>"}},
}
SESSION = "s_c9883b05a2487d::t_9f8e7d6c5b4a32"


def note(attestations: str, meta: dict[str, Any] | None = None) -> str:
    return attestations + "\n---\n" + json.dumps(META if meta is None else meta, indent=2)


def spans(text: str) -> list[tuple[str, tuple[tuple[int, int], ...], str | None]]:
    return [(s.path, s.ranges, s.tool) for s in parse_git_ai_note(text).spans]


def test_1_2_5_the_sessions_example_reads_as_the_text_explains_it() -> None:
    parsed = parse_git_ai_note(SESSIONS_EXAMPLE)
    assert parsed.problems == ()
    # "one AI session (s_c9883b05a2487d) made two separate edits, and a known human wrote lines 35-40"
    assert spans(SESSIONS_EXAMPLE) == [
        ("src/main.rs", ((1, 10), (15, 20)), "cursor"),
        ("src/main.rs", ((25, 25), (30, 35)), "cursor"),
        ("src/main.rs", ((42, 50),), None),
        ("src/lib.rs", ((1, 50),), "claude-code"),
    ]


def test_1_2_6_the_legacy_example_routes_bare_keys_to_prompts() -> None:
    assert parse_git_ai_note(LEGACY_EXAMPLE).problems == ()
    assert spans(LEGACY_EXAMPLE) == [
        ("src/main.rs", ((1, 10), (15, 20)), "cursor"),
        ("src/main.rs", ((25, 25), (30, 35)), "cursor"),
        ("src/lib.rs", ((1, 50),), "cursor"),
    ]


def test_1_2_7_the_mixed_example_routes_each_key_by_its_prefix() -> None:
    assert parse_git_ai_note(MIXED_EXAMPLE).problems == ()
    assert spans(MIXED_EXAMPLE) == [
        ("src/main.rs", ((1, 10),), "claude-code"),
        ("src/main.rs", ((15, 20),), None),
        ("src/lib.rs", ((1, 50),), "cursor"),
    ]


def test_1_2_3_quoted_paths_lose_their_quotes_and_nothing_is_unescaped() -> None:
    # "File paths containing spaces, tabs, or newlines MUST be wrapped in double quotes"; the reference
    # reader removes the quotes and unescapes nothing.
    rows = ['"src/my file.rs"', f"  {SESSION} 1", '"docs/README (copy).md"', f"  {SESSION} 5"]
    rows += ['"a\\\\n b.py"', f"  {SESSION} 2"]
    text = note("\n".join(rows))
    assert [s[0] for s in spans(text)] == ["src/my file.rs", "docs/README (copy).md", "a\\\\n b.py"]


@pytest.mark.parametrize("divider", ["--- ", " ---", "----", "- - -"])
def test_1_2_2_the_divider_is_exactly_three_dashes_on_their_own_line(divider: str) -> None:
    # "The divider `---` MUST appear on its own line with no leading or trailing whitespace."
    text = f"src/main.rs\n  {SESSION} 1\n{divider}\n" + json.dumps(META)
    parsed = parse_git_ai_note(text)
    assert parsed.spans == () and parsed.problems == ("git-ai note without a '---' line: not read",)


@pytest.mark.parametrize("entry", [f"    {SESSION} 1", f"\t{SESSION} 1", f" {SESSION} 1", f"   {SESSION} 1"])
def test_1_2_3_entries_are_indented_by_exactly_two_spaces(entry: str) -> None:
    # "Each attestation entry MUST be indented with exactly two spaces"
    parsed = parse_git_ai_note(note(f"src/main.rs\n{entry}\n  {SESSION} 9"))
    assert [(s.ranges, s.tool) for s in parsed.spans] == [(((9, 9),), "claude-code")]
    assert any("line not understood" in p for p in parsed.problems)


@pytest.mark.parametrize(
    ("ranges", "read"),
    [
        ("42", ((42, 42),)),  # Single line
        ("19-222", ((19, 222),)),  # Range
        ("1,2,19-222,300", ((1, 1), (2, 2), (19, 222), (300, 300))),  # Multiple
        ("1, 2", None),  # "MUST NOT contain spaces"
        ("0-4", None),  # "1-indexed", "Positive integers"
        ("5-2", None),
        ("1-", None),
    ],
)
def test_1_2_3_line_range_specification(ranges: str, read: tuple[tuple[int, int], ...] | None) -> None:
    got = spans(note(f"src/main.rs\n  {SESSION} {ranges}"))
    assert got == ([("src/main.rs", read, "claude-code")] if read else [])


@pytest.mark.parametrize(
    ("key", "tool"),
    [
        (SESSION, "claude-code"),  # s_<14hex>::t_<14hex> -> metadata.sessions by the session id
        ("abcd1234abcd1234", "cursor"),  # <16hex> -> metadata.prompts
        ("abcd123", "unknown-ai"),  # "SHOULD accept 7-character hashes": a prompt with no record
        ("h_31dce776f88375", None),  # h_<14hex> -> metadata.humans
    ],
)
def test_1_2_3_1_keys_are_routed_by_their_prefix(key: str, tool: str | None) -> None:
    assert spans(note(f"a.py\n  {key} 3")) == [("a.py", ((3, 3),), tool)]


@pytest.mark.parametrize(
    "key",
    [
        "s_c9883b05a2487d",  # "MUST contain the `::` separator"
        "s_c9883b05a2487d::9f8e7d6c5b4a32",  # "MUST use the `t_` prefix for the trace ID portion"
        "abcd1234abcd",  # legacy keys are 16 (or 7) hex characters
        "ABCD1234ABCD1234",  # hexadecimal as SHA256 prints it
        "x_31dce776f88375",
    ],
)
def test_1_2_3_1_malformed_keys_attest_nothing(key: str) -> None:
    parsed = parse_git_ai_note(note(f"a.py\n  {key} 3"))
    assert parsed.spans == () and parsed.problems == (f"git-ai key not understood: {key!r}",)


def test_1_2_3_1_a_human_key_without_its_record_attests_nothing() -> None:
    # "Human keys ... MUST correspond to an entry in metadata.humans"
    parsed = parse_git_ai_note(note("a.py\n  h_00000000000000 1-3"))
    assert parsed.spans == ()
    assert parsed.problems == (
        "git-ai human key h_00000000000000 has no record in metadata.humans: disregarded",
    )


@pytest.mark.parametrize(
    ("agent", "tool"),
    [
        ("cursor", "cursor"),
        ("claude", "claude-code"),
        ("windsurf", "windsurf"),
        ("copilot", "copilot"),
        ("gemini", "gemini"),
        ("codex", "codex"),
        ("amp", "unknown-ai"),
        ("droid", "unknown-ai"),
        ("pi", "unknown-ai"),
        ("opencode", "unknown-ai"),
    ],
)
def test_1_2_4_each_agent_id_tool_of_the_standard_is_named(agent: str, tool: str) -> None:
    # Agent ID Object: `tool` "e.g., cursor, claude, windsurf, copilot, gemini, codex, amp, droid, pi,
    # opencode"
    meta = {**META, "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": agent, "id": "1", "model": "m"}}}}
    assert spans(note(f"a.py\n  {SESSION} 1", meta)) == [("a.py", ((1, 1),), tool)]


@pytest.mark.parametrize("version", ["authorship/2.0.0", "authorship/4.0.0", "3.0.0", None, 3])
def test_3_notes_of_another_schema_version_are_not_read(version: object) -> None:
    # 1.2.1 "MUST include this version string"; 3 "SHOULD NOT attempt to process earlier versions"
    meta = {k: v for k, v in META.items() if k != "schema_version"}
    if version is not None:
        meta["schema_version"] = version
    parsed = parse_git_ai_note(note(f"a.py\n  {SESSION} 1", meta))
    assert parsed.spans == ()
    assert len(parsed.problems) == 1 and "not authorship/3.0.0: not read" in parsed.problems[0]


def test_1_2_4_sessions_and_humans_may_be_absent() -> None:
    # "sessions MAY be absent on older notes. Implementations MUST treat it as an empty map"
    meta = {"schema_version": "authorship/3.0.0", "base_commit_sha": "0" * 40, "prompts": {}}
    parsed = parse_git_ai_note(note(f"a.py\n  {SESSION} 1\n  h_31dce776f88375 2", meta))
    assert [(s.ranges, s.tool) for s in parsed.spans] == [(((1, 1),), "unknown-ai")]


# ------------------------------------------------------------------------------------ Agent Trace v0.1.0

# 6.2 Example Trace Record, as printed.
EXAMPLE_RECORD: dict[str, Any] = {
    "version": "0.1.0",
    "id": "550e8400-e29b-41d4-a716-446655440000",
    "timestamp": "2026-01-23T14:30:00Z",
    "vcs": {"type": "git", "revision": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"},
    "tool": {"name": "cursor", "version": "2.4.0"},
    "files": [
        {
            "path": "src/utils/parser.ts",
            "conversations": [
                {
                    "url": "https://api.cursor.com/v1/conversations/12345",
                    "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5-20251101"},
                    "ranges": [{"start_line": 42, "end_line": 67, "content_hash": "murmur3:9f2e8a1b"}],
                    "related": [{"type": "session", "url": "https://api.cursor.com/v1/sessions/67890"}],
                }
            ],
        },
        {
            "path": "src/utils/helpers.ts",
            "conversations": [
                {
                    "url": "https://api.cursor.com/v1/conversations/12345",
                    "contributor": {"type": "ai", "model_id": "openai/gpt-4o"},
                    "ranges": [{"start_line": 10, "end_line": 25}],
                }
            ],
        },
    ],
    "metadata": {"confidence": 0.95, "dev.cursor": {"workspace_id": "ws-abc123"}},
}

# Appendix A. Minimal Valid Trace Record, as printed.
MINIMAL_RECORD: dict[str, Any] = {
    "version": "0.1.0",
    "id": "550e8400-e29b-41d4-a716-446655440000",
    "timestamp": "2026-01-25T10:00:00Z",
    "files": [
        {
            "path": "src/app.ts",
            "conversations": [{"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 50}]}],
        }
    ],
}


def traces(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def read(*records: dict[str, Any]) -> list[tuple[str, tuple[tuple[int, int], ...], str | None, str | None]]:
    return [(s.path, s.ranges, s.tool, s.revision) for s in parse_agent_traces(traces(*records)).spans]


def test_6_2_the_example_record() -> None:
    parsed = parse_agent_traces(traces(EXAMPLE_RECORD))
    assert parsed.problems == ()
    revision = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
    assert read(EXAMPLE_RECORD) == [
        ("src/utils/parser.ts", ((42, 67),), "cursor", revision),
        ("src/utils/helpers.ts", ((10, 25),), "cursor", revision),
    ]
    assert parsed.spans[0].text == (
        "src/utils/parser.ts 42-67 ai anthropic/claude-opus-4-5-20251101 "
        "https://api.cursor.com/v1/conversations/12345"
    )


def test_appendix_a_the_minimal_valid_record() -> None:
    assert parse_agent_traces(traces(MINIMAL_RECORD)).problems == ()
    assert read(MINIMAL_RECORD) == [("src/app.ts", ((1, 50),), "unknown-ai", None)]


def test_6_3_ranges_are_grouped_by_conversation() -> None:
    files = [
        {
            "path": "src/utils.ts",
            "conversations": [
                {
                    "url": "https://api.example.com/v1/conversations/abc",
                    "contributor": {"type": "ai", "model_id": "anthropic/claude-sonnet-4-20250514"},
                    "ranges": [
                        {"start_line": 10, "end_line": 25},
                        {"start_line": 30, "end_line": 45},
                        {"start_line": 80, "end_line": 95},
                    ],
                },
                {
                    "url": "https://api.example.com/v1/conversations/def",
                    "contributor": {"type": "ai", "model_id": "openai/gpt-4o"},
                    "ranges": [{"start_line": 50, "end_line": 52}],
                },
            ],
        }
    ]
    got = read({**MINIMAL_RECORD, "files": files})
    assert [r[1] for r in got] == [((10, 25),), ((30, 45),), ((80, 95),), ((50, 52),)]


def test_6_1_a_range_contributor_overrides_its_conversation() -> None:
    # range.contributor: "Override contributor for this specific range (e.g., for agent handoffs)"
    conversation = {
        "contributor": {"type": "ai"},
        "ranges": [
            {"start_line": 1, "end_line": 5},
            {"start_line": 6, "end_line": 8, "contributor": {"type": "human"}},
        ],
    }
    record = {**MINIMAL_RECORD, "files": [{"path": "a.py", "conversations": [conversation]}]}
    assert [(r[1], r[2]) for r in read(record)] == [(((1, 5),), "unknown-ai"), (((6, 8),), None)]


@pytest.mark.parametrize(("kind", "tool"), [("ai", "unknown-ai"), ("mixed", "unknown-ai"), ("human", None)])
def test_4_contributor_types(kind: str, tool: str | None) -> None:
    # 4 Contributor Types: human, ai, mixed ("Human-edited AI output or AI-edited human code"), unknown
    conversation = {"contributor": {"type": kind}, "ranges": [{"start_line": 1, "end_line": 2}]}
    record = {**MINIMAL_RECORD, "files": [{"path": "a.py", "conversations": [conversation]}]}
    assert [r[2] for r in read(record)] == [tool]


def test_4_an_unknown_contributor_says_nothing() -> None:
    conversation = {"contributor": {"type": "unknown"}, "ranges": [{"start_line": 1, "end_line": 2}]}
    record = {**MINIMAL_RECORD, "files": [{"path": "a.py", "conversations": [conversation]}]}
    assert read(record) == []


@pytest.mark.parametrize(
    "change",
    [
        {"id": None},  # "required": ["version", "id", "timestamp", "files"]
        {"version": None},
        {"timestamp": None},
        {"id": "trace-1"},  # "format": "uuid"
        {"timestamp": "yesterday"},  # "format": "date-time", "RFC 3339 timestamp"
        {"timestamp": "2026-01-25T10:00:00"},  # RFC 3339 needs an offset
        {"version": "v1"},  # "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+$"
    ],
)
def test_6_1_a_record_without_its_required_fields_is_not_read(change: dict[str, Any]) -> None:
    record = {k: v for k, v in {**MINIMAL_RECORD, **change}.items() if v is not None}
    parsed = parse_agent_traces(traces(record))
    assert parsed.spans == ()
    assert parsed.problems == (
        ".agent-trace/traces.jsonl: 1 trace records without a valid version, id (UUID) or timestamp "
        "(RFC 3339), which Agent Trace v0.1.0 requires: not read",
    )


def test_the_reference_implementations_version_is_read() -> None:
    # reference/trace-store.ts writes `version: "1.0"` (and crypto.randomUUID(), new Date().toISOString())
    record = {**MINIMAL_RECORD, "version": "1.0", "timestamp": "2026-01-25T10:00:00.123Z"}
    assert read(record) == [("src/app.ts", ((1, 50),), "unknown-ai", None)]


@pytest.mark.parametrize(
    "vcs", [{"type": "jj", "revision": "kkmpptxz"}, {"type": "hg", "revision": "a1b2c3d4e5f6"}]
)
def test_6_4_a_revision_of_another_vcs_is_not_a_git_commit(vcs: dict[str, str]) -> None:
    parsed = parse_agent_traces(traces({**MINIMAL_RECORD, "vcs": vcs}))
    assert parsed.spans == ()
    assert parsed.problems == (
        ".agent-trace/traces.jsonl: 1 trace records at a revision of another VCS than git: not placed",
    )


def test_6_1_records_are_ordered_by_their_time_not_their_text() -> None:
    # 14:30+02:00 is 12:30 UTC: earlier than 13:00Z, though it sorts after it as text. The later record wins.
    earlier = {**MINIMAL_RECORD, "timestamp": "2026-01-23T14:30:00+02:00", "tool": {"name": "cursor"}}
    later = {
        **MINIMAL_RECORD,
        "id": "550e8400-e29b-41d4-a716-446655440001",
        "timestamp": "2026-01-23T13:00:00Z",
        "tool": {"name": "windsurf"},
    }
    assert [r[2] for r in read(later, earlier)] == ["cursor", "windsurf"]
