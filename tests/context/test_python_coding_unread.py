"""A Python file whose coding line the revisions did not give, and the diff does not show, is no file
read as UTF-8: a vendored module past the size limit of a file read, its `# -*- coding: utf-7 -*-` on the
first line and a key hidden in a UTF-7 run of the lines the change adds. The secret scan reads those
lines of the ignored file as UTF-8; the coding check, with no first line to read, took the file for
UTF-8 too, and the run passed."""

from __future__ import annotations

import json

import pytest

from gate.cli import main
from gate.context.model import TOO_LARGE
from gate.context.revisions import MAX_FILE_BYTES
from tests.context.test_python_coding import HIDDEN, utf7_run
from tests.gitrepo import GitRepo

FILLER = "".join(f"X_{i} = {i}  # {'y' * 80}\n" for i in range(MAX_FILE_BYTES // 90 + 100))
TOP = "# -*- coding: utf-7 -*-\n"


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict:
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    report: dict = json.loads(capsys.readouterr().out)
    return report


def test_a_coding_line_not_read_at_head_is_a_gap(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("vendor/big.py", TOP + FILLER)
    repo.commit("base")
    repo.branch("pr")
    repo.write("vendor/big.py", TOP + FILLER + f"# helpers {utf7_run(HIDDEN)}\n")
    repo.commit("helpers")
    report = _check(repo, capsys)
    assert report["source"]["ignored_paths"] == ["vendor/big.py"]
    assert report["verdict"] == "neutral", report["reasons"]
    assert (
        f"not read: 1 Python file whose coding line was not read at head (vendor/big.py: {TOO_LARGE}); "
        "the verdict is neutral"
    ) in report["reasons"]
    [gap] = [g for g in report["coverage"]["gaps"] if g.get("path") == "vendor/big.py"]
    assert gap["reason"] == (
        f"not analysed: its coding line was not read ({TOO_LARGE}): what text Python reads is unknown"
    )


def test_a_coding_line_the_diff_shows_is_read_from_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first line in the diff's context says the coding: no gap when it is UTF-8's."""
    repo.write("vendor/big.py", "# -*- coding: utf-8 -*-\n" + FILLER[:200])
    repo.commit("base")
    repo.branch("pr")
    repo.write("vendor/big.py", "# -*- coding: utf-8 -*-\n" + FILLER)
    repo.commit("grow")
    report = _check(repo, capsys)
    assert not [g for g in report["coverage"]["gaps"] if g.get("path") == "vendor/big.py"]
