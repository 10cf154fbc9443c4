"""The terminal report: what a person reads after `ai-gate check`.

File names, subjects, titles and notes come from the PR or a model: each is shown on one line with its
control, invisible and bidi characters escaped (`visible`), and the whole report goes through
`no_commands`, so no line of it can start a workflow command when it is printed in an Actions log.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING

from gate.redact import redact
from gate.report import coverage
from gate.report.github_view import code_share_line, unknown_origin_line
from gate.run import Outcome
from gate.sanitize import no_commands, visible

if TYPE_CHECKING:  # rich is imported when a report is rendered, not when the module is
    from rich.console import Console
    from rich.table import Table

_STYLE = {"pass": "bold green", "fail": "bold red", "neutral": "bold yellow"}
_SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
CONSOLE_WIDTH = 120  # the report's own width, whatever the terminal: CI logs and goldens read alike
SUBJECT_WIDTH = 40  # a commit subject's column; longer subjects end in an ellipsis
SHORT_SHA = 10  # characters of a commit's sha shown


def render(outcome: Outcome, stream: IO[str], *, color: bool | None = None) -> None:
    if color is None:
        isatty = getattr(stream, "isatty", None)
        color = bool(isatty and isatty())
    # Rendered whole, then redacted and made inert: a secret or a command split across the console's
    # writes would escape a filter.
    buf = io.StringIO()
    _render(outcome, buf, color=color)
    stream.write(no_commands(redact(buf.getvalue())))
    stream.flush()


def _render(outcome: Outcome, stream: IO[str], *, color: bool | None) -> None:
    from rich.console import Console

    console = Console(
        file=stream,
        force_terminal=color,
        no_color=color is False,
        highlight=False,
        width=CONSOLE_WIDTH,
        soft_wrap=False,
    )
    console.print(f"AI Quality Gate: [{_STYLE[outcome.verdict]}]{outcome.verdict.upper()}[/]")
    for reason in outcome.reasons:
        console.print(f"  - {_escape(reason)}")
    console.print()
    _print_provenance(console, outcome)
    if outcome.findings:
        console.print(_findings_table(outcome))
    else:
        console.print("No findings.")
    console.print()
    _print_stages(console, outcome)
    _print_coverage(console, outcome)
    u = outcome.usage
    console.print(
        f"\nmodel calls {u.model_calls}, tokens {u.prompt_tokens}/{u.completion_tokens}, "
        f"cost ${u.cost_usd:.4f}, wall {u.wall_seconds:.2f}s"
    )
    for note in outcome.notes:
        console.print(f"note: {_escape(note)}")


def _escape(text: str) -> str:
    """Text from the PR or a model, on one line and inert as rich markup."""
    from rich.markup import escape

    return escape(visible(text))


def _print_provenance(console: Console, outcome: Outcome) -> None:
    prov = outcome.provenance
    console.print(
        f"AI-authored share: [bold]{prov.ai_share:.1%}[/] ({prov.ai_lines} of {prov.added_lines} added lines)"
    )
    code_line = code_share_line(
        outcome.config.thresholds.share_of.value,
        prov.code_ai_lines,
        prov.code_added_lines,
        prov.added_lines,
        prov.code_left_out,
    )
    if code_line:
        console.print(f"  {code_line}")
    if unknown_line := unknown_origin_line(prov.unknown_lines):
        console.print(f"  {unknown_line}")
    if prov.tools:
        console.print("  by tool: " + _escape(", ".join(f"{t} {n}" for t, n in sorted(prov.tools.items()))))
    if prov.basis:
        console.print("  evidence used: " + _escape(", ".join(prov.basis)))
    for note in prov.notes:
        console.print(f"  note: {_escape(note)}")
    if prov.commits:
        console.print(_commits_table(outcome))
    for e in prov.pr_evidence:
        console.print(f"  pull request: {_escape(str(e))} ({_escape(e.tool)})")


def _commits_table(outcome: Outcome) -> Table:
    from rich.table import Table

    table = Table(title="Commits", show_lines=False, expand=False)
    table.add_column("commit")
    table.add_column("subject", max_width=SUBJECT_WIDTH, overflow="ellipsis", no_wrap=True)
    table.add_column("AI")
    table.add_column("tool")
    table.add_column("lines", justify="right")
    table.add_column("evidence", overflow="fold")
    for c in outcome.provenance.commits:
        table.add_row(
            c.sha[:SHORT_SHA],
            _escape(c.subject),
            "yes" if c.ai else "no",
            _escape(c.tool or ""),
            f"{c.ai_lines}/{c.added_lines}" if c.ai else str(c.added_lines),
            _escape("; ".join(str(e) for e in c.evidence)),
        )
    return table


def _findings_table(outcome: Outcome) -> Table:
    from rich.table import Table

    table = Table(title=f"Findings ({len(outcome.blocking)} blocking)")
    table.add_column("sev")
    table.add_column("stage")
    table.add_column("where", overflow="fold")
    table.add_column("finding", overflow="fold")
    table.add_column("status")
    for f in outcome.findings:
        where = ""
        if f.location:
            where = f.location.path + (f":{f.location.start_line}" if f.location.start_line else "")
        status = (
            "BLOCKING"
            if f.blocking
            else ("advisory" if f.advisory else "confirmed" if f.confirmed else "unconfirmed")
        )
        table.add_row(
            f"[{_SEV_STYLE[f.severity.value]}]{f.severity.value}[/]",
            _escape(f.stage),
            _escape(where),
            _escape(f.title),
            status,
        )
    return table


def _print_stages(console: Console, outcome: Outcome) -> None:
    """One line a stage: ran or skipped and why; then the model stages the thresholds did not call."""
    stages = {r.stage: r for r in outcome.stages}
    for stage_id, r in stages.items():
        state = "ran" if r.ran else f"skipped ({r.skipped_reason})"
        extra = f"; model error: {r.model_error}" if r.model_error else ""
        extra += f"; error: {r.error}" if r.error else ""
        console.print(f"  {stage_id:<16} {_escape(state)} — {_escape(r.why)}{_escape(extra)}")
    for stage_id, (_, why) in outcome.escalations.items():
        if stage_id not in stages:
            console.print(f"  {stage_id:<16} not run — {_escape(why)}")


def _print_coverage(console: Console, outcome: Outcome) -> None:
    cov = coverage.of(outcome)
    console.print(f"\n{_escape(_coverage_line(cov))}")
    for gap in cov.gaps:
        where = "the whole change" if gap.path is None else gap.path + (f":{gap.lines}" if gap.lines else "")
        console.print(f"  not covered: {_escape(where)} ({_escape(gap.stage)}) — {_escape(gap.reason)}")


def _coverage_line(cov: coverage.Coverage) -> str:
    """What was covered, in one line; the gaps follow it, one a line."""
    head = "Coverage: complete" if cov.complete else f"Coverage: NOT complete ({len(cov.gaps)} gaps)"
    parts = [f"{cov.files} files in the change", f"{cov.analysed} read by the analyzers"]
    if cov.review == "reviewed":
        counts = sorted({len(f.models) for f in cov.reviewed}, reverse=True)
        split = ", ".join(f"{sum(1 for f in cov.reviewed if len(f.models) == n)} by {n}" for n in counts)
        parts.append(f"{len(cov.reviewed)} reviewed ({split or 'none'} of {len(cov.models)} models)")
    else:
        parts.append(f"model review {cov.review.replace('-', ' ')}")
    if cov.hunks:
        parts.append(f"{cov.regenerated} of {cov.hunks} AI-authored hunks re-generated")
    if spec := coverage.spec_line(cov.spec):
        parts.append(spec)
    if cov.ignored:
        parts.append(f"{len(cov.ignored)} left out by paths.ignore: {', '.join(cov.ignored[:5])}")
    return f"{head}: {'; '.join(parts)}"
