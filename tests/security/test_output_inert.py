"""Output is inert everywhere: a hostile file name, commit subject or title acts in no output.

A real repository whose change holds a file named to forge workflow commands, ping a team, reference an
issue and link away, with a commit whose subject does the same; `ai-gate check` renders it in every
format. What GitHub would do with the markdown is checked with cmark-gfm (GitHub's renderer) and
GitHub's documented mention and reference rules; what the Actions runner would do with a printed line
follows its command syntax (`::name ...::` at the start of a line after spaces, legacy `##[name]`
anywhere in a line).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from gate.sanitize import json_inert, markdown, no_commands, sanitize, visible
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
FORGED = "::error file=app.py,line=1::forged"
HOSTILE_NAME = f"x\n{FORGED}\n  ##[warning]old `x`@acme/security-team #12 GH-7 www.evil.example \u202ey.py"
HOSTILE_SUBJECT = "::error::subject ##[error]s `y`@acme/ops acme/shop#3 www.evil.example/p"

# GitHub: a mention is `@name` after anything but an ASCII letter, digit or underscore; references are
# `#12`, `GH-12`, `owner/repo#12`. They are found in text outside code, pre and links.
MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9][A-Za-z0-9-]*")
REFERENCE = re.compile(r"(?<![A-Za-z0-9_])#[0-9]+|(?<![A-Za-z0-9_])GH-[0-9]+|[\w.-]+/[\w.-]+#[0-9]+", re.I)


def command_lines(text: str) -> list[str]:
    """Lines the Actions runner would read as workflow commands."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


class _Live(HTMLParser):
    """Text GitHub would scan for mentions and references, and every link, of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.inert_depth = 0
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "pre", "a"):
            self.inert_depth += 1
        if tag == "a":
            self.links += [v or "" for k, v in attrs if k == "href"]
        if tag == "img":
            self.links += [v or "" for k, v in attrs if k == "src"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre", "a"):
            self.inert_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.inert_depth == 0:
            self.text.append(data)


def live_on_github(markdown: str) -> list[str]:
    """What would act if GitHub rendered this markdown: mentions, references, links, raw HTML tags."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parsed = _Live()
    parsed.feed(html)
    text = "".join(parsed.text)
    return (
        [f"mention {m}" for m in MENTION.findall(text)]
        + [f"reference {m}" for m in REFERENCE.findall(text)]
        + [f"link {href}" for href in parsed.links if "evil" in href]
        + [f"tag {t}" for t in re.findall(r"<(?:script|img|iframe)\b", html)]
    )


def run_check(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gate",
            "check",
            "--repo",
            str(repo.root),
            "--base",
            "main",
            "--offline",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        check=False,
    )


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("inert"))
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    repo.branch("feature")
    # A bidi control in the file: the injection-text stage reports it, naming the hostile file.
    repo.write(HOSTILE_NAME, "label = 'admin\u202e'\n")
    repo.commit(f"{HOSTILE_SUBJECT}\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    return repo


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_no_output_format_prints_a_workflow_command(hostile_repo: GitRepo, fmt: str, tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    proc = run_check(hostile_repo, "--format", fmt, "--trace", str(trace))
    assert proc.returncode in (0, 1), proc.stderr
    assert "forged" in proc.stdout, "the hostile name is in the report"
    assert command_lines(proc.stdout) == []
    assert command_lines(proc.stderr) == []
    assert command_lines(trace.read_text("utf-8")) == []


def test_text_report_shows_the_name_on_one_line_with_hidden_characters_escaped(hostile_repo: GitRepo) -> None:
    out = run_check(hostile_repo, "--format", "text").stdout
    assert "\u202e" not in out
    assert visible("\u202ey.py") in out  # shown as \u202ey.py
    assert "\\n" in out and "::error file=app.py" in out  # the name is shown, on one line


def test_markdown_report_renders_inert_on_github(hostile_repo: GitRepo) -> None:
    out = run_check(hostile_repo, "--format", "markdown").stdout
    assert "forged" in out and "subject" in out
    assert live_on_github(out) == []


def test_json_report_keeps_names_exact(hostile_repo: GitRepo) -> None:
    report = json.loads(run_check(hostile_repo, "--format", "json").stdout)
    paths = {f["path"] for f in report["findings"]}
    assert HOSTILE_NAME in paths
    subjects = {c["subject"] for c in report["provenance"]["commits"]}
    assert HOSTILE_SUBJECT in subjects


def test_sarif_uris_are_percent_encoded(hostile_repo: GitRepo) -> None:
    sarif = json.loads(run_check(hostile_repo, "--format", "sarif").stdout)
    uris = [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
    ]
    assert uris
    for uri in uris:
        assert re.fullmatch(r"[A-Za-z0-9\-._~/%]+", uri), uri
    assert HOSTILE_NAME in {unquote(u) for u in uris}


@pytest.mark.parametrize(
    "text",
    [
        "`x`@acme/security-team",
        "``a``@octocat",
        "(@octocat)",
        "a.@octocat",
        "/@octocat",
        "see #12 and GH-7 and acme/shop#3",
        "www.evil.example/path and https://evil.example",
        "[click](https://evil.example) ![i](https://evil.example/p.png)",
        "<https://evil.example>",
        "`code span` then @octocat",
        "`` unbalanced ` span @octocat",
        "_www.evil.example and _https://evil.example and 1https://evil.example",
        "https://a.example/x_https://evil.example www.evil.examplehttps://x",
        "[a [b] c](//evil.example/x)",
        "[r]: //evil.example\n\n[click][r]",
        "[x![i](//evil.example/p.png)](//evil.example)",
        "![`[`](https://github.com/acme/shop/p.png)",
    ],
)
def test_the_sanitizer_leaves_nothing_live_by_githubs_rules(text: str) -> None:
    assert live_on_github(text), f"the case must be live before sanitizing: {text}"
    assert live_on_github(sanitize(text)) == []


# Code that a body quotes (`gate.sanitize.markdown`) is shown as written, so its `<` is a `<`: nothing may
# end a span or a block early and leave what follows live, nor take prose into code or code into prose.
CODE_BREAKOUTS = [
    "`a``<img src=x>``",
    "`a``b``<img src=x>`",
    "\\`<img src=x>`",
    "x\\`y`<img src=z>`",
    "a\\`<img src=x>`",
    "`x` <img src=y> `z`",
    "[a](//evil.example/`x`)",
    "[`x`](https://evil.example) [a [b] `c`](https://evil.example)",
    "| a |\n|---|\n| `x|<img src=q>` |",
    "a\n:-:\n`x|<img src=q>`",
    "```\ncode\n```\n<img src=y>",
    "> ```\n> a\n```\n<img src=z>\n```\n<img src=w>",
    "- a\n\n    ```\n<img src=x>\n```\n<img src=y>",
    "`a\n<div>\n<img src=x>\nb`",
    "x\r```\r<img src=y>\r```\r<img src=z>",
    "~~~ py\n```\n~~~\n<script>alert(1)</script>",
    "````\n```\n````\n@octocat <img src=x>",
    "`` ` `` <img src=x> `` ` `` `@octocat`@octocat",
    "<details><summary>`x`</summary>\n\n`<img src=x>`\n\n</details>",
]


@pytest.mark.parametrize("text", CODE_BREAKOUTS)
def test_code_kept_as_written_cannot_end_early(text: str) -> None:
    shown = markdown(text)
    assert live_on_github(shown) == []
    assert raw_tags(shown) == []


@pytest.mark.parametrize("text", ["`x`@acme/security-team", "see `a` #12 and [click](https://evil.example)"])
def test_prose_around_code_is_as_inert_as_sanitized_text(text: str) -> None:
    assert live_on_github(text)
    assert live_on_github(markdown(text)) == []


def test_no_mix_of_code_and_markup_leaves_anything_live() -> None:
    """Random bodies of the characters that open, close or escape code, tables and links, around a
    tag, a mention and a foreign link: whatever CommonMark would make of them, nothing renders live."""
    import random

    parts = ["`", "``", "```", "\\", "|", "\n", "\n\n", "\r", "    ", "-", ":", "~~~", "[", "](", ")", "]: ",
             "//evil.example/", "www.evil.example", "_https://evil.example", "<img src=x>", "<div>",
             "@octocat", "#12", " ", "a", "suggestion"]  # fmt: skip
    rng = random.Random(7)
    for _ in range(3_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 40)))
        shown = markdown(text)
        live = [x for x in live_on_github(shown) if not x.startswith("link mailto:")]  # an email is kept
        assert live == [] and raw_tags(shown) == [], repr(text)


def raw_tags(markdown_text: str) -> list[str]:
    """Tags in the HTML that only raw HTML in the markdown would make."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown_text, options=Options.CMARK_OPT_UNSAFE)
    return re.findall(r"<(?:img|div|script|details|summary|b)\b|<!--", html)


def test_an_email_address_is_kept() -> None:
    assert sanitize("mail me@example.com") == "mail me@example.com"


@pytest.mark.parametrize(
    "text",
    ["::error::x", "  ::warning file=a::y", "\t::set-output name=x::y", "a\n::error::x", "pre ##[error]x"],
)
def test_no_commands_breaks_every_command_form(text: str) -> None:
    assert command_lines(text)
    assert command_lines(no_commands(text)) == []


def test_json_inert_is_lossless() -> None:
    value = {"name": "a##[error]b\n::error::c", "n": ["##[", "#"]}
    text = json_inert(json.dumps(value, ensure_ascii=False))
    assert "##[" not in text and json.loads(text) == value
