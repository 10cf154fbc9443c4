"""AI lines a person only lightly edits in place stay AI: a comment appended to every line, a parameter
or a called function renamed throughout, a move into another file with a rename, edits in several
commits. A person's real rewrite of AI lines, and the lines they add of their own, stay theirs. Local git
and the `git format-patch` series of the same commits give the same answer, and the report says how many
lines were AI lines a person edited."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.cli import main
from gate.config.models import Provenance
from gate.context.local_git import load_git_changeset
from gate.context.patch import load_patch_changeset
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from gate.provenance.edits import PAIR_WINDOW
from gate.provenance.estimate import estimate
from gate.provenance.model import ProvenanceResult
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
FUNCTIONS = 12
AI_CODE = "".join(
    f"def price_{i}(value, rate):\n"
    f"    total = apply_discount(value * rate, limit={i})\n"
    "    return round(total, 2)\n"
    "\n"
    for i in range(FUNCTIONS)
)
AI_LINES = AI_CODE.count("\n")
EDITED = "AI lines of the range a person lightly edited"


def _each_line(text: str, edit: Callable[[str], str]) -> str:
    return "".join((edit(line) if line else line) + "\n" for line in text.split("\n")[:-1])


LAUNDERING_EDITS: dict[str, Callable[[str], str]] = {
    "comment appended to every line": lambda text: _each_line(text, lambda line: line + "  # reviewed"),
    "parameter renamed": lambda text: text.replace("value", "val"),
    "called function renamed": lambda text: text.replace("apply_discount", "discounted"),
    "a number changed": lambda text: text.replace(", 2)", ", 4)"),
}


def _from_git(repo: GitRepo, base: str) -> ProvenanceResult:
    return estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())


def _from_mbox(repo: GitRepo, base: str) -> ProvenanceResult:
    return estimate(load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "series.mbox"), Provenance())


SOURCES = {"git": _from_git, "mbox": _from_mbox}


def _ai_commit(repo: GitRepo, path: str = "prices.py", code: str = AI_CODE) -> str:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write(path, code)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    return base


def _edited_note(result: ProvenanceResult) -> list[str]:
    return [n for n in result.notes if EDITED in n]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("edit", LAUNDERING_EDITS)
def test_ai_lines_a_person_lightly_edits_stay_ai_and_the_report_says_so(
    repo: GitRepo, source: str, edit: str
) -> None:
    base = _ai_commit(repo)
    repo.write("prices.py", LAUNDERING_EDITS[edit](AI_CODE))
    repo.commit("Review the helpers")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert [c.added_lines for c in result.commits if not c.ai] == [0]
    assert len(_edited_note(result)) == 1


@pytest.mark.parametrize("source", SOURCES)
def test_edits_spread_over_commits_and_a_move_keep_the_lines_ai(repo: GitRepo, source: str) -> None:
    """Each edit is measured against the line the AI wrote; a move edited too much for git to call it a
    rename pairs the new file with the deleted one."""
    base = _ai_commit(repo)
    commented = LAUNDERING_EDITS["comment appended to every line"](AI_CODE)
    repo.write("prices.py", commented)
    repo.commit("Mark the helpers reviewed")
    repo.remove("prices.py")
    repo.write(
        "shop/pricing.py", commented.replace("value", "amount").replace("apply_discount", "discounted")
    )
    repo.commit("Move the helpers into the shop package")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert _edited_note(result)


NOTES = "".join(f"# legacy note {i}\n" for i in range(5))
CALLED = {"alpha": "sorted", "bravo": "len", "charlie": "max", "delta": "min", "echo": "sum", "golf": "set"}
CALLS = [f"{name} = {call}(items_{i}, key=str)\n" for i, (name, call) in enumerate(CALLED.items())]
REVIEWED = [line.replace("\n", "  # ok\n") for line in CALLS]
DROPPED_WITH_THE_EDIT = {  # what else the person's commit drops: (the file it leaves, the AI lines in it)
    "the notes of their own above the AI code": ("".join(REVIEWED), len(CALLS)),
    "the first AI lines": (NOTES + "".join(REVIEWED[PAIR_WINDOW:]), len(CALLS) - PAIR_WINDOW),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("dropped", DROPPED_WITH_THE_EDIT)
def test_lines_a_person_drops_in_the_same_run_do_not_hide_the_ai_lines_they_edit(
    repo: GitRepo, source: str, dropped: str
) -> None:
    repo.write("calls.py", NOTES)
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("calls.py", NOTES + "".join(CALLS))
    repo.commit("Add the calls\n\n" + CLAUDE)
    edited, kept = DROPPED_WITH_THE_EDIT[dropped]
    repo.write("calls.py", edited)
    repo.commit("Review the calls")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (kept, kept)
    assert [c.added_lines for c in result.commits if not c.ai] == [0]


def test_ai_lines_a_person_lightly_edits_while_merging_stay_ai(repo: GitRepo) -> None:
    """The merge's own diff, against the line of work it merges into, is read like a commit's."""
    _ai_commit(repo)
    repo.checkout("main")
    repo.write("NOTES.md", "main moves on\n")
    repo.commit("Notes")
    repo.checkout("pr")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "main")
    repo.write("prices.py", LAUNDERING_EDITS["comment appended to every line"](AI_CODE))
    repo.commit("Merge main")
    result = _from_git(repo, "main")
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert len(_edited_note(result)) == 1


def test_lines_an_ai_merge_wrote_stay_ai_when_a_person_lightly_edits_them(repo: GitRepo) -> None:
    """The lines an AI-marked merge wrote itself (no parent has them) are AI lines as a commit's are."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("util.py", "def helper():\n    return 1\n")
    repo.commit("Add a helper")
    repo.checkout("main")
    repo.write("NOTES.md", "main moves on\n")
    repo.commit("Notes")
    repo.checkout("pr")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "main")
    repo.write("prices.py", AI_CODE)
    repo.commit("Merge main\n\n" + CLAUDE)
    repo.write("prices.py", LAUNDERING_EDITS["comment appended to every line"](AI_CODE))
    repo.commit("Review pass")
    result = _from_git(repo, base)
    assert result.added_lines == AI_LINES + 3
    assert result.ai_lines == AI_LINES
    assert len(_edited_note(result)) == 1


REWRITE = "".join(
    f"def price_{i}(value, rate):\n"
    f"    if value < 0 or not rate: raise ValueError('no price for {i}')\n"
    "    return Decimal(value).quantize(rate)\n"
    "\n"
    for i in range(FUNCTIONS)
)


@pytest.mark.parametrize("source", SOURCES)
def test_a_person_who_rewrites_ai_lines_in_place_owns_the_new_statements(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.write("prices.py", REWRITE)
    repo.commit("Validate and use decimals")
    result = SOURCES[source](repo, base)
    rewritten = 2 * FUNCTIONS  # the two body lines of each function; the def and blank lines stay the AI's
    assert (result.ai_lines, result.added_lines) == (AI_LINES - rewritten, AI_LINES)
    assert [c.added_lines for c in result.commits if not c.ai] == [rewritten]
    assert not _edited_note(result)


@pytest.mark.parametrize("source", SOURCES)
def test_the_lines_a_person_adds_amid_edited_ai_lines_stay_theirs(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    edited = "".join(
        f"def price_{i}(value, rate):\n"
        f"    total = apply_discount(value * rate, limit={i})  # checked\n"
        f"    audit_log.record('price_{i}', value, rate, total)\n"
        "    return round(total, 2)\n"
        "\n"
        for i in range(FUNCTIONS)
    )
    repo.write("prices.py", edited)
    repo.commit("Audit the prices")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES + FUNCTIONS)
    assert [c.added_lines for c in result.commits if not c.ai] == [FUNCTIONS]
    assert result.ai_line_map["prices.py"].isdisjoint(range(3, AI_LINES + FUNCTIONS, 5))


def test_local_git_and_the_patch_series_agree_line_by_line(repo: GitRepo) -> None:
    base = _ai_commit(repo)
    mixed = LAUNDERING_EDITS["parameter renamed"](AI_CODE).replace("round(total, 2)", "total.normalize()")
    repo.write("prices.py", LAUNDERING_EDITS["comment appended to every line"](mixed))
    repo.commit("Tidy the helpers")
    from_git, from_mbox = _from_git(repo, base), _from_mbox(repo, base)
    assert from_git.ai_line_map == from_mbox.ai_line_map
    assert (from_git.ai_lines, from_git.notes) == (from_mbox.ai_lines, from_mbox.notes)
    assert from_git.ai_lines == AI_LINES - FUNCTIONS  # `total.normalize()` is a different statement


def test_through_the_github_api_lightly_edited_ai_lines_stay_ai(repo: GitRepo) -> None:
    base = _ai_commit(repo)
    repo.write("prices.py", LAUNDERING_EDITS["parameter renamed"](AI_CODE))
    repo.commit("Shorter names")
    github = FakeGitHub().start()
    try:
        pull_from_git(github, repo, base, repo.head(), number=4)
        event = read_event("pull_request", github.payload(4))
        assert isinstance(event, PullRequestEvent)
        changeset = load_pull_changeset(GitHubClient(github.url, "t", github.repo), event, None, ())
    finally:
        github.stop()
    result = estimate(changeset, Provenance())
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert _edited_note(result)


def test_the_json_report_gives_the_share_the_thresholds_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _ai_commit(repo)
    repo.write("prices.py", LAUNDERING_EDITS["comment appended to every line"](AI_CODE))
    repo.commit("Review the helpers")
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert report["provenance"]["threshold_share"] == 1.0
    assert any(EDITED in n for n in report["provenance"]["notes"])


def _pairing_seconds(root: Path, lines: int) -> float:
    """CPU seconds of the estimate when a person rewrites `lines` AI lines in place, each into a line
    that passes the cheap tests (as long, the same punctuation) and fails the costly ones."""
    repo = GitRepo(root / f"repo{lines}")
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    args = ", ".join(f"arg_{k}" for k in range(24))
    repo.write("calls.py", "".join(f"value_{i} = compute_{i}({args})\n" for i in range(lines)))
    repo.commit("Add the calls\n\n" + CLAUDE)
    other = ", ".join(f"qqq_{k}" for k in range(24))
    repo.write("calls.py", "".join(f"zzzzz_{i} = yyyyyyy_{i}({other})\n" for i in range(lines)))
    repo.commit("Call the producers")
    changeset = load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "series.mbox")
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        result = estimate(changeset, Provenance())
        best = min(best, time.process_time() - started)
    assert result.ai_lines == 0
    return best


def test_pairing_grows_linearly_with_the_lines_a_person_rewrites(tmp_path: Path) -> None:
    small, large = _pairing_seconds(tmp_path, 200), _pairing_seconds(tmp_path, 2_000)
    assert large / max(small, 0.002) < 30  # linear gives about 10, quadratic about 100


# A line too short to compare by likeness in each function (`f(u'')`).
SHORT_LINES = "".join(
    f"def price_{i}(value, rate):\n    total = apply_discount(value * rate, limit={i})\n    f(u'')\n\n"
    for i in range(FUNCTIONS)
)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("every", [False, True], ids=["one line", "every line"])
def test_a_short_line_reformatted_and_commented_in_place_stays_ai(
    repo: GitRepo, source: str, every: bool
) -> None:
    """In place as among the lines gone, a line keeps an AI line's code but for a comment formatting
    aside (formatting.py): a line too short to compare by likeness, whose `u` prefix a formatter
    dropped as a comment went in, stays the AI's, alone in its run or not."""
    base = _ai_commit(repo, code=SHORT_LINES)
    if every:
        edited = _each_line(SHORT_LINES, lambda line: line.replace("u''", "''") + "  # checked here")
    else:
        edited = SHORT_LINES.replace("    f(u'')\n", "    f('')  # checked here\n", 1)
    repo.write("prices.py", edited)
    repo.commit("Check the prices")
    result = SOURCES[source](repo, base)
    lines = SHORT_LINES.count("\n")
    assert (result.ai_lines, result.added_lines) == (lines, lines)
    assert _edited_note(result)


REGIONS = 'EXEMPT_REGIONS = {"DE-EXEMPT", "US-OR", "US-MT", "FR-NORD", "IT-SUD"}\n'
REGIONS_WRAPPED = (
    'EXEMPT_REGIONS = {\n    "DE-EXEMPT",\n    "US-OR",\n    "US-MT",\n    "FR-NORD",\n    "IT-SUD",\n}\n'
)


@pytest.mark.parametrize("source", SOURCES)
def test_a_line_rewrapped_elsewhere_does_not_hide_the_ai_lines_a_person_edits(
    repo: GitRepo, source: str
) -> None:
    """A re-wrapped AI line gives its AI commit more head lines than it wrote; the lines a person
    commented in another file are AI lines all the same."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("prices.py", AI_CODE)
    repo.write("regions.py", REGIONS)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    commented = AI_CODE.replace("limit=0)\n", "limit=0)  # checked\n").replace(
        "limit=1)\n", "limit=1)  # checked\n"
    )
    commented = commented.replace("limit=2)\n", "limit=2)  # checked\n").replace(
        "limit=3)\n", "limit=3)  # checked\n"
    )
    repo.write("prices.py", commented)
    repo.write("regions.py", REGIONS_WRAPPED)
    repo.commit("Format and annotate")
    result = SOURCES[source](repo, base)
    wrapped = REGIONS_WRAPPED.count("\n")
    assert (result.ai_lines, result.added_lines) == (AI_LINES + wrapped, AI_LINES + wrapped)
    assert len(_edited_note(result)) == 1


LONG_CALLS = "".join(
    f"result_{i} = compute_value(alpha_{i}, beta_{i}, gamma_{i}, delta_{i})\n" for i in range(FUNCTIONS)
)
OWN_WRAPPED = "".join(
    f"summary_{i} = summarise(\n    first_total_{i}, second_total_{i}, ratio={i},\n)\n" for i in range(4)
)
REWRAP_EDITS: dict[str, Callable[[int], str]] = {
    "a comment on the opening line": lambda i: (
        f"result_{i} = compute_value(  # checked\n    alpha_{i}, beta_{i}, gamma_{i}, delta_{i},\n)\n"
    ),
    "a name renamed": lambda i: f"result_{i} = compute(\n    alpha_{i}, beta_{i}, gamma_{i}, delta_{i},\n)\n",
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("edit", REWRAP_EDITS)
def test_ai_lines_a_person_re_wraps_and_lightly_edits_stay_ai(repo: GitRepo, source: str, edit: str) -> None:
    """Each run a formatter spread an AI line over, joined up, lightly edits that line; the wrapped code
    the person adds of their own stays theirs."""
    base = _ai_commit(repo, "calc.py", LONG_CALLS)
    wrapped = "".join(REWRAP_EDITS[edit](i) for i in range(FUNCTIONS))
    repo.write("calc.py", wrapped + OWN_WRAPPED)
    repo.commit("Wrap the long lines")
    result = SOURCES[source](repo, base)
    ai_lines = wrapped.count("\n")
    assert (result.ai_lines, result.added_lines) == (ai_lines, ai_lines + OWN_WRAPPED.count("\n"))
    assert len(_edited_note(result)) == 1


@pytest.mark.parametrize("source", SOURCES)
def test_ai_lines_moved_re_wrapped_and_commented_stay_ai(repo: GitRepo, source: str) -> None:
    """The same in another file, the AI file deleted: each run joined up is the code of an AI line gone."""
    base = _ai_commit(repo, "calc.py", LONG_CALLS)
    repo.remove("calc.py")
    wrapped = "".join(REWRAP_EDITS["a comment on the opening line"](i) for i in range(FUNCTIONS))
    repo.write("shop/calc.py", wrapped + OWN_WRAPPED)
    repo.commit("Move the calls into the shop package and wrap them")
    result = SOURCES[source](repo, base)
    ai_lines = wrapped.count("\n")
    assert (result.ai_lines, result.added_lines) == (ai_lines, ai_lines + OWN_WRAPPED.count("\n"))
