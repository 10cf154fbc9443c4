"""How the gate's notes, gaps and findings name a few of many things."""

from __future__ import annotations

from collections.abc import Sequence


def first_of(names: Sequence[str], limit: int, sep: str = ", ") -> str:
    """The first `limit` names joined by `sep`, then how many more there are: "a, b and 3 more"
    ("a; b; and 3 more" with "; ")."""
    named = sep.join(names[:limit])
    if len(names) <= limit:
        return named
    joint = " " if sep == ", " else sep
    return f"{named}{joint}and {len(names) - limit} more"
