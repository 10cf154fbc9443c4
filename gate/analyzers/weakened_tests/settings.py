"""Tests turned off where the runner is told what to run, not in the tests themselves.

- pytest's settings (`pytest.ini`, `tox.ini`, `setup.cfg`, `pyproject.toml`) and the commands that run
  pytest (CI workflows, Makefiles, shell scripts, tox and nox files) given `--deselect`, `-k "not ..."`,
  `--ignore` of a test path, or `-m "not ..."`; `python_files`, `python_functions` or `python_classes`
  set to names that the usual test names no longer match; `norecursedirs` naming a test folder.
- pytest told to run nothing: `--co`, `--setup-plan`, `--fixtures`, `--help` and the like in its settings,
  in `PYTEST_ADDOPTS`, or on the only commands that run it.
- A command that runs the tests made unable to fail: `pytest || true`, `npm test || exit 0`, piped into
  another command by a shell without `pipefail` (`pytest | tee log`), tox's `- pytest` and
  `ignore_outcome = true`, nox's `success_codes=[0, 1]`, and `continue-on-error: true` (or `${{ true }}`)
  on a workflow step or job that runs them; or never run: `if: false` on that step or job, or
  `package.json`'s `test` script made one that runs nothing (`echo no tests`). A package.json script is
  read as the shell runs it (`scripts.py`): a runner it never reaches (`true || jest`, `exit 0 # jest`),
  or whose failure its exit status no longer carries (`jest | cat`, `jest; echo done`).
- A conftest.py hook that rewrites a test's report (`report.outcome = "passed"`, `call.excinfo = None`).
- Jest's and Vitest's settings that leave test files out (`jest_config`).

Read from the added lines (and, for `continue-on-error` and `if:`, the workflow at head around them: a
step's block runs from the item that opens it to the next at its level, comments aside), so a patch is
read as fully as a git range.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from gate.analyzers.weakened_tests.js_config import is_runner_config, left_out
from gate.analyzers.weakened_tests.scripts import Script, read_script
from gate.diff.model import DiffLine, FileChange, FileStatus, LineKind

# The files pytest reads its settings from, in the order it looks for them in a folder: the first that
# is there, and holds pytest's section where the file holds others' too, is the one it reads.
_SETTINGS_ORDER = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)
_PYTEST_CONFIGS = frozenset(_SETTINGS_ORDER)
_COMMAND_NAMES = frozenset(
    {"makefile", "gnumakefile", "justfile", "noxfile.py", "tox.ini", "jenkinsfile", "package.json",
     ".gitlab-ci.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml"}
)  # fmt: skip
_COMMAND_SUFFIXES = (".sh", ".bash", ".mk")
_WORKFLOW_DIRS = (".github/workflows/", ".circleci/", ".buildkite/")

# A command that runs tests. `pytest` and `py.test` also name pytest's options on a line of their own.
# Not a part of another name (`pytest-coverage-comment@v1` is an action, `pytest-cov` a plugin), but
# maybe a path's last part (`.venv/bin/pytest`).
_RUNNER = re.compile(
    r"(?<![-.\w])(?:py\.?test|python3?\s+-m\s+(?:pytest|unittest)|tox|nox|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test"
    r"|jest|vitest|mocha|go\s+test|cargo\s+(?:test|nextest)|make\s+(?:test|check)|ctest|phpunit|rspec"
    r"|dotnet\s+test|hatch\s+test|(?:bazel|pants|deno)\s+test|node\s+--test|manage\.py\s+test"
    r"|(?:just|task)\s+test)(?![-/@.\w])"
)
# Maven and Gradle take options before their `test` goal: the tool, then the goal later on the line
# (two searches, linear however many times the line names the tool).
_BUILD_TOOL = re.compile(r"(?<![-.\w])(?:mvnw?|gradlew?)(?![-/@.\w])")
_TEST_GOAL = re.compile(r"(?<![-.\w])test(?![-/@.\w])")


def _runs(text: str) -> bool:
    """Whether a line runs tests."""
    if _RUNNER.search(text):
        return True
    tool = _BUILD_TOOL.search(text)
    return tool is not None and _TEST_GOAL.search(text, tool.end()) is not None


_PYTEST = re.compile(r"\bpy\.?test\b")
# `|| true`, `|| exit 0`, `|| :`, `|| echo ...`: the command's failure is dropped.
_DROPPED = re.compile(r"\|\|\s*(?:true\b|exit\s+0\b|:(?:\s|$|;)|echo\b)")
# tox runs a command whose line starts with `-` ignoring its exit code, and with `!` (tox 4) expecting it
# to fail: on the `commands` line or one of its continuation lines.
_TOX_IGNORED = re.compile(r"^(?:\s*commands(?:_pre|_post)?\s*=)?\s*[-!]\s*(?P<command>[^-\s].*)$")
_TOX_IGNORE_OUTCOME = re.compile(r"^\s*ignore_outcome\s*=\s*(?:true|1|yes|on)\b", re.IGNORECASE)
# nox's `success_codes=` given a literal list: a code other than 0 and 5 (pytest's "no tests collected")
# lets failing tests pass.
_SUCCESS_CODES = re.compile(r"\bsuccess_codes\s*=\s*[\[({](?P<codes>[\d\s,]*)[\])}]")
_PASSING_CODES = frozenset({0, 5})  # success, and pytest's "no tests collected"
# A step or job that never runs: `if: false`, `if: ${{ false }}`; also as a step's first key (`- if: false`).
_NEVER = re.compile(r"^\s*(?:-[ \t]+)?if:\s*(?:\$\{\{\s*)?(?:false|0)\s*(?:\}\}\s*)?(?:#.*)?$")
# `continue-on-error: true`, or an expression that is always true (`${{ true }}`); not one that decides
# per run (`${{ matrix.experimental }}`).
_CONTINUE = re.compile(
    r"^(?P<indent>\s*)(?:-[ \t]+)?continue-on-error:\s*(?:true|yes|on|\$\{\{\s*true\s*\}\})\s*(?:#.*)?$"
)
# A make recipe line whose command's failure make ignores: a tab, then `-` (after `@` or `+`, if any).
_IGNORED_RECIPE = re.compile(r"^\t[@+]*-")
_SETTING = re.compile(
    r"^\s*[\"']?(?P<name>python_files|python_functions|python_classes|norecursedirs)[\"']?\s*[=:]"
)


@dataclass(frozen=True)
class Weakening:
    rule: str  # tests-deselected, tests-not-collected, test-failures-ignored
    line: DiffLine
    what: str  # what the line does, for the finding's text
    certain: bool  # False: often legitimate (`-m "not slow"`), reported at medium


def weakenings(
    change: FileChange,
    head: Callable[[], str | None],
    *,
    run_elsewhere: bool = False,
    vacated: Callable[[str], bool] = lambda folder: False,
    texts: Callable[[], tuple[str, str] | None] = lambda: None,
    head_paths: Callable[[], Sequence[str] | None] = lambda: None,
    base_text: Callable[[str], str | None] = lambda path: None,
    head_text: Callable[[str], str | None] = lambda path: None,
    new_paths: Callable[[], Mapping[str, str | None]] = dict,
) -> Iterator[Weakening]:
    """Each added line of `change` that keeps tests from running or from failing. `head()`, the file at
    head when known, places a `continue-on-error` or an `if: false` in its workflow step (read only for
    such a line). A command that ran the tests and is gone from the file is one too, unless the change
    adds a command that runs tests elsewhere (`run_elsewhere`). So is a `testpaths` narrowed to leave
    out a folder it named, unless the change moves or deletes that folder's files (`vacated`), and a
    `testpaths` set where there was none that leaves out test files the head holds (`head_paths()`,
    every file at head when known; `base_text(path)` and `head_text(path)`, a file at base and at head,
    for the settings beside it that pytest may read instead). `new_paths()`: the files the change adds (None)
    or renames (their path at base), which a setting at base did not keep from running as they are."""
    path = change.path.lower()
    name = path.rsplit("/", 1)[-1]
    if name == "conftest.py":
        yield from _conftest_deselections(change)
        return
    if is_runner_config(name):
        for hidden in left_out(change, head, texts, head_paths, new_paths):
            yield Weakening("tests-not-collected", hidden.line, hidden.what, hidden.certain)
    config = name in _PYTEST_CONFIGS
    workflow = _is_workflow(path)
    makefile = name in ("makefile", "gnumakefile") or path.endswith(".mk")
    commands = _runs_commands(path)
    if not (config or commands):
        return
    added = list(change.added)
    shell = _Shell(path, head, added)
    scripts: Mapping[str, str] | bool | None = None  # a package.json's scripts at head, read when asked

    def _in_test_step(line: DiffLine) -> bool:
        read = shell.workflow()
        return read is not None and read.step_runs_tests(line)

    for index, line in enumerate(added):
        text = line.text
        if len(text) > _MAX_LINE or text.lstrip().startswith("#"):
            continue
        runs_pytest = _PYTEST.search(text) is not None or "PYTEST_ADDOPTS" in text
        if config or runs_pytest:
            after = added[index + 1] if index + 1 < len(added) else None
            following = after.text if after is not None and after.new_no == (line.new_no or 0) + 1 else ""
            found = _deselection(text, following[:_MAX_LINE])
            if found is not None:
                yield Weakening("tests-deselected", line, found[0], found[1])
        if config:
            found_setting = _collection(text)
            if found_setting is not None:
                # A project may name its tests otherwise (`python_files = check_*.py` with checks so
                # named): medium, for a reviewer to confirm.
                yield Weakening("tests-not-collected", line, found_setting, False)
        if config or runs_pytest:
            nothing = _runs_nothing(text, config=config, shell=shell)
            if nothing is not None:
                yield Weakening("tests-deselected", line, nothing, True)
        if name == "package.json":
            # A script is a shell command inside a JSON string: read as the shell runs it. A line not
            # written as one key and its string (`"scripts": { "test": "jest || true" },`, two keys on
            # one line) has each of its head's scripts read so, and is held to the line rules below.
            if scripts is None:
                scripts = _package_scripts(head())
            if _script(text) is not None:
                yield from _script_weakenings(line, scripts)
                continue
            shared = _shared_line_scripts(line, scripts)
            if shared is not None:
                yield from shared[:1]
                continue
        ignored = _failure_ignored(path, text, line, shell) if commands else None
        if ignored is not None:
            yield Weakening("test-failures-ignored", line, ignored, True)
        if commands and _runs(text) and _DROPPED.search(text):
            yield Weakening("test-failures-ignored", line, "drops the test command's failure", True)
        elif makefile and _IGNORED_RECIPE.match(text) and _runs(text.lstrip("\t@+-")):
            ignored = "runs the tests with make ignoring their failure"
            yield Weakening("test-failures-ignored", line, ignored, True)
        if workflow and _CONTINUE.match(text) and _in_test_step(line):
            yield Weakening(
                "test-failures-ignored", line, "lets the step that runs the tests fail without failing", True
            )
        if workflow and _NEVER.match(text) and _in_test_step(line):
            yield Weakening("tests-deselected", line, "turns off the step or job that runs the tests", True)
    if config:
        yield from _testpaths_narrowed(change, vacated, texts)
        yield from _testpaths_set(change, texts, head_paths, base_text, head_text)
    emptied = _test_script_emptied(change) if name == "package.json" else None
    if emptied is not None and not _script_never_reaches_tests(emptied[1]):
        what = "makes the `test` script one that runs no tests and succeeds"
        yield Weakening("tests-deselected", emptied[0], what, True)
    if commands and not run_elsewhere and emptied is None:
        gone = _runner_removed(change, head)
        if gone is not None:
            # Medium: another workflow may run the same tests already.
            yield Weakening("tests-deselected", gone, "removes the command that ran the tests", False)


# A conftest's collection hooks that drop tests: items filtered out of the list, reported deselected, or
# whole paths kept from collection. Each takes a condition, like a `skipif` (a platform, an option such
# as `--run-slow`): medium, for a reviewer to confirm.
_CONFTEST_DROPS = (
    (re.compile(r"\bconfig\.hook\.pytest_deselected\s*\("), "reports tests deselected and drops them"),
    (
        re.compile(r"\bitems\[:\]\s*=\s*\[.{0,300}?\bfor\b.{0,300}?\bif\b"),
        "keeps only the collected tests a condition lets through",
    ),
    (re.compile(r"\bitems\.(?:remove|pop|clear)\s*\(|\bdel\s+items\["), "drops collected tests"),
    (re.compile(r"^\s*def\s+pytest_ignore_collect\s*\("), "keeps paths from collection"),
)


# A test's report rewritten on its way to the summary and the exit status: its outcome made a pass or a
# skip, or the failure it holds dropped (`call.excinfo = None` before the report is made from it).
_REPORT_REWRITTEN = re.compile(
    r"\.outcome\s*=\s*[\"'](?:passed|skipped)[\"']|\.(?:longrepr|excinfo)\s*=\s*None\b"
    r"|\bsetattr\s*\([^,()]{1,200},\s*[\"'](?:outcome[\"']\s*,\s*[\"'](?:passed|skipped)"
    r"|(?:longrepr|excinfo)[\"']\s*,\s*None\b)"
)
# Hooks that take over running a test or say how it went: `pytest_pyfunc_call` returning True without
# calling the test makes it pass unrun. Medium: async plugins define them honestly. The reporting hooks
# (`pytest_runtest_makereport`) are not among them: keeping each report for a fixture is a documented
# recipe, and a rewrite of the report is read on its own line (`_REPORT_REWRITTEN`).
_RUN_HOOK = re.compile(
    r"^\s*(?:async\s+)?def\s+(?P<hook>pytest_pyfunc_call|pytest_runtest_call|pytest_report_teststatus)\s*\("
)


def _conftest_deselections(change: FileChange) -> Iterator[Weakening]:
    """Added lines of a conftest.py whose collection hook drops tests (`items[:] = [i for i in items if
    ...]`, `config.hook.pytest_deselected(...)`, `items.remove(...)`, a `pytest_ignore_collect` hook);
    reordering the items (`items[:] = sorted(items, ...)`) drops none. Lines that rewrite a test's
    report into a pass are high; a hook that takes over running the tests, when the change rewrites no
    report, medium."""
    hooks: list[Weakening] = []
    rewritten = False
    for line in change.added:
        if len(line.text) > _MAX_LINE or line.text.lstrip().startswith("#"):
            continue
        if _REPORT_REWRITTEN.search(line.text):
            rewritten = True
            what = "rewrites a test's report so that its failure is not counted"
            yield Weakening("test-failures-ignored", line, what, True)
            continue
        hook = _RUN_HOOK.match(line.text)
        if hook is not None:
            what = f"takes over `{hook.group('hook')}`, which decides whether a test ran and how it went"
            hooks.append(Weakening("test-failures-ignored", line, what, False))
        for pattern, what in _CONFTEST_DROPS:
            if pattern.search(line.text):
                yield Weakening("tests-deselected", line, what, False)
                break
    if not rewritten:
        yield from hooks


# pytest's options that make it run no test: it lists the tests or plans their fixtures, or prints help.
_RUNS_NOTHING = re.compile(
    r"(?:^|[\s\"'\[,=])(?P<option>--co|--collect-?only|--setup-plan|--setup-only|--fixtures(?:-per-test)?"
    r"|--funcargs|--markers|--help|-h|--version|-V)(?=$|[\s\"',\]])"
)
_ADDOPTS = re.compile(r"^\s*[\"']?addopts[\"']?\s*[=:]")
_KEY = re.compile(r"^\s*[\"']?[\w.-]+[\"']?\s*[=:]")


def _runs_nothing(text: str, *, config: bool, shell: _Shell) -> str | None:
    """What an added line does that has pytest run no test: a run-nothing option in `addopts` (or a line
    that goes on with it) or in `PYTEST_ADDOPTS`; or on a command that runs pytest, when no command of
    the file at head runs it otherwise (`pytest --version && pytest -q` runs the tests). A file whose head
    is not known is not judged for a command."""
    at = text.find("PYTEST_ADDOPTS")
    if at >= 0 or (config and (_ADDOPTS.match(text) or not _KEY.match(text))):
        found = _RUNS_NOTHING.search(text, max(at, 0))
        return None if found is None else f"tells pytest to run no test ({found.group('option')})"
    options = [option for segment in _segments(text) if (option := _nothing_option(segment))]
    if not options:
        return None
    if shell.runs_tests_fully() is not False:
        return None
    return f"runs pytest with {options[0]}, which runs no test, and the file runs the tests nowhere else"


def _nothing_option(segment: str) -> str | None:
    """The run-nothing option given to pytest in one command of a line."""
    runner = _PYTEST.search(segment)
    found = _RUNS_NOTHING.search(segment, runner.end()) if runner is not None else None
    return None if found is None else found.group("option")


def _runs_tests_fully(text: str) -> bool:
    """Whether a line runs the tests in one of its commands without an option that runs none."""
    if len(text) > _MAX_LINE or _blank_or_comment(text) or _NAME_KEY.match(text):
        return False
    return any(_runs(segment) and _nothing_option(segment) is None for segment in _segments(text))


def _segments(text: str) -> list[str]:
    """A command line's commands: split at `;`, `&&`, `||` and `|` outside quotes, up to a comment."""
    code = _without_comment(text)
    out: list[str] = []
    start = 0
    for at, _ in _separators(code):
        out.append(code[start:at])
        start = at + 1
    out.append(code[start:])
    return [segment for segment in out if segment.strip()]


def _piped_runner(text: str) -> bool:
    """Whether a command that runs the tests is piped into another (`pytest | tee log`): a lone `|`
    outside quotes, after a command that runs tests, with a command after it."""
    code = _without_comment(text)
    start = 0
    for at, char in _separators(code):
        lone_pipe = char == "|" and code[at - 1 : at + 2].count("|") == 1
        if lone_pipe and _runs(code[start:at]) and code[at + 1 :].strip(" &"):
            return True
        start = at + 1
    return False


def _separators(code: str) -> Iterator[tuple[int, str]]:
    """Where a command line splits into commands, outside quotes: each `;`, `|` and `&` that ends a
    command, with its character (`&&` and `||` are two each)."""
    quote = ""
    for at, char in enumerate(code):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in ";|" or (char == "&" and _ends_command(code, at)):
            yield at, char


def _ends_command(code: str, at: int) -> bool:
    """Whether the `&` at `at` ends a command (`&&`, or a lone `&` that runs one in the background), not
    one of a redirection (`2>&1`, `&>log`)."""
    return code[at - 1 : at] != ">" and code[at + 1 : at + 2] != ">"


# How many lines above a nox `success_codes=` its `session.run(` call may open.
_CALL_LINES = 12


def _failure_ignored(path: str, text: str, line: DiffLine, shell: _Shell) -> str | None:
    """What an added line of a file of commands does that lets the tests fail without failing the run:
    tox told to ignore a test command's exit code (`- pytest`) or the environment's outcome, nox given
    success codes that take in failures, or (for a shell without `pipefail`) the tests piped into a
    command whose exit status the shell keeps instead."""
    name = path.rsplit("/", 1)[-1]
    if name == "tox.ini":
        command = _TOX_IGNORED.match(text)
        if command is not None and len(command.group("command").split()[0]) > 1 and _runs(command.group(0)):
            return "runs the tests with tox ignoring their exit code"
        if _TOX_IGNORE_OUTCOME.match(text):
            return "tells tox to pass the environment whatever its tests do (`ignore_outcome`)"
        return None
    if name == "noxfile.py":
        codes = _SUCCESS_CODES.search(text)
        if codes is None or not {int(c) for c in re.findall(r"\d+", codes.group("codes"))} - _PASSING_CODES:
            return None
        taken = "tells nox to take the tests' failure for success (`success_codes`)"
        return taken if _runs(shell.call_above(line)) else None
    if name == ".gitlab-ci.yml" or path.startswith(".circleci/") or _NAME_KEY.match(text):
        return None  # GitLab's and CircleCI's shells set `pipefail`
    if not _piped_runner(text) or shell.keeps_pipe_failure(line):
        return None
    return "pipes the tests into another command, whose exit status the shell keeps instead (no `pipefail`)"


# How many lines above a nox `success_codes=` its `session.run(` call may open.
_CALL_LINES = 12
_BASH = re.compile(r"^\s*(?:-[ \t]+)?shell:\s*bash\s*(?:#.*)?$")
_PIPE_CHECKED = ("pipefail", "PIPESTATUS")


class _Shell:
    """A file of commands as its shell runs it, read once whatever the number of its added lines: the
    file at head (else its added lines, for a patch), split into lines and, for a workflow, into steps."""

    def __init__(self, path: str, head: Callable[[], str | None], added: Sequence[DiffLine]) -> None:
        self._path = path
        self._head = head
        self._added = added
        self._read: tuple[list[str] | None, _Workflow | None] | None = None
        self._fully: bool | None = None
        self._checked: bool | None = None  # the file (not a workflow) sets `pipefail` or reads `PIPESTATUS`
        self._steps: dict[int, bool] = {}  # a step's first line -> whether its shell keeps the failure

    def _lines(self) -> tuple[list[str] | None, _Workflow | None]:
        if self._read is None:
            text = self._head()
            lines = text.split("\n") if text is not None else None
            workflow = _Workflow(text) if text is not None and _is_workflow(self._path) else None
            self._read = (lines, workflow)
        return self._read

    def workflow(self) -> _Workflow | None:
        return self._lines()[1]

    def runs_tests_fully(self) -> bool | None:
        """Whether a line of the file at head runs the tests without an option that runs none; None when
        the head is not known."""
        lines = self._lines()[0]
        if lines is None:
            return None
        if self._fully is None:
            self._fully = any(_runs_tests_fully(text) for text in lines)
        return self._fully

    def call_above(self, line: DiffLine) -> str:
        """The call a line belongs to: the line, and the lines above it back to the nearest that opens a
        `.run(` call (at most `_CALL_LINES`), from the head when known, else from the added lines."""
        at = (line.new_no or 0) - 1
        lines = self._lines()[0]
        if lines is not None and 0 <= at < len(lines) and lines[at] == line.text:
            above = lines[max(0, at - _CALL_LINES) : at + 1]
        else:
            by_number = {a.new_no: a.text for a in self._added[-_CALL_LINES * 4 :] if a.new_no is not None}
            above = [by_number[n] for n in range(at + 1 - _CALL_LINES, at + 2) if n in by_number]
        for index in range(len(above) - 1, -1, -1):
            if ".run(" in above[index] and len(above[index]) <= _MAX_LINE:
                return " ".join(above[index:])
        return line.text

    def keeps_pipe_failure(self, line: DiffLine) -> bool:
        """Whether the shell that runs the line keeps a pipeline's failure: the script sets `pipefail` (or
        reads `PIPESTATUS`), or, in a GitHub workflow, the step or the workflow's defaults say `shell:
        bash`, which GitHub runs with `-o pipefail` (its default shell for a step without one has none).
        Without the head, any added line that says so answers for the file."""
        lines, workflow = self._lines()
        if workflow is None or lines is None:
            if self._checked is None:
                texts = lines if lines is not None else [a.text for a in self._added]
                self._checked = any(word in text for text in texts for word in _PIPE_CHECKED) or (
                    _is_workflow(self._path) and any(_BASH.match(text) for text in texts)
                )
            return self._checked
        at = (line.new_no or 0) - 1
        if not 0 <= at < len(lines) or lines[at] != line.text:
            return True  # not placed: not judged
        start = workflow.item(at)
        if start is None:
            return False
        if start not in self._steps:
            step = lines[start : workflow.ends[start]]
            outer = _indent(lines[start])
            checked = any(_BASH.match(text) or any(w in text for w in _PIPE_CHECKED) for text in step)
            self._steps[start] = checked or (
                workflow.defaults_bash is not None and workflow.defaults_bash < outer
            )
        return self._steps[start]


# A command that runs nothing and succeeds (`echo no tests`, `true`, `exit 0`).
_NOTHING = re.compile(r"^\s*(?:echo\b.*|true|:|exit\s+0|)\s*$")
_PACKAGE_VALUE = re.compile(r"""^\s*"(?P<key>[^"]*)"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)"\s*,?\s*$""")


def _script(text: str) -> tuple[str, Script | None] | None:
    """A package.json line's value, and that value as a script the shell runs (None when not read); None
    when the line is no key with a string value."""
    found = _PACKAGE_VALUE.match(text) if len(text) <= _MAX_LINE else None
    if found is None:
        return None
    value = _json_string(found.group("value"))
    if value is None:
        return found.group("value"), None
    return value, read_script(value, _runs)


def _json_string(text: str) -> str | None:
    """The text of a JSON string whose body, between its quotes, is `text`, every escape decoded as npm
    decodes it (`\\u0020`, `\\/`, `\\n`); None when it is no valid JSON string body."""
    try:
        value = json.loads('"' + text + '"')
    except ValueError:
        return None
    return value if isinstance(value, str) else None


# Keys of a package.json whose string is no script, read as such when the file at head is not known.
_PACKAGE_TEXT_KEYS = frozenset(
    {"name", "version", "description", "author", "license", "homepage", "main", "module", "types", "url"}
)


def _package_scripts(text: str | None) -> Mapping[str, str] | bool:
    """A package.json's `scripts` at head; False when the head is not known or does not parse."""
    if text is None:
        return False
    try:
        scripts = json.loads(text).get("scripts")
    except (ValueError, RecursionError, AttributeError):
        return False
    return {k: v for k, v in scripts.items() if isinstance(v, str)} if isinstance(scripts, dict) else {}


def _script_weakenings(line: DiffLine, scripts: Mapping[str, str] | bool) -> Iterator[Weakening]:
    """An added package.json script that runs the tests and succeeds when they fail (`jest | cat`,
    `jest || true`, `jest; echo done`, a pipe without `pipefail` as in a workflow's `run:`), or that
    names the test runner where the shell never reaches it (`true || jest`, `exit 0; jest`). A script
    whose flow is not read is held to the line rule (`|| true`). Only a line of the `scripts` object is
    read (`scripts`, from the head; when that is not known, any key but the package's texts)."""
    read = _script(line.text)
    if read is None:
        return
    raw_key = _PACKAGE_VALUE.match(line.text).group("key")  # type: ignore[union-attr]
    key = _json_string(raw_key) or raw_key  # `"te\\u0073t"` is the key `test` to npm
    if scripts is False and key in _PACKAGE_TEXT_KEYS:
        return
    if isinstance(scripts, Mapping) and key not in scripts:
        return
    script = read[1]
    if isinstance(scripts, Mapping) and scripts[key] != read[0]:
        # The head's script is not the text this line was read as (another object's key of that name,
        # or a value not decoded as npm decodes it): not read as a script, the line rule applies.
        script = None
    if script is None:
        if any(_runs(text) and _DROPPED.search(text) for text in (line.text, read[0])):
            yield Weakening("test-failures-ignored", line, "drops the test command's failure", True)
    elif script.drops_failure:
        what = "runs the tests in a script that succeeds when they fail (its status is another command's)"
        yield Weakening("test-failures-ignored", line, what, True)
    elif script.names_tests and script.runs_no_test:
        what = "names the test runner in a script whose shell never reaches it, and succeeds"
        yield Weakening("tests-deselected", line, what, True)


# A key and its string anywhere on a line (`"test": "jest | cat", "lint": "eslint ."`).
_PACKAGE_PAIR = re.compile(r'"(?P<key>(?:[^"\\]|\\.)*)"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)"')


def _shared_line_scripts(line: DiffLine, scripts: Mapping[str, str] | bool) -> list[Weakening] | None:
    """What the scripts on an added package.json line that holds more than a key and its string do,
    each read as the shell runs it as `_script_weakenings` reads a script on a line of its own; None
    when a string on the line is not one of the head's scripts with that very text, or not read (the
    line rules then apply), so that a key of another object is not taken for a script."""
    if not isinstance(scripts, Mapping) or len(line.text) > _MAX_LINE:
        return None
    found: list[Weakening] = []
    pairs = 0
    for pair in _PACKAGE_PAIR.finditer(line.text):
        key, value = _json_string(pair.group("key")), _json_string(pair.group("value"))
        if key is None or value is None or scripts.get(key) != value:
            return None
        script = read_script(value, _runs)
        if script is None:
            return None
        pairs += 1
        if script.drops_failure:
            what = "runs the tests in a script that succeeds when they fail (its status is another command's)"
            found.append(Weakening("test-failures-ignored", line, what, True))
        elif script.names_tests and script.runs_no_test:
            what = "names the test runner in a script whose shell never reaches it, and succeeds"
            found.append(Weakening("tests-deselected", line, what, True))
    return found if pairs else None


def _script_never_reaches_tests(value: str) -> bool:
    script = read_script(value, _runs)
    return script is not None and script.names_tests and script.runs_no_test


def _package_strings(text: str) -> Iterator[tuple[str, str]]:
    """Each key of a package.json line with its string, both decoded as npm decodes them (`"te\\u0073t"`
    is the key `test`), wherever on the line (`"scripts": { "test": "jest" },`)."""
    if len(text) > _MAX_LINE:
        return
    for found in _PACKAGE_PAIR.finditer(text):
        key, value = _json_string(found.group("key")), _json_string(found.group("value"))
        if key is not None and value is not None:
            yield key, value


def _test_script_emptied(change: FileChange) -> tuple[DiffLine, str] | None:
    """The added line of a package.json that makes its `test` script, which ran tests, one that runs
    nothing and succeeds (`"test": "jest"` -> `"test": "echo no tests"`), with that script."""
    for hunk in change.hunks:
        ran = False
        for line in hunk.lines:
            for key, value in _package_strings(line.text):
                if key != "test":
                    continue
                if line.kind is LineKind.REMOVED and _runs(value):
                    ran = True
                elif line.kind is LineKind.ADDED and ran and _runs_nothing_script(value):
                    return line, value
    return None


def _runs_nothing_script(value: str) -> bool:
    """A script that runs no test and succeeds: only commands that do nothing (`exit 0 # jest`, `node -e
    0`), or a runner the shell never reaches (`true || jest`); a flow not read, only `echo`s and the like."""
    script = read_script(value, _runs)
    if script is not None:
        return script.runs_no_test
    return all(_NOTHING.match(c) for c in _commands(value))


def _commands(value: str) -> list[str]:
    return re.split(r"&&|\|\||;|\n", value)


def _package_runs_tests(text: str) -> bool:
    """Whether a line of a package.json runs tests: a value (a script) that does, not a key (`"jest": {`,
    the runner's settings) nor a version (`"jest": "^29.0.0"`), on a line of its own or beside others."""
    read = _script(text)
    if read is not None:
        value, script = read
        return script.reaches_tests if script is not None else _runs(value)
    # A line holding more than a key and its string (`"scripts": { "test": "jest" },`): each of its strings.
    for _, value in _package_strings(text):
        script = read_script(value, _runs)
        if script.reaches_tests if script is not None else _runs(value):
            return True
    return False


def holds_test_settings(path: str) -> bool:
    """Whether a file may say how tests run (`weakenings` reads no other): a pytest configuration, a
    conftest.py, or a file of commands."""
    lowered = path.lower()
    name = lowered.rsplit("/", 1)[-1]
    return (
        name == "conftest.py" or name in _PYTEST_CONFIGS or is_runner_config(name) or _runs_commands(lowered)
    )


def runs_tests(change: FileChange) -> bool:
    """Whether the change adds a line that runs tests to a file that runs commands (a workflow, a
    Makefile, a script; source files are not read)."""
    if not _runs_commands(change.path.lower()):
        return False
    runs = _package_runs_tests if change.path.lower().endswith("package.json") else _runs_tests_here
    return any(runs(line.text) for line in change.added)


def _runs_tests_here(text: str) -> bool:
    """Whether a line of a file that runs commands runs the tests: not in a comment (`# - run: pytest`,
    a step commented out, and `ruff check .  # pytest runs in CI` run no tests), nor a step's name, nor
    a line too long to be a command."""
    return (
        len(text) <= _MAX_LINE
        and not _blank_or_comment(text)
        and _NAME_KEY.match(text) is None
        and _runs(_without_comment(text))
    )


# A workflow step's or job's name (`- name: Test with pytest`): words for people, no command.
_NAME_KEY = re.compile(r"^\s*(?:-[ \t]+)?name[ \t]*:")


def _without_comment(text: str) -> str:
    """The line up to a comment that ends it: a `#` at its start or after a blank, outside quotes (as
    a shell and YAML read it)."""
    quote = ""
    for at, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or text[at - 1] in " \t"):
            return text[:at]
    return text


def _is_workflow(path: str) -> bool:
    return path.startswith(_WORKFLOW_DIRS) and path.endswith((".yml", ".yaml"))


def _runs_commands(path: str) -> bool:
    """Whether a file (its lower-cased path) holds commands: a CI workflow, a Makefile, a script, tox."""
    return _is_workflow(path) or path.rsplit("/", 1)[-1] in _COMMAND_NAMES or path.endswith(_COMMAND_SUFFIXES)


def _runner_removed(change: FileChange, head: Callable[[], str | None]) -> DiffLine | None:
    """The first removed line that ran the tests, when no line of the file runs them any more: at head,
    or none at all for a deleted file. A file whose head is not known (a patch shows only the lines
    around its hunks) is not judged. Placed at its hunk's new side."""
    runs = _package_runs_tests if change.path.lower().endswith("package.json") else _runs_tests_here
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.kind is LineKind.REMOVED and runs(line.text):
                text = "" if change.status is FileStatus.DELETED else head()
                if text is None or any(runs(x) for x in text.split("\n")):
                    return None
                return DiffLine(LineKind.REMOVED, line.old_no, hunk.new_start or 1, line.text)
    return None


def _testpaths_narrowed(
    change: FileChange, vacated: Callable[[str], bool], texts: Callable[[], tuple[str, str] | None]
) -> Iterator[Weakening]:
    """`testpaths` changed to leave out a folder it named (`tests` -> `tests/unit`, one line of a list
    removed): pytest no longer collects the tests there. Read from the file's whole text at base and
    head (`texts()`) when known, so a setting moved to another hunk is compared with itself; else per
    hunk, where the setting stands whole on both sides (a hunk that cuts it short is not judged). A
    folder that holds no test any more (`vacated`) is not left out, it is gone."""
    whole = texts()
    sides: list[tuple[_Setting | None, _Setting | None, list[DiffLine] | None]] = []
    if whole is not None:
        sides.append((_testpaths(whole[0].split("\n")), _testpaths(whole[1].split("\n")), None))
    else:
        for hunk in change.hunks:
            was = [line.text for line in hunk.lines if line.kind is not LineKind.ADDED]
            shown = [line for line in hunk.lines if line.kind is not LineKind.REMOVED]
            sides.append((_testpaths(was), _testpaths([line.text for line in shown]), shown))
    for old, new, new_side in sides:
        if old is None or new is None or not new.folders or old.folders == new.folders:
            continue
        kept = frozenset(new.folders)
        # The folders are the config file's own; the repository's are known from its root.
        home = posixpath.dirname(change.path)
        left_out = [
            folder
            for folder in old.folders
            if not _collected(folder, kept) and not vacated(posixpath.normpath(posixpath.join(home, folder)))
        ]
        if not left_out:
            continue
        what = f"narrows pytest's `testpaths`, leaving out {', '.join(_but(f, kept) for f in left_out[:5])}"
        yield Weakening("tests-not-collected", _setting_line(change, new, new_side), what, False)


def _testpaths_set(
    change: FileChange,
    texts: Callable[[], tuple[str, str] | None],
    head_paths: Callable[[], Sequence[str] | None],
    base_text: Callable[[str], str | None],
    head_text: Callable[[str], str | None],
) -> Iterator[Weakening]:
    """`testpaths` set in the settings file pytest reads, where what it read before named none: pytest
    run with no arguments collected every test file below the file's folder (or what the settings it
    read before named: another file, which this one takes the place of), and now collects only the
    folders named. Reported when the head holds test files that pytest collected before outside them.
    Judged only from whole texts at base and head and the head's files (a patch cannot tell a setting
    added from one moved), and only for the file pytest reads at head (`_read_settings`)."""
    whole = texts()
    if whole is None:
        return
    home = posixpath.dirname(change.path)
    name = posixpath.basename(change.path)
    head = {n: whole[1] if n == name else head_text(posixpath.join(home, n)) for n in _SETTINGS_ORDER}
    if _read_settings(head) != name:
        return  # pytest reads another file there: this one's settings change nothing
    own = None if change.status is FileStatus.ADDED else whole[0]
    base = {n: own if n == name else base_text(posixpath.join(home, n)) for n in _SETTINGS_ORDER}
    was_read = _read_settings(base)
    read_text = base.get(was_read) if was_read is not None else None
    old = _testpaths(read_text.split("\n")) if read_text else None
    if was_read == name and old is not None:
        return  # a setting changed in place: `_testpaths_narrowed` reads it
    new = _testpaths(whole[1].split("\n"))
    paths = head_paths()
    if new is None or not new.folders or paths is None:
        return
    before = frozenset(old.folders) if old is not None and old.folders else None  # None: every folder
    below = [
        path[len(home) + 1 :] if home else path for path in paths if not home or path.startswith(home + "/")
    ]
    kept = _expanded(frozenset(new.folders), below)
    was = _expanded(before, below) if before is not None else None
    left_out = uncollected(below, kept, was)
    if left_out:
        shown = ", ".join(
            f"{folder} ({count} test file{'s' if count != 1 else ''})" for folder, count in left_out[:5]
        )
        what = f"sets pytest's `testpaths`, leaving out {shown}"
        yield Weakening("tests-not-collected", _setting_line(change, new, None), what, False)


_SECTION = {"pyproject.toml": "[tool.pytest", "tox.ini": "[pytest]", "setup.cfg": "[tool:pytest]"}


def _read_settings(texts: Mapping[str, str | None]) -> str | None:
    """Which of a folder's settings files (name -> text, None when absent) pytest reads."""
    for name in _SETTINGS_ORDER:
        text = texts.get(name)
        if text is not None and (name not in _SECTION or _SECTION[name] in text):
            return name
    return None


# At most this many `testpaths` patterns (`tests/unit*`) are matched against the head's folders; past it
# each is taken to match every folder, so that no test file is counted as left out by a setting not read.
_MAX_PATTERNS = 64


def _expanded(named: frozenset[str], paths: Sequence[str]) -> frozenset[str]:
    """The folders and files `testpaths` names, its patterns matched against the folders of `paths`
    (relative to the settings file's folder) as pytest expands them: each `*` within one name."""
    patterns = [entry for entry in named if any(c in entry for c in "*?[")]
    if not patterns:
        return named
    if len(patterns) > _MAX_PATTERNS:
        return frozenset({"."})
    by_depth: dict[int, list[str]] = {}
    for pattern in patterns:
        by_depth.setdefault(pattern.count("/"), []).append(fnmatch.translate(pattern))
    # One expression for the patterns of each depth, each folder matched once.
    matchers = {depth: re.compile("|".join(found)) for depth, found in by_depth.items()}
    folders = {folder for path in paths for folder in ancestors(path.rpartition("/")[0])}
    matched = {
        folder
        for folder in folders
        if (matcher := matchers.get(folder.count("/"))) is not None and matcher.match(folder)
    }
    return (named - set(patterns)) | matched


def ancestors(folder: str) -> Iterator[str]:
    """`a/b/c` -> `a`, `a/b`, `a/b/c`."""
    if not folder:
        return
    at = folder.find("/")
    while at != -1:
        yield folder[:at]
        at = folder.find("/", at + 1)
    yield folder


# Folders pytest never collects from unless told (its `norecursedirs` default), and its default names of
# test files.
_NORECURSE = re.compile(r"^(?:\..*|_darcs|build|CVS|dist|node_modules|venv|\{arch\}|.*\.egg)$")
_PYTEST_FILE = re.compile(r"^(?:test_.*|.*_test)\.py$")


def uncollected(
    paths: Sequence[str], kept: frozenset[str], before: frozenset[str] | None = None
) -> list[tuple[str, int]]:
    """The folders (`.` for the settings file's own) holding test files pytest finds by default among
    `paths` (relative to the settings file's folder; in the folders or files `before` only, when
    given), and how many, that collecting only the folders or files `kept` leaves out. In time linear
    in the paths' length, however many folders are kept."""
    holding = {folder for entry in kept for folder in ancestors(entry)}  # a kept folder is inside these
    counts: Counter[str] = Counter()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if not _PYTEST_FILE.match(name) or any(_NORECURSE.match(part) for part in folder.split("/") if part):
            continue
        if before is not None and path not in before and not _collected(folder or ".", before):
            continue
        if path in kept or _collected(folder or ".", kept):
            continue
        outer = next((f for f in ancestors(folder) if f not in holding), folder) if folder else "."
        counts[outer] += 1
    return sorted(counts.items())


@dataclass(frozen=True)
class _Setting:
    first: int  # the index of its first line, and of its last, among the lines it was read from
    last: int
    text: str  # its first line
    folders: tuple[str, ...]  # the folders it names, normalized and sorted


def _setting_line(change: FileChange, setting: _Setting, new_side: list[DiffLine] | None) -> DiffLine:
    """Where to report a narrowed setting: its first added line; or, when the change only removed some
    of it, its own first line."""
    if new_side is not None:
        held = new_side[setting.first : setting.last + 1]
        return next((line for line in held if line.kind is LineKind.ADDED), held[0])
    numbers = range(setting.first + 1, setting.last + 2)  # read from the head's lines, numbered from 1
    added = (line for line in change.added if line.new_no in numbers)
    return next(added, DiffLine(LineKind.CONTEXT, None, setting.first + 1, setting.text))


def _testpaths(lines: list[str]) -> _Setting | None:
    """The `testpaths` setting among `lines` (a whole file, or one side of a hunk) and the folders it
    names; None when there is none, or the lines cut its value short (the end of a hunk). A setting
    under another tool's section (`[flake8]` then `testpaths = .`) is not pytest's; one under no
    section the lines show (a hunk below its header) is taken as pytest's."""
    section: str | None = None
    for index, text in enumerate(lines):
        header = _SECTION_HEADER.match(text)
        if header is not None:
            section = header.group(1).strip().strip("\"'")
            continue
        found = _TESTPATHS.match(text)
        if found is None or (section is not None and section not in _PYTEST_SECTIONS):
            continue
        value = found.group("value").split("#", 1)[0].strip()
        last = index
        if value.startswith("[") and "]" not in value:  # a TOML list, one item a line
            for last in range(index + 1, len(lines)):
                code = lines[last].split("#", 1)[0]
                value += " " + code
                if "]" in code:
                    break
            else:
                return None
        elif not value:  # an ini value on the lines below, indented
            for last in range(index + 1, len(lines) + 1):
                if last == len(lines) or not lines[last].strip() or not lines[last][:1].isspace():
                    break
                value += " " + lines[last].split("#", 1)[0]
            last -= 1
        folders = tuple(sorted({_folder(word) for word in _PATH_WORD.findall(value)} - {""}))
        return _Setting(index, last, text, folders)
    return None


_SECTION_HEADER = re.compile(r"^\[([^\[\]]{1,200})\]\s*(?:[#;].*)?$")
_PYTEST_SECTIONS = frozenset({"pytest", "tool:pytest", "tool.pytest.ini_options", "tool.pytest"})


def _folder(word: str) -> str:
    return word.strip("\"',[]").removeprefix("./").rstrip("/")


def _but(folder: str, kept: frozenset[str]) -> str:
    """`tests (all but tests/unit)` when the kept folders are inside the one left out."""
    inside = sorted(k for k in kept if k.startswith(folder + "/"))
    return f"{folder} (all but {', '.join(inside[:3])})" if inside else folder


def _collected(folder: str, kept: frozenset[str]) -> bool:
    """Whether pytest collecting the folders `kept` still collects `folder`: it or a folder that holds it
    is kept (`tests` keeps `tests/unit`), or the project's root is."""
    if "." in kept:
        return True
    while True:
        if folder in kept:
            return True
        if "/" not in folder:
            return False
        folder = folder.rsplit("/", 1)[0]


_TESTPATHS = re.compile(r"""^\s*["']?testpaths["']?\s*[=:]\s*(?P<value>.*)$""")
_PATH_WORD = re.compile(r"""[^\s,\[\]"']+""")


# Lines longer than this are data (a minified bundle, a lock file), not a setting or a command.
_MAX_LINE = 2_000
_OPTION = re.compile(r"(?:^|[\s\"'\[,=])(?P<option>--deselect|--ignore(?:-glob)?|-k|-m)(?:[=\s]|(?=[\"']))")


def _deselection(text: str, following: str = "") -> tuple[str, bool] | None:
    """What an added pytest option deselects, and whether that is certain to drop tests: `--deselect`,
    `-k "not ..."` and `--ignore` of a test path are; `-m "not slow"` is often a team's choice. An
    option whose value is not on its line takes it from the `following` added line (`addopts = [`,
    `"-k",`, `"not test_total",` in a TOML list)."""
    for m in _OPTION.finditer(text):
        option = m.group("option")
        rest = text[m.end() :].lstrip(" =\t\"',")
        if not rest.strip():
            rest = following.lstrip(" =\t\"',")
        value = _first_word(rest)
        if option == "--deselect" and value:
            return f"deselects {value}", True
        if option.startswith("--ignore") and _TEST_PATH.match(value.rstrip("/").rsplit("/", 1)[-1]):
            return f"leaves {value} out of the collection", True
        if option == "-k" and re.match(r"not\b", rest):
            return f"deselects the tests matching {_first_words(rest)}", True
        if option == "-m" and re.match(r"not\b", rest):
            return f"deselects the tests marked {_first_words(rest)}", False
    return None


# The last part of a path `--ignore` leaves out, when it names tests: a test folder or a test file
# (`tests/snapshots`, `tests/fixtures` are data, not tests).
_TEST_PATH = re.compile(
    r"(?:tests?|unit|integration|e2e|functional|acceptance)$|test_|.*_tests?\.py$|.*\.(?:test|spec)\.[jt]sx?$"
)


def _first_word(text: str) -> str:
    return re.split(r"[\s\"',\]]", text, maxsplit=1)[0]


def _first_words(text: str) -> str:
    """The option's quoted value, or its first words."""
    end = re.search(r"[\"'\]]", text)
    return " ".join((text[: end.start()] if end else text).split()[:6])


# The names pytest collects by default, which a setting must still match for the tests to run.
_DEFAULT_NAMES = {
    "python_files": ("test_calc.py", "calc_test.py"),
    "python_functions": ("test_adds",),
    "python_classes": ("TestCalc",),
}


def _collection(text: str) -> str | None:
    """A collection setting that stops the usual test names from being collected, or a test folder
    that `norecursedirs` tells pytest to skip."""
    found = _SETTING.match(text)
    if found is None:
        return None
    setting = found.group("name")
    patterns = _patterns(text[found.end() :])
    if not patterns:
        return None
    if setting == "norecursedirs":
        named = [p for p in patterns if fnmatch.fnmatch("tests", p) or fnmatch.fnmatch("test", p)]
        return f"tells pytest not to look in {named[0]}" if named else None
    names = _DEFAULT_NAMES[setting]
    if any(_collects(setting, n, p) for n in names for p in patterns):
        return None
    return f"sets {setting} to {' '.join(patterns)}, which no longer matches {names[0]}"


def _collects(setting: str, name: str, pattern: str) -> bool:
    """Whether pytest collects `name` under `pattern`: a glob; for functions and classes a pattern with
    no glob character is a prefix."""
    if setting != "python_files" and not any(char in pattern for char in "*?["):
        return name.startswith(pattern)
    return fnmatch.fnmatchcase(name, pattern)


def _patterns(value: str) -> list[str]:
    cleaned = value.replace("[", " ").replace("]", " ").replace(",", " ")
    try:
        words = shlex.split(cleaned, comments=True)
    except ValueError:
        words = cleaned.split()
    return [w for w in words if w]


class _Workflow:
    """A workflow file at head, read once: for each line, the lines that open and close its block (the
    nearest less indented line before and after it), and how many lines up to each run tests; so each
    `continue-on-error` is placed at once, however many of them the file adds."""

    def __init__(self, head: str) -> None:
        self.lines = head.split("\n")
        count = len(self.lines)
        # -1: a blank line or a comment, which neither opens nor closes a block, whatever its indent
        indents = [-1 if _blank_or_comment(text) else _indent(text) for text in self.lines]
        self.opens = self._nearest_less_indented(indents, range(count), 0)
        self.closes = self._nearest_less_indented(indents, range(count - 1, -1, -1), count)
        # For a list item's first line (`- if: false`), where its item ends: the next line at its level.
        self.ends = self._nearest_less_indented(indents, range(count - 1, -1, -1), count, level=True)
        self.running = [0]
        for text in self.lines:
            self.running.append(self.running[-1] + _runs_tests_here(text))
        # The least indent of a `shell: bash` line, when the workflow has `defaults:`: a default for the
        # steps of a job or of the workflow (more indented than it).
        bash = [_indent(text) for text in self.lines if _BASH.match(text)]
        has_defaults = any(text.strip() == "defaults:" for text in self.lines)
        self.defaults_bash = min(bash) if bash and has_defaults else None

    @staticmethod
    def _nearest_less_indented(
        indents: list[int], order: range, none: int, *, level: bool = False
    ) -> list[int]:
        """For each line, the nearest line before it in `order` that is less indented (or, with `level`,
        not more indented), blank lines and comments aside, or `none`: one pass with a stack of lines
        whose indents rise."""
        nearest = [none] * len(indents)
        stack: list[int] = []
        for index in order:
            indent = indents[index]
            if indent < 0:
                continue
            while stack and (indents[stack[-1]] > indent if level else indents[stack[-1]] >= indent):
                stack.pop()
            nearest[index] = stack[-1] if stack else none
            stack.append(index)
        return nearest

    def item(self, at: int) -> int | None:
        """The first line of the list item (a step) that holds line `at`: the line, or the nearest less
        indented line above it, and so on, that starts with `- `; None outside any item."""
        while not self.lines[at].lstrip(" ").startswith("- "):
            above = self.opens[at]
            if above >= at:
                return None
            at = above
        return at

    def step_runs_tests(self, line: DiffLine) -> bool:
        """Whether the step or job that holds `line` runs the tests: its block's lines, from the item or
        key that opens it to the next line at that item's level."""
        at = (line.new_no or 0) - 1
        if not 0 <= at < len(self.lines) or self.lines[at] != line.text:
            return False
        if line.text.lstrip(" ").startswith("-"):  # the item's own first key: the item is its block
            return self.running[self.ends[at]] > self.running[at]
        return self.running[self.closes[at]] > self.running[self.opens[at]]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _blank_or_comment(text: str) -> bool:
    stripped = text.lstrip()
    return not stripped or stripped.startswith("#")
