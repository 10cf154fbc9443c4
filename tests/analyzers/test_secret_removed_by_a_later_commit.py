"""A credential one commit of the PR adds and a later commit removes or rewrites is gone from the diff, but
not from the commit: the branch's history on GitHub keeps it, and so does the base branch's after a merge
that keeps the commits. The PR passed with no finding. Such a credential is a finding now, in a local
range and in a `git format-patch` series alike, masked like any other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"
OTHER = "ghp_Q7c1Vn5Xb9Mz3Lk8Jh2Gf6Ds4Aa0Pp1Oo9Ii"


def _repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "service\n")
    repo.write("app/settings.py", "DEBUG = False\n")
    repo.commit("base")
    repo.branch("feature")
    return repo


def _check(repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> dict[str, Any]:
    if mode == "repo":
        args = ["--repo", str(repo.root), "--base", "main", "--head", "feature"]
    else:
        series = tmp_path / "series.mbox"
        series.write_bytes(repo.format_patch("main..feature"))
        args = ["--diff", str(series)]
    main(["check", "--offline", "--format", "json", *args])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _secrets(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["stage"] == "secrets"]


@pytest.mark.parametrize("mode", ["repo", "mbox"])
@pytest.mark.parametrize("how", ["removed", "rewritten", "file deleted"])
def test_a_credential_a_later_commit_removes_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, how: str
) -> None:
    repo = _repo(tmp_path)
    repo.write("app/client.py", f'import os\n\nTOKEN = "{TOKEN}"\n\n\ndef call():\n    return TOKEN\n')
    repo.commit("Add the client")
    if how == "removed":
        repo.write("app/client.py", "import os\n\n\ndef call():\n    return None\n")
    elif how == "rewritten":
        repo.write(
            "app/client.py", 'import os\n\nTOKEN = os.environ["TOKEN"]\n\n\ndef call():\n    return TOKEN\n'
        )
    else:
        repo.remove("app/client.py")
    repo.write("app/settings.py", "DEBUG = False\nLEVEL = 2\n")
    repo.commit("Read the token from the environment")

    report = _check(repo, tmp_path, capsys, mode)

    [found] = _secrets(report)
    first = repo.git("rev-parse", "feature~1").strip()
    assert (
        found["title"]
        == f"GitHub Token ghp_…a2Ue added in app/client.py by commit {first[:12]}, removed later"
    )
    assert found["blocking"] and found["path"] == "app/client.py"
    assert report["verdict"] == "fail"
    assert report["stages"]["secrets"]["details"]["removed_lines_scanned"] >= 1
    assert TOKEN not in json.dumps(report)


@pytest.mark.parametrize("mode", ["repo", "mbox"])
def test_a_credential_still_at_head_is_one_finding_and_a_base_credential_removed_is_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """A value a later commit moves (still at head, on another line) is reported where it stands; one the
    base held that the PR removes is no credential the PR adds; a placeholder removed is none."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "service\n")
    repo.write("app/old.py", f'LEGACY = "{OTHER}"\n')
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/client.py", f'TOKEN = "{TOKEN}"\nAPI_KEY = "your-api-key-here"\n')
    repo.remove("app/old.py")
    repo.commit("Add the client")
    repo.write("app/client.py", f'# the service token\nTOKEN = "{TOKEN}"  # rotate monthly\n')
    repo.commit("Note the rotation")

    report = _check(repo, tmp_path, capsys, mode)

    assert [(f["title"], f["start_line"]) for f in _secrets(report)] == [
        ("GitHub Token ghp_…a2Ue added in app/client.py", 2)
    ]


def test_a_single_commit_reads_no_commit_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    repo.write("app/client.py", "X = 1\n")
    repo.commit("Add the client")

    report = _check(repo, tmp_path, capsys, "repo")

    assert report["stages"]["secrets"]["details"]["removed_lines_scanned"] == 0
    assert "commits_unread" not in report["stages"]["secrets"]["details"]


def _cut_in_two(token: str) -> str:
    return f"{token[:27]} {token[27:]}"


@pytest.mark.parametrize("mode", ["repo", "mbox"])
@pytest.mark.parametrize("how", ["a blank put inside", "renamed over", "a file name git cannot decode"])
def test_a_credential_removed_in_a_way_a_blame_or_a_name_hides_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, how: str
) -> None:
    """`git blame -w` gives the first commit a line the second only broke with a blank; a rename into
    the removed file's name gives it more lines there than it added; a name that is not UTF-8 was spelt
    two ways. None of them decides now: only the count of every line the commits added, and the text."""
    repo = _repo(tmp_path)
    if how == "a blank put inside":
        repo.write("app/client.py", f'import os\nTOKEN = "{TOKEN}"\n')
        repo.commit("Add the client")
        repo.write("app/client.py", f'import os\nTOKEN = "{_cut_in_two(TOKEN)}"\n')
        repo.commit("Fix the token")
    elif how == "renamed over":
        repo.write("app/client.py", f'TOKEN = "{TOKEN}"\n')
        repo.write("app/helpers.py", "def a():\n    return 1\n\n\ndef b():\n    return 2\n")
        repo.commit("Add the client and helpers")
        repo.remove("app/client.py")
        repo.commit("Drop the client")
        repo.git("mv", "app/helpers.py", "app/client.py")
        repo.commit("Rename the helpers")
    else:
        if mode == "mbox":
            pytest.skip("format-patch quotes the name, and the series is read as git am reads it")
        (repo.root / "app").mkdir(exist_ok=True)
        (repo.root / "app").joinpath(b"caf\xe9.py".decode("utf-8", "surrogateescape")).write_text(
            f'TOKEN = "{TOKEN}"\n'
        )
        repo.git("add", "-A")
        repo.commit("Add the cafe client")
        repo.git("rm", "-q", "-r", "app")
        repo.write("app/settings.py", "DEBUG = True\n")
        repo.commit("Drop the cafe client")

    report = _check(repo, tmp_path, capsys, mode)

    titles = [f["title"] for f in _secrets(report)]
    assert any(t.startswith("GitHub Token ghp_…") and t.endswith(", removed later") for t in titles), titles
    assert report["verdict"] == "fail"
    assert TOKEN not in json.dumps(report)


@pytest.mark.parametrize("mode", ["repo", "mbox"])
def test_a_base_credential_moved_and_then_read_from_the_environment_is_no_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """The PR moves a file that holds a credential the base has, then stops using the credential: the
    PR adds none (the base's history holds it already)."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("config.py", f'import os\nDEBUG = False\nTOKEN = "{TOKEN}"\nNAME = "app"\n')
    repo.commit("legacy")
    repo.branch("feature")
    repo.git("mv", "config.py", "app_config.py")
    repo.commit("Move the config")
    repo.write("app_config.py", 'import os\nDEBUG = False\nTOKEN = os.environ["TOKEN"]\nNAME = "app"\n')
    repo.commit("Read the token from the environment")

    report = _check(repo, tmp_path, capsys, mode)

    assert _secrets(report) == []


@pytest.mark.parametrize("how", ["a UTF-16 file beside it", "a merge that writes its own lines"])
def test_a_credential_removed_beside_lines_git_does_not_count_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """The count decides nothing where it cannot be compared: git counts a UTF-16 file's lines as none
    (binary to it) where the change's diff reads them, and a merge's own lines are in the change's diff
    but in no commit counted."""
    repo = _repo(tmp_path)
    repo.write("app/client.py", f'import os\nTOKEN = "{TOKEN}"\n')
    if how == "a UTF-16 file beside it":
        text = "".join(f"msg{i} = Hello {i}\r\n" for i in range(5))
        repo.write("app/strings.txt", b"\xff\xfe" + text.encode("utf-16-le"))
        repo.commit("Add the client and its strings")
        repo.write("app/client.py", 'import os\nTOKEN = os.environ["TOKEN"]\n')
        repo.commit("Read the token from the environment")
    else:
        repo.commit("Add the client")
        repo.write("app/client.py", "import os\n")
        repo.commit("Drop the token")
        repo.checkout("main")
        repo.write("DOCS.md", "docs\n")
        repo.commit("Docs on main")
        repo.checkout("feature")
        repo.git("merge", "-q", "--no-commit", "main")
        repo.write("app/client.py", 'import os\nTOKEN = os.environ["TOKEN"]\n')
        repo.commit("Merge main")

    report = _check(repo, tmp_path, capsys, "repo")

    titles = [f["title"] for f in _secrets(report)]
    assert any(t.endswith(", removed later") for t in titles), titles
    assert report["verdict"] == "fail"


@pytest.mark.parametrize("mode", ["repo", "mbox"])
def test_a_credential_removed_is_a_finding_though_its_line_is_added_again_in_a_file_read_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """The `.env` line a later commit deletes, added again in a README (where an unquoted value is prose,
    not read as a setting): the line the change adds elsewhere excuses nothing."""
    repo = _repo(tmp_path)
    repo.write(".env", "DB_HOST=db\nDB_PASSWORD=Xk9vQ2pLr7TzW4\n")
    repo.commit("Add the settings")
    repo.remove(".env")
    repo.write("SETUP.md", "# Setup\n\nDB_PASSWORD=Xk9vQ2pLr7TzW4\n")
    repo.commit("Move the settings to the setup notes")

    report = _check(repo, tmp_path, capsys, mode)

    titles = [f["title"] for f in _secrets(report)]
    assert any(
        t.endswith(
            "added in .env by commit " + repo.git("rev-parse", "feature~1").strip()[:12] + ", removed later"
        )
        for t in titles
    ), titles


@pytest.mark.parametrize("mode", ["repo", "mbox"])
def test_a_base_credential_rewritten_on_its_way_out_is_no_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """The base's token, re-indented into a class by one commit and read from the environment by the
    next: the line the first commit added is new, its credential the base's."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("settings.py", f'import os\n\nDB_HOST = "db.internal"\nGH_TOKEN = "{TOKEN}"\n')
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "settings.py",
        f'import os\n\n\nclass Settings:\n    DB_HOST = "db.internal"\n    GH_TOKEN = "{TOKEN}"\n',
    )
    repo.commit("Settings in a class")
    repo.write(
        "settings.py",
        'import os\n\n\nclass Settings:\n    DB_HOST = "db.internal"\n'
        '    GH_TOKEN = os.environ["GH_TOKEN"]\n',
    )
    repo.commit("Read the token from the environment")

    report = _check(repo, tmp_path, capsys, mode)

    assert _secrets(report) == []


def test_commits_whose_own_diffs_were_not_read_leave_the_verdict_neutral_and_say_so(tmp_path: Path) -> None:
    """An API run past the commits whose patches it reads has no commits' diffs (`commit_lines` None):
    a credential a later commit removed was not looked for, and that is no pass."""
    from dataclasses import replace

    from gate.analyzers.secrets import SecretsAnalyzer
    from gate.config.models import Config
    from gate.context.local_git import load_git_changeset
    from gate.run import RunContext

    repo = _repo(tmp_path)
    repo.write("app/a.py", "A = 1\n")
    repo.commit("One")
    repo.write("app/b.py", "B = 2\n")
    repo.commit("Two")
    changeset = replace(load_git_changeset(repo.root, "main", "feature"), commit_lines=None)

    result = SecretsAnalyzer().run(RunContext(changeset=changeset, config=Config(), offline=True))

    assert result.not_checked == ("credentials a later commit removed",)
    assert "not looked for" in result.details["commits_unread"]


def test_a_range_that_removes_nothing_is_settled_by_the_count_and_reads_no_patch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    repo.write("app/a.py", "A = 1\n")
    repo.commit("One")
    repo.write("app/b.py", "B = 2\n")
    repo.commit("Two")

    report = _check(repo, tmp_path, capsys, "repo")

    assert report["stages"]["secrets"]["details"]["removed_lines_scanned"] == 0
    assert report["verdict"] == "pass"
    # The count that settles it: git's, of each commit's own diff, as many lines as the change adds.
    from gate.context.local_git import load_git_changeset

    changeset = load_git_changeset(repo.root, "main", "feature")
    assert changeset.commit_lines is not None
    assert changeset.commit_lines.added_total([c.sha for c in changeset.commits]) == 2
    (tmp_path / "series.mbox").write_bytes(repo.format_patch("main..feature"))
    from gate.context.patch import load_patch_changeset

    series = load_patch_changeset((tmp_path / "series.mbox").read_bytes(), "series.mbox")
    assert series.commit_lines is not None
    assert series.commit_lines.added_total([c.sha for c in series.commits]) == 2


def test_past_the_lines_one_run_reads_the_rest_are_a_stated_gap_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generated file one commit adds and the next deletes, longer than the lines a run reads of the
    commits' own diffs: the stage reads that many, and the verdict is neutral with the gap named."""
    from gate.analyzers.secrets import MAX_GONE_LINES

    repo = _repo(tmp_path)
    repo.write("gen/table.py", "".join(f"ROW_{n} = {n}\n" for n in range(MAX_GONE_LINES + 10)))
    repo.commit("Generate the table")
    repo.remove("gen/table.py")
    repo.write("app/settings.py", "DEBUG = False\nLEVEL = 2\n")
    repo.commit("Drop the table")

    report = _check(repo, tmp_path, capsys, "repo")

    details = report["stages"]["secrets"]["details"]
    assert details["removed_lines_scanned"] == MAX_GONE_LINES
    assert "may be among them" in details["commits_unread"]
    assert report["verdict"] == "neutral"
