"""The summary: one renderer for `--format markdown` and GitHub, the coverage it reports, the status of
each finding, and links that only ever go to the head commit's lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from gate.analyzers import deterministic_analyzers
from gate.cli import main
from gate.config.models import Config
from gate.github.limits import Room
from gate.pipeline import run
from gate.report import coverage, json_v1
from gate.report.github_summary import render_summary
from gate.report.github_view import FindingView, ReportView
from gate.report.links import BlobLinks, repo_url
from gate.report.summary import status, where
from gate.run import RunContext
from tests.analyzers.gitrepo import change
from tests.security.test_output_inert import _Live, live_on_github

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ["check", "--diff", str(ROOT / "examples" / "ai-assisted-series.mbox"), "--offline"]
CONFIG = ["--config", str(ROOT / "examples" / "ai-gate.yml")]
SHA = "5b2314a0a1b6c4832e3f833adb25fbafc825b9c3"


def test_markdown_and_the_github_summary_are_one_rendering(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main([*EXAMPLE, *CONFIG, "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert main([*EXAMPLE, *CONFIG, "--format", "json"]) == 1
    view = ReportView.parse(json.loads(capsys.readouterr().out), "report")
    assert render_summary(view, room=Room(1_000_000)) == markdown
    assert "**Coverage: not complete**" in markdown and "#### AI-authored commits (4)" in markdown


def test_a_report_without_coverage_says_so() -> None:
    view = ReportView.parse({"schema_version": 1, "verdict": "pass"}, "old report")
    text = render_summary(view, room=Room(10_000))
    assert "**Coverage:** not recorded in this report; treat the change as not fully reviewed." in text


def test_files_the_analyzers_could_not_read_are_coverage_gaps(tmp_path: Path) -> None:
    big = "DATA = '" + "x" * 1_100_000 + "'\n"
    changeset = change(tmp_path, {"a.py": "x = 1\n"}, {"a.py": "x = 2\n", "big.py": big})
    outcome = run(RunContext(changeset=changeset, config=Config(), offline=True), deterministic_analyzers())
    cov = coverage.of(outcome)
    assert cov.files == 2 and cov.analysed == 1 and cov.review == "not-called"
    (gap,) = [g for g in cov.gaps if g.path == "big.py"]
    assert gap.kind == "size" and "over the 1,000,000 byte limit" in gap.reason
    assert json_v1.to_dict(outcome)["coverage"] == coverage.to_json(cov)
    view = ReportView.parse(json_v1.to_dict(outcome), "report")
    text = render_summary(view, room=Room(100_000))
    assert (
        "| `big.py` | analyzers | not analysed: 1,100,010 bytes added, over the 1,000,000 byte limit |"
        in text
    )


def _finding(**fields: object) -> FindingView:
    base: dict[str, object] = {"id": "f1", "stage": "review", "severity": "high", "title": "t"}
    return FindingView.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"blocking": True, "confirmed": True, "confirmed_by": ["m/a", "m/b"]}, "**blocking** (m/a, m/b)"),
        ({"confirmed": True, "confirmed_by": ["m/a", "m/b"]}, "confirmed (m/a, m/b)"),
        ({"raised_by": ["m/a"], "confirmed_by": ["m/a"]}, "advisory (raised by m/a)"),
        (
            {"disputed": True, "raised_by": ["m/c"], "refused_by": ["m/a", "m/b"]},
            "disputed (raised by m/c; refused by m/a, m/b)",
        ),
        # the spec stage's contradictions are model findings too: the models stand behind them
        ({"stage": "spec", "blocking": True, "confirmed_by": ["m/a", "m/b"]}, "**blocking** (m/a, m/b)"),
        ({"stage": "secrets", "blocking": True, "confirmed": True}, "**blocking** (analyzer)"),
        ({"stage": "weakened-tests", "confirmed": True}, "confirmed (analyzer)"),
    ],
)
def test_each_finding_says_its_status_and_the_models_behind_it(fields: dict[str, object], said: str) -> None:
    assert status(_finding(**fields)) == said


@pytest.mark.parametrize(
    ("server", "repository", "path", "lines", "url"),
    [
        (
            "https://github.com",
            "o/r",
            "src/a.py",
            (3, 5),
            f"https://github.com/o/r/blob/{SHA}/src/a.py#L3-L5",
        ),
        ("https://ghe.corp.test/", "o/r", "a.py", (7, 7), f"https://ghe.corp.test/o/r/blob/{SHA}/a.py#L7"),
        (
            "http://ghe.corp.test:8443/git",
            "o/r",
            "my dir/ä#1?.py",
            (1, 2),
            f"http://ghe.corp.test:8443/git/o/r/blob/{SHA}/my%20dir/%C3%A4%231%3F.py#L1-L2",
        ),
    ],
)
def test_links_go_to_the_lines_at_the_head_commit(
    server: str, repository: str, path: str, lines: tuple[int, int], url: str
) -> None:
    links = BlobLinks.make(repo_url(server, repository), SHA)
    assert links is not None and links.to(path, *lines) == url


@pytest.mark.parametrize(
    ("server", "repository", "sha"),
    [
        ("javascript:alert(1)//", "o/r", SHA),
        ("https://evil.test/o/r) [x](https://evil.test", "o/r", SHA),
        ("https://github.com", "o/r/../../evil", SHA),
        ("https://github.com", "o/r", "main"),
        ("", "o/r", SHA),
    ],
)
def test_no_link_from_a_malformed_server_repository_or_sha(server: str, repository: str, sha: str) -> None:
    assert BlobLinks.make(repo_url(server, repository), sha) is None


@pytest.mark.parametrize(
    ("path", "url"),
    [
        (
            "x](https://evil.example/p) @octocat #12 <img src=x>.py",
            "x%5D%28https%3A//evil.example/p%29%20%40octocat%20%2312%20%3Cimg%20src%3Dx%3E.py",
        ),
        # a backtick ends a code span of one backtick: the rest of the name would be a link and bold text
        (
            "x`](/attacker/repo/pull/1) **✅ verified safe by the security team** `.py",
            "x%60%5D%28/attacker/repo/pull/1%29%20%2A%2A%E2%9C%85%20verified%20safe%20by%20the%20security%20team%2A%2A%20%60.py",
        ),
        ("``x` ``](https://evil.example/p)`", "%60%60x%60%20%60%60%5D%28https%3A//evil.example/p%29%60"),
    ],
)
def test_a_hostile_path_stays_inside_its_link(path: str, url: str) -> None:
    links = BlobLinks.make("https://github.com/o/r", SHA)
    shown = where(_finding(path=path, start_line=4, end_line=4), links)
    assert shown.endswith(f"(https://github.com/o/r/blob/{SHA}/{url}#L4)")
    # rendered as GitHub renders it: one link, to the head commit's file, around the whole name as code;
    # nothing else live
    html = cmarkgfm.github_flavored_markdown_to_html(f"| {shown} |", options=Options.CMARK_OPT_UNSAFE)
    parsed = _Live()
    parsed.feed(html)
    assert parsed.links == [shown[shown.rindex("](") + 2 : -1]]
    assert parsed.links[0].startswith(f"https://github.com/o/r/blob/{SHA}/")
    assert re.fullmatch(r'<p>\| <a href="[^"]*"><code>[^<]*:4</code></a> \|</p>\n', html), html
    assert "<strong>" not in html
    assert [x for x in live_on_github(f"| {shown} |") if not x.startswith("link ")] == []


def test_the_terminal_report_says_what_was_not_covered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EXAMPLE, *CONFIG, "--format", "text"]) == 1
    out = capsys.readouterr().out
    line = (
        "Coverage: NOT complete (5 gaps): 6 files in the change; 6 read by the analyzers; "
        "model review not run"
    )
    assert line in out
    # The terminal wraps the line at its width: the start of it says what was not covered.
    assert "  not covered: the whole change (review) — the review stage the thresholds call for" in out


def test_a_gap_of_any_length_is_kept_bounded_and_reads_back() -> None:
    gap = coverage.Gap(stage="review", kind="failure", reason="x" * 50_000, path="p/" * 5_000)
    assert len(gap.reason) == coverage.MAX_REASON_CHARS and gap.reason.endswith("…")
    assert len(gap.path or "") == coverage.MAX_PATH_CHARS
    cov = coverage.Coverage(gaps=(gap,))
    assert coverage.Coverage.model_validate(coverage.to_json(cov)) == cov
