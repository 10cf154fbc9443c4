"""AI lines a person's commit renames many identifiers on stay AI: the commit renames parameters, locals
and a called function throughout a module, so that most words of a line are renamed, and each line
whose only differences are those renames stays the AI's, however many there are. A function the same
commit truly rewrites is the person's, and a person's code that reuses the AI's names in other roles,
or makes two of them one, stays theirs."""

from __future__ import annotations

import re

import pytest

from gate.provenance.model import ProvenanceResult
from tests.gitrepo import GitRepo
from tests.provenance.test_edited_lines import CLAUDE, SOURCES

AI_MODULE = '''"""Order totals for the checkout."""

from decimal import Decimal

FREE_SHIPPING_FROM = Decimal(50)
CENT = Decimal("0.01")


def line_total(quantity, unit_price, discount_rate):
    gross = quantity * unit_price
    reduction = gross * discount_rate
    return gross - reduction


def order_total(order_lines, discount_rate, shipping_fee):
    subtotal = Decimal(0)
    for entry in order_lines:
        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)
    if subtotal >= FREE_SHIPPING_FROM:
        shipping_fee = Decimal(0)
    return (subtotal + shipping_fee).quantize(CENT)


def tax_due(order_lines, discount_rate, tax_rate):
    subtotal = Decimal(0)
    for entry in order_lines:
        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)
    return (subtotal * tax_rate).quantize(CENT)


def invoice_rows(order_lines, discount_rate):
    rows = []
    for entry in order_lines:
        amount = line_total(entry.quantity, entry.unit_price, discount_rate)
        rows.append((entry.sku, entry.quantity, amount))
    return rows


def cheapest_entry(order_lines, discount_rate):
    best, best_amount = None, None
    for entry in order_lines:
        amount = line_total(entry.quantity, entry.unit_price, discount_rate)
        if best_amount is None or amount < best_amount:
            best, best_amount = entry, amount
    return best


def average_price(order_lines):
    count = sum(entry.quantity for entry in order_lines)
    if not count:
        return Decimal(0)
    paid = sum(entry.quantity * entry.unit_price for entry in order_lines)
    return (paid / count).quantize(CENT)


def split_total(order_lines, discount_rate, parts):
    subtotal = Decimal(0)
    for entry in order_lines:
        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)
    return [(subtotal / parts).quantize(CENT)] * parts
'''
AI_LINES = AI_MODULE.count("\n")
# Each renamed on several lines of the module, the most used first.
RENAMES = {
    "entry": "item",
    "order_lines": "items",
    "discount_rate": "rate",
    "line_total": "cost_of",
    "quantity": "qty",
    "unit_price": "price",
    "subtotal": "running",
    "amount": "cost",
    "gross": "full",
    "best_amount": "lowest",
    "shipping_fee": "postage",
    "count": "pieces",
}


def _renamed(text: str, renames: dict[str, str]) -> str:
    return re.sub(r"\w+", lambda word: renames.get(word[0], word[0]), text)


def _ai_module(repo: GitRepo) -> str:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("orders.py", AI_MODULE)
    repo.commit("Add the order totals\n\n" + CLAUDE)
    return base


def _person_lines(result: ProvenanceResult, path: str = "orders.py") -> set[int]:
    return set(range(1, AI_LINES + 1)) - result.ai_line_map.get(path, frozenset())


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("count", [3, 7, 12])
def test_identifiers_renamed_throughout_in_one_commit_stay_ai(repo: GitRepo, source: str, count: int) -> None:
    base = _ai_module(repo)
    repo.write("orders.py", _renamed(AI_MODULE, dict(list(RENAMES.items())[:count])))
    repo.commit("Shorter names")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert [c.added_lines for c in result.commits if not c.ai] == [0]


REWRITTEN_BODY = (
    "    gross = quantity * unit_price\n"
    "    reduction = gross * discount_rate\n"
    "    return gross - reduction\n",
    "    if quantity <= 0:\n"
    '        raise ValueError("an order line needs a positive quantity")\n'
    "    return (quantity * unit_price * (1 - discount_rate)).quantize(CENT)\n",
)


@pytest.mark.parametrize("source", SOURCES)
def test_a_function_rewritten_amid_the_renames_is_the_persons(repo: GitRepo, source: str) -> None:
    base = _ai_module(repo)
    renames = dict(list(RENAMES.items())[:7])
    repo.write("orders.py", _renamed(AI_MODULE.replace(*REWRITTEN_BODY), renames))
    repo.commit("Shorter names; refuse empty order lines")
    result = SOURCES[source](repo, base)
    body = AI_MODULE.index(REWRITTEN_BODY[0])
    first = AI_MODULE[:body].count("\n") + 1
    assert _person_lines(result) == {first, first + 1, first + 2}
    assert result.added_lines == AI_LINES


ORDER_TOTAL_BODY = """    subtotal = Decimal(0)
    for entry in order_lines:
        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)
    if subtotal >= FREE_SHIPPING_FROM:
        shipping_fee = Decimal(0)
    return (subtotal + shipping_fee).quantize(CENT)
"""
TAX_DUE_BODY = """    subtotal = Decimal(0)
    for entry in order_lines:
        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)
    return (subtotal * tax_rate).quantize(CENT)
"""
# A person's commit that reuses the AI's names, each case with its edits (AI text -> the person's) and
# the lines it writes that must stay the person's. The lines that keep most of their words besides one
# name renamed are judged by those words, as before.
SHARED_NAMES: dict[str, tuple[dict[str, str], set[str]]] = {
    "the AI's names put in other roles": (
        {
            "    gross = quantity * unit_price\n": "    quantity = unit_price * gross\n",
            "    reduction = gross * discount_rate\n": "    gross = discount_rate * reduction\n",
            "    return gross - reduction\n": "    return reduction - quantity\n",
            "    for entry in order_lines:\n": "    for subtotal in discount_rate:\n",
            "        subtotal += line_total(entry.quantity, entry.unit_price, discount_rate)\n": (
                "        discount_rate += line_total(entry.unit_price, entry.quantity, subtotal)\n"
            ),
        },
        {
            "    quantity = unit_price * gross\n",
            "    gross = discount_rate * reduction\n",
            "    return reduction - quantity\n",
            "    for subtotal in discount_rate:\n",
            "        discount_rate += line_total(entry.unit_price, entry.quantity, subtotal)\n",
        },
    ),
    "two names made one new name": (
        {
            "    count = sum(": "    total = sum(",
            "    if not count:\n": "    if not total:\n",
            "    paid = sum(": "    total = sum(",
            "    return (paid / count)": "    return (total / total)",
        },
        {"    if not total:\n"},
    ),
    "a name made one the AI wrote": (
        {
            "    count = sum(": "    paid = sum(",
            "    if not count:\n": "    if not paid:\n",
            "    return (paid / count)": "    return (paid / paid)",
        },
        {"    if not paid:\n"},
    ),
    "a name renamed two ways": (
        {
            "    count = sum(": "    n = sum(",
            "    if not count:\n": "    if not k:\n",
            "    return (paid / count)": "    return (paid / k)",
        },
        {"    if not k:\n"},
    ),
    "a name renamed in one place and kept in another": (
        {
            ORDER_TOTAL_BODY: ORDER_TOTAL_BODY.replace("subtotal", "running"),
            TAX_DUE_BODY: TAX_DUE_BODY.replace("subtotal", "running"),
            "discount_rate, parts):\n": "discount_rate, pieces):\n",
            "[(subtotal / parts).quantize(CENT)] * parts": "[(subtotal / pieces).quantize(CENT)] * pieces",
        },
        {"    running = Decimal(0)\n", "    if running >= FREE_SHIPPING_FROM:\n"},
    ),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("path", ["orders.py", "shop/orders.py"])
@pytest.mark.parametrize("case", SHARED_NAMES)
def test_a_persons_code_that_shares_names_with_ai_code_stays_theirs(
    repo: GitRepo, source: str, path: str, case: str
) -> None:
    """In place, or in a file of its own once the AI module is deleted."""
    base = _ai_module(repo)
    edits, persons = SHARED_NAMES[case]
    theirs = AI_MODULE
    for ai_text, text in edits.items():
        assert ai_text in theirs
        theirs = theirs.replace(ai_text, text)
    if path != "orders.py":
        repo.remove("orders.py")
    repo.write(path, theirs)
    repo.commit("Rework the totals")
    result = SOURCES[source](repo, base)
    written = {n for n, line in enumerate(theirs.splitlines(keepends=True), 1) if line in persons}
    assert len(written) >= len(persons)
    assert _person_lines(result, path) == written


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("count", [3, 7, 12])
def test_identifiers_renamed_throughout_while_moving_the_module_stay_ai(
    repo: GitRepo, source: str, count: int
) -> None:
    """Renamed on most lines, the module is too unlike its AI self for git to call the move a rename: the
    new file's lines pair with the AI lines the deletion removed."""
    base = _ai_module(repo)
    repo.remove("orders.py")
    repo.write("shop/orders.py", _renamed(AI_MODULE, dict(list(RENAMES.items())[:count])))
    repo.commit("Move the order totals into the shop package, with shorter names")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


def test_a_string_left_open_is_one_token_to_the_lines_end():
    from gate.provenance.light_edits import _TOKEN

    assert _TOKEN.findall('x = f("a\\"b", \'c\')') == ["x", "=", "f", "(", '"a\\"b"', ",", "'c'", ")"]
    line = 'x = "' + '\\"' * 50_000
    assert _TOKEN.findall(line) == ["x", "=", line[4:]]
