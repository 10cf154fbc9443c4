"""The `spec_extract` and `spec_check` messages: versioned system prompts, and every source, statement
and line of code fenced as untrusted data (see `gate.fence.data_block`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from gate.fence import data_block
from gate.intent.sources import IntentSource
from gate.models.interface import Message
from gate.review.prompt import load_prompt
from gate.review.units import Chunk

EXTRACT_PROMPT = "spec_extract-v1.md"
CHECK_PROMPT = "spec_check-v1.md"
MAX_REQUIREMENTS = 40
MAX_STATEMENT_CHARS = 300


@dataclass(frozen=True)
class Statement:
    """A requirement as the gate numbers it: `R1`.. in the order extracted; `source` is an IntentSource id."""

    id: str
    source: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source, "statement": self.text}


def extract_messages(sources: Sequence[IntentSource]) -> tuple[Message, ...]:
    prompt = load_prompt(EXTRACT_PROMPT)
    blocks = [data_block(s.text, f"Source {s.id}: {s.name}") for s in sources]
    blocks.append("Answer with the `spec_extract` JSON object; `source` is one of the ids above.")
    return (Message("system", prompt.system), Message("user", "\n\n".join(blocks)))


def check_messages(
    chunk: Chunk, statements: Sequence[Statement], sources: dict[str, IntentSource]
) -> tuple[Message, ...]:
    prompt = load_prompt(CHECK_PROMPT)
    listing = "\n".join(
        json.dumps({"id": s.id, "from": sources[s.source].name, "statement": s.text}, ensure_ascii=False)
        for s in statements
    )
    user = "\n\n".join(
        [
            data_block(listing, f"The statements to judge ({len(statements)}), one JSON object a line"),
            data_block(chunk.text, f"The code of the change ({len(chunk.units)} hunks)"),
            "Answer with the `spec_check` JSON object: one judgment for each statement id above.",
        ]
    )
    return (Message("system", prompt.system), Message("user", user))
