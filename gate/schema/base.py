"""What every schema model shares: frozen values, and bounds that apply to input read back from outside.

A report the gate writes is never refused for its size (the report is always written); a report, trace or
review state read back from a file or a comment is untrusted input, so its free text is bounded there.
Readers validate with `context=UNTRUSTED`.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo

# The validation context of a reader of untrusted input: the bounds below apply only then.
UNTRUSTED: Final[dict[str, bool]] = {"untrusted": True}


class Schema(BaseModel):
    """A frozen value. Unknown keys are ignored when reading (a report of a later version with more
    fields still reads); the JSON Schema, generated for what is written (`mode="serialization"`),
    requires every field the gate always writes."""

    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_serialization_defaults_required=True)


def untrusted(info: ValidationInfo) -> bool:
    """Whether this validation reads input from outside (`UNTRUSTED`)."""
    return isinstance(info.context, dict) and bool(info.context.get("untrusted"))


def at_most(limit: int) -> AfterValidator:
    """A bound on the length of text read back from outside."""

    def check(value: str, info: ValidationInfo) -> str:
        if untrusted(info) and len(value) > limit:
            raise ValueError(f"longer than {limit:,} characters")
        return value

    return AfterValidator(check)


def _line_number(value: int, info: ValidationInfo) -> int:
    if untrusted(info) and value < 1:
        raise ValueError("a line number starts at 1")
    return value


# Bounds of text read back from a report: generous for what the gate writes, finite for what a hostile
# file could hold.
IdText = Annotated[str, at_most(200)]
StageId = Annotated[str, at_most(100)]
PathText = Annotated[str, at_most(4096)]
TitleText = Annotated[str, at_most(10_000)]
BodyText = Annotated[str, at_most(200_000)]
LineNumber = Annotated[int, AfterValidator(_line_number)]


def dump(model: BaseModel) -> dict[str, Any]:
    """The model as JSON-able values, in its fields' order, leaving out the fields it omits when unset."""
    return model.model_dump(mode="json")
