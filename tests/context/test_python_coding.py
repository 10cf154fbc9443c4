"""A Python file whose coding line (PEP 263) has Python read other text than the gate read is a file
the gate has not read: the verdict is not a pass, and the report names it. Under UTF-7, a `+...-` run in
a comment is base64 to the gate and new lines of code to Python. A coding line that changes nothing is
no gap. Through the CLI, from a real repository and from a patch."""

from __future__ import annotations

import base64
import json

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

AWS = "AKIA" + "Z3MHQXTRV7N2KQ4L"
HIDDEN = f"\nfrom app.ghost import phantom\nKEY = '{AWS}'\n"
CORE = "def real():\n    return 1\n"
BODY = "\n\ndef go():\n    return real()\n"
NOT_READ = "1 Python file whose coding line has Python read other text than the UTF-8 the gate read"


def utf7_run(code: str) -> str:
    """`code` as one UTF-7 run: base64 to a reader of UTF-8, lines of code to Python under UTF-7."""
    return "+" + base64.b64encode(code.encode("utf-16-be")).decode("ascii").rstrip("=") + "-"


HIDING = f"# -*- coding: utf-7 -*-\nfrom app.core import real\n# helpers {utf7_run(HIDDEN)}\n{BODY}"


def _base(repo: GitRepo, **files: str) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", CORE)
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("pr")


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str) -> tuple[int, dict]:
    """The CLI over the branch `pr`: from the repository, its `git format-patch` series, or a plain diff."""
    if source == "repo":
        where = ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    else:
        patch = repo.root.parent / "change.patch"
        if source == "mbox":
            patch.write_bytes(repo.format_patch("main..pr"))
        else:
            patch.write_text(repo.git("diff", "main...pr"), encoding="utf-8")
        where = ["--diff", str(patch)]
    code = main(["check", *where, "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _not_read(report: dict) -> list[str]:
    return [reason for reason in report["reasons"] if reason.startswith("not read:")]


def test_the_hidden_lines_are_what_python_runs() -> None:
    python_reads = HIDING.encode("utf-8").decode("utf-7")
    assert f"from app.ghost import phantom\nKEY = '{AWS}'" in python_reads
    assert "ghost" not in HIDING and AWS not in HIDING


@pytest.mark.parametrize("source", ["repo", "mbox", "diff"])
def test_a_utf7_coding_line_hiding_an_import_and_a_key_is_no_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    _base(repo)
    repo.write("app/net.py", HIDING)
    repo.commit("Add the client")

    code, report = _check(repo, capsys, source)

    assert report["verdict"] == "neutral" and code == 0
    assert _not_read(report) == [f"not read: {NOT_READ} (app/net.py: coding utf-7); the verdict is neutral"]
    # The coverage says the same: the file is not among those analysed, and it is a gap.
    coverage = report["coverage"]
    assert (coverage["files"], coverage["analysed"]) == (1, 0)
    assert {"stage": "analyzers", "path": "app/net.py", "kind": "failure"}.items() <= _gap(
        report, "app/net.py"
    ).items()
    assert "coding utf-7" in _gap(report, "app/net.py")["reason"]


def test_the_gap_of_a_misread_file_is_a_failure_whatever_its_coding_is_named(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The coding's name is the PR's: `binary` or `nolimit` must not make the gap a binary file's or a
    size limit's."""
    _base(repo)
    repo.write("app/a.py", "# coding: binary\nX = 1\n")
    repo.write("app/b.py", "# coding: nolimit\nY = 2\n")
    repo.commit("Add two modules")

    _, report = _check(repo, capsys, "repo")

    assert report["verdict"] == "neutral"
    for path in ("app/a.py", "app/b.py"):
        assert _gap(report, path)["kind"] == "failure"
        assert "Python reads other text or refuses it" in _gap(report, path)["reason"]


def _gap(report: dict, path: str) -> dict:
    (gap,) = (g for g in report["coverage"]["gaps"] if g["path"] == path)
    return gap


@pytest.mark.parametrize("source", ["repo", "mbox"])
def test_a_coding_line_the_pr_adds_to_an_existing_file_is_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    filler = "".join(f"X{i} = {i}\n" for i in range(40))
    _base(repo, **{"app/net.py": "from app.core import real\n" + filler + BODY})
    repo.write(
        "app/net.py",
        "# coding: utf-7\nfrom app.core import real\n" + filler + f"# {utf7_run(HIDDEN)}\n" + BODY,
    )
    repo.commit("Tidy the client")

    _, report = _check(repo, capsys, source)

    assert report["verdict"] == "neutral"
    assert "(app/net.py: coding utf-7)" in _not_read(report)[0]


def test_an_existing_coding_line_is_read_when_the_pr_changes_the_file_far_below_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = "".join(f"X{i} = {i}\n" for i in range(40))
    _base(repo, **{"app/net.py": "# coding: utf-7\nfrom app.core import real\n" + filler + BODY})
    repo.write(
        "app/net.py",
        "# coding: utf-7\nfrom app.core import real\n" + filler + f"# {utf7_run(HIDDEN)}\n" + BODY,
    )
    repo.commit("Tidy the client")

    _, report = _check(repo, capsys, "repo")

    assert report["verdict"] == "neutral"
    assert "(app/net.py: coding utf-7)" in _not_read(report)[0]


def test_a_file_renamed_into_a_python_module_is_read_with_its_coding_line(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo, **{"data/impl.txt": HIDING})
    repo.git("mv", "data/impl.txt", "app/net.py")
    repo.commit("Move the client into the package")
    assert "R100" in repo.git("diff", "--name-status", "-M", "main", "pr")

    _, report = _check(repo, capsys, "repo")

    assert report["verdict"] == "neutral"
    assert "(app/net.py: coding utf-7)" in _not_read(report)[0]


@pytest.mark.parametrize(
    ("coding", "why"),
    [
        ("# coding: no-such-codec", "coding line refused (unknown encoding: no-such-codec)"),
        ("# coding: rot13", "coding rot13, which does not decode it"),
        ("# coding: unicode_escape", "coding unicode_escape"),
        ("#!/usr/bin/env python\n# vim: set fileencoding=utf-7 :", "coding utf-7"),
        ("# -*- coding: latin-1 -*-\ncafé = 1", "coding iso-8859-1"),  # a name Python reads as another
        ("# -*- coding: latin-1 -*-\nX = f'{m.turbo_encodª(1)}'", "coding iso-8859-1"),  # code in an f-string
        ("# -*- coding: shift_jis -*-\n# café", "coding shift_jis"),  # characters of two bytes
    ],
)
def test_a_coding_python_reads_otherwise_or_refuses_is_no_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], coding: str, why: str
) -> None:
    _base(repo)
    repo.write(
        "app/net.py", f"{coding}\nfrom app.core import real\n# {utf7_run(HIDDEN)} \\u000aimport os\n{BODY}"
    )
    repo.commit("Add the client")

    _, report = _check(repo, capsys, "repo")

    assert report["verdict"] == "neutral"
    assert _not_read(report) == [f"not read: {NOT_READ} (app/net.py: {why}); the verdict is neutral"]


@pytest.mark.parametrize(
    "coding",
    [
        "# -*- coding: utf-8 -*-",
        "# coding=utf8",
        "# -*- coding: UTF-8-sig -*-",
        "# -*- coding: latin-1 -*-",
        "# -*- coding: latin-1 -*-\n# Auteur: François\nNAME = 'Café'",  # other characters in data only
        "# vim: set fileencoding=ascii :",
        "\ufeff# -*- coding: utf-8 -*-",
        "import os\n# coding: utf-7",  # below a line of code: no coding line, Python reads UTF-8
        "#!/usr/bin/env python\nimport os\n# coding: utf-7",
    ],
)
@pytest.mark.parametrize("source", ["repo", "mbox"])
def test_a_coding_line_that_changes_nothing_is_no_gap(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], coding: str, source: str
) -> None:
    _base(repo)
    repo.write("app/net.py", f"{coding}\nfrom app.core import real\n# {utf7_run('x = 1')}\n{BODY}")
    repo.commit("Add the client")

    code, report = _check(repo, capsys, source)

    assert (code, report["verdict"], _not_read(report)) == (0, "pass", [])


def test_a_utf7_run_under_a_coding_python_ignores_is_read_as_python_reads_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write(
        "app/net.py", f"import os\n# coding: utf-7\n# {utf7_run(HIDDEN)}\nfrom app.ghost import phantom\n"
    )
    repo.commit("Add the client")

    code, report = _check(repo, capsys, "repo")

    assert code == 1 and not _not_read(report)
    assert [(f["stage"], f["start_line"]) for f in report["findings"]] == [("phantom-symbols", 4)]


@pytest.mark.parametrize("source", ["repo", "mbox"])
def test_a_script_named_without_a_suffix_is_read_with_its_coding_line(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    # Python's coding line may follow the line that runs the file with Python.
    _base(repo)
    repo.write("bin/tool", f"#!/usr/bin/env python3\n{HIDING}")
    (repo.root / "bin/tool").chmod(0o755)
    repo.write("bin/notes.sh", f"#!/bin/sh\n{HIDING}")  # not Python: its coding line is a comment
    repo.commit("Add the tool")

    code, report = _check(repo, capsys, source)

    assert (code, report["verdict"]) == (0, "neutral")
    assert _not_read(report) == [f"not read: {NOT_READ} (bin/tool: coding utf-7); the verdict is neutral"]


@pytest.mark.parametrize("codec", ["latin-1", "iso-8859-15", "cp1252", "cp437", "mac-roman"])
def test_a_legacy_module_in_a_codec_of_one_byte_a_character_is_no_gap(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], codec: str
) -> None:
    # Its other characters are bytes the gate cannot read as UTF-8, in a comment and a string: Python
    # reads the same ASCII, so nothing in them can be code.
    module = f"# -*- coding: {codec} -*-\n# Auteur: François Müller\nGREETING = 'Grüß dich'\n{CORE}"
    repo.write("app/legacy.py", module.encode(codec))
    _base(repo)
    repo.write("app/legacy.py", module.replace("return 1", "return 2").encode(codec))
    repo.commit("Return two")

    code, report = _check(repo, capsys, "repo")

    assert (code, report["verdict"], _not_read(report)) == (0, "pass", [])
