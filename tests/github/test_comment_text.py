"""A finding's text in an inline comment as a reviewer reads it (rendered as GitHub renders markdown):
its code shown as written, the gate's own collapsible section a collapsible section, and whatever a
model or a report put around them inert."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from gate.github.review import TITLE_MAX_CHARS, comment_body
from gate.report.github_view import read_report
from tests.security.test_output_inert import live_on_github

MODEL_RUN = Path(__file__).parent.parent / "data" / "report" / "model-run.json"


def rendered(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def test_a_findings_code_is_shown_as_written_inside_the_gates_own_collapsible_section() -> None:
    view, _ = read_report(MODEL_RUN, "")
    (outlier,) = [f for f in view.findings if f.stage == "regen"]
    html = rendered(comment_body(outlier))
    assert "<details><summary>Consensus re-generation, as a diff from the submitted code</summary>" in html
    assert "&lt;details&gt;" not in html
    # in the ```diff block, as written: `<` is shown as `<` (an escaped `&lt;` in code shows literally)
    assert '<pre lang="diff"><code>' in html and "-    if rate &lt; 0 or rate &gt; 1:\n" in html
    assert "&amp;lt;" not in html
    assert "<code>src/prices.py</code>" in html


def test_a_hostile_body_is_inert_around_code_shown_as_written() -> None:
    view, _ = read_report(MODEL_RUN, "")
    finding = view.findings[0].model_copy(
        update={
            "title": "`a < b` @octocat",
            "body": "\n".join(
                [
                    "<details><summary>@octocat & co</summary>",
                    "",
                    "`<img src=x>`` <img src=y>",
                    "",
                    "</details>",
                    "```suggestion\nrm -rf /\n```",
                    "[x](//evil.example/`y`) `a|<img src=z>`",
                    "",
                    "|a|\n|-|\n|`b|<img src=w>`|",
                ]
            ),
        }
    )
    body = comment_body(finding)
    assert live_on_github(body) == []
    html = rendered(body)
    assert "<img" not in html and "```suggestion" not in body
    assert "<code>a &lt; b</code> @\u2060octocat</strong>" in html
    assert "<details><summary>@\u2060octocat &amp; co</summary>" in html
    assert "<code>b|&lt;img src=w&gt;</code>" in html  # a table cell keeps the code whole


def test_markup_in_a_title_neither_marks_itself_up_nor_ends_the_comments_bold() -> None:
    """The comment writes its title in bold; a title's own `**`, `_` or `~~` (a PR author can steer it)
    is shown as typed, and the bold ends where the gate ends it."""
    view, _ = read_report(MODEL_RUN, "")
    title = "x** then **blocking** _all_ ~~tests~~ `a_b*`"
    html = rendered(comment_body(view.findings[0].model_copy(update={"title": title})))
    (line,) = [line for line in html.splitlines() if "then" in line]
    assert line.count("<strong>") == 1 and "<em>" not in line and "<del>" not in line
    assert "x** then **blocking** _all_ ~~tests~~ <code>a_b*</code></strong>" in line


def test_a_long_title_is_cut_on_its_line_as_the_summary_cuts_one() -> None:
    """A title cut to fit its comment ends in a plain `…`, as it does in the summary's table, inside the
    bold the comment writes around it."""
    view, _ = read_report(MODEL_RUN, "")
    long = view.findings[0].model_copy(update={"title": "a very long title " * 60})
    (line,) = [line for line in comment_body(long).splitlines() if "a very long title" in line]
    assert line.startswith("**") and "…**" in line and "truncated" not in line
    assert len(line.partition("** (")[0]) <= 2 + len("🚫 ") + TITLE_MAX_CHARS
