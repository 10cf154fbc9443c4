"""phantom-symbols reports a missing name only from what it knows of the module in full, on the line
the diff shows it.

A changed module whose head text cannot be read (over the size limit, or holding a NUL byte) is not
known from the few added import lines that are checked in its place: an import of one of its real
names from another file must not be reported as missing, and weakened-tests must not take facts
from those lines either.

A lone carriage return ends a line to Python's parser and not to git: the parser's line numbers are
mapped to the diff's, by phantom-symbols and by weakened-tests' tree facts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.source import MAX_FILE_BYTES
from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from gate.analyzers.symbols.text_looks import imports_only
from gate.analyzers.weakened_tests import WeakenedTestsAnalyzer
from gate.analyzers.weakened_tests.tree_facts import forget, take_facts
from tests.analyzers.gitrepo import Files, change, context
from tests.analyzers.test_analyzer_limits import SIZES, assert_linear, best_cpu

# A comment line to pad a module past the size limit.
_PAD = "# " + "x" * 97 + "\n"


def _big(head: str) -> str:
    """`head`, then comment lines up to past the size limit."""
    return head + _PAD * (MAX_FILE_BYTES // len(_PAD) + 10)


def _with_nul(head: str) -> bytes:
    """`head` with a NUL byte past the 8,000 bytes git looks at: git diffs it as text, the reader
    reads it, and the analyzers' view leaves it unread as binary."""
    return (head + _PAD * 100).encode() + b"\0\n"


BASE: Files = {"pkg/__init__.py": "", "pkg/helpers.py": "def helper():\n    return 1\n"}


def _run(tmp_path: Path, module: str | bytes, head: str | bytes) -> list[str]:
    before = {**BASE, "pkg/big.py": module}
    after: Files = {"pkg/big.py": head, "pkg/user.py": "from pkg.big import foo\n\nfoo()\n"}
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, after)))
    return [f.title for f in result.findings]


def test_a_real_name_of_a_module_over_the_size_limit_is_not_reported_missing(tmp_path: Path):
    module = "def foo():\n    return 1\n"
    # The edit adds an import of a repository module: the module is checked for what it imports.
    titles = _run(tmp_path, _big(module), _big(module + "import pkg.helpers\n"))
    assert titles == []


def test_a_real_name_of_a_module_holding_a_nul_byte_is_not_reported_missing(tmp_path: Path):
    module = "def foo():\n    return 1\n"
    titles = _run(tmp_path, _with_nul(module), _with_nul(module + "import pkg.helpers\n"))
    assert titles == []


def test_a_module_over_the_size_limit_whose_added_lines_read_self_is_not_learned_empty(tmp_path: Path):
    # An added `self.x` sends the module to its check even without an import: its imports-only text
    # is then the empty module, which defines nothing.
    module = "def foo():\n    return 1\n\nclass K:\n    def m(self):\n        return 1\n"
    edited = module + "\n    def n(self):\n        return self.m()\n"
    titles = _run(tmp_path, _big(module), _big(edited))
    assert titles == []


def test_the_added_imports_of_a_module_over_the_size_limit_are_still_checked(tmp_path: Path):
    module = "def foo():\n    return 1\n"
    titles = _run(tmp_path, _big(module), _big(module + "from pkg.helpers import nothere\n"))
    assert titles == ["'nothere' is not defined in pkg.helpers"]


def test_an_added_import_with_a_comment_in_a_module_seen_in_part_is_checked(tmp_path: Path):
    module = "def foo():\n    return 1\n"
    edited = module + "from pkg.helpers import nothere  # noqa: F401\nfrom pkg.helpers import gone# x\n"
    titles = _run(tmp_path, _big(module), _big(edited))
    assert titles == ["'nothere' is not defined in pkg.helpers", "'gone' is not defined in pkg.helpers"]


def test_weakened_tests_takes_no_facts_from_the_import_lines_of_a_test_file_it_cannot_read(tmp_path: Path):
    module = "import pytest\n\ndef test_one():\n    assert 1\n"
    edited = module + "import pkg.helpers\npytest.skip('later')\n"
    before = {**BASE, "tests/test_big.py": _big(module)}
    changeset = change(tmp_path, before, {"tests/test_big.py": _big(edited)})
    forget()
    PhantomSymbolsAnalyzer().run(context(changeset))
    (test_file,) = changeset.diff.files
    # What phantom-symbols parsed in place of the head text it could not read.
    assert take_facts(test_file, imports_only(test_file)) is None


def test_a_test_files_facts_are_noted_only_for_a_weakened_tests_run_in_the_same_process(tmp_path: Path):
    module = "import pytest\nfrom pkg.helpers import helper\n\ndef test_one():\n    assert helper()\n"
    edited = module + "\n@pytest.mark.skip\ndef test_two():\n    assert helper()\n"
    changeset = change(tmp_path, {**BASE, "tests/test_one.py": module}, {"tests/test_one.py": edited})
    (test_file,) = changeset.diff.files
    for runs_here, noted in (
        (None, True),  # one process runs every stage
        (frozenset({"phantom-symbols", "weakened-tests"}), True),
        (frozenset({"phantom-symbols"}), False),  # weakened-tests runs in the other process: parses it there
    ):
        forget()
        ctx = context(changeset)
        ctx.runs_here = runs_here
        PhantomSymbolsAnalyzer().run(ctx)
        assert (take_facts(test_file, edited) is not None) is noted, runs_here


# --- A lone carriage return --------------------------------------------------------------------------
# Python's parser ends a line at a lone `\r`; git does not. The parser's line numbers are mapped to the
# diff's before they are looked up among the added lines, and findings name the diff's line.

MOD: Files = {"pkg/__init__.py": "", "pkg/mod.py": "def helper():\n    return 1\n"}


def _findings(
    tmp_path: Path, before: Files, after: Files, *, patch_only: bool = False
) -> list[tuple[str, int]]:
    changeset = change(tmp_path, before, after, patch_only=patch_only)
    result = PhantomSymbolsAnalyzer().run(context(changeset))
    return [(f.title, f.location.start_line or 0) for f in result.findings if f.location is not None]


_NOTHERE = "'nothere' is not defined in pkg.mod"


# Without revisions (patch input) the repository's modules are the ones the diff adds: pkg.mod is added
# beside the file that imports from it.
@pytest.mark.parametrize("patch_only", [False, True], ids=["git", "patch"])
def test_an_import_after_a_lone_carriage_return_in_a_new_file_is_reported(tmp_path: Path, patch_only: bool):
    after: Files = {**MOD, "new.py": "import os\nx = 1\rfrom pkg.mod import nothere\n"}
    assert _findings(tmp_path, {}, after, patch_only=patch_only) == [(_NOTHERE, 2)]


@pytest.mark.parametrize("patch_only", [False, True], ids=["git", "patch"])
def test_an_import_after_a_lone_carriage_return_in_a_modified_file_is_reported(
    tmp_path: Path, patch_only: bool
):
    # Of a file the patch shows in part, its added one-line imports are checked: one after a lone
    # `\r` is one too.
    before: Files = {"pkg/other.py": "a = 1\rb = 2\n\nc = 3\n"}
    after: Files = {**MOD, "pkg/other.py": "a = 1\rb = 2\n\nc = 3\ny = 2\rfrom pkg.mod import nothere\n"}
    assert _findings(tmp_path, before, after, patch_only=patch_only) == [(_NOTHERE, 4)]


def test_an_import_on_a_line_of_carriage_returns_is_reported_on_its_line(tmp_path: Path):
    after: Files = {
        "new.py": "x = 1\r\ry = 2\r\r\nfrom pkg.mod import helper\r\rfrom pkg.mod import nothere\n"
    }
    assert _findings(tmp_path, MOD, after) == [(_NOTHERE, 2)]


def test_an_attribute_read_after_a_lone_carriage_return_is_reported(tmp_path: Path):
    before = {**MOD, "pkg/other.py": "import pkg.mod\rx = 1\n"}
    after: Files = {"pkg/other.py": "import pkg.mod\rx = 1\ny = 2\rpkg.mod.nothere()\n"}
    assert _findings(tmp_path, before, after) == [("'nothere' is not defined in pkg.mod", 2)]


def test_a_read_of_a_missing_own_attribute_after_a_lone_carriage_return_is_reported(tmp_path: Path):
    klass = "class Klass:\n    def __init__(self):\r        self.count = 0\n"
    before = {**MOD, "pkg/k.py": klass}
    after: Files = {"pkg/k.py": klass + "\n    def added(self):\r        return self.nothere\n"}
    assert _findings(tmp_path, before, after) == [("'pkg.k.Klass' has no attribute 'nothere'", 4)]


def test_an_unchanged_import_is_not_taken_for_an_added_line_below_a_lone_carriage_return(tmp_path: Path):
    # The parser's line 3 is the unchanged import; the diff's line 3 is the added one.
    before = {**MOD, "pkg/other.py": "x = 1\ry = 2\nfrom pkg.mod import gone\n"}
    after: Files = {"pkg/other.py": "x = 1\ry = 2\nfrom pkg.mod import gone\nz = 3\n"}
    assert _findings(tmp_path, before, after) == []


# weakened-tests reads its facts (early returns, skips) from the same kind of tree, made by itself or
# by phantom-symbols: both place them on the diff's lines.
W_BASE: Files = {
    "app.py": "def total(xs):\n    return sum(xs)\n",
    "tests/test_app.py": (
        "from app import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n\n\n"
        "def test_other():\n    y = 1\r    return\n    assert total([]) == 0\n"
    ),
}
W_CODE: Files = {"app.py": "def total(xs):\n    return sum(xs or [])\n"}


def _weakened(tmp_path: Path, test_text: str, *, symbols_first: bool) -> list[tuple[str, int]]:
    changeset = change(tmp_path, W_BASE, {**W_CODE, "tests/test_app.py": test_text})
    forget()
    if symbols_first:  # as the pipeline runs them: phantom-symbols notes the test file's facts
        PhantomSymbolsAnalyzer().run(context(changeset))
    result = WeakenedTestsAnalyzer().run(context(changeset))
    forget()
    return [(f.rule, f.location.start_line or 0) for f in result.findings if f.location is not None]


@pytest.mark.parametrize("symbols_first", [False, True], ids=["alone", "after-symbols"])
def test_an_early_return_after_a_lone_carriage_return_is_reported_on_its_line(
    tmp_path: Path, symbols_first: bool
):
    head = str(W_BASE["tests/test_app.py"]).replace(
        "    assert total([1, 2]) == 3\n", "    x = 1\r    return\n    assert total([1, 2]) == 3\n"
    )
    assert _weakened(tmp_path, head, symbols_first=symbols_first) == [("test-returns-early", 5)]


@pytest.mark.parametrize("symbols_first", [False, True], ids=["alone", "after-symbols"])
def test_an_unchanged_early_return_below_a_lone_carriage_return_is_not_taken_for_an_added_line(
    tmp_path: Path, symbols_first: bool
):
    # The parser's line 10 is the unchanged `return`; the diff's line 10 is the added one.
    head = str(W_BASE["tests/test_app.py"]).replace(
        "    y = 1\r    return\n", "    y = 1\r    return\n    z = 2\n"
    )
    assert _weakened(tmp_path, head, symbols_first=symbols_first) == []


@pytest.mark.parametrize("symbols_first", [False, True], ids=["alone", "after-symbols"])
def test_a_skip_by_another_name_after_a_lone_carriage_return_is_reported_on_its_line(
    tmp_path: Path, symbols_first: bool
):
    # Only the tree knows `later` is pytest.skip: the line's text alone does not name a skip.
    head = str(W_BASE["tests/test_app.py"]).replace(
        "from app import total\n", "from app import total\nfrom pytest import skip as later\n"
    )
    head = head.replace(
        "    assert total([1, 2]) == 3\n", "    x = 1\r    later('soon')\n    assert total([1, 2]) == 3\n"
    )
    found = _weakened(tmp_path, head, symbols_first=symbols_first)
    assert ("test-skipped", 6) in found


# Lone carriage returns in bulk: each is a parser line of its own, all on a few of the diff's lines.
_CR_INPUTS = {
    "one line of statements": lambda n: "from pkg import mod\n" + "mod.nothere\r" * (n // 12) + "\n",
    "lines each ending in one": lambda n: "from pkg import mod\n" + "mod.nothere\r\n" * (n // 13) + "x\r\n",
    "carriage returns only": lambda n: "from pkg import mod\n" + "\r" * n + "mod.nothere\n",
}


@pytest.mark.growth
@pytest.mark.parametrize("name", sorted(_CR_INPUTS))
def test_phantom_symbols_time_grows_linearly_on_lone_carriage_returns(tmp_path: Path, name: str):
    times = []
    for size in SIZES:
        changeset = change(tmp_path / str(size), MOD, {"pkg/app.py": _CR_INPUTS[name](size)})
        ctx = context(changeset)
        times.append(best_cpu(lambda ctx=ctx: PhantomSymbolsAnalyzer().run(ctx)))
    assert_linear(times)
