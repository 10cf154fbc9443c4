"""Scripted re-generations of `apply_discount` (tests/regen/conftest.py SUBMITTED)."""

from __future__ import annotations

from tests.regen.conftest import SUBMITTED

# The same code as submitted, written differently: layout, quotes, comments, names of locals.
SAME = (
    SUBMITTED,
    """def apply_discount(price, rate):
    # reject rates outside [0, 1]
    if (rate < 0) or (rate > 1):
        raise ValueError('rate must be within [0, 1]')
    result = price * (1 - rate)
    return round(result, 2)
""",
    """def apply_discount(price, rate):
    if rate < 0 or rate > 1: raise ValueError("rate must be within [0, 1]")
    value = price * (1 - rate)
    return round(value, 2)
""",
    '''def apply_discount(price, rate):
    """Apply a discount."""
    if rate < 0 or rate > 1:
        raise ValueError(
            "rate must be within [0, 1]",
        )
    discounted = price * (1 - rate)
    return round(discounted, 2)
''',
)

# Consistent with each other, all different from the submitted code in one place: a rate of 1 is refused.
STRICTER = tuple(s.replace("rate > 1", "rate >= 1") for s in SAME)

# Five different ideas of the function: no consensus.
SCATTERED = (
    SUBMITTED,
    """def apply_discount(price, rate):
    return price - price * rate
""",
    """def apply_discount(price, rate):
    from decimal import Decimal, ROUND_HALF_UP
    amount = Decimal(str(price)) * (Decimal(1) - Decimal(str(rate)))
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
""",
    """def apply_discount(price, rate):
    assert 0 <= rate <= 1, rate
    for _ in range(1):
        price *= 1 - rate
    return price
""",
    """def apply_discount(price, rate):
    clamped = min(max(rate, 0.0), 1.0)
    return max(0.0, price * (1.0 - clamped))
""",
)
