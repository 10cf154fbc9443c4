"""AI lines a person lightly edits elsewhere than in place stay AI: the AI file deleted and written back
with a rename, in a later commit or before the deletion; the code moved to another module with a shim
left behind, split over two modules or folded into a person's file; AI lines edited while merging the
AI's branch as the second parent. A person's own code written after deleting AI code stays theirs, each
AI line gone vouches for one line, and a merge's lines taken from its parents are not its edits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gate.config.models import Provenance
from gate.context.patch import load_patch_changeset
from gate.provenance.estimate import estimate
from gate.provenance.model import ProvenanceResult
from tests.gitrepo import GitRepo
from tests.provenance.test_edited_lines import (
    AI_CODE,
    AI_LINES,
    CLAUDE,
    FUNCTIONS,
    LAUNDERING_EDITS,
    SHORT_LINES,
    SOURCES,
    _ai_commit,
    _each_line,
    _edited_note,
    _from_git,
)

RENAMED = LAUNDERING_EDITS["parameter renamed"](AI_CODE)
SHIM = '"""Moved to shop.pricing."""\nfrom shop.pricing import *  # noqa: F403\n'
OWN_CODE = "".join(
    f"def total_{i}(items):\n    return sum(item.cost for item in items if item.kind == {i})\n\n"
    for i in range(FUNCTIONS)
)


def _person_lines(result: ProvenanceResult) -> int:
    return sum(c.added_lines for c in result.commits if not c.ai)


@pytest.mark.parametrize("source", SOURCES)
def test_ai_code_deleted_then_written_back_with_a_rename_stays_ai(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.remove("prices.py")
    repo.commit("Remove the price helpers for now")
    repo.write("prices.py", RENAMED)
    repo.commit("Restore the price helpers, cleaned up")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert _person_lines(result) == 0
    assert _edited_note(result)


@pytest.mark.parametrize("source", SOURCES)
def test_ai_code_moved_to_another_module_with_a_shim_left_behind_stays_ai(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.write("prices.py", SHIM)
    repo.write("shop/pricing.py", RENAMED)
    repo.commit("Move the price helpers to shop.pricing")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES + 2)
    assert _person_lines(result) == 2  # the shim


@pytest.mark.parametrize("source", SOURCES)
def test_a_renamed_copy_made_before_the_ai_file_is_deleted_stays_ai(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.write("shop/pricing.py", RENAMED)
    repo.commit("Add shop.pricing")
    repo.remove("prices.py")
    repo.commit("Drop the old module")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


HALF = AI_LINES // 2
MOVES = {
    "split over two modules": {
        "shop/b.py": RENAMED[: RENAMED.index("def price_6")],
        "shop/a.py": RENAMED[RENAMED.index("def price_6") :],
    },
    "folded into a person's module in place of one of their lines": {
        "notes.py": "import os\n\n" + RENAMED + "\ndef here():\n    return os.getcwd()\n"
    },
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("move", MOVES)
def test_ai_code_moved_with_a_rename_stays_ai(repo: GitRepo, source: str, move: str) -> None:
    repo.write("notes.py", "import os\n\nNOTE = 'mine'\n\ndef here():\n    return os.getcwd()\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("prices.py", AI_CODE)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    repo.remove("prices.py")
    for path, text in MOVES[move].items():
        repo.write(path, text)
    repo.commit("Reorganise the price helpers")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


@pytest.mark.parametrize("source", SOURCES)
def test_a_person_who_deletes_ai_code_and_writes_their_own_keeps_it(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.remove("prices.py")
    repo.write("totals.py", OWN_CODE)
    repo.commit("Replace the price helpers with totals")
    result = SOURCES[source](repo, base)
    own = OWN_CODE.count("\n")
    assert (result.ai_lines, result.added_lines) == (0, own)
    assert not _edited_note(result)


AI_LOADER = """import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def load_config(path):
    if not isinstance(path, Path):
        path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"config not found: {path}")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return data
"""
OWN_SETTINGS = """\"\"\"Settings, read once at start-up.\"\"\"
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

_CACHE = {}


class Settings:
    def __init__(self, path):
        self.path = Path(path)

    def read(self):
        if self.path not in _CACHE:
            _CACHE[self.path] = json.loads(self.path.read_text(encoding="utf-8"))
        return _CACHE[self.path]
"""


@pytest.mark.parametrize("source", SOURCES)
def test_a_person_who_reverts_ai_code_keeps_the_idioms_their_own_code_shares_with_it(
    repo: GitRepo, source: str
) -> None:
    """A line repeated with no other beside it, in a file with no AI line, is an idiom anyone writes."""
    base = _ai_commit(repo, "config.py", AI_LOADER)
    repo.git("revert", "--no-edit", "HEAD")
    repo.write("settings.py", OWN_SETTINGS)
    repo.commit("Write the settings by hand")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (0, OWN_SETTINGS.count("\n"))


@pytest.mark.parametrize("source", SOURCES)
def test_each_ai_line_gone_vouches_for_one_line_written_elsewhere(repo: GitRepo, source: str) -> None:
    base = _ai_commit(repo)
    repo.remove("prices.py")
    repo.write("shop/pricing.py", RENAMED)
    repo.write("shop/legacy.py", RENAMED)
    repo.commit("Two copies of the price helpers")
    result = SOURCES[source](repo, base)
    assert result.added_lines == 2 * AI_LINES
    assert result.ai_lines <= AI_LINES


def _claude_branch_merged_second(repo: GitRepo, while_merging: dict[str, str]) -> None:
    """main, then pr with a person's commit; Claude's branch off main merged into pr as the second
    parent, with `while_merging` written before the merge is committed."""
    repo.write("README.md", "project\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("app.py", "def main():\n    return 0\n")
    repo.commit("Add the entry point")
    repo.checkout("main")
    repo.branch("claude/add-prices-Xk9pQ")
    repo.write("prices.py", AI_CODE)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    repo.checkout("pr")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "claude/add-prices-Xk9pQ")
    for path, text in while_merging.items():
        repo.write(path, text)
    repo.commit("Merge the price helpers")


def test_ai_lines_edited_while_merging_the_ai_branch_as_second_parent_stay_ai(repo: GitRepo) -> None:
    _claude_branch_merged_second(repo, {"prices.py": RENAMED})
    result = _from_git(repo, "main")
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES + 2)
    assert _person_lines(result) == 2  # app.py
    assert _edited_note(result)


def test_lines_a_person_writes_while_merging_stay_theirs(repo: GitRepo) -> None:
    """Only the merge's own lines, those neither parent has, can be edits; of them, a different
    statement stays the person's."""
    rewritten = RENAMED.replace("    return round(total, 2)\n", "    return Decimal(total).quantize(CENTS)\n")
    _claude_branch_merged_second(repo, {"prices.py": rewritten, "app.py": "def main():\n    return 1\n"})
    result = _from_git(repo, "main")
    assert (result.ai_lines, result.added_lines) == (AI_LINES - FUNCTIONS, AI_LINES + 2)
    assert _person_lines(result) == FUNCTIONS + 2


def _pairing_seconds(root: Path, lines: int) -> float:
    """CPU seconds of the estimate when a person deletes `lines` AI lines and writes as many of their
    own elsewhere, each alike enough to be compared and unlike enough to pair with none."""
    repo = GitRepo(root / f"repo{lines}")
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    args = ", ".join(f"arg_{k}" for k in range(24))
    repo.write("calls.py", "".join(f"value_{i} = compute_{i}({args})\n" for i in range(lines)))
    repo.commit("Add the calls\n\n" + CLAUDE)
    repo.remove("calls.py")
    other = ", ".join(f"qqq_{k}" for k in range(24))
    repo.write("producers.py", "".join(f"zzzzz_{i} = yyyyyyy_{i}({other})\n" for i in range(lines)))
    repo.commit("Call the producers")
    changeset = load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "series.mbox")
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        result = estimate(changeset, Provenance())
        best = min(best, time.process_time() - started)
    assert result.ai_lines == 0
    return best


@pytest.mark.growth
def test_pairing_with_the_lines_gone_grows_linearly(tmp_path: Path) -> None:
    small, large = _pairing_seconds(tmp_path, 200), _pairing_seconds(tmp_path, 2_000)
    assert large / max(small, 0.002) < 30  # linear gives about 10, quadratic about 100


NOTES = "Notes on the price helpers and how they round totals.\n"


def _octopus_renaming_ai_lines(repo: GitRepo) -> None:
    """A person merges Claude's branch and another into theirs at once, renaming a parameter of the AI
    code while merging."""
    repo.write("README.md", "project\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("app.py", "def main():\n    return 0\n")
    repo.commit("Add the entry point")
    repo.checkout("main")
    repo.branch("claude/add-prices-Xk9pQ")
    repo.write("prices.py", AI_CODE)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    repo.checkout("main")
    repo.branch("docs")
    repo.write("NOTES.md", NOTES)
    repo.commit("Notes")
    repo.checkout("pr")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "claude/add-prices-Xk9pQ", "docs")
    repo.write("prices.py", RENAMED)
    repo.commit("Merge the price helpers and the notes")


def test_ai_lines_edited_while_merging_many_branches_count_as_possibly_ai(repo: GitRepo) -> None:
    """A merge of more than two parents is read against its first parent only: the AI lines a person
    edits while merging Claude's branch as a later parent are not told from the person's own, so those
    the merge owns are counted as possibly AI, never as the person's."""
    _octopus_renaming_ai_lines(repo)
    result = _from_git(repo, "main")
    assert result.added_lines == AI_LINES + 3
    assert result.threshold_ai_lines == AI_LINES, (result.ai_lines, result.unknown_lines)
    assert _person_lines(result) - result.unknown_lines == 3  # app.py and NOTES.md
    if result.unknown_lines:
        assert any("merge of more than two parents" in note for note in result.notes)


def test_lines_such_a_merge_wrote_stay_possibly_ai_after_a_person_comments_them(repo: GitRepo) -> None:
    """A later commit that appends a comment to every line the merge wrote owns those lines at head; they
    are still the merge's lines, lightly edited, and count as possibly AI. The lines the merge took from
    the person's other branch stay theirs."""
    _octopus_renaming_ai_lines(repo)
    repo.write("prices.py", LAUNDERING_EDITS["comment appended to every line"](RENAMED))
    repo.write("NOTES.md", NOTES.replace(".", ", checked."))
    repo.commit("Review pass")
    result = _from_git(repo, "main")
    assert result.added_lines == AI_LINES + 3
    assert result.threshold_ai_lines == AI_LINES, (result.ai_lines, result.unknown_lines)
    assert _person_lines(result) - result.unknown_lines == 3


@pytest.mark.parametrize("source", SOURCES)
def test_ai_code_moved_with_a_formatter_run_and_comments_added_stays_ai(repo: GitRepo, source: str) -> None:
    """The lines gone are looked up formatting aside as the carry reads a line (formatting.py): a line
    whose `u` string prefix a formatter dropped and to which a comment was added keeps its AI line's
    code, though it is too short to be compared with it by likeness."""
    base = _ai_commit(repo, code=SHORT_LINES)
    repo.remove("prices.py")
    repo.write(
        "shop/pricing.py", _each_line(SHORT_LINES, lambda line: line.replace("u''", "''") + "  # moved here")
    )
    repo.commit("Move the price helpers to shop.pricing")
    result = SOURCES[source](repo, base)
    lines = SHORT_LINES.count("\n")
    assert (result.ai_lines, result.added_lines) == (lines, lines)
    assert _person_lines(result) == 0
