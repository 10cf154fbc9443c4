"""The packaged tool table: every tool id of SPEC 5.1, every row sourced, bad tables rejected."""

from __future__ import annotations

import pytest

from gate.provenance.table import KINDS, TOOL_IDS, TableError, parse_table, tool_table


def test_every_row_is_sourced_and_every_tool_has_a_mark() -> None:
    table = tool_table()
    assert all(r.source and r.basis and r.note for r in table.rules)
    marked = {r.tool for r in table.rules if r.counts}
    assert marked >= set(TOOL_IDS) - {"unknown-ai"}
    assert {r.kind for r in table.rules} == set(KINDS)
    # look-alikes come first so they are recognised before a broader AI row
    counts = [r.counts for r in table.rules]
    assert counts == sorted(counts)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Claude:claude-3-opus", "claude-code"),
        ("github-copilot", "copilot"),
        ("Amazon Q Developer", "amazon-q"),
        ("gemini-cli 0.3", "gemini"),
        ("precursor", None),
        ("opencode", None),
        ("ChatGPT", "unknown-ai"),
        ("GPT-4o via Cursor", "cursor"),
        ("gpt-4o-mini", "unknown-ai"),
    ],
)
def test_tool_names_in_text(text: str, tool: str | None) -> None:
    assert tool_table().tool_in_text(text) == tool


TOOLS = "".join(f'[[tool]]\nid = "{t}"\naliases = []\n' for t in TOOL_IDS)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            '[[rule]]\ntool = "nope"\nkind = "login"\nlogin = "x"\nbasis = "seen"\nsource = "s"\n',
            "unknown tool",
        ),
        ('[[rule]]\ntool = "aider"\nkind = "smell"\nbasis = "seen"\nsource = "s"\n', "unknown kind"),
        ('[[rule]]\ntool = "aider"\nkind = "login"\nlogin = "x"\nbasis = "rumour"\nsource = "s"\n', "basis"),
        ('[[rule]]\ntool = "aider"\nkind = "login"\nbasis = "seen"\nsource = "s"\n', "needs its pattern"),
        (
            '[[rule]]\ntool = "aider"\nkind = "login"\nlogin = "(x"\nbasis = "seen"\nsource = "s"\n',
            "bad login regex",
        ),
    ],
)
def test_bad_tables_are_rejected(rows: str, message: str) -> None:
    with pytest.raises(TableError, match=message):
        parse_table(TOOLS + rows)


def test_tool_ids_must_be_the_spec_ids() -> None:
    with pytest.raises(TableError, match=r"SPEC 5\.1"):
        parse_table('[[tool]]\nid = "claude-code"\n')
