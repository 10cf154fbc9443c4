"""`hidden_added` names the added lines a remembered value hid within the spans a prompt showed: each
line in a span, whatever the spans' order, overlaps or gaps."""

from __future__ import annotations

import random

from gate.diff.parser import parse_diff
from gate.redact import memory
from gate.redact.hidden import hidden_added

# A remembered value (shaped as a credential) that another place of the run gave, written on every
# third added line of the file.
VALUE = "Zq8hunter22xK"
LINES = 60


def _patch() -> str:
    added = [
        f"+value_{n} = '{VALUE}'" if n % 3 == 0 else f"+value_{n} = compute({n})" for n in range(1, LINES + 1)
    ]
    return (
        "diff --git a/app.py b/app.py\nnew file mode 100644\n--- /dev/null\n+++ b/app.py\n"
        f"@@ -0,0 +1,{LINES} @@\n" + "\n".join(added) + "\n"
    )


def test_each_added_line_in_any_span_shown_is_named_once_whatever_the_spans() -> None:
    diff = parse_diff(_patch())
    memory.remember([VALUE])
    holding = {n for n in range(1, LINES + 1) if n % 3 == 0}
    rng = random.Random(20261206)
    for _ in range(300):
        spans = [(start, start + rng.randint(-2, 12)) for start in (rng.randint(-3, LINES) for _ in range(5))]
        shown = [("app.py", start, end) for start, end in spans] + [("other.py", 1, LINES)]
        expected = sorted(n for n in holding if any(start <= n <= end for start, end in spans))
        assert hidden_added(diff, shown) == [("app.py", n) for n in expected], spans
