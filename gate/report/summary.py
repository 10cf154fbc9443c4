"""The summary of a report in markdown: the one renderer behind `--format markdown`, the PR's summary
comment, the check run's summary and the job summary (those add only the GitHub parts:
`github_summary`).

It reads the JSON report (`ReportView`), never the run's internals, so a report published by another
job renders the same. Every string it shows from the report (file names, commit subjects, evidence,
titles, reasons, and the report's own words, which the author of a published report could have
changed) goes through `cell`, which makes it inert text (its code spans shown as written, no markup
of its own), through `item` when it starts a list item, through `code` when it is shown as code (as
written, in a span it cannot end), and through `html` inside the gate's own HTML. The only links are the
ones built here, to the findings' lines at the head commit. The summary is cut to the room a
destination gives, counted as GitHub counts it there: what was and was not checked (the verdict, the
coverage) is kept whole, and so are the notes; the rows below are cut, the findings last, and the end
says so and points at the full report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gate.github.limits import Room
from gate.redact import redact, redacted_prefix
from gate.report import unchecked
from gate.report.coverage import Coverage, Gap, spec_line
from gate.report.github_view import CommitView, FindingView, ReportView
from gate.report.links import BlobLinks
from gate.run import MODEL_STAGES
from gate.sanitize import code_span, inline, no_commands, sanitize
from gate.wording import first_of

ICON = {"pass": "✅", "fail": "❌", "neutral": "⚪"}
TITLE = "AI Quality Gate"
MAX_ROWS = 100  # findings, and disputed findings, listed before "…and N more"
MAX_COMMITS = 50  # AI commits shown with their evidence
MAX_EVIDENCE = 5  # evidence lines a commit shows
# ...and their characters: the PR's author writes the evidence (trailers, identities), and fifty commits
# of it must not take the room the findings need.
MAX_EVIDENCE_CHARS = 480
MAX_GAPS = 40  # coverage rows
MAX_NAMES = 5  # file names a one-line coverage statement spells out


def cell(text: str, limit: int = 200) -> str:
    """Text safe inside a markdown table cell: one line, pipes escaped, bounded; and inert, because
    titles, file names and reasons come from models and PR text and this markdown is posted to the PR:
    no HTML, no @-mentions that notify, no links away from the repository, no hidden characters, and no
    markup (`**x**` is shown as typed, not bold: a title must not pass for the gate's own `**blocking**`).
    Its code spans show the code as written (`a<b`, not `a&lt;b`). A text that has to be cut is
    redacted first: a token cut short is a piece no later redaction recognises."""
    return no_commands(inline(text, max_chars=limit, table=True))


def html(text: str, limit: int = 200) -> str:
    """Text safe inside the gate's own HTML (a `<details>` summary line, which GitHub shows as HTML,
    markdown unread): one line, HTML escaped, inert as `cell`, bounded with `…`."""
    shown = _one_line(text, limit)
    if len(shown) <= limit:
        return shown
    shown = _one_line(redact(text), limit)
    return shown if len(shown) <= limit else redacted_prefix(shown, limit - 1) + "…"


# What makes the text of a list item a block of its own: `- ## pass` is a heading in the list, `- - x` a
# list, `- ---` a rule. Escaped with a backslash, the character is shown as it is. A `cell` escapes `*`,
# `_`, `~` and bare backticks itself, and a code span it starts with holds its closing backticks on the
# same line, which no fence's opening line may.
_BLOCK_START = re.compile(r"[#+=-]|\d{1,9}[.)]")


def item(text: str, limit: int = 200) -> str:
    """A list item of text from the report, inert as a `cell` and unable to open a block of its own."""
    shown = cell(text, limit)
    opening = _BLOCK_START.match(shown)
    if opening is None:
        return f"- {shown}"
    if shown[0].isdigit():  # `1.` opens a list, `1\.` does not: the delimiter is what is escaped
        at = opening.end() - 1
        return f"- {shown[:at]}\\{shown[at:]}"
    return f"- \\{shown}"


def _one_line(text: str, limit: int) -> str:
    return sanitize(" ".join(text.split()), max_chars=max(limit * 2, 1000)).replace("|", "\\|")


def code(text: str, limit: int = 120, after: str = "") -> str:
    """Text from the report (a file name, and `after` it the lines) as an inline code span in a table
    cell, shown as written: `a_b<c>.py` is not `a\\_b&lt;c&gt;.py`. The span is one it cannot end
    (`gate.sanitize.code_span`): between single backticks, a file name holding one would close the span
    and the rest of the name would be markdown; inside a `[...](link)`, a link of its own. The text is
    bounded with `…`, redacted first when cut."""
    shown = " ".join(text.split())
    if len(shown) > limit:
        shown = redacted_prefix(" ".join(redact(text).split()), limit - 1) + "…"
    return no_commands(code_span(shown + " ".join(after.split())[:limit], table=True))


def where(f: FindingView, links: BlobLinks | None = None) -> str:
    if not f.path:
        return ""
    if f.start_line is None:
        return code(f.path)
    span = f"{f.start_line}" if f.end in (None, f.start_line) else f"{f.start_line}-{f.end}"
    shown = code(f.path, after=f":{span}")
    return f"[{shown}]({links.to(f.path, f.start_line, f.end)})" if links else shown


def status(f: FindingView) -> str:
    """blocking, confirmed, advisory or disputed, with who stands behind it: the gate's own words and
    markup, and the report's model names as `cell` text."""
    model = f.stage in MODEL_STAGES

    def names(models: Sequence[str]) -> str:
        return cell(", ".join(models), 80)

    by = names(f.confirmed_by) if model else "analyzer"
    if f.blocking:
        return f"**blocking** ({by})" if by else "**blocking**"
    if f.disputed:
        return f"disputed (raised by {names(f.raised_by)}; refused by {names(f.refused_by)})"
    if f.confirmed or not model:
        return f"confirmed ({by})" if by else "confirmed"
    raised = names(f.raised_by or f.confirmed_by)
    return f"advisory (raised by {raised})" if raised else "advisory"


@dataclass(frozen=True)
class Summary:
    """The summary in two parts: `head` is always kept, `rows` are cut from the end when room runs out."""

    head: tuple[str, ...]
    rows: tuple[str, ...]

    def text(self, tail: Sequence[str] = ()) -> str:
        return "\n".join([*self.head, *self.rows, *tail]).rstrip() + "\n"


def summary(
    view: ReportView,
    *,
    title: str = TITLE,
    links: BlobLinks | None = None,
    preface: Sequence[str] = (),
) -> Summary:
    head: list[str] = [f"## {ICON[view.verdict]} {title}: **{view.verdict}**", ""]
    if preface:
        head.extend([*preface, ""])
    head.extend(_not_checked(view))
    head.extend(item(r, 600) for r in view.reasons)
    head.append("")
    head.extend(_provenance(view))
    head.extend(_coverage(view.coverage))
    # What blocks comes first: a cut drops the last rows, and the commits' evidence is the PR's own text.
    rows = [
        *_findings(view, links),
        *_disputed(view, links),
        *compliance(view.details_of("spec")),
        *_commits(view),
        *_stages(view),
        *_usage(view),
    ]
    return Summary(tuple(head), tuple(rows))


def notes_block(notes: Sequence[str], more: Sequence[str] = ()) -> list[str]:
    if not notes and not more:
        return []
    return [
        "<details><summary>Notes</summary>",
        "",
        *(item(n, 500) for n in notes),
        *(f"- {m}" for m in more),
        "",
        "</details>",
        "",
    ]


def fit(text: Summary, notes: Sequence[str], link: str | None, room: Room) -> str:
    """The whole summary, its notes and a link to the full report (`link`) when they fit in `room`.

    Else the head, as many rows as fit, a line saying the summary was cut, and the notes: what could
    not be posted is said even when the summary is cut. The cut falls between rows; a `<details>` block
    it falls in is closed first, so the line saying so is not folded away in it. Only when the head and
    the notes alone overflow are notes left out, and then the head cut."""
    ending = [f"[Full report and trace]({link})"] if link else []
    whole = text.text([*notes_block(notes), *ending])
    if room.fits(whole):
        return whole
    pointer = f"[the full report]({link})" if link else "the JSON report in the run's output directory"
    cut = [f"…the summary was cut to fit GitHub's limit; see {pointer}.", ""]
    tail = _notes_within(notes, room, [*text.head, "", *cut])
    used = room.size("\n".join([*text.head, "", *cut, *tail]) + "\n")
    if used > room.limit:
        return (
            _cut(text.head, room, room.limit - room.size("\n\n" + "\n".join(cut))) + "\n\n" + "\n".join(cut)
        )
    rows: list[str] = []
    depth = 0
    for row in text.rows:
        opened = depth + _opens(row)
        more = room.size("\n" + row) + room.size("\n\n</details>") * opened
        if used + more > room.limit:
            break
        rows.append(row)
        used += room.size("\n" + row)
        depth = opened
    rows.extend(["", "</details>"] * depth)
    return "\n".join([*text.head, *rows, "", *cut, *tail]).rstrip() + "\n"


def _opens(row: str) -> int:
    """+1 for a row that opens a `<details>` block, -1 for one that closes it: the gate writes each on a
    line of its own, and text from the report cannot start a row with a tag (`cell` escapes it)."""
    if row.startswith("<details>"):
        return 1
    return -1 if row.strip() == "</details>" else 0


def _notes_within(notes: Sequence[str], room: Room, kept: Sequence[str]) -> list[str]:
    """The notes block, or the most of its first notes that fit in `room` beside `kept`, saying how many
    it leaves out (the JSON report holds them all); [] when not even that fits."""

    def block(shown: int) -> list[str]:
        left = len(notes) - shown
        more = [f"…and {left} more note{'s' if left != 1 else ''} in the JSON report."] if left else []
        return notes_block(notes[:shown], more)

    def fits(shown: int) -> bool:
        return room.fits("\n".join([*kept, *block(shown)]) + "\n")

    if fits(len(notes)):
        return block(len(notes))
    low, high = -1, len(notes) - 1  # fits(low) is taken to hold, fits(high + 1) does not
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    return block(low) if low >= 0 else []


def _cut(head: Sequence[str], room: Room, limit: int) -> str:
    """The start of the head within `limit` (in the room's unit), redacted before it is cut: a secret cut
    short is a piece no later redaction recognises."""
    text = redact("\n".join(head))
    if room.size(text) <= limit:
        return text
    chars = len(text.encode("utf-8")[:limit].decode("utf-8", "ignore")) if room.in_bytes else limit
    return redacted_prefix(text, max(0, chars))


def _not_checked(view: ReportView) -> list[str]:
    """What was not checked, right under the verdict: a neutral gate must not read as a pass."""
    lead = unchecked.lead(view)
    if lead is None:
        return []
    gaps = unchecked.gaps(view)
    items = [g.text for g in gaps] if gaps else [unchecked.what(view)]
    return [f"**{lead.capitalize()}:**", "", *(item(i, 600) for i in items), ""]


def _provenance(view: ReportView) -> list[str]:
    """The AI share, split by tool, what it rests on, and which model stages the thresholds called."""
    prov = view.provenance
    tools = ", ".join(
        f"{cell(t, 40)} {n} line{'s' if n != 1 else ''}"
        for t, n in sorted(prov.tools.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    out = [
        f"**AI-authored share:** {prov.ai_share:.0%} ({prov.ai_lines} of {prov.added_lines} added lines)"
        + (f" — by tool: {tools}" if tools else "")
    ]
    if prov.code_line:
        out.append(cell(prov.code_line, 300) + ".")
    if prov.unknown_line:
        out.append(cell(prov.unknown_line, 300) + ".")
    if prov.basis:
        out.append(f"Evidence used: {cell(', '.join(prov.basis), 300)}.")
    called = []
    for stage in MODEL_STAGES:
        entry = view.stages.get(stage)
        threshold = entry.threshold if entry is not None else None
        if threshold is not None:
            said = "called" if threshold.met else "not called"
            called.append(f"{stage} {said} ({cell(threshold.why, 300)})")
    if called:
        out.append(f"Thresholds: {'; '.join(called)}.")
    out.append("")
    return out


def _coverage(cov: Coverage | None) -> list[str]:
    """One line when everything asked for was covered, a table of what was not otherwise."""
    if cov is None:
        return ["**Coverage:** not recorded in this report; treat the change as not fully reviewed.", ""]
    parts = [_files(cov)]
    if cov.hunks:
        parts.append(
            f"{cov.regenerated} of {cov.hunks} AI-authored hunk{'s' if cov.hunks != 1 else ''} re-generated"
        )
    if spec := spec_line(cov.spec):
        parts.append(spec)
    if cov.ignored:
        names = first_of([code(p, 80) for p in cov.ignored], MAX_NAMES)
        parts.append(
            f"{len(cov.ignored)} left out by `paths.ignore` ({names}; "
            "still read for secrets and injection text)"
        )
    if cov.complete:
        return [f"**Coverage:** {'; '.join(parts)}.", ""]
    out = [
        f"**Coverage: not complete** — {len(cov.gaps)} gap{'s' if len(cov.gaps) != 1 else ''}; "
        f"{'; '.join(parts)}.",
        "",
        "| not covered | stage | why |",
        "| --- | --- | --- |",
    ]
    out.extend(
        f"| {_gap_where(g)} | {cell(g.stage, 40)} | {cell(g.reason, 400)} |" for g in cov.gaps[:MAX_GAPS]
    )
    if len(cov.gaps) > MAX_GAPS:
        out.extend(["", f"…and {len(cov.gaps) - MAX_GAPS} more in the JSON report (`coverage.gaps`)."])
    out.append("")
    return out


def _files(cov: Coverage) -> str:
    """`all 5 files reviewed by 3 models (a, b, c)`, or how the reviewed files split by models."""
    n = cov.files
    files = f"{n} file{'s' if n != 1 else ''} in the change"
    if cov.review == "not-called":
        why = cell(cov.review_why, 300)
        return f"{files}, {cov.analysed} read by the analyzers; model review not called ({why})"
    if cov.review == "not-run":
        return f"{files}, {cov.analysed} read by the analyzers; model review not run"
    by_count: dict[int, int] = {}
    for f in cov.reviewed:
        by_count[len(f.models)] = by_count.get(len(f.models), 0) + 1
    split = ", ".join(
        f"{k} by {m} model{'s' if m != 1 else ''}" for m, k in sorted(by_count.items(), reverse=True)
    )
    earlier = sum(1 for f in cov.reviewed if f.earlier)
    later = f", {earlier} of them unchanged since the previous review" if earlier else ""
    models = ", ".join(cell(m, 80) for m in cov.models)
    return (
        f"{files}, {len(cov.reviewed)} reviewed ({split or 'none'}{later}); "
        f"models {models or 'none'}, quorum {cov.quorum}"
    )


def _gap_where(g: Gap) -> str:
    if g.path is None:
        return "the whole change"
    return code(g.path, after=f":{g.lines}" if g.lines else "")


def _commits(view: ReportView) -> list[str]:
    """Per AI commit, one collapsed line that opens on the exact evidence that decided it."""
    ai = [c for c in view.provenance.commits if c.ai]
    pr = view.provenance.pr_evidence
    if not ai and not pr:
        return []
    out = [f"#### AI-authored commits ({len(ai)})", ""]
    for c in ai[:MAX_COMMITS]:
        out.extend(_commit(c))
    if len(ai) > MAX_COMMITS:
        out.extend([f"…and {len(ai) - MAX_COMMITS} more in the JSON report.", ""])
    if pr:
        out.append("Pull request: " + "; ".join(cell(e, 160) for e in pr[:MAX_EVIDENCE]))
        out.append("")
    return out


def _commit(c: CommitView) -> list[str]:
    tool = html(c.tool or "unknown-ai", 40)
    lines = f"{c.ai_lines} of {c.added_lines} lines"
    # HTML, which GitHub shows with no markdown read in it (a code span there would be two backticks)
    head = f"<code>{html(c.sha[:10], 20)}</code> {html(c.subject, 80)} — {tool}, {lines}"
    body: list[str] = []
    chars = 0
    for e in c.evidence[:MAX_EVIDENCE]:
        line = item(e, 160)
        if body and chars + len(line) > MAX_EVIDENCE_CHARS:
            break
        body.append(line)
        chars += len(line)
    if len(c.evidence) > len(body):
        body.append(f"- …and {len(c.evidence) - len(body)} more")
    return [f"<details><summary>{head}</summary>", "", *body, "", "</details>", ""]


def _findings(view: ReportView, links: BlobLinks | None) -> list[str]:
    listed = view.listed
    if not listed:
        return []
    out = [
        f"### Findings ({len(listed)}, {len(view.blocking)} blocking)",
        "",
        "| | severity | stage | where | finding | status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in listed[:MAX_ROWS]:
        mark = "🚫" if f.blocking else ("💡" if f.advisory else "")
        out.append(
            f"| {mark} | {f.severity} | {cell(f.stage, 40)} | {where(f, links)} | {cell(f.title, 160)} | "
            f"{status(f)} |"
        )
    if len(listed) > MAX_ROWS:
        out.extend(["", f"…and {len(listed) - MAX_ROWS} more in the full report."])
    out.append("")
    return out


def _disputed(view: ReportView, links: BlobLinks | None) -> list[str]:
    """Model findings another model refused in the cross-check: listed with who said what, never inline."""
    disputed = view.disputed
    if not disputed:
        return []
    out = [
        f"### Disputed ({len(disputed)}): raised by a model, refused by others; not blocking",
        "",
        "| severity | where | finding | raised by | refused by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in disputed[:MAX_ROWS]:
        out.append(
            f"| {f.severity} | {where(f, links)} | {cell(f.title, 160)} | "
            f"{cell(', '.join(f.raised_by), 120)} | {cell(', '.join(f.refused_by), 120)} |"
        )
    if len(disputed) > MAX_ROWS:
        out.extend(["", f"…and {len(disputed) - MAX_ROWS} more in the full report."])
    out.append("")
    return out


def _stages(view: ReportView) -> list[str]:
    if not view.stages:
        return []
    out = ["<details><summary>Stages</summary>", "", "| stage | ran | why |", "| --- | --- | --- |"]
    for stage, data in view.stages.items():
        ran = data.ran
        why = data.why
        if not ran and data.skipped_reason:
            why += f"; skipped: {data.skipped_reason}"
        if data.model_error:
            why += f"; model error: {data.model_error}"
        if data.error:
            why += f"; error: {data.error}"
        out.append(f"| {cell(stage, 40)} | {'yes' if ran else 'no'} | {cell(why, 300)} |")
    out.extend(["", "</details>", ""])
    return out


def _usage(view: ReportView) -> list[str]:
    u = view.usage
    if not u.model_calls:
        return []
    return [
        f"Model calls: {u.model_calls}, tokens {u.prompt_tokens} in / {u.completion_tokens} out, "
        f"cost ${u.cost_usd:.4f}" + (f", {u.wall_seconds:.1f}s." if u.wall_seconds else "."),
        "",
    ]


# -- the spec stage's compliance table -------------------------------------------------------------------

COMPLIANCE_ROWS = 40
_STATUS_ICON = {"kept": "✅", "not addressed": "⚠️", "contradicted": "❌", "contradicted (unconfirmed)": "❔"}


def compliance(details: Mapping[str, Any] | None) -> list[str]:
    """What each linked issue asks and whether the models saw the change keep it: advisory (a statement
    not addressed never blocks; a contradiction blocks only as a confirmed finding). From the `spec`
    stage's details, so the terminal summary and the summary posted to GitHub show the same table."""
    found = (details or {}).get("compliance") or ()
    rows = [r for r in found if isinstance(r, dict) and r.get("kind") == "issue"]
    if not rows:
        return []
    missing = sum(1 for r in rows if r.get("status") == "not addressed")
    out = [
        f"### Linked issues: {len(rows)} requirement(s), {missing} not addressed (advisory)",
        "",
        "| | requirement | from | status |",
        "| --- | --- | --- | --- |",
    ]
    for r in rows[:COMPLIANCE_ROWS]:
        status = str(r.get("status", ""))
        said = f"{r.get('id', '')}: {r.get('statement', '')}"
        out.append(
            f"| {_STATUS_ICON.get(status, '')} | {cell(said, 200)} | {cell(str(r.get('source', '')), 60)} "
            f"| {cell(status, 40)} |"
        )
    if len(rows) > COMPLIANCE_ROWS:
        out.append(f"\n…and {len(rows) - COMPLIANCE_ROWS} more in the JSON report.")
    out.append("")
    return out
