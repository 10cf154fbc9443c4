"""package.json scripts read as the shell runs them (`gate/analyzers/weakened_tests/scripts.py`): a
`test` script that no longer reaches its runner (`true || jest`, `exit 0 # jest`, `node -e 0`), or whose
exit status no longer carries the tests' failure (`jest | cat`, `jest; echo done`), is a finding; a
script that runs the tests and fails with them is not. Each through `ai-gate check` on a real
repository next to a code change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analyzers.test_weakened_evasions import BASE, ai_gate, make_pr, weakened

PACKAGE = (
    '{\n  "name": "x",\n  "scripts": {\n    "test": "jest"\n  },\n'
    '  "jest": {\n    "testEnvironment": "node"\n  }\n}\n'
)

# name -> (the `test` script at head, as written in the JSON string; the rule of the high finding)
CAUGHT = {
    "exit-before-a-comment-naming-the-runner": ("exit 0 # jest", "tests-deselected"),
    "node-evaluating-nothing": ("node -e 0", "tests-deselected"),
    "runner-after-a-true-or": ("true || jest", "tests-deselected"),
    "runner-after-an-exit": ("exit 0; jest", "tests-deselected"),
    "runner-named-by-echo": ("echo jest", "tests-deselected"),
    "piped-into-cat": ("jest | cat", "test-failures-ignored"),
    "piped-into-tee-without-pipefail": ("jest --ci | tee out.log", "test-failures-ignored"),
    # the word `pipefail` that is no `set -o pipefail` before the pipe sets nothing
    "piped-into-a-log-named-pipefail": ("jest 2>&1 | tee pipefail.log", "test-failures-ignored"),
    "pipefail-echoed-before-the-pipe": ("echo pipefail; jest | cat", "test-failures-ignored"),
    "pipefail-set-after-the-pipe": ("jest | cat; set -o pipefail", "test-failures-ignored"),
    "followed-by-an-echo": ("jest; echo done", "test-failures-ignored"),
    "or-an-exit-0": ("jest || exit 0", "test-failures-ignored"),
    "sent-to-the-background": ("jest &", "test-failures-ignored"),
    "hash-in-quotes-then-a-pipe": ('jest \\"#x\\" | cat', "test-failures-ignored"),
    # JSON escapes npm decodes before the shell runs the script
    "unicode-escaped-space-after-or-true": ("jest || true\\u0020", "test-failures-ignored"),
    "escaped-slash-then-or-true": ("jest --rootDir=.\\/ || true", "test-failures-ignored"),
    "unicode-escaped-semicolon": ("jest\\u003b true", "test-failures-ignored"),
    "unicode-escaped-semicolon-after-an-exit": ("exit 0\\u003b jest", "tests-deselected"),
    # a newline is a command separator to `sh -c`
    "newline-then-true": ("jest\\ntrue", "test-failures-ignored"),
    "newline-then-exit-0": ("jest\\nexit 0", "test-failures-ignored"),
    "comment-ended-by-a-newline": ("jest # every project\\ntrue", "test-failures-ignored"),
    "exit-then-the-runner-on-the-next-line": ("exit\\njest", "tests-deselected"),
    # a control character the reading does not follow: the line rule still applies
    "bell-then-or-true": ("jest\\u0007 || true", "test-failures-ignored"),
}


@pytest.mark.parametrize("name", list(CAUGHT))
def test_a_test_script_that_no_longer_runs_or_fails_with_the_tests_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    script, rule = CAUGHT[name]
    changes: dict[str, str | None] = {
        "package.json": PACKAGE.replace('"test": "jest"', f'"test": "{script}"')
    }
    repo = make_pr(tmp_path / "repo", changes, {**BASE, "package.json": PACKAGE})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [(rule, "high", "package.json")]
    assert code == 1


HONEST = {
    "pipefail-set-before-the-pipe": "set -o pipefail; jest --ci | tee out.log",
    "pipefail-set-with-other-options": "set -eu -o pipefail && jest --ci | tee out.log",
    "followed-by-a-message-on-success": "jest --ci && echo ok",
    "built-first": "tsc --noEmit && jest",
    "environment-set-first": "cross-env CI=1 jest --coverage",
    "a-comment-after-the-runner": "jest --ci # every project",
    "or-an-exit-1": "jest || exit 1",
    "a-pattern-with-parentheses-in-quotes": "jest -t '(adds|empty)'",
    "a-redirection-of-stderr": "jest 2>&1",
    "status-kept-and-given-back": "jest; code=$?; rm -rf tmp; exit $code",
    "escaped-slash-in-a-path": "jest --rootDir=.\\/src",
    "unicode-escaped-space": "jest\\u0020--ci",
    "built-first-on-the-line-above": "tsc --noEmit &&\\njest",
    "a-trailing-newline": "jest --ci\\n",
    "a-newline-inside-quotes": 'jest -t \\"adds\\n\\" --ci',
}


@pytest.mark.parametrize("name", list(HONEST))
def test_a_test_script_that_runs_and_fails_with_the_tests_is_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    changes: dict[str, str | None] = {
        "package.json": PACKAGE.replace('"test": "jest"', f'"test": "{HONEST[name]}"')
    }
    repo = make_pr(tmp_path / "repo", changes, {**BASE, "package.json": PACKAGE})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


def test_another_script_that_runs_the_tests_is_read_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script the change adds under another name (`test:ci`) that names the runner where the shell never
    reaches it, or drops its failure, is a finding too."""
    package = PACKAGE.replace(
        '"test": "jest"',
        '"test": "jest",\n    "test:ci": "exit 0; jest --ci",\n    "test:e2e": "jest e2e | cat"',
    )
    repo = make_pr(tmp_path / "repo", {"package.json": package}, {**BASE, "package.json": PACKAGE})
    code, report = ai_gate(repo.root, capsys)
    assert sorted(weakened(report)) == [
        ("test-failures-ignored", "high", "package.json"),
        ("tests-deselected", "high", "package.json"),
    ]
    assert code == 1


def test_a_script_key_written_with_an_escape_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """npm decodes the key too: `"te\\u0073t"` is the `test` script."""
    package = PACKAGE.replace('"test": "jest"', '"te\\u0073t": "jest; true"')
    repo = make_pr(tmp_path / "repo", {"package.json": package}, {**BASE, "package.json": PACKAGE})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("test-failures-ignored", "high", "package.json")]
    assert code == 1


def test_a_text_that_is_no_script_is_not_read_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A description naming the runner before a `;` is text: only the `scripts` object at head is read."""
    package = PACKAGE.replace(
        '"name": "x",', '"name": "x",\n  "description": "jest; a suite that runs in CI",'
    )
    repo = make_pr(tmp_path / "repo", {"package.json": package}, {**BASE, "package.json": PACKAGE})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


ONE_LINE = PACKAGE.replace('"scripts": {\n    "test": "jest"\n  },', '"scripts": { "test": "jest" },')
TWO_KEYS = PACKAGE.replace('"test": "jest"', '"test": "jest", "lint": "eslint ."')

# layout -> (package.json at base, at head before its `test` script changes): the test script on a line
# that holds more than one key and its string, there at base or made so by the change
SHARED_LINES = {
    "scripts-object-on-one-line": (ONE_LINE, ONE_LINE),
    "scripts-object-made-one-line": (PACKAGE, ONE_LINE),
    "two-keys-on-one-line": (TWO_KEYS, TWO_KEYS),
    "two-keys-made-one-line": (PACKAGE, TWO_KEYS),
}
# the `test` script at head -> the rule of the high finding: read as the shell runs it, as a script on a
# line of its own is
ON_A_SHARED_LINE = {
    "jest || true": "test-failures-ignored",
    "jest | cat": "test-failures-ignored",
    "exit 0; jest": "tests-deselected",
}


@pytest.mark.parametrize("script", list(ON_A_SHARED_LINE))
@pytest.mark.parametrize("layout", list(SHARED_LINES))
def test_a_script_on_a_line_with_other_keys_is_still_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str, script: str
) -> None:
    """A line not written as one key and its string (a one-line `scripts` object, two keys on a line)
    gets the same checks as a script on a line of its own, and nothing more."""
    base, head = SHARED_LINES[layout]
    head = head.replace('"test": "jest"', f'"test": "{script}"')
    repo = make_pr(tmp_path / "repo", {"package.json": head}, {**BASE, "package.json": base})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [(ON_A_SHARED_LINE[script], "high", "package.json")]
    assert code == 1


# name -> (package.json at base, at head): a script on a shared line that runs the tests and fails with them
HONEST_ON_A_SHARED_LINE = {
    "runner-then-a-message": (TWO_KEYS, TWO_KEYS.replace('"jest",', '"jest --ci && echo ok",')),
    "another-script-that-runs-no-tests": (TWO_KEYS, TWO_KEYS.replace('"eslint ."', '"eslint . || true"')),
    "built-first-in-a-one-line-object": (ONE_LINE, ONE_LINE.replace('"jest" }', '"tsc --noEmit && jest" }')),
    # the same scripts, laid out on one line: the line that ran the tests is still there, reformatted
    "scripts-object-folded-onto-one-line": (PACKAGE, ONE_LINE),
    "a-second-script-joined-onto-the-tests-line": (PACKAGE, TWO_KEYS),
}


@pytest.mark.parametrize("name", list(HONEST_ON_A_SHARED_LINE))
def test_a_script_on_a_line_with_other_keys_that_fails_with_the_tests_is_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    base, head = HONEST_ON_A_SHARED_LINE[name]
    repo = make_pr(tmp_path / "repo", {"package.json": head}, {**BASE, "package.json": base})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


@pytest.mark.parametrize(("base_key", "head_key"), [("test", "te\\u0073t"), ("te\\u0073t", "test")])
def test_an_emptied_test_script_whose_key_is_written_with_an_escape_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base_key: str, head_key: str
) -> None:
    """npm reads `"te\\u0073t"` as the `test` script: made to echo, `npm test` runs nothing and passes."""
    base = PACKAGE.replace('"test"', f'"{base_key}"')
    package = PACKAGE.replace('"test": "jest"', f'"{head_key}": "echo no tests"')
    repo = make_pr(tmp_path / "repo", {"package.json": package}, {**BASE, "package.json": base})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-deselected", "high", "package.json")]
    assert code == 1


@pytest.mark.parametrize("layout", list(SHARED_LINES))
def test_an_emptied_test_script_on_a_line_with_other_keys_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    base, head = SHARED_LINES[layout]
    head = head.replace('"test": "jest"', '"test": "echo no tests"')
    repo = make_pr(tmp_path / "repo", {"package.json": head}, {**BASE, "package.json": base})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-deselected", "high", "package.json")]
    assert code == 1
