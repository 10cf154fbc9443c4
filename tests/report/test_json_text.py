"""The report's JSON text is the standard library's, character for character, whoever writes it: on
hostile strings, every kind of float and random nested data."""

from __future__ import annotations

import json
import random
import struct
from typing import Any

import pytest

from gate.report.json_text import indented

HOSTILE = [
    "",
    "\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f\x7f\x80\x9f",
    'a "quoted" \\back\\slash/ and / solidus',
    "lone\rcarriage\r\nreturns\r",
    "\u2028\u2029\u200b\u202e\ufeff\ufffd",
    "é😀𝕏 漢字 \U0010ffff",
    "##[error] ::warning:: @team #12",
    "looks like a float: 0.00001 1e-7 -0.0000",
    "x" * 100_000,
    "\ud800 lone surrogate",
    "\udfff",
]
FLOATS = [
    0.0, -0.0, 1e-05, 1e-07, 0.0001, 0.00012, 1e16, 1e-16, 1e22, 1e300, 5e-324, 1.7976931348623157e308,
    0.1, 0.30000000000000004, 123456789.123, 2.5, -1e-05, float("nan"), float("inf"), float("-inf"),
]  # fmt: skip
INTS = [0, -1, 2**31, 2**63, -(2**63) - 1, 10**40, True, False]


def _standard(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", HOSTILE + FLOATS + INTS + [None, [], {}, [[]], {"a": {}}], ids=repr)
def test_a_value_is_written_as_the_standard_library_writes_it(value: Any) -> None:
    for data in (value, [value], {"key": value, "list": [value, [value]]}):
        assert indented(data) == _standard(data)
    if isinstance(value, str):
        assert indented({value: 1}) == _standard({value: 1})  # as a key too


def _random_float(rng: random.Random) -> float:
    if rng.random() < 0.5:
        value: float = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        return value
    return round(rng.random() * 10.0 ** rng.randint(-12, 20), rng.randint(0, 12))


def _random_string(rng: random.Random) -> str:
    alphabet = 'aZ09 "\\/\n\r\t\x00\x1f\x7f\u2028é😀\ufffd.-e+0'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def _random_data(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 7 if depth < 4 else 4)
    if kind == 0:
        return _random_string(rng)
    if kind == 1:
        return _random_float(rng)
    if kind == 2:
        return rng.choice([rng.randint(-(10**20), 10**20), True, False, None])
    if kind in (3, 4):
        return rng.choice(HOSTILE[:-2])[:200]
    if kind in (5, 6):
        return {_random_string(rng): _random_data(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [_random_data(rng, depth + 1) for _ in range(rng.randint(0, 5))]


@pytest.mark.parametrize("seed", range(40))
def test_random_data_is_written_as_the_standard_library_writes_it(seed: int) -> None:
    rng = random.Random(seed)
    data = [_random_data(rng) for _ in range(50)]
    assert indented(data) == _standard(data)


def test_floats_of_every_bit_pattern_are_spelled_as_python_spells_them() -> None:
    rng = random.Random(7)
    for _ in range(20_000):  # one at a time: one float that falls back would hide the others
        value = _random_float(rng)
        assert indented(value) == _standard(value)
