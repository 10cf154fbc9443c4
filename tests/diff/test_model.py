"""The diff model's derived counts."""

from __future__ import annotations

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


def test_added_size_counts_characters_and_newlines():
    diff = parse_diff(DIFF)
    assert [f.added_size for f in diff.files] == [len("new line\n") + len("ü\n"), 1]
    assert [f.added_count for f in diff.files] == [2, 1]
