"""The markdown summary posted to GitHub (check run, summary comment, job summary), from the report.

Every piece of text that came from the PR or a model is sanitized; the summary is cut to the room a
destination gives, ending with a link to the full report instead of silently losing findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from gate.report import unchecked
from gate.report.github_view import GATE, PUBLISHED_NOTE, FindingView, Origin, ReportView
from gate.report.markdown import ICON, cell, compliance
from gate.review.state import comment_line

MARKER = GATE.comment_marker
TITLE = GATE.check_name
_MAX_ROWS = 100


def where(f: FindingView) -> str:
    if not f.path:
        return ""
    if f.start_line is None:
        return f"`{cell(f.path, 120)}`"
    span = f"{f.start_line}" if f.end in (None, f.start_line) else f"{f.start_line}-{f.end}"
    return f"`{cell(f.path, 120)}:{span}`"


def headline(view: ReportView) -> str:
    blocking = len(view.blocking)
    parts = [f"{view.verdict}", f"AI share {view.provenance.ai_share:.0%}", f"{len(view.findings)} findings"]
    if blocking:
        parts.append(f"{blocking} blocking")
    return ", ".join(parts)


def render_summary(
    view: ReportView,
    *,
    notes: Sequence[str] = (),
    report_link: str | None = None,
    limit: int,
    marker: bool = False,
    origin: Origin = GATE,
) -> str:
    """The summary within `limit` characters; when cut, it ends by pointing at the full report."""
    head: list[str] = [origin.comment_marker] if marker else []
    if marker and view.review_state and not origin.published:
        # hidden, right under the marker: the next run's incremental review starts from it
        head.append(comment_line(view.review_state))
    head.append(f"## {ICON[view.verdict]} {origin.check_name}: **{view.verdict}**")
    head.append("")
    if origin.published:
        head.extend([f"> {PUBLISHED_NOTE}", ""])
    head.extend(_not_checked(view))
    head.extend(f"- {cell(r, 600)}" for r in view.reasons)
    head.append("")
    prov = view.provenance
    head.append(
        f"**AI-authored share:** {prov.ai_share:.0%} ({prov.ai_lines} of {prov.added_lines} added lines)"
    )
    if prov.code_line:
        head.append(prov.code_line + ".")
    head.append("")
    rows: list[str] = []
    listed = view.listed
    if listed:
        rows.append(f"### Findings ({len(listed)}, {len(view.blocking)} blocking)")
        rows.append("")
        rows.append("| | severity | stage | where | finding |")
        rows.append("| --- | --- | --- | --- | --- |")
        for f in listed[:_MAX_ROWS]:
            mark = "🚫" if f.blocking else ("💡" if f.advisory else "")
            rows.append(
                f"| {mark} | {f.severity} | {cell(f.stage, 40)} | {where(f)} | {cell(f.title, 160)} |"
            )
        if len(listed) > _MAX_ROWS:
            rows.append("")
            rows.append(f"…and {len(listed) - _MAX_ROWS} more in the full report.")
        rows.append("")
    rows.extend(_disputed(view))
    rows.extend(compliance((view.stages.get("spec") or {}).get("details")))
    tail: list[str] = []
    all_notes = [*notes, *view.notes]
    if all_notes:
        tail.append("<details><summary>Notes</summary>")
        tail.append("")
        tail.extend(f"- {cell(n, 500)}" for n in all_notes)
        tail.append("")
        tail.append("</details>")
        tail.append("")
    if report_link:
        tail.append(f"[Full report and trace]({report_link})")
    text = "\n".join([*head, *rows, *tail]).rstrip() + "\n"
    if len(text) <= limit:
        return text
    return _cut(head, rows, report_link, limit)


def _disputed(view: ReportView) -> list[str]:
    """Model findings another model refused in the cross-check: listed with who said what, never inline."""
    disputed = view.disputed
    if not disputed:
        return []
    rows = [
        f"### Disputed ({len(disputed)}): raised by a model, refused by others; not blocking",
        "",
        "| severity | where | finding | raised by | refused by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in disputed[:_MAX_ROWS]:
        rows.append(
            f"| {f.severity} | {where(f)} | {cell(f.title, 160)} | "
            f"{cell(', '.join(f.raised_by), 120)} | {cell(', '.join(f.refused_by), 120)} |"
        )
    if len(disputed) > _MAX_ROWS:
        rows.extend(["", f"…and {len(disputed) - _MAX_ROWS} more in the full report."])
    rows.append("")
    return rows


def _not_checked(view: ReportView) -> list[str]:
    """What was not checked, right under the verdict: a neutral gate must not read as a pass."""
    lead = unchecked.lead(view)
    if lead is None:
        return []
    gaps = unchecked.gaps(view)
    items = [g.text for g in gaps] if gaps else [unchecked.what(view)]
    return [f"**{lead.capitalize()}:**", "", *(f"- {cell(item, 600)}" for item in items), ""]


def _cut(head: list[str], rows: list[str], link: str | None, limit: int) -> str:
    pointer = f"[the full report]({link})" if link else "the JSON report in the run's output directory"
    ending = f"\n\n…the summary was cut to fit GitHub's limit; see {pointer}.\n"
    room = limit - len(ending)
    out = "\n".join(head)
    for row in rows:
        if len(out) + 1 + len(row) > room:
            break
        out += "\n" + row
    return out[:room] + ending
