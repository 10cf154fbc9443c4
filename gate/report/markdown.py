"""A markdown summary of an outcome, for `--format markdown`; `cell` and `ICON` serve the summary posted
to GitHub too (`github_summary`)."""

from __future__ import annotations

from gate.config.models import UnconfirmedPlace
from gate.findings import Finding
from gate.report.github_view import code_share_line
from gate.run import Outcome
from gate.sanitize import no_commands, sanitize

ICON = {"pass": "✅", "fail": "❌", "neutral": "⚪"}
MAX_EVIDENCE = 3


def cell(text: str, limit: int = 200) -> str:
    """Text safe inside a markdown table cell: one line, pipes escaped, bounded; and inert, because
    titles and reasons come from models and PR text and this markdown is posted to the PR: no HTML,
    no @-mentions that notify, no links away from the repository, no hidden characters."""
    text = sanitize(" ".join(text.split()), max_chars=max(limit * 2, 1000)).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(f: Finding) -> str:
    if not f.location:
        return ""
    loc = f.location
    if loc.start_line is None:
        return f"`{cell(loc.path, 120)}`"
    lines = (
        f"{loc.start_line}" if loc.end_line in (None, loc.start_line) else f"{loc.start_line}-{loc.end_line}"
    )
    return f"`{cell(loc.path, 120)}:{lines}`"


def render(outcome: Outcome, *, title: str = "AI Quality Gate", max_findings: int = 50) -> str:
    prov = outcome.provenance
    out: list[str] = []
    out.append(f"## {ICON.get(outcome.verdict, '')} {title}: **{outcome.verdict}**")
    out.append("")
    for reason in outcome.reasons:
        out.append(f"- {cell(reason, 600)}")
    out.append("")
    tools = ", ".join(f"{t} ({n} lines)" for t, n in sorted(prov.tools.items(), key=lambda kv: -kv[1]))
    out.append(
        f"**AI-authored share:** {prov.ai_share:.0%} ({prov.ai_lines} of {prov.added_lines} added lines)"
        + (f" — {cell(tools, 300)}" if tools else "")
    )
    code_line = code_share_line(
        outcome.config.thresholds.share_of.value, prov.code_ai_lines, prov.code_added_lines, prov.added_lines
    )
    if code_line:
        out.append(code_line + ".")
    if prov.basis:
        out.append(f"Evidence used: {cell(', '.join(prov.basis), 300)}.")
    out.append("")
    ai_commits = [c for c in prov.commits if c.ai]
    if ai_commits or prov.pr_evidence:
        out.append("<details><summary>Evidence per commit</summary>")
        out.append("")
        out.append("| commit | tool | AI lines | evidence |")
        out.append("| --- | --- | ---: | --- |")
        for c in ai_commits:
            ev = "; ".join(f"`{cell(str(e), 160)}`" for e in c.evidence[:MAX_EVIDENCE])
            out.append(f"| `{c.sha[:10]}` {cell(c.subject, 60)} | {c.tool or ''} | {c.ai_lines} | {ev} |")
        for e in prov.pr_evidence:
            out.append(f"| pull request | {e.tool} | | `{cell(str(e), 160)}` |")
        out.append("")
        out.append("</details>")
        out.append("")
    unconfirmed = outcome.config.post.unconfirmed
    findings = tuple(
        f
        for f in outcome.findings
        if f.confirmed or (unconfirmed is not UnconfirmedPlace.NONE and not f.disputed)
    )
    disputed = (
        () if unconfirmed is UnconfirmedPlace.NONE else tuple(f for f in outcome.findings if f.disputed)
    )
    if findings:
        blocking = sum(1 for f in findings if f.blocking)
        out.append(f"### Findings ({len(findings)}, {blocking} blocking)")
        out.append("")
        out.append("| | severity | stage | where | finding | confirmed by |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for f in findings[:max_findings]:
            mark = "🚫" if f.blocking else ("💡" if f.advisory else "")
            confirmed = (
                ", ".join(f.confirmed_by) if f.confirmed_by else ("analyzer" if f.deterministic else "—")
            )
            out.append(
                f"| {mark} | {f.severity.value} | {f.stage} | {_where(f)} | {cell(f.title, 160)} | "
                f"{cell(confirmed, 120)} |"
            )
        if len(findings) > max_findings:
            out.append(f"\n…and {len(findings) - max_findings} more in the JSON report.")
        out.append("")
    if disputed:
        out.append(f"### Disputed ({len(disputed)}): raised by a model, refused by others; not blocking")
        out.append("")
        out.append("| severity | where | finding | raised by | refused by |")
        out.append("| --- | --- | --- | --- | --- |")
        for f in disputed[:max_findings]:
            raised, refused = ", ".join(f.said("raised_by")), ", ".join(f.said("disagreed_by"))
            out.append(
                f"| {f.severity.value} | {_where(f)} | {cell(f.title, 160)} | "
                f"{cell(raised, 120)} | {cell(refused, 120)} |"
            )
        out.append("")
    out.append("<details><summary>Stages</summary>")
    out.append("")
    out.append("| stage | ran | why |")
    out.append("| --- | --- | --- |")
    for r in outcome.stages:
        why = r.why if r.ran else f"{r.why}; skipped: {r.skipped_reason}" if r.skipped_reason else r.why
        if r.model_error:
            why += f"; model error: {r.model_error}"
        if r.error:
            why += f"; error: {r.error}"
        out.append(f"| {r.stage} | {'yes' if r.ran else 'no'} | {cell(why, 300)} |")
    for stage, (_met, why) in outcome.escalations.items():
        if stage not in {r.stage for r in outcome.stages}:
            out.append(f"| {stage} | no | {cell(why, 300)} (not available in this build) |")
    out.append("")
    out.append("</details>")
    u = outcome.usage
    if u.model_calls:
        out.append("")
        out.append(
            f"Model calls: {u.model_calls}, tokens {u.prompt_tokens} in / {u.completion_tokens} out, "
            f"cost ${u.cost_usd:.4f}, {u.wall_seconds:.1f}s."
        )
    for note in outcome.notes:
        out.append(f"> {cell(note, 300)}")
    from gate.redact import redact

    return no_commands(redact("\n".join(out).rstrip())) + "\n"
