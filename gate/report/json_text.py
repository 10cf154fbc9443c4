"""JSON text as the gate writes its reports: two-space indents, every character as it is.

`indented(data)` is `json.dumps(data, indent=2, ensure_ascii=False)`, character for character, for JSON
data as `model_dump(mode="json")` gives it (dicts with string keys, lists, strings, numbers, booleans,
None). The standard library writes an indented text in Python, a few strings per value, which on a large
change's report cost more than the rest of writing it; pydantic-core's serialiser writes the same text in
a fraction of the time. The two spell some floats differently (pydantic-core writes `0.00001` for
Python's `1e-05`, `1e-7` for `1e-07`), and pydantic-core refuses a string with a lone surrogate: where its
text holds such a float, or it refuses, the standard library writes the text.
`tests/report/test_json_text.py` holds the two to the same text on hostile and random data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

# A float under 1e-4 or with a one-digit negative exponent, as pydantic-core spells it: where its text
# may differ from Python's. A string that only looks like one costs a second writing, never a different
# text. (Two searches: an alternation of the two reads the text several times slower.)
_SMALL_FLOAT = "0.0000"
_SHORT_EXPONENT = re.compile(r"e-\d(?!\d)")


def indented(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)`, written faster where the text is the same."""
    try:
        text = to_json(data, indent=2).decode("utf-8")
    except (PydanticSerializationError, ValueError):  # a lone surrogate: no UTF-8 for it
        return _standard(data)
    if _SMALL_FLOAT in text or _SHORT_EXPONENT.search(text):
        return _standard(data)
    return text


def _standard(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
