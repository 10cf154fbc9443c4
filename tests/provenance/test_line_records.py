"""Parsing git-ai notes and Agent Trace records, including the malformed and hostile ones."""

from __future__ import annotations

import json

import pytest

from gate.provenance.line_records import parse_agent_traces, parse_git_ai_note, parse_ranges

META = {
    "schema_version": "authorship/3.0.0",
    "prompts": {
        "d4a7828bfdafe456": {"agent_id": {"tool": "claude", "model": "claude-opus-4-7"}},
        "abc1234": {"agent_id": {"tool": "github-copilot", "model": "gpt-4.1"}},
        "0000000000000001": {"agent_id": {"tool": "opencode", "model": "x"}},
    },
    "sessions": {"s_a76964380084ef": {"agent_id": {"tool": "cursor", "id": "1", "model": "composer-1"}}},
    "humans": {"h_dca485b1adf836": {"author": "Dmytro"}},
}
META_JSON = json.dumps(META)


def test_git_ai_note_keys_and_tools() -> None:
    note = "\n".join(
        [
            "test.json",
            "  h_dca485b1adf836 3-4,7-14",
            "  d4a7828bfdafe456 5-6",
            '"src/with space.py"',
            "  s_a76964380084ef::t_a3a130d3e145e3 28",
            "  abc1234 1",
            "  0000000000000001 2-3",
            "---",
            json.dumps(META),
        ]
    )
    parsed = parse_git_ai_note(note)
    assert parsed.problems == ()
    got = [(s.path, s.ranges, s.tool) for s in parsed.spans]
    assert got == [
        ("test.json", ((3, 4), (7, 14)), None),
        ("test.json", ((5, 6),), "claude-code"),
        ("src/with space.py", ((28, 28),), "cursor"),
        ("src/with space.py", ((1, 1),), "copilot"),
        ("src/with space.py", ((2, 3),), "unknown-ai"),
    ]
    assert parsed.spans[1].text == "test.json: d4a7828bfdafe456 5-6"


def test_note_from_format_patch_keeps_its_indentation_relative() -> None:
    note = "    calc.mjs\n      s_a76964380084ef::t_a3a130d3e145e3 28\n    ---\n    " + json.dumps(META)
    parsed = parse_git_ai_note(note)
    assert [(s.path, s.tool) for s in parsed.spans] == [("calc.mjs", "cursor")]


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("a.py\n  h_dca485b1adf836 1-2\n", "without a '---'"),
        ("a.py\n  d4a7828bfdafe456 1-2\n---\nnot json", "not JSON"),
        ("a.py\n  zzz 1-2\n---\n" + META_JSON, "key not understood"),
        ("a.py\n  h_dca485b1adf836 5-2\n---\n" + META_JSON, "line not understood"),
    ],
)
def test_bad_notes_are_said_not_raised(note: str, problem: str) -> None:
    assert any(problem in p for p in parse_git_ai_note(note).problems)


def test_session_without_metadata_is_unknown_ai() -> None:
    meta = {"schema_version": "authorship/3.0.0", "base_commit_sha": "0" * 40, "prompts": {}}
    parsed = parse_git_ai_note("a.py\n  s_0000000000000a::t_0000000000000b 1\n---\n" + json.dumps(meta))
    assert [s.tool for s in parsed.spans] == ["unknown-ai"]
    assert parsed.problems == (
        "git-ai key s_0000000000000a::t_0000000000000b has no record in metadata.sessions: AI, tool unknown",
    )


def test_ranges() -> None:
    assert parse_ranges("1-4,9-10,12") == ((1, 4), (9, 10), (12, 12))
    assert parse_ranges("1-4, 9") is None  # ranges MUST NOT contain spaces
    assert parse_ranges("0-3") is None
    assert parse_ranges("a-b") is None
    assert parse_ranges("") is None


def test_hits_are_bounded_by_the_candidates() -> None:
    parsed = parse_git_ai_note("a.py\n  h_dca485b1adf836 1-999999999999\n---\n" + META_JSON)
    assert parsed.spans[0].hits([5, 7, 10**9]) == [5, 7, 10**9]


def test_agent_trace_contributors_and_order() -> None:
    newer = {
        "version": "0.1.0",
        "id": "00000000-0000-4000-8000-000000000002",
        "timestamp": "2026-01-02T00:00:00Z",
        "tool": {"name": "claude-code", "version": "2"},
        "files": [
            {
                "path": "a.py",
                "conversations": [
                    {
                        "contributor": {"type": "mixed"},
                        "ranges": [
                            {"start_line": 1, "end_line": 2},
                            {"start_line": 3, "end_line": 3, "contributor": {"type": "human"}},
                            {"start_line": 4, "end_line": 4, "contributor": {"type": "unknown"}},
                            {"start_line": 9, "end_line": 5},
                        ],
                    }
                ],
            }
        ],
    }
    older = {
        "version": "0.1.0",
        "id": "00000000-0000-4000-8000-000000000001",
        "timestamp": "2026-01-01T00:00:00Z",
        "vcs": {"type": "git", "revision": "abc1234"},
        "files": [
            {
                "path": "a.py",
                "conversations": [
                    {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 9}]}
                ],
            }
        ],
    }
    text = json.dumps(newer) + "\n" + json.dumps(older) + "\n[1, 2]\n{broken\n\n"
    parsed = parse_agent_traces(text)
    assert [(s.ranges, s.tool, s.revision) for s in parsed.spans] == [
        (((1, 9),), "unknown-ai", "abc1234"),
        (((1, 2),), "claude-code", None),
        (((3, 3),), None, None),
    ]
    assert parsed.problems == (".agent-trace/traces.jsonl: 2 lines are not trace records",)
