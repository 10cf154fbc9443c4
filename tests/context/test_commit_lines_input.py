"""What a commit's own diff may hold that its reader must take as text: a NUL past the 8,000 bytes git reads
to call a file binary, which git prints in a text patch."""

from __future__ import annotations

from pathlib import Path

from gate.context.commit_lines import GitCommitLines
from gate.context.git import Git
from tests.gitrepo import GitRepo


def test_a_nul_in_a_text_patch_is_no_commit_of_its_own(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    # After 8,000 bytes of text git prints the file as text: the NUL, and a line after it that reads
    # like a commit header, are lines of the patch.
    fake = "0" * 40
    repo.write("app.py", "a" * 9000 + "\nb\0\n\0" + fake + " " + fake + " " + fake + "\nx = 2\n")
    sha = repo.commit("change")
    diffs = list(GitCommitLines(Git(repo.root)).diffs([sha]))
    assert [s for s, _ in diffs] == [sha]
    [(_, diff)] = diffs
    added = [line.text for change in diff.files for line in change.added]
    assert added == ["a" * 9000, "b\0", "\0" + fake + " " + fake + " " + fake, "x = 2"]
