"""The step's outputs: one builder for a gated, a not-gated and a published run, named as action.yml says."""

from __future__ import annotations

from pathlib import Path

import yaml

from gate.github.outputs import ActionOutputs

ACTION_YML = Path(__file__).resolve().parents[2] / "action.yml"


def test_the_outputs_are_those_action_yml_declares() -> None:
    declared = yaml.safe_load(ACTION_YML.read_text(encoding="utf-8"))["outputs"]
    assert list(ActionOutputs().values()) == list(declared)


def test_a_run_that_gated_nothing_is_neutral_with_no_files() -> None:
    assert ActionOutputs().values() == {
        "verdict": "neutral",
        "ai-share": "0",
        "findings": "0",
        "blocking-findings": "0",
        "report": "",
        "sarif": "",
        "trace": "",
    }
