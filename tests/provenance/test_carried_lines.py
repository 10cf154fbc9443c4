"""Lines an AI commit wrote stay AI when a later commit with no AI marks only carries them on: a
whitespace-only follow-up (trailing spaces, CRLF, re-indenting, what a formatter does), a move into new
files, a revert and reapply. Each is read from local git, from `git format-patch` output and through
the GitHub API, and the report says how many lines were given back. A person's own lines, short lines
alike to AI ones included, stay theirs."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from gate.cli import main
from gate.config.models import Provenance
from gate.context.local_git import load_git_changeset
from gate.context.patch import load_patch_changeset
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from gate.provenance.estimate import estimate
from gate.provenance.model import ProvenanceResult
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
FUNCTIONS = 12
AI_CODE = "".join(
    f"def scale_{i}(values, factor):\n"
    f"    scaled = [v * factor + {i} for v in values]\n"
    "    if not scaled:\n"
    "        return []\n"
    "    return sorted(scaled)\n"
    "\n\n"
    for i in range(FUNCTIONS)
)
AI_LINES = AI_CODE.count("\n")
CARRIED = "repeat, but for formatting, lines an AI commit of the range added"


def _ai_commit(repo: GitRepo) -> str:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("app.py", AI_CODE)
    repo.commit("Add the scaling helpers\n\n" + CLAUDE)
    return base


def _from_git(repo: GitRepo, base: str) -> ProvenanceResult:
    return estimate(load_git_changeset(repo.root, base, "HEAD"), Provenance())


def _from_mbox(repo: GitRepo, base: str) -> ProvenanceResult:
    return estimate(load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "series.mbox"), Provenance())


SOURCES = {"git": _from_git, "mbox": _from_mbox}
Source = Callable[[GitRepo, str], ProvenanceResult]


def _per_line(edit: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: "".join(edit(line) + "\n" for line in text.split("\n")[:-1])


WHITESPACE_EDITS = {
    "trailing spaces": _per_line(lambda line: line + "  "),
    "CRLF": _per_line(lambda line: line + "\r"),
    "re-indented": lambda text: text.replace("    ", "\t"),
    "spaces around operators": lambda text: text.replace(" * ", "*").replace(" + ", "+"),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("edit", WHITESPACE_EDITS)
def test_a_whitespace_only_follow_up_by_a_person_leaves_the_ai_lines_ai(
    repo: GitRepo, source: str, edit: str
) -> None:
    base = _ai_commit(repo)
    repo.write("app.py", WHITESPACE_EDITS[edit](AI_CODE))
    repo.commit("Tidy whitespace")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)


PY_AI = "".join(
    f"def handler_{i}(request, session, mode='fast_{i}'):\n"
    f"    value = session.lookup(request['key_{i}'], default=u'none', strict=True)\n"
    f"    return request.respond(value, status='ok_{i}')\n"
    for i in range(FUNCTIONS)
)
JS_AI = "".join(
    f"export const fetch{i} = (req) => request(req, 'key_{i}', {{ strict: true, retries: {i}, }})\n"
    for i in range(FUNCTIONS)
)
FORMATTER_EDITS = {
    "quotes made double": ("app.py", PY_AI, lambda text: text.replace("'", '"')),
    "u prefixes dropped": ("app.py", PY_AI, lambda text: text.replace("u'", "'")),
    "trailing commas added": (
        "app.py",
        PY_AI,
        lambda text: text.replace("True)", "True,)").replace("')\n", "',)\n"),
    ),
    "semicolons added": ("app.js", JS_AI, _per_line(lambda line: line + ";")),
    "trailing commas removed": ("app.js", JS_AI, lambda text: text.replace(", }", " }")),
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("edit", FORMATTER_EDITS)
def test_a_formatter_pass_by_a_person_leaves_the_ai_lines_ai(repo: GitRepo, source: str, edit: str) -> None:
    path, code, change = FORMATTER_EDITS[edit]
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write(path, code)
    repo.commit("Add the handlers\n\n" + CLAUDE)
    repo.write(path, change(code))
    repo.commit("Run the formatter")
    result = SOURCES[source](repo, base)
    lines = code.count("\n")
    assert (result.ai_lines, result.added_lines) == (lines, lines)
    assert [n for n in result.notes if CARRIED in n]


LONG_CALLS = "".join(
    f"result_{i} = compute_value(alpha_{i}, beta_{i}, gamma_{i}, delta_{i})\n" for i in range(FUNCTIONS)
)
WRAPPED_CALLS = "".join(
    f"result_{i} = compute_value(\n    alpha_{i}, beta_{i}, gamma_{i}, delta_{i},\n)\n"
    for i in range(FUNCTIONS)
)
PERSONS_CALLS = "".join(
    f"summary_{i} = summarise(\n    first_total_{i}, second_total_{i}, ratio={i},\n)\n"
    for i in range(FUNCTIONS)
)


@pytest.mark.parametrize("source", SOURCES)
def test_ai_lines_a_person_re_wraps_stay_ai_and_their_own_wrapped_code_stays_theirs(
    repo: GitRepo, source: str
) -> None:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("calc.py", LONG_CALLS)
    repo.commit("Add the computations\n\n" + CLAUDE)
    # What black does at a short line length, with the magic trailing comma; and the person's own calls,
    # wrapped alike, below them.
    repo.write("calc.py", WRAPPED_CALLS + PERSONS_CALLS)
    repo.commit("Reformat and add the summaries")
    result = SOURCES[source](repo, base)
    wrapped = WRAPPED_CALLS.count("\n")
    assert (result.ai_lines, result.added_lines) == (wrapped, wrapped + PERSONS_CALLS.count("\n"))
    assert result.ai_line_map["calc.py"] == frozenset(range(1, wrapped + 1))
    assert [n for n in result.notes if f"({wrapped} of them re-wrap longer lines)" in n]


@pytest.mark.parametrize("source", SOURCES)
def test_ai_lines_black_wraps_in_parentheses_stay_ai(repo: GitRepo, source: str) -> None:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write(
        "calc.py", "".join(f"total_{i} = first_{i} + second_{i} * factor_{i}\n" for i in range(FUNCTIONS))
    )
    repo.commit("Add the totals\n\n" + CLAUDE)
    wrapped = "".join(
        f"total_{i} = (\n    first_{i} + second_{i} * factor_{i}\n)\n" for i in range(FUNCTIONS)
    )
    repo.write("calc.py", wrapped)
    repo.commit("Reformat")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (3 * FUNCTIONS, 3 * FUNCTIONS)


PERSONS_LONG_CALLS = "".join(
    f"summary_{i} = summarise(first_total_{i}, second_total_{i}, ratio={i})\n" for i in range(FUNCTIONS)
)


@pytest.mark.parametrize("source", SOURCES)
def test_ai_lines_a_person_joins_up_stay_ai_and_their_own_long_lines_stay_theirs(
    repo: GitRepo, source: str
) -> None:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("calc.py", WRAPPED_CALLS)
    repo.commit("Add the computations\n\n" + CLAUDE)
    # What black does at a longer line length, without the magic trailing comma; and the person's own
    # calls below them.
    repo.write("calc.py", LONG_CALLS + PERSONS_LONG_CALLS)
    repo.commit("Reformat at 120 columns and add the summaries")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (FUNCTIONS, 2 * FUNCTIONS)
    assert result.ai_line_map["calc.py"] == frozenset(range(1, FUNCTIONS + 1))
    assert [n for n in result.notes if f"({FUNCTIONS} of them join up lines an AI commit wrapped)" in n]


def test_wrapped_ai_lines_still_at_head_vouch_for_no_joined_copy(repo: GitRepo) -> None:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("calc.py", WRAPPED_CALLS)
    repo.commit("Add the computations\n\n" + CLAUDE)
    repo.write("calc.py", WRAPPED_CALLS + LONG_CALLS)
    repo.commit("Compute again")
    result = _from_git(repo, base)
    assert result.ai_lines == WRAPPED_CALLS.count("\n")


def test_one_long_ai_line_vouches_for_one_wrapped_copy(repo: GitRepo) -> None:
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("calc.py", LONG_CALLS)
    repo.commit("Add the computations\n\n" + CLAUDE)
    repo.write("calc.py", WRAPPED_CALLS + WRAPPED_CALLS)
    repo.commit("Reformat and compute twice")
    result = _from_git(repo, base)
    assert result.ai_lines == WRAPPED_CALLS.count("\n")


def _split_into_files(repo: GitRepo) -> None:
    """Three parts, so that none is similar enough to the old file for git to call it a rename."""
    lines = AI_CODE.splitlines(keepends=True)
    third = len(lines) // 3
    repo.remove("app.py")
    for i, name in enumerate(("first", "second", "third")):
        repo.write(f"pkg/{name}.py", "".join(lines[i * third : (i + 1) * third]))
    repo.commit("Split the helpers into a package")


def _revert_and_reapply(repo: GitRepo) -> None:
    repo.git("revert", "--no-edit", "HEAD")
    repo.write("app.py", AI_CODE)
    repo.commit("Bring the helpers back")


FOLLOW_UPS = {"moved into new files": _split_into_files, "reverted and reapplied": _revert_and_reapply}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("follow_up", FOLLOW_UPS)
def test_ai_code_a_person_moves_or_reapplies_stays_ai_and_the_report_says_so(
    repo: GitRepo, source: str, follow_up: str
) -> None:
    base = _ai_commit(repo)
    FOLLOW_UPS[follow_up](repo)
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    distinctive = 4 * FUNCTIONS  # all but `return []` and the blank lines, which go with them
    assert [n for n in result.notes if CARRIED in n] == [
        f"{distinctive} added lines last written by commits with no AI marks {CARRIED} (reformatted, "
        f"moved or reapplied): counted as that commit's, with {AI_LINES - distinctive} blank or short "
        "lines amid them"
    ]
    human = [c for c in result.commits if not c.ai]
    assert all(c.added_lines == 0 for c in human)


def test_through_the_github_api_moved_ai_code_stays_ai(repo: GitRepo) -> None:
    base = _ai_commit(repo)
    _split_into_files(repo)
    github = FakeGitHub().start()
    try:
        pull_from_git(github, repo, base, repo.head(), number=9)
        event = read_event("pull_request", github.payload(9))
        assert isinstance(event, PullRequestEvent)
        changeset = load_pull_changeset(GitHubClient(github.url, "t", github.repo), event, None, ())
    finally:
        github.stop()
    assert changeset.source == "github" and changeset.commit_lines is not None
    result = estimate(changeset, Provenance())
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert any(CARRIED in n for n in result.notes)


def test_the_json_report_gives_the_note_and_the_share_the_thresholds_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _ai_commit(repo)
    _split_into_files(repo)
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert provenance["threshold_share"] == 1.0
    assert any(CARRIED in n for n in provenance["notes"])


HUMAN_CODE = (
    "def handle(event):\n"
    "    if event.kind == 'stop':\n"
    "        return []\n"
    "    else:\n"
    "        pass\n"
    "\n\n"
    "def scale_0(values, factor):\n"  # the same line as the AI's first one, which is still there
    "    return event_log(values, factor)\n"
)


@pytest.mark.parametrize("source", SOURCES)
def test_a_persons_own_code_stays_theirs_even_where_short_lines_match_ai_ones(
    repo: GitRepo, source: str
) -> None:
    base = _ai_commit(repo)
    repo.write("handlers.py", HUMAN_CODE)
    repo.commit("Add the event handler")
    result = SOURCES[source](repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES + HUMAN_CODE.count("\n"))
    assert "handlers.py" not in result.ai_line_map
    assert not [n for n in result.notes if CARRIED in n]


@pytest.mark.parametrize("source", SOURCES)
def test_a_person_who_replaces_ai_code_owns_the_new_code_and_its_short_lines(
    repo: GitRepo, source: str
) -> None:
    base = _ai_commit(repo)
    rewrite = "".join(
        f"def shrink_{i}(items):\n    kept = [x for x in items if x > {i}]\n    if not kept:\n"
        "        return []\n    return kept\n\n\n"
        for i in range(FUNCTIONS)
    )
    repo.remove("app.py")
    repo.write("shrink.py", rewrite)
    repo.commit("Replace the helpers")
    result = SOURCES[source](repo, base)
    # The AI's `return []` lines and blank lines are gone, yet the same short lines amid the person's
    # own code stay the person's.
    assert (result.ai_lines, result.added_lines) == (0, rewrite.count("\n"))


def test_lines_a_git_ai_note_attests_stay_ai_through_a_whitespace_only_follow_up(repo: GitRepo) -> None:
    """The commit has no AI marks, so only its note says AI, numbered in its own file: blame ignores
    whitespace so that the lines stay the commit's, with their numbers."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("pr")
    repo.write("app.py", AI_CODE)
    noted = repo.commit("Add the scaling helpers")
    session = "s_0123456789abcd"
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": base,
        "prompts": {},
        "sessions": {session: {"agent_id": {"tool": "claude", "id": "sess", "model": "claude-opus-4-6"}}},
    }
    note = f"app.py\n  {session}::t_0123456789abcd 1-{AI_LINES}\n---\n{json.dumps(meta)}"
    repo.git("notes", "--ref=ai", "add", "-m", note, noted)
    repo.write("app.py", WHITESPACE_EDITS["re-indented"](AI_CODE))
    repo.commit("Indent with tabs")
    result = _from_git(repo, base)
    assert (result.ai_lines, result.added_lines) == (AI_LINES, AI_LINES)
    assert result.tools == {"claude-code": AI_LINES}
