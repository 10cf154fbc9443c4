"""The structured outputs of SPEC 5.3. Field names are normative: models answer in these shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewFinding(_Output):
    path: str
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    severity: Literal["critical", "high", "medium", "low", "info"]
    category: str
    title: str = Field(max_length=300)
    body: str = Field(max_length=8000)
    suggestion: str | None = None  # required in the schema sent; a model that leaves it out is not wrong

    @field_validator("severity", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        # "High" and "high" mean the same; providers without strict enums answer either.
        return value.strip().lower() if isinstance(value, str) else value


class ReviewOutput(_Output):
    findings: list[ReviewFinding]


class CrossCheckVerdict(_Output):
    id: str
    agree: bool
    reason: str = Field(max_length=4000)


class CrossCheckOutput(_Output):
    verdicts: list[CrossCheckVerdict]


class RegenerationOutput(_Output):
    code: str


class EquivalenceOutput(_Output):
    equivalent: bool
    difference: str = Field(max_length=4000)


# Schema name (sent as response_format.json_schema.name) -> output model.
SCHEMAS: dict[str, type[_Output]] = {
    "review": ReviewOutput,
    "cross_check": CrossCheckOutput,
    "regeneration": RegenerationOutput,
    "equivalence": EquivalenceOutput,
}
