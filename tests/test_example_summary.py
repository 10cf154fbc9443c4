"""`docs/example-summary.md` is what `make example-summary` renders now, and it shows what a reviewer
needs: the coverage block, the AI share by tool with each AI commit's evidence, and linked findings."""

from __future__ import annotations

from tests.example_summary import DOC, render


def test_the_committed_example_summary_is_a_fresh_render() -> None:
    fresh = render()
    assert DOC.read_text(encoding="utf-8") == fresh, "run `make example-summary` and commit the result"
    # every file reviewed by three models; the one gap is said with its reason: from a plain patch the
    # repository's other specs cannot be read, so spec drift was not checked
    coverage = "\n**Coverage: not complete** — 1 gap; 6 files in the change, 6 reviewed (6 by 3 models); "
    assert coverage in fresh
    assert "| the whole change | spec-drift | spec documents not available: " in fresh
    assert "— by tool: claude-code 34 lines, cursor 30 lines, aider 28 lines" in fresh
    assert fresh.count("<details><summary><code>") == 4  # one per AI commit, with its evidence
    assert "- trailer: Co-authored-by: Cursor Agent &lt;cursoragent@cursor.com&gt;" in fresh
    # the line both models name (one says 57-58): where the skew was added
    assert "/blob/2d03a356f8fc52d5757b32d7e3b762f682281600/limiter.py#L58)" in fresh
    for status in ("**blocking** (openai/reviewer-a, openai/reviewer-b)", "confirmed (", "### Disputed (1)"):
        assert status in fresh
