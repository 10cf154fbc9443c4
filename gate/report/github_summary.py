"""The summary posted to GitHub (check run, summary comment, job summary): the report's summary
(`gate.report.summary`) with what only GitHub needs: the hidden marker and review state of the summary
comment, the published-report note, the run's notes and a link to the full report, redacted and then cut to
the room a destination gives.
"""

from __future__ import annotations

from collections.abc import Sequence

from gate.github.limits import Room
from gate.redact import redact_tree
from gate.report.github_view import GATE, PUBLISHED_NOTE, Origin, ReportView
from gate.report.links import BlobLinks
from gate.report.summary import fit, summary, where
from gate.review.state import comment_line

MARKER = GATE.comment_marker
TITLE = GATE.check_name

__all__ = ["MARKER", "TITLE", "headline", "render_summary", "where"]


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
    room: Room,
    marker: bool = False,
    origin: Origin = GATE,
    links: BlobLinks | None = None,
) -> str:
    """The summary within `room`, counted as the destination counts it; when cut, it says so and points at
    the full report, and still holds the notes."""
    body = summary(
        view,
        title=origin.check_name,
        links=links,
        preface=[f"> {PUBLISHED_NOTE}"] if origin.published else (),
    )
    top: list[str] = [origin.comment_marker] if marker else []
    if marker and view.review_state and not origin.published:
        # hidden, right under the marker: the next run's incremental review starts from it
        top.append(comment_line(view.review_state))
    # Redacted before it is fitted: GitHub measures what the client's last door sends, and a value the
    # run remembered (a folder named like a password the PR set) grows by the marker at each place.
    head, rows, said = redact_tree([[*top, *body.head], list(body.rows), [*notes, *view.notes]])
    return fit(type(body)(tuple(head), tuple(rows)), said, report_link, room)
