"""Nothing lost for speed: the full findings on the golden inputs are those the goldens recorded.

The goldens (`tests/data/findings-golden/`) were written from the gate's findings before its readers
were made faster; see `tests/golden_findings.py` for the inputs and how to rewrite them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden_findings import GOLDEN, findings, inputs

NAMES = ("example-series", "secrets", "injection", "real-files", "weakened-phantom")


@pytest.fixture(scope="module")
def golden_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    built = inputs(tmp_path_factory.mktemp("golden"))
    assert sorted(built) == sorted(NAMES)
    return built


@pytest.mark.parametrize("name", NAMES)
def test_findings_match_the_golden(name: str, golden_inputs: dict[str, list[str]]):
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    found = findings(golden_inputs[name])
    assert expected, f"the golden of {name} is empty: the input no longer exercises the analyzers"
    assert [(f["stage"], f["rule"], f["path"], f["start_line"]) for f in found] == [
        (f["stage"], f["rule"], f["path"], f["start_line"]) for f in expected
    ]
    assert found == expected


def test_every_golden_has_its_input():
    assert sorted(p.stem for p in Path(GOLDEN).glob("*.json")) == sorted(NAMES)
