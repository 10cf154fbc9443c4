"""Structured output (SPEC 5.3): the `response_format` sent, validation, and the one repair message."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from gate.fence import unfence

MAX_ERROR_CHARS = 1500


def response_format(schema_name: str, output_type: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": schema_name, "schema": strict_schema(output_type), "strict": True},
    }


def strict_schema(output_type: type[BaseModel]) -> dict[str, Any]:
    """The pydantic JSON schema in the shape strict structured output accepts.

    Strict mode wants every property listed as required and no additional properties; value bounds
    (minimum, maxLength) are not all accepted by providers, so they are left to pydantic validation.
    A fresh copy each call: the caller (or litellm) may change it.
    """
    schema: dict[str, Any] = json.loads(_strict_schema_text(output_type))
    return schema


@lru_cache(maxsize=64)
def _strict_schema_text(output_type: type[BaseModel]) -> str:
    """Built once per output type: pydantic rebuilds the JSON schema on every call, and a run makes
    hundreds of calls with the same few types."""
    schema = output_type.model_json_schema()
    _strictify(schema)
    return json.dumps(schema)


_UNSUPPORTED = ("minimum", "maximum", "maxLength", "minLength", "default", "title")


def _strictify(node: Any) -> None:
    """Rewrite a schema node in place. `properties` and `$defs` map names to schemas: their keys are
    field names (a field may well be called `title`), so only their values are rewritten."""
    if isinstance(node, list):
        for item in node:
            _strictify(item)
        return
    if not isinstance(node, dict):
        return
    for key in _UNSUPPORTED:
        node.pop(key, None)
    if node.get("type") == "object" and "properties" in node:
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False
    for key, value in node.items():
        if key in ("properties", "$defs") and isinstance(value, dict):
            for sub in value.values():
                _strictify(sub)
        else:
            _strictify(value)


def validate(output_type: type[BaseModel], content: str | None) -> tuple[BaseModel | None, str | None]:
    """The validated output, or None and the error in words a model can act on."""
    if content is None or not content.strip():
        return None, "the answer was empty"
    # Some providers wrap JSON in a Markdown fence even in JSON mode; the JSON itself is what counts.
    text = unfence(content.strip())
    try:
        return output_type.model_validate_json(text), None
    except ValidationError as exc:
        return None, _describe(exc)


def redacted_answer(content: str | None) -> str | None:
    """A model's answer as the run decides on it and the trace records it: every secret in its values
    hidden (`gate.redact.redact_tree`), the schema's field names kept. Read as text, a remembered value
    that is a field name (`start_line`, `findings`) would be hidden in the keys, and the answer the run
    took would be one that a replay of the trace cannot read. An answer that is not JSON is redacted as
    text; one with nothing to hide is returned as it came."""
    if content is None:
        return None
    from gate.redact import redact, redact_tree

    try:
        parsed = json.loads(unfence(content.strip()))
        hidden = redact_tree(parsed)
    except (ValueError, RecursionError):
        # Not JSON, or nested past what the parser or the walk over it can follow (an answer a PR's text
        # talked a model into): redacted as text, and validation then says why it is no answer.
        return redact(content)
    return content if hidden is parsed else json.dumps(hidden, ensure_ascii=False)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)[:MAX_ERROR_CHARS]


def repair_messages(
    schema_name: str, output_type: type[BaseModel], bad: str | None, error: str
) -> list[dict[str, str]]:
    """What the model is shown for its one repair attempt: its answer and why it was rejected."""
    schema = json.dumps(strict_schema(output_type), separators=(",", ":"))
    return [
        {"role": "assistant", "content": (bad or "")[:20_000]},
        {
            "role": "user",
            "content": (
                f"Your answer did not validate against the `{schema_name}` JSON schema: {error}\n"
                f"Answer again with only one JSON object that matches this schema:\n{schema}"
            ),
        },
    ]
