"""SECURITY.md stays true: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_named_in_security_md_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    current = None
    named = 0
    # References are "tests/x.py::test_name" or "`::test_name`" continuing the last file named.
    for m in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`", text):
        path, test = m.groups()
        if path:
            current = path
            assert (ROOT / path).is_file(), path
        if test:
            assert current is not None
            assert re.search(rf"^def {test}\(", (ROOT / current).read_text(), re.M), f"{current}::{test}"
            named += 1
    assert named >= 15
