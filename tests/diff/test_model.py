"""The diff model's derived counts."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace

from gate.diff.model import DiffLine, LineKind
from gate.diff.parser import parse_diff

DIFF = """\
diff --git a/a.py b/a.py
--- a/a.py
+++ b/a.py
@@ -1,2 +1,3 @@
 keep
-old
+new line
+ü
diff --git a/b.py b/b.py
new file mode 100644
--- /dev/null
+++ b/b.py
@@ -0,0 +1 @@
+
"""


def test_added_size_counts_characters_and_newlines() -> None:
    diff = parse_diff(DIFF)
    assert [f.added_size for f in diff.files] == [len("new line\n") + len("ü\n"), 1]
    assert [f.added_count for f in diff.files] == [2, 1]


def test_a_diff_line_is_a_value() -> None:
    """Equal and hashed by its fields, copied and pickled whole (the type checker keeps it frozen)."""
    line = DiffLine(LineKind.CONTEXT, 3, 4, "ü\r")
    twin = DiffLine(LineKind.CONTEXT, 3, 4, "ü\r")
    assert line == twin and hash(line) == hash(twin) and len({line, twin}) == 1
    assert line != DiffLine(LineKind.CONTEXT, 3, 5, "ü\r")
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(line, protocol)) == line
    assert copy.deepcopy(line) == line and replace(line, text="x").text == "x"
    assert repr(line) == "DiffLine(kind=<LineKind.CONTEXT: ' '>, old_no=3, new_no=4, text='ü\\r')"
