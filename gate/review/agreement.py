"""What the models that raised one issue agree on besides the issue: where it is, and the change that
fixes it.

A group's title and body are one model's words (its claim's lead, `consensus.Group.claim`). Its lines
and its suggested change are not left to that one model. The lines are those every raiser named (the
intersection of their ranges), else the median of their starts and of their ends: one model's wide range
cannot move a finding off the lines the others point at, onto lines no inline comment can go on. A
change is offered to apply in one click only when at least `quorum` distinct raisers gave it: no other
model is shown a suggested change (the cross-check asks about the issue), so an agreement there does
not stand behind one, and one model's change (`verify=False` added to a fix for a missing timeout) is
shown as that model's, never as a confirmed fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Suggested:
    """The change a group's finding shows: as one of the models that gave it wrote it, those models
    (`by`), and whether they make up the quorum (`confirmed`: then it is offered in one click)."""

    code: str
    by: tuple[str, ...]
    confirmed: bool


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


def same_change(code: str) -> str:
    """A suggested change as models are compared on it: whitespace aside (blank lines, trailing spaces,
    runs of spaces inside a line), but each line's indentation kept, since it changes what Python code
    does and the change replaces the lines as written."""
    out = []
    for line in code.splitlines():
        if line.strip():
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + " ".join(line.split()))
    return "\n".join(out)


def agreed_suggestion(
    given: Iterable[tuple[str, str | None, tuple[int, int]]], lead: str, quorum: int, lines: tuple[int, int]
) -> Suggested | None:
    """The change a group's finding shows, of the changes its raisers gave (`given`: model, suggestion or
    None, and the lines it replaces): the one the most distinct models gave for the same lines, the
    lead's (`lead`) among equals, then the one of the earliest model name; as the lead wrote it when it
    is one of them, else as the earliest of them did. It is confirmed only for the finding's own `lines`:
    a change written for other lines, put on these, would replace what it was not written for. None when
    no raiser gave one."""
    # (the change compared, the lines it replaces) -> model -> the change as it wrote it
    by_change: dict[tuple[str, tuple[int, int]], dict[str, str]] = {}
    for model, code, replaced in given:
        if code is not None:
            key = (same_change(code), (min(replaced), max(replaced)))
            by_change.setdefault(key, {}).setdefault(model, code)
    if not by_change:
        return None
    key, models = min(by_change.items(), key=lambda item: (-len(item[1]), lead not in item[1], min(item[1])))
    code = models[lead] if lead in models else models[min(models)]
    return Suggested(code, tuple(sorted(models)), len(models) >= max(1, quorum) and key[1] == lines)
