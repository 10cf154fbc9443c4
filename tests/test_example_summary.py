"""`docs/example-summary.md` is what `make example-summary` renders now, and it shows what a reviewer
needs: the coverage block, the AI share by tool with each AI commit's evidence, and linked findings."""

from __future__ import annotations

from tests.example_summary import DOC, render


def test_the_committed_example_summary_is_a_fresh_render() -> None:
    fresh = render()
    assert DOC.read_text(encoding="utf-8") == fresh, "run `make example-summary` and commit the result"
    assert "\n**Coverage:** 5 files in the change, 5 reviewed (5 by 3 models); " in fresh
    assert "— by tool: claude-code 34 lines, cursor 30 lines, aider 28 lines" in fresh
    assert fresh.count("<details><summary><code>") == 4  # one per AI commit, with its evidence
    assert "- trailer: Co-authored-by: Cursor Agent &lt;cursoragent@cursor.com&gt;" in fresh
    assert "/blob/5b2314a0a1b6c4832e3f833adb25fbafc825b9c3/limiter.py#L57-L58)" in fresh
    for status in ("**blocking** (openai/reviewer-a, openai/reviewer-b)", "confirmed (", "### Disputed (1)"):
        assert status in fresh
