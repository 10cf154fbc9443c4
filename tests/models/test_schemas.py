"""The SPEC 5.3 output models as validated, and the strict schema sent to models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gate.models.schemas import SCHEMAS, ReviewFinding
from gate.models.structured import response_format, validate

FINDING = {"path": "a.py", "start_line": 1, "end_line": 1, "category": "bug", "title": "t", "body": "b"}


def test_severity_case_and_a_missing_suggestion_are_tolerated() -> None:
    finding = ReviewFinding.model_validate({**FINDING, "severity": " High"})
    assert finding.severity == "high" and finding.suggestion is None


def test_unknown_severity_and_extra_keys_are_invalid() -> None:
    with pytest.raises(ValidationError):
        ReviewFinding.model_validate({**FINDING, "severity": "urgent"})
    with pytest.raises(ValidationError):
        ReviewFinding.model_validate({**FINDING, "severity": "low", "confidence": 0.9})


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_schema_sent_is_strict(name: str) -> None:
    fmt = response_format(name, SCHEMAS[name])
    assert fmt["json_schema"]["name"] == name and fmt["json_schema"]["strict"] is True

    def objects(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            found = [node] if node.get("type") == "object" else []
            return found + [o for v in node.values() for o in objects(v)]
        if isinstance(node, list):
            return [o for v in node for o in objects(v)]
        return []

    for obj in objects(fmt["json_schema"]["schema"]):
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])  # type: ignore[arg-type]


def test_a_fenced_json_answer_is_accepted() -> None:
    output, error = validate(SCHEMAS["review"], '```json\n{"findings": []}\n```')
    assert error is None and output is not None
