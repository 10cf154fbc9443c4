"""The summary within the room a destination gives, counted as GitHub counts it there (UTF-8 bytes for a
check run's summary, characters for a comment): the findings before the commits, a cut between rows that
closes the `<details>` block it falls in, the notes kept, and each commit's evidence bounded."""

from __future__ import annotations

from typing import Any

import cmarkgfm
from cmarkgfm.cmark import Options

from gate.github import limits
from gate.github.limits import Room
from gate.report.github_summary import render_summary
from gate.report.github_view import ReportView
from gate.report.links import BlobLinks
from gate.report.summary import MAX_EVIDENCE_CHARS

SHA = "5b2314a0a1b6c4832e3f833adb25fbafc825b9c3"
LINKS = BlobLinks.make("https://github.com/o/r", SHA)
RUN = "https://github.com/o/r/actions/runs/1"
CUT = "…the summary was cut to fit GitHub's limit; see [the full report](https://github.com/o/r/actions/runs/1)."
FAILED = "could not post the check run: summary exceeds a maximum bytesize of 65535"


def commit(n: int, evidence: list[str], subject: str = "Step") -> dict[str, Any]:
    return {
        "sha": f"{n:040x}",
        "subject": f"{subject} {n}",
        "ai": True,
        "tool": "claude-code",
        "evidence": evidence,
        "added_lines": 1,
        "ai_lines": 1,
    }


def view(commits: int = 50, findings: int = 3, evidence: str = "x", reasons: int = 1) -> ReportView:
    """A failed report with AI commits whose evidence is `evidence` five times, and blocking findings."""
    trailers = [f"trailer: Co-authored-by: Claude {evidence} {k} <noreply@anthropic.com>" for k in range(5)]
    return ReportView.parse(
        {
            "schema_version": 1,
            "verdict": "fail",
            "reasons": [f"reason {i}: " + "r" * 500 for i in range(reasons)],
            "provenance": {"commits": [commit(n, trailers) for n in range(commits)]},
            "findings": [
                {
                    "id": f"f{i}",
                    "stage": "secrets",
                    "path": f"src/settings_{i}.py",
                    "start_line": 1,
                    "severity": "high",
                    "title": f"GitHub Token added in src/settings_{i}.py",
                    "blocking": True,
                    "confirmed": True,
                }
                for i in range(findings)
            ],
        },
        "test",
    )


def posted(report: ReportView, room: Room, notes: tuple[str, ...] = (FAILED,)) -> str:
    return render_summary(report, notes=notes, report_link=RUN, room=room, marker=True, links=LINKS)


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def test_the_findings_come_before_the_commits_and_a_cut_keeps_them() -> None:
    report = view(commits=50, findings=3, evidence="pad" * 80)
    whole = posted(report, Room(1_000_000))
    assert whole.index("### Findings (3, 3 blocking)") < whole.index("#### AI-authored commits (50)")
    body = posted(report, Room(len(whole) // 2))
    assert len(body) <= len(whole) // 2 and CUT in body
    assert body.count("| 🚫 |") == 3
    assert "#### AI-authored commits (50)" in body and body.count("<details><summary><code>") < 50


def test_a_cut_inside_a_commits_details_closes_it_before_saying_so() -> None:
    report = view(commits=50, findings=3, evidence="pad" * 80)
    whole = posted(report, Room(1_000_000))
    for limit in range(len(whole) // 3, len(whole) // 2, 97):  # cuts at every place in a commit's block
        body = posted(report, Room(limit))
        assert len(body) <= limit
        page = html(body)
        before = page[: page.index("the summary was cut")]
        assert before.count("<details>") == before.count("</details>"), limit
        assert page.count("<details>") == page.count("</details>")


def test_the_notes_are_kept_when_the_summary_is_cut() -> None:
    """What could not be posted is said in every summary that is posted, cut or not."""
    report = view(commits=50, findings=100, evidence="pad" * 80)
    body = posted(report, Room(30_000))
    assert CUT in body and FAILED in body and body.count("| 🚫 |") == 100
    assert body.index(CUT) < body.index("<details><summary>Notes</summary>") < body.index(FAILED)
    page = html(body)
    assert page.count("<details>") == page.count("</details>")


def test_notes_that_do_not_fit_are_counted_and_the_first_kept() -> None:
    report = view(commits=0, findings=3)
    notes = (FAILED, *(f"note {i}: " + "n" * 400 for i in range(400)))
    body = posted(report, Room(20_000), notes)
    assert len(body) <= 20_000 and CUT in body and FAILED in body
    assert "more notes in the JSON report." in body
    assert "| 🚫 |" not in body  # the rows go before the notes


def test_a_check_run_summary_is_measured_in_bytes() -> None:
    """Findings quoting CJK text take three bytes a character: the check run's room is bytes, a comment's
    characters."""
    report = view(commits=50, findings=100, evidence="確認済み" * 40)
    check = posted(report, limits.CHECK_SUMMARY)
    comment = posted(report, limits.COMMENT_BODY)
    assert len(check.encode("utf-8")) <= limits.CHECK_SUMMARY_MAX_BYTES
    assert CUT in check and FAILED in check and "| 🚫 |" in check
    assert CUT not in comment and len(comment) <= limits.COMMENT_BODY_MAX_CHARS
    assert len(comment.encode("utf-8")) > limits.CHECK_SUMMARY_MAX_BYTES


def test_a_head_larger_than_the_room_is_cut_within_it() -> None:
    """Only the head left, and more of it than fits: cut, in bytes, the marker kept first."""
    report = view(commits=0, findings=3, reasons=300)
    body = posted(report, Room(10_000, in_bytes=True), ())
    assert len(body.encode("utf-8")) <= 10_000
    assert body.startswith("<!-- ai-quality-gate -->\n## ❌ AI Quality Gate: **fail**")
    assert body.rstrip().endswith(CUT)


def test_each_commits_evidence_is_bounded() -> None:
    report = view(commits=1, findings=0, evidence="pad" * 200)
    body = posted(report, Room(1_000_000), ())
    shown = [line for line in body.splitlines() if line.startswith("- trailer: ")]
    assert 0 < len(shown) < 5 and sum(len(line) for line in shown) <= MAX_EVIDENCE_CHARS
    assert f"- …and {5 - len(shown)} more" in body
