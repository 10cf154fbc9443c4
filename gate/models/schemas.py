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


class Requirement(_Output):
    source: str = Field(max_length=40)  # the id of the intent source it was drawn from ("S1")
    statement: str = Field(max_length=500)


class SpecExtractOutput(_Output):
    """`spec_extract`: the requirements the intent sources state, as short statements."""

    requirements: list[Requirement]


class SpecJudgment(_Output):
    id: str = Field(max_length=40)  # the statement's id ("R3")
    verdict: Literal["kept", "contradicted", "not_addressed"]
    path: str | None = None  # where it shows: required with `contradicted`, optional otherwise
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)
    reason: str = Field(max_length=4000)

    @field_validator("verdict", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        # "Not addressed" and "not_addressed" mean the same.
        return "_".join(value.strip().lower().split()) if isinstance(value, str) else value


class SpecCheckOutput(_Output):
    """`spec_check`: one judgment per statement sent, for the chunk of code shown."""

    judgments: list[SpecJudgment]


# Schema name (sent as response_format.json_schema.name) -> output model.
SCHEMAS: dict[str, type[_Output]] = {
    "review": ReviewOutput,
    "cross_check": CrossCheckOutput,
    "regeneration": RegenerationOutput,
    "equivalence": EquivalenceOutput,
    "spec_extract": SpecExtractOutput,
    "spec_check": SpecCheckOutput,
}
