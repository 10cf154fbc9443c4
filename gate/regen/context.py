"""What a model is shown to re-generate a region, or to compare two versions of it.

Untrusted text from the pull request (code, titles, bodies, commit messages) is redacted of secrets and
fenced; the system prompts, kept as versioned files in `gate/prompts/`, declare fenced text as data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gate.context.lines import git_lines
from gate.context.model import ChangeSet
from gate.diff.model import FileStatus, LineKind
from gate.fence import fence
from gate.models.interface import Message
from gate.redact import MESSAGE_FILENAME, redact
from gate.regen.selection import Region
from gate.review.prompt import Prompt, load_prompt

# Lines of file shown on each side of the region: enough to see the enclosing function and its neighbours.
CONTEXT_LINES = 60
MAX_INTENT_CHARS = 4000
# Lines of surrounding code a model may repeat around its answer (a def line, a closing brace).
ECHO_LINES = 5
MAX_COMMIT_MESSAGES = 5
REGION_START = ">>> REGION START: the change rewrites the lines between the markers <<<"
REGION_END = ">>> REGION END <<<"
REGION_HOLE = ">>> REGION: the code to write goes here <<<"
MARKERS = frozenset({REGION_START, REGION_END, REGION_HOLE})

# Prompt files are named `<task>-v<version>.md`; a changed prompt is a new file, and the version goes
# with every call into the trace.
REGEN_PROMPT = "regen-v1.md"
EQUIVALENCE_PROMPT = "equivalence-v1.md"


@dataclass(frozen=True)
class RegenPrompt:
    prompt: Prompt
    messages: tuple[Message, ...]
    # What the samples depend on, without the path and line numbers: identical regions in identical
    # surroundings (copied files, repeated blocks) share one set of samples within a run.
    content_key: str
    # The code just before and after the region: a sample that repeats it is trimmed back to the region.
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


def regeneration_prompt(region: Region, changeset: ChangeSet) -> RegenPrompt:
    prompt = load_prompt(REGEN_PROMPT)
    body = [
        "## The file before the change, with the region marked",
        fence(redact(_base_view(region, changeset), filename=region.path), region.language),
        "",
        "## The code around the region after the change",
        fence(redact(_head_view(region, changeset), filename=region.path), region.language),
        *_intent(region, changeset),
        "",
        "## Task",
        f"Write the code that belongs at `{REGION_HOLE}`: it replaces what stood between the markers before "
        'the change. Answer with JSON {"code": "..."}.',
    ]
    header = (
        f"File: `{region.path}` (language: {region.language}); the region is lines "
        f"{region.start_line}-{region.end_line} of the changed file.\n\n"
    )
    text = "\n".join(body)
    key = hashlib.sha256(
        "\x1f".join((prompt.version, region.language, region.code, text)).encode()
    ).hexdigest()
    messages = (Message("system", prompt.system), Message("user", header + text))
    before, after, _ = _head_around(region, changeset)
    return RegenPrompt(prompt, messages, key, tuple(before[-ECHO_LINES:]), tuple(after[:ECHO_LINES]))


def equivalence_messages(
    region: Region, changeset: ChangeSet, submitted: str, regenerated: str
) -> tuple[Prompt, tuple[Message, ...]]:
    prompt = load_prompt(EQUIVALENCE_PROMPT)
    parts = [
        f"File: `{region.path}` (language: {region.language}), lines {region.start_line}-{region.end_line}.",
        "",
        "## The code around the region",
        fence(redact(_head_view(region, changeset), filename=region.path), region.language),
        "",
        "## Version A (submitted)",
        fence(redact(submitted, filename=region.path), region.language),
        "",
        "## Version B (re-generated)",
        fence(redact(regenerated, filename=region.path), region.language),
        "",
        'Do A and B behave the same? Answer with JSON {"equivalent": ..., "difference": "..."}.',
    ]
    return prompt, (Message("system", prompt.system), Message("user", "\n".join(parts)))


def _base_view(region: Region, changeset: ChangeSet) -> str:
    """The base file around the region, the replaced lines between markers (the hunk alone if no base)."""
    change = changeset.diff.by_path.get(region.path)
    base: str | None = None
    if changeset.revisions is not None and change is not None and change.status is not FileStatus.ADDED:
        base = changeset.revisions.read("base", change.old_path or region.path)
    old_region = region.old_code.split("\n")[:-1]  # the diff's lines, each ended by LF
    if base is None:
        if change is not None and change.status is FileStatus.ADDED:
            return "(the file is new in this change)"
        before = [line.text for line in region.hunk.lines if line.kind is LineKind.CONTEXT
                  and line.old_no is not None and line.old_no < region.old_start]  # fmt: skip
        after_start = region.old_start + len(old_region)
        after = [line.text for line in region.hunk.lines if line.kind is LineKind.CONTEXT
                 and line.old_no is not None and line.old_no >= after_start]  # fmt: skip
        return "\n".join(["(only the lines around the change are known)", *before, REGION_START,
                          *old_region, REGION_END, *after])  # fmt: skip
    lines = git_lines(base)
    start = region.old_start - 1
    end = start + len(old_region)
    marked = [REGION_START, *lines[start:end], REGION_END]
    return "\n".join([*_window_before(lines, start), *marked, *_window_after(lines, end)])


def _head_view(region: Region, changeset: ChangeSet) -> str:
    """The changed file around the region, the region itself replaced by a marker line."""
    before, after, whole = _head_around(region, changeset)
    if not whole:
        return "\n".join(["(only the lines around the change are known)", *before, REGION_HOLE, *after])
    return "\n".join([*before, REGION_HOLE, *after])


def _head_around(region: Region, changeset: ChangeSet) -> tuple[list[str], list[str], bool]:
    """Lines of the changed file before and after the region, and whether they come from the whole file."""
    head = changeset.revisions.read("head", region.path) if changeset.revisions is not None else None
    if head is None:
        before = [line.text for line in region.hunk.lines
                  if line.new_no is not None and line.new_no < region.start_line]  # fmt: skip
        after = [line.text for line in region.hunk.lines
                 if line.new_no is not None and line.new_no > region.end_line]  # fmt: skip
        return before, after, False
    lines = git_lines(head)
    start, end = region.start_line - 1, region.end_line
    return _window_before(lines, start), _window_after(lines, end), True


def code_around(region: Region, changeset: ChangeSet) -> str:
    """The changed file's code around the region that can read what the region binds: the rest of the
    top-level block that encloses it (a function, a class) and the file's other top-level lines, where
    the names an assignment in a function may reach are declared (a module-level `let`, a package
    variable); the diff's lines around the region when the file is not at hand."""
    head = changeset.revisions.read("head", region.path) if changeset.revisions is not None else None
    if head is None:
        before, after, _ = _head_around(region, changeset)
        return "\n".join([*before, *after])
    lines = git_lines(head)
    start, end = region.start_line - 1, region.end_line
    first = start
    while first > 0 and not _at_top_level(lines[first]):
        first -= 1
    last = end
    while last < len(lines) and not (_at_top_level(lines[last]) and not _closes_block(lines[last])):
        last += 1
    declarations = [line for line in (*lines[:first], *lines[last:]) if _at_top_level(line)]
    return "\n".join([*declarations, *lines[first:start], *lines[end:last]])


def _at_top_level(line: str) -> bool:
    return bool(line.strip()) and not line[0].isspace()


def _closes_block(line: str) -> bool:
    """A top-level line that ends the block above it (`}`, `end`) rather than starting another."""
    return line.lstrip().startswith(("}", ")", "]")) or line.strip() in ("end", "esac", "fi", "done")


def _window_before(lines: list[str], start: int) -> list[str]:
    first = max(0, start - CONTEXT_LINES)
    return ([f"... ({first} lines above not shown)"] if first else []) + lines[first:start]


def _window_after(lines: list[str], end: int) -> list[str]:
    last = min(len(lines), end + CONTEXT_LINES)
    rest = len(lines) - last
    return lines[end:last] + ([f"... ({rest} lines below not shown)"] if rest else [])


def _intent(region: Region, changeset: ChangeSet) -> list[str]:
    """What the change is for: the PR's title and body, the messages of the commits that wrote the region."""
    parts: list[str] = []
    pr = changeset.pr
    if pr is not None and (pr.title or pr.body):
        parts += ["", "## What the pull request says it does"]
        text = f"Title: {pr.title}\n\n{pr.body}".strip()
        parts.append(fence(redact(text, filename=MESSAGE_FILENAME)[:MAX_INTENT_CHARS]))
    origins = changeset.line_origins.get(region.path, {})
    shas: list[str] = []
    for line_no in range(region.start_line, region.end_line + 1):
        sha = origins.get(line_no)
        if sha is not None and sha not in shas:
            shas.append(sha)
    commits = changeset.commit_by_sha
    messages = [commits[sha].message.strip() for sha in shas if sha in commits][:MAX_COMMIT_MESSAGES]
    if messages:
        parts += ["", "## Messages of the commits that wrote the region"]
        text = "\n\n---\n\n".join(redact(m, filename=MESSAGE_FILENAME)[:MAX_INTENT_CHARS] for m in messages)
        parts.append(fence(text))
    return parts
