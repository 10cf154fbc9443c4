"""Closing keywords as GitHub reads them, in PR descriptions and commit messages."""

from __future__ import annotations

import time

import pytest

from gate.intent.refs import MAX_REFS, IssueRef, closing_refs

OWN = "octo/widgets"


@pytest.mark.parametrize(
    "keyword", ["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"]
)
def test_every_keyword_of_githubs_list_links_in_any_case(keyword: str) -> None:
    for word in (keyword, keyword.upper(), keyword.capitalize()):
        assert closing_refs([f"{word} #12"], repository=OWN).refs == (IssueRef("", 12),)
        assert closing_refs([f"{word}: #12"], repository=OWN).refs == (IssueRef("", 12),)


def test_other_repositories_and_full_urls() -> None:
    text = (
        "Fixes octo/widgets#3, closes other/lib#9 and resolves https://github.com/other/lib/issues/10.\n"
        "Fix https://github.com/octo/widgets/issues/4"
    )
    found = closing_refs([text], repository=OWN, server_url="https://github.com")
    assert found.refs == (
        IssueRef("", 3),
        IssueRef("other/lib", 9),
        IssueRef("other/lib", 10),
        IssueRef("", 4),
    )


@pytest.mark.parametrize(
    "text",
    [
        "see #12",  # no keyword
        "prefixes #12",  # a keyword inside another word
        "fixes#12",  # GitHub wants a space
        "fixes #0",
        "fixes https://elsewhere.test/octo/widgets/issues/3",  # another server's issue
        "fixes https://github.com/octo/widgets/pull/3",  # a pull request URL links nothing
        "fixes #12abc",
    ],
)
def test_what_links_nothing(text: str) -> None:
    assert closing_refs([text], repository=OWN, server_url="https://github.com").refs == ()


def test_refs_are_distinct_in_order_and_bounded() -> None:
    texts = [f"fixes #{n}" for n in range(1, 200)] + ["fixes #1", "closes octo/widgets#2"]
    found = closing_refs(texts, repository=OWN)
    assert found.refs == tuple(IssueRef("", n) for n in range(1, MAX_REFS + 1))
    assert found.dropped == 199 - MAX_REFS


def test_scanning_is_linear_in_the_text() -> None:
    def cost(size: int) -> float:
        text = ("fixes #" + "1" * 20 + " close owner/" + "r" * 200 + " ") * (size // 240)
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            closing_refs([text[:size]], repository=OWN)
            best = min(best, time.process_time() - started)
        return max(best, 1e-3)

    assert cost(1_000_000) / cost(100_000) < 30
