"""Review units: hunks with head-revision context, packed into chunks; nothing dropped silently."""

from __future__ import annotations

import random
from pathlib import Path

from gate.context.local_git import load_git_changeset
from gate.diff.model import DiffLine, Hunk, LineKind
from gate.models.pricing import token_counter
from gate.review.units import (
    _DEFINITION,
    CHARS_PER_TOKEN,
    HEADER_SCAN_LINES,
    _enclosing_definition,
    _Head,
    build_units,
    measured_chars_per_token,
    pack,
)
from tests.gitrepo import GitRepo


def _repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("big.py", "".join(f"line_{i} = {i}\n" for i in range(1, 301)))
    repo.write("gone.py", "x = 1\n")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.commit("base")
    repo.branch("feature")
    lines = [f"line_{i} = {i}\n" for i in range(1, 301)]
    lines[49] = "line_50 = 'changed'\n"
    lines[249] = "line_250 = 'changed'\n"
    repo.write("big.py", "".join(lines))
    repo.remove("gone.py")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00other")
    repo.commit("change")
    return repo


def test_each_hunk_is_a_unit_with_context_from_the_head_revision(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    units, skipped = build_units(load_git_changeset(repo.root, "main", "feature"), 10_000)
    assert [u.id for u in units] == ["big.py#1", "big.py#2"]
    first = units[0]
    # git gives 3 lines of context; the unit widens it from the head file
    assert first.start_line < 47 and first.end_line > 53
    assert "+50 | line_50 = 'changed'" in first.text and "- | line_50 = 50" in first.text
    assert {(s.what, s.reason.split(":")[0]) for s in skipped} == {
        ("gone.py", "deleted file"),
        ("logo.png", "binary file"),
    }


def test_units_pack_into_chunks_within_the_budget(tmp_path: Path) -> None:
    units, _ = build_units(load_git_changeset(_repo(tmp_path).root, "main", "feature"), 10_000)
    assert len(pack(units, 10_000)) == 1
    small = pack(units, units[0].tokens)
    assert [c.units for c in small] == [(units[0],), (units[1],)]


def test_a_hunk_larger_than_the_budget_is_split_not_dropped(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "x = 0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("a.py", "".join(f"value_{i} = compute({i})\n" for i in range(400)))
    repo.commit("grow")
    units, _ = build_units(load_git_changeset(repo.root, "main", "feature"), 500)
    assert len(units) > 3 and all(u.tokens <= 520 for u in units)
    assert units[0].id == "a.py#1.1" and "(part 1 of" in units[0].text
    shown = "\n".join(u.text for u in units)
    assert all(f"value_{i} = compute({i})" in shown for i in range(400))


def test_a_unit_shows_the_header_of_the_definition_around_it(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    body = "".join(f"        step_{i} = {i}\n" for i in range(40))
    repo.write("svc.py", f"class Service:\n    def run(self):\n{body}        return step_0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("svc.py", f"class Service:\n    def run(self):\n{body}        return step_39\n")
    repo.commit("return the last step")
    (unit,) = build_units(load_git_changeset(repo.root, "main", "feature"), 10_000)[0]
    assert unit.text.splitlines()[1] == " 2 |     def run(self):"
    # a few lines of context, not whole screens of the method
    assert "step_30 = 30" not in unit.text and "step_38 = 38" in unit.text


def _grown(tmp_path: Path, text: str) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "x = 0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("a.py", text)
    repo.commit("grow")
    return repo


PYTHON = "".join(
    f"def handler_{i}(request, session):\n    return session.get(request.user_id, default={i})\n\n"
    for i in range(300)
)


def test_characters_per_token_are_measured_with_the_models_tokenizer(tmp_path: Path) -> None:
    changeset = load_git_changeset(_grown(tmp_path, PYTHON).root, "main", "feature")
    ratio = measured_chars_per_token(changeset, token_counter(("openai/any-model",)))
    # by the real tokenizer (litellm's bundled tiktoken, offline) on the rows as shown, less a margin
    assert CHARS_PER_TOKEN < ratio < 5.0
    # fewer, fuller chunks than the cautious default, none over the budget by the measured count
    cautious = pack(build_units(changeset, 1_000)[0], 1_000)
    measured_units = build_units(changeset, 1_000, ratio)[0]
    measured = pack(measured_units, 1_000)
    assert len(measured) < len(cautious)
    counter = token_counter(("openai/any-model",))
    assert all(counter(c.text) <= 1_000 for c in measured)


def test_dense_text_measures_fewer_characters_per_token(tmp_path: Path) -> None:
    text = "".join(f"MESSAGES_{i} = '有效的用户会话已过期，请重新登录以继续。'\n" for i in range(300))
    changeset = load_git_changeset(_grown(tmp_path, text).root, "main", "feature")
    ratio = measured_chars_per_token(changeset, token_counter(("openai/any-model",)))
    assert 1.5 <= ratio < CHARS_PER_TOKEN


def test_without_a_tokenizer_the_cautious_estimate_stays(tmp_path: Path) -> None:
    changeset = load_git_changeset(_grown(tmp_path, PYTHON).root, "main", "feature")

    def broken(text: str) -> int:
        raise OSError("tokenizer files not found")

    assert measured_chars_per_token(changeset, broken) == CHARS_PER_TOKEN
    binary_only = load_git_changeset(_binary_only(tmp_path / "binary").root, "main", "feature")
    assert measured_chars_per_token(binary_only, len) == CHARS_PER_TOKEN


def _binary_only(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.commit("base")
    repo.branch("feature")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00other")
    repo.commit("change")
    return repo


def test_counting_tokens_never_fetches_a_tokenizer() -> None:
    """litellm would download Llama's and Command R's tokenizers from Hugging Face; the gate counts with
    the bundled tiktoken for every model instead."""
    from gate.models.runtime import litellm

    # offline, a download would fail and fall back to tiktoken too, so the switch itself is checked
    assert litellm().disable_hf_tokenizer_download is True
    text = "def handler(request):\n    return request.user_id\n"
    bundled = token_counter(("openai/gpt-4o",))(text)
    assert token_counter(("together_ai/meta-llama/llama-3-70b-instruct",))(text) == bundled
    assert token_counter(("cohere/command-r-plus",))(text) == bundled


def _enclosing_by_reading_every_line(hunk: Hunk, head: list[str], first_shown: int) -> int | None:
    """The enclosing definition found the plain way: every changed line's indentation with tabs
    expanded, then every line above the shown rows (within the scan window) read from scratch."""

    def indent(text: str) -> int:
        text = text.expandtabs()
        return len(text) - len(text.lstrip())

    changed = [line.text for line in hunk.lines if line.kind is not LineKind.REMOVED and line.text.strip()]
    if not changed:
        return None
    level = min(indent(t) for t in changed)
    for no in range(first_shown - 1, max(0, first_shown - 1 - HEADER_SCAN_LINES), -1):
        if no > len(head) or not head[no - 1].expandtabs().strip():
            continue
        if indent(head[no - 1]) >= level:
            continue
        if _DEFINITION.match(head[no - 1].expandtabs()) is not None:
            return no
        if indent(head[no - 1]) == 0:
            return None
    return None


# Indentation a reader could trip on: tabs, a form feed, a no-break or ideographic space, a lone
# carriage return, a NUL, a line of spaces only, a long line.
_ODD_INDENTS = ["", "    ", "\t", " \t", "\t  ", "\x0c", "\u00a0", "\u3000", "\r", "\x00", "  \r  "]
_ODD_TEXTS = ["def f(x):", "class K:", "x = 1", "", "   ", "return x", "async def g():", "é" * 500]


def test_the_enclosing_definition_is_the_one_a_plain_reading_finds() -> None:
    rng = random.Random(7)
    for _ in range(400):
        head = [rng.choice(_ODD_INDENTS) + rng.choice(_ODD_TEXTS) for _ in range(rng.randint(1, 60))]
        start = rng.randint(1, len(head))
        count = rng.randint(0, min(4, len(head) - start + 1))
        lines = [DiffLine(LineKind.ADDED, None, start + i, head[start - 1 + i]) for i in range(count)]
        lines.append(DiffLine(LineKind.REMOVED, start, None, rng.choice(_ODD_TEXTS)))
        hunk = Hunk(start, 1, start, count, "", tuple(lines))
        first = max(1, start - rng.randint(0, 3))
        expected = _enclosing_by_reading_every_line(hunk, head, first)
        assert _enclosing_definition(hunk, _Head("app.py", head), first) == expected, (
            head,
            start,
            count,
            first,
        )


def test_a_finding_on_a_file_under_a_folder_named_like_a_diff_prefix_is_in_its_chunk():
    # A finding's path is read without a leading `a/` or `b/` (models copy the diff's headers): a file
    # the chunk showed under such a folder must still count as shown, not be dropped as off the chunk.
    from gate.models.schemas import ReviewFinding, ReviewOutput
    from gate.review.flow import raised_in
    from gate.review.placing import Places

    said = dict(severity="high", category="security", title="t", body="b")
    output = ReviewOutput(
        findings=[
            ReviewFinding(path="b/app.py", start_line=3, end_line=3, **said),
            ReviewFinding(path="b/other.py", start_line=3, end_line=3, **said),
        ]
    )
    shown = {"chunk-1": ("b/app.py:1-40",)}
    kept, outside = raised_in("m", "chunk-1", output, Places(shown))
    assert [r.finding.path for r in kept] == ["b/app.py"]
    # `b/other.py` is no file reviewed, with its `b/` or without: it stays as the model wrote it
    assert [o.place for o in outside] == ["b/other.py:3-3"]
