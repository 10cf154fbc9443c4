"""What the models that raised one issue agree on besides the issue: where it is.

A group's title and body are one model's words (its claim's lead, `consensus.Group.claim`). Its lines
are not left to that one model: they are those every raiser named (the intersection of their ranges),
else the median of their starts and of their ends. One model's wide range cannot move a finding off
the lines the others point at, onto lines no inline comment can go on.
"""

from __future__ import annotations

from collections.abc import Iterable


def agreed_lines(ranges: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The lines the raisers' ranges (`(start, end)`, one per model, in either order) all take in, else
    the lower median of their starts to the upper median of their ends (which takes in the middle
    model's lines, or both middle models' when they are two)."""
    spans = [(min(r), max(r)) for r in ranges]
    if not spans:
        raise ValueError("no lines to agree on")
    start = max(s for s, _ in spans)
    end = min(e for _, e in spans)
    if start <= end:
        return start, end
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    return starts[(len(starts) - 1) // 2], ends[len(ends) // 2]
