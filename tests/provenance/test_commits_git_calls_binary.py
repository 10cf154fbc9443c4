"""A commit's own diff that git prints as binary does not hide the AI lines a person edited in it.

Git calls a side of a file binary when it holds a NUL byte in its first 8,000 bytes, and prints only
"Binary files differ" for it. A person who adds one NUL line in the commit that edits every AI line, and
removes it in the next, would leave the commit's edits unread: its lines would be a person's. The commits
are read again as text under the final diff's bounds; one that still cannot be read as text (a side in
UTF-16) leaves its file's later lines of commits with no AI marks as possibly AI, never a person's.
"""

from __future__ import annotations

from gate.config.models import Provenance
from gate.context.local_git import load_git_changeset
from gate.provenance.estimate import estimate
from gate.provenance.model import ProvenanceResult
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
AI_CODE = "".join(
    f"def price_{i}(value, rate):\n"
    f"    total = apply_discount(value * rate, limit={i})\n"
    "    return round(total, 2)\n"
    "\n"
    for i in range(8)
)
AI_LINES = AI_CODE.count("\n")
REVIEWED = "".join(line + "  # reviewed\n" if line else "\n" for line in AI_CODE.split("\n")[:-1])


def _estimate(repo: GitRepo, base: str) -> ProvenanceResult:
    return estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())


def _ai_commit(repo: GitRepo) -> str:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("prices.py", AI_CODE)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    return base


def test_a_nul_byte_added_and_removed_again_hides_no_edit_of_ai_lines(repo: GitRepo) -> None:
    base = _ai_commit(repo)
    repo.write("prices.py", (REVIEWED + "# \0\n").encode())
    repo.commit("Review pass")
    assert "Binary files" in repo.git("show", "--format=", "HEAD", "--", "prices.py")
    repo.write("prices.py", REVIEWED)
    repo.commit("Tidy")
    result = _estimate(repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


def test_ai_lines_moved_and_renamed_in_a_commit_git_calls_binary_stay_ai(repo: GitRepo) -> None:
    base = _ai_commit(repo)
    moved = AI_CODE.replace("value", "amount").replace("apply_discount", "discounted")
    repo.remove("prices.py")
    repo.write("shop/pricing.py", (moved + "# \0\n").encode())
    repo.commit("Move the helpers into the shop package")
    repo.write("shop/pricing.py", moved)
    repo.commit("Tidy")
    result = _estimate(repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


def test_edits_in_a_commit_that_stays_binary_count_as_possibly_ai(repo: GitRepo) -> None:
    """A round trip through UTF-16 cannot be read as text: the person's lines are of unknown origin."""
    base = _ai_commit(repo)
    repo.write("prices.py", REVIEWED.encode("utf-16"))
    repo.commit("Review pass")
    repo.write("prices.py", REVIEWED)
    repo.commit("Back to UTF-8")
    result = _estimate(repo, base)
    assert result.added_lines == AI_LINES
    assert result.ai_lines + result.unknown_lines == AI_LINES
    assert result.unknown_lines > 0
    assert [n for n in result.notes if "git showed a commit's change as binary" in n]


def test_a_person_s_binary_file_beside_the_ai_code_stays_theirs(repo: GitRepo) -> None:
    """A file git shows as binary with no AI lines in it leaves the person's other lines theirs."""
    base = _ai_commit(repo)
    own = "".join(f"def own_{i}(items):\n    return sorted(items)[{i}]\n" for i in range(8))
    repo.write("prices.py", own)
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    repo.commit("Rewrite the helpers")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(255, -1, -1)))
    repo.commit("New logo")
    result = _estimate(repo, base)
    assert (result.ai_lines, result.unknown_lines, result.added_lines) == (0, 0, 16)


def test_ai_lines_moved_into_a_utf16_file_are_not_a_person_s(repo: GitRepo) -> None:
    """The file is read before the AI lines it replaced went, in the diff's order of paths."""
    base = _ai_commit(repo)
    repo.remove("prices.py")
    repo.write("a_pricing.py", REVIEWED.encode("utf-16"))
    repo.commit("Move the helpers")
    result = _estimate(repo, base)
    assert result.added_lines == AI_LINES
    assert result.ai_lines + result.unknown_lines == AI_LINES


def test_a_real_binary_in_the_same_commit_hides_no_edit_of_ai_lines(repo: GitRepo) -> None:
    """Each file a commit printed as binary is read again as text alone: beside an image, its NUL-byte
    edit is read, and the lines it edited stay AI."""
    base = _ai_commit(repo)
    repo.write("prices.py", (REVIEWED + "# \0\n").encode())
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)
    repo.commit("Review pass")
    repo.write("prices.py", REVIEWED)
    repo.commit("Tidy")
    result = _estimate(repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


def test_ai_lines_hidden_by_a_nul_byte_beside_a_real_binary_are_not_a_person_s(repo: GitRepo) -> None:
    """An AI commit whose code holds one NUL byte, committed with an image: the code is read as text
    though the image stays binary, and a person's light edit of each of its lines stays AI."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("prices.js", (AI_CODE + "# \0\n").encode())
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    repo.write("prices.js", REVIEWED)
    repo.commit("Review pass")
    result = _estimate(repo, base)
    assert result.added_lines == AI_LINES
    assert result.ai_lines == AI_LINES


def test_a_file_an_ai_commit_wrote_unseen_leaves_later_edits_possibly_ai(repo: GitRepo) -> None:
    """An AI commit's file in UTF-16 shows no lines: the person who converts it and edits each line
    wrote lines of unknown origin, possibly AI, never their own."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("prices.py", AI_CODE.encode("utf-16"))
    repo.commit("Add the price helpers\n\n" + CLAUDE)
    repo.write("prices.py", REVIEWED)
    repo.commit("Back to UTF-8, reviewed")
    result = _estimate(repo, base)
    assert result.added_lines == AI_LINES
    assert result.ai_lines + result.unknown_lines == AI_LINES
    assert result.unknown_lines > 0
