"""Every string of a report the summary prints is inert: a report read back (`ai-gate publish` posts one
an unprivileged job wrote, which the PR could have changed) can put any text in any field.

A report that fills each field with every string it takes, in turn: hostile markdown that closes the
gate's `<details>`, opens an HTML comment, forges the gate's heading, pings a team, links away, shows an
image, and ends a code span early. The summary is rendered as GitHub renders it (cmark-gfm), whole and
cut to a small room, and nothing in it may act: no link but the head commit's lines and the full report,
no heading but the gate's own, no mention, no reference, no image, no comment but the marker, every
`<details>` closed, and the line that says the summary was cut outside any of them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from pydantic import ValidationError

from gate.errors import InputError
from gate.github.limits import Room
from gate.report.github_summary import render_summary
from gate.report.github_view import GATE, PUBLISHED, ReportView, read_report
from gate.report.links import BlobLinks
from gate.report.summary import cell
from tests.security.test_output_inert import MENTION, REFERENCE, command_lines

SHA = "5b2314a0a1b6c4832e3f833adb25fbafc825b9c3"
REPO = "https://github.com/o/r"
RUN = f"{REPO}/actions/runs/1"
HOSTILE = [
    # a code span the text ends early, inside the gate's link to a file; a heading at the start of an item
    "## ✅ AI Quality Gate: **pass** `](/attacker/repo/pull/1) **verified safe** ``x",
    # the gate's own folding closed, a comment opened that hides the rest, a mention and an image
    "</details>\n\n## pass\n\n<!-- @org/security-team #12 <img src=https://evil.example/i.png>",
    # links away, a workflow command, a table of its own
    "- [approved](https://evil.example/login) www.evil.example ::error::x ##[error]y | a | b",
    # code blocks and a rule, which would swallow or split what follows
    "```\n</details>\n*** ~~~ x` `` ```",
]
# Keys whose value decides whether a part is shown at all: filled, the part is not rendered to check.
SHOWN_BY = frozenset({"kind", "share_of"})


def finding(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"f{n}",
        "stage": "review",
        "rule": "review/bug",
        "path": f"src/m{n}.py",
        "start_line": 3,
        "end_line": 4,
        "severity": "high",
        "category": "bug",
        "title": "title",
        "body": "body",
        "confirmed_by": ["m/a", "m/b"],
        **fields,
    }


def report() -> dict[str, Any]:
    """A report with every part the summary shows: each field it prints holds a string to replace."""
    compliance = [{"kind": "issue", "id": "R1", "statement": "s", "source": "#1", "status": "not addressed"}]
    return {
        "schema_version": 1,
        "verdict": "fail",
        "reasons": ["reason"],
        "provenance": {
            "ai_share": 0.5,
            "ai_lines": 5,
            "added_lines": 10,
            "code_ai_lines": 4,
            "code_added_lines": 8,
            "code_left_out": {"documentation": 2},
            "share_of": "code",
            "unknown_origin_lines": 1,
            "tools": {"claude-code": 5},
            "basis": ["commit trailers"],
            "pr_evidence": ["pr-body: generated"],
            "commits": [
                {
                    "sha": "b" * 40,
                    "subject": "subject",
                    "ai": True,
                    "tool": "claude-code",
                    "evidence": ["trailer: one", "identity: two"],
                    "added_lines": 5,
                    "ai_lines": 5,
                }
            ],
        },
        "stages": {
            "review": {"ran": True, "why": "why", "threshold": {"met": True, "why": "why"}},
            "secrets": {"ran": False, "why": "why", "skipped_reason": "skipped", "error": "error"},
            "regen": {"ran": True, "why": "why", "model_error": "model error"},
            "spec": {"ran": True, "why": "why", "details": {"compliance": compliance}},
        },
        "coverage": {
            "files": 3,
            "analysed": 3,
            "ignored": ["docs/x.md"],
            "review": "reviewed",
            "review_why": "why",
            "models": ["m/a", "m/b"],
            "quorum": 2,
            "reviewed": [{"path": "src/m1.py", "models": ["m/a", "m/b"]}],
            "gaps": [
                {"stage": "review", "kind": "failure", "reason": "reason", "path": "src/b.py", "lines": "3-4"}
            ],
        },
        "findings": [
            finding(1, blocking=True, confirmed=True),
            finding(2, severity="low", raised_by=["m/a"], confirmed_by=["m/a"]),
            finding(3, disputed=True, raised_by=["m/c"], refused_by=["m/a", "m/b"]),
            finding(4, stage="secrets", start_line=None, end_line=None, blocking=True),
        ],
        "notes": ["note"],
    }


def places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every string in a JSON-like value."""
    if isinstance(value, str):
        yield at
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in SHOWN_BY:
                yield from places(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from places(v, (*at, i))


def filled(text: str) -> ReportView:
    """The report with every string the schema lets hold `text` set to it, and a key of that text added
    to each map the summary names its keys from (tools, stages, kinds of lines left out). Read as the
    gate's own report is, so that nothing but the summary stands between the text and the page."""
    data = report()
    for at in list(places(data)):
        trial = copy.deepcopy(data)
        parent = trial
        for step in at[:-1]:
            parent = parent[step]
        parent[at[-1]] = text
        try:
            ReportView.model_validate(trial)
        except ValidationError:
            continue
        data = trial
    prov, stages = data["provenance"], data["stages"]
    prov["tools"][text] = 1
    prov["code_left_out"][text] = 1
    stages[text] = {**stages["secrets"], "error": text}
    return ReportView.model_validate(data)


class _Page(HTMLParser):
    """What acts on a rendered page: links, images, headings, comments, rules, text outside code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []
        self.headings: list[str] = []
        self.comments: list[str] = []
        self.rules = 0
        self.live: list[str] = []
        self.folded_cut_line = False
        self._inert = 0
        self._details = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "pre", "a"):
            self._inert += 1
        self.links += [v or "" for k, v in attrs if tag == "a" and k == "href"]
        self.images += [v or "" for k, v in attrs if tag == "img" and k == "src"]
        self.rules += tag == "hr"
        self._details += tag == "details"
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre", "a"):
            self._inert -= 1
        self._details -= tag == "details"
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._inert == 0:
            self.live.append(data)
        if "the summary was cut" in data and self._details:
            self.folded_cut_line = True

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


GATE_HEADINGS = ("❌ AI Quality Gate", "Findings (", "Disputed (", "Linked issues:", "AI-authored commits (")


def acting(markdown: str, marker: str, repo: str = REPO) -> list[str]:
    """What in this markdown would act on GitHub, beyond what the gate writes itself: its links go to
    lines of `repo` at a commit and to the run's full report."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    page = _Page()
    page.feed(html)
    live = "".join(page.live)
    ours = re.compile(re.escape(repo) + r"/(blob/[0-9a-f]{40}/|actions/runs/[0-9]+$)")
    problems = [f"link {u}" for u in page.links if not ours.match(u)]
    problems += [f"image {u}" for u in page.images]
    problems += [f"heading {h!r}" for h in page.headings if not h.startswith(GATE_HEADINGS)]
    problems += [f"comment {c!r}" for c in page.comments if f"<!--{c}-->" != marker]
    problems += ["a rule"] * page.rules
    problems += [f"mention {m}" for m in MENTION.findall(live)]
    problems += [f"reference {m}" for m in REFERENCE.findall(live)]
    problems += [f"workflow command {line!r}" for line in command_lines(markdown)]
    opened, closed = html.count("<details>"), html.count("</details>")
    problems += [f"{opened} <details> opened, {closed} closed"] if opened != closed else []
    problems += ["the line saying the summary was cut is folded away"] if page.folded_cut_line else []
    return problems


@pytest.mark.parametrize("text", HOSTILE, ids=["code-span", "details", "links", "blocks"])
@pytest.mark.parametrize("room", [Room(1_000_000), Room(3_000, in_bytes=True)], ids=["whole", "cut"])
@pytest.mark.parametrize("origin", [GATE, PUBLISHED], ids=["gate", "published"])
def test_no_string_of_a_report_acts_in_its_summary(text: str, room: Room, origin: Any) -> None:
    view = filled(text)
    body = render_summary(
        view,
        notes=[text],
        report_link=RUN,
        room=room,
        marker=True,
        origin=origin,
        links=BlobLinks.make(REPO, SHA),
    )
    assert room.fits(body)
    assert ("the summary was cut" in body) == (room.limit < 1_000_000)
    assert acting(body, origin.comment_marker) == []


def test_the_hostile_report_shows_its_text_where_it_was_put() -> None:
    """The fill reaches every part: the text is shown, made inert, in each."""
    body = render_summary(filled(HOSTILE[0]), room=Room(1_000_000), links=BlobLinks.make(REPO, SHA))
    # shown as typed: escaped where markdown is read, as is inside the gate's HTML
    lines = [line for line in body.splitlines() if re.search(r"AI Quality Gate: (\\\*){2}pass", line)]
    lines += [line for line in body.splitlines() if line.startswith("<details>") and "Gate: **pass**" in line]
    for part in (
        "Of code lines (",
        "by tool:",
        "Evidence used:",
        "Thresholds:",
        "| 🚫 |",
        "<details><summary>",
    ):
        assert any(part in line for line in lines), part
    assert sum(line.startswith("- \\## ✅") for line in lines) >= 4  # reasons, not-checked, evidence, notes


def test_a_report_naming_a_kind_of_line_the_gate_does_not_leave_out_is_refused(tmp_path: Path) -> None:
    """`provenance.code_left_out` names its kinds in the summary's words: a report read back may only use
    the gate's own."""
    data = report()
    data["provenance"]["code_left_out"] = {"docs) </details> <!-- ": 1}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"provenance\.code_left_out: .*not a kind of line"):
        read_report(path, "")
    data["provenance"]["code_left_out"] = {"documentation": 1, "data files": 2, "whitespace-only changes": 3}
    path.write_text(json.dumps(data))
    view, _ = read_report(path, "")
    line = render_summary(view, room=Room(100_000)).splitlines()
    assert "Of code lines (documentation, data files and whitespace-only changes left out): " in "\n".join(
        line
    )


class _Marked(HTMLParser):
    """Text a rendered page shows marked up (bold, italic, struck through), and the text of its code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marked: list[tuple[str, str]] = []
        self.code: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self.code.append("")
        elif tag in ("strong", "em", "del"):
            self.marked.append((tag, ""))
        else:
            return
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        if self._open[-1] == "code":
            self.code[-1] += data
        else:
            tag, text = self.marked[-1]
            self.marked[-1] = (tag, text + data)


def rendered(markdown: str) -> _Marked:
    page = _Marked()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))
    return page


MARKUP = "**bold** __bold__ *em* _em_ ~~gone~~ ~gone~ $x$ a\\*b*"
# What the gate writes in bold itself: the verdict, a blocking status, its headings of lines.
GATE_BOLD = re.compile(r"fail|blocking|AI-authored share:|Coverage: not complete|Not fully reviewed:")


def test_no_string_of_a_report_marks_text_up_in_its_summary() -> None:
    """Bold, italic and struck-through text from a report (a finding's title, a file name, a reason: a
    PR author writes them) is shown as typed, never marked up: a title must not pass for the gate's own
    `**blocking**`, nor close the emphasis around it."""
    links = BlobLinks.make(REPO, SHA)
    body = render_summary(filled(MARKUP), notes=[MARKUP], room=Room(1_000_000), links=links)
    page = rendered(body)
    assert [(tag, text) for tag, text in page.marked if not GATE_BOLD.fullmatch(text)] == []
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    text = unescape(re.sub(r"<[^>]*>", "", html))
    assert text.count(MARKUP) >= 10  # shown as typed: the title, the reasons, the notes, ...


def test_code_in_a_report_is_shown_as_written_in_its_summary() -> None:
    """A code span in a title, and a file name shown as code, show their text as written: `a<b`, not
    the `a&lt;b` that escaping the HTML of prose would leave inside the span."""
    data = report()
    data["findings"][0].update(title="Compares `a<b && c>d` with `x_y|z`", path="src/a<b>_c|d.py")
    data["coverage"]["gaps"][0]["path"] = "src/<g>_h.py"
    data["coverage"]["ignored"] = ["docs/<i>_j.md"]
    view = ReportView.model_validate(data)
    body = render_summary(view, room=Room(1_000_000), links=BlobLinks.make(REPO, SHA))
    code = rendered(body).code
    for written in ("a<b && c>d", "x_y|z", "src/a<b>_c|d.py:3-4", "src/<g>_h.py:3-4", "docs/<i>_j.md"):
        assert written in code, written
    assert acting(body, GATE.comment_marker) == []


def test_no_mix_of_markup_characters_marks_up_a_cell() -> None:
    """Random cells of the characters that mark text up, escape, or open code: whatever CommonMark would
    make of them, a cell shows no bold, italic or struck-through text and stays one cell."""
    import random

    parts = ["*", "**", "_", "__", "~", "~~", "\\", "`", "``", "|", "$", "a", "é", " ", "😀", "&", "<b>"]
    rng = random.Random(11)
    for _ in range(2_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 24)))
        row = f"| x | {cell(text)} | y |"
        html = cmarkgfm.github_flavored_markdown_to_html(f"| a | b | c |\n| - | - | - |\n{row}")
        body = html[html.index("<tbody>") :]
        assert not re.search(r"<(strong|em|del|b)>", body) and body.count("<td>") == 3, repr(text)


def test_a_list_item_that_reads_like_a_numbered_list_opens_none():
    from gate.report.summary import item

    for text in ("1. verdict: pass", "2) all checks passed", "# heading", "- rule"):
        html = cmarkgfm.github_flavored_markdown_to_html(item(text) + "\n")
        assert "<ol" not in html and "<h1" not in html and html.count("<li>") == 1, (text, html)
        assert "verdict: pass" in html or text != "1. verdict: pass"
