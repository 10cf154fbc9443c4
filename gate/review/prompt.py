"""The review and cross-check messages: versioned system prompts, contracts, and fenced untrusted data.

System prompts live in `gate/prompts/<task>-v<N>.md`; the version (`review/1`) is recorded in every
trace line. PR text, code and other models' findings are untrusted: each block is fenced between
markers whose tag is a hash of the block (the content cannot close its own fence), declared as data in
the system prompt, and secrets are redacted by the model client before any call.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pathspec

from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.fence import data_block
from gate.models.interface import Message
from gate.redact import MESSAGE_FILENAME, redact
from gate.review.consensus import Claim, Group
from gate.review.units import Chunk, ReviewUnit
from gate.specs import SpecContext, SpecSet

REVIEW_PROMPT = "review-v1.md"
CROSS_CHECK_PROMPT = "cross_check-v1.md"
MAX_PR_TEXT_CHARS = 6_000
MAX_PR_BODY_CHARS = 3_000
MAX_COMMIT_CHARS = 1_000
MAX_COMMITS = 50


@dataclass(frozen=True)
class Prompt:
    version: str  # "review/1"
    system: str


# One entry per prompt file of gate/prompts (six today, a few KB each): read once per process.
PROMPT_FILES_CACHED = 8


@lru_cache(maxsize=PROMPT_FILES_CACHED)
def load_prompt(name: str) -> Prompt:
    text = resources.files("gate").joinpath("prompts", name).read_text(encoding="utf-8")
    task, _, version = name.removesuffix(".md").rpartition("-v")
    return Prompt(f"{task}/{version}", text)


@dataclass(frozen=True)
class Contracts:
    """What the change must keep: configured path rules (trusted, from the config) and the spec documents
    (data). Each chunk's prompt carries only the specs that govern its files, plus the small general
    context (see gate/specs)."""

    specs: SpecSet = field(default_factory=SpecSet)
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, specs: SpecSet) -> Contracts:
        return cls(specs, specs.notes)

    def for_chunk(self, chunk: Chunk) -> SpecContext:
        return self.specs.context_for(chunk.paths)


def _rules_for(config: Config, paths: Sequence[str]) -> list[str]:
    rules = []
    for rule in config.paths.instructions:
        spec = pathspec.PathSpec.from_lines("gitwildmatch", [rule.path])
        if any(spec.match_file(p) for p in paths):
            rules.append(f"- files matching `{rule.path}`: {rule.rules}")
    return rules


@dataclass(frozen=True)
class PrText:
    """The PR's own words shown to reviewers: its title and description, and the messages of the commits
    that added lines in a chunk's files. A commit that touched none of them is noise that every chunk
    would pay for, so each chunk gets only its own."""

    head: str  # title and description
    commits: tuple[tuple[str, frozenset[str]], ...] = ()  # (rendered message, paths it added lines to)

    def for_paths(self, paths: Sequence[str]) -> str:
        wanted = set(paths)
        parts = [self.head] if self.head else []
        parts += [text for text, touched in self.commits if touched & wanted]
        text = "\n\n".join(parts)
        return text[:MAX_PR_TEXT_CHARS] + (" …(truncated)" if len(text) > MAX_PR_TEXT_CHARS else "")

    @property
    def longest(self) -> str:
        """Everything a chunk could be shown: what the chunk budget must leave room for."""
        return self.for_paths([p for _, touched in self.commits for p in touched])


def _redacted(text: str) -> str:
    """PR words with their secrets hidden before any cut: a cut through a secret would leave a piece
    that no detector recognises and that the redaction of the whole prompt could no longer find."""
    return redact(text, filename=MESSAGE_FILENAME)


def pr_text(changeset: ChangeSet) -> PrText:
    """The PR's words, redacted, then cut to their limits (each piece and, per chunk, the whole)."""
    head = ""
    if changeset.pr is not None and (changeset.pr.title or changeset.pr.body):
        body = _redacted(changeset.pr.body.strip())
        if len(body) > MAX_PR_BODY_CHARS:
            body = body[:MAX_PR_BODY_CHARS] + " …(truncated)"
        head = f"Title: {_redacted(changeset.pr.title)}\n\n{body}".strip()
    touched: dict[str, set[str]] = {}
    for path, lines in changeset.line_origins.items():
        for sha in set(lines.values()):
            touched.setdefault(sha, set()).add(path)
    commits = []
    for commit in changeset.commits[:MAX_COMMITS]:
        message = _redacted(commit.message.strip())
        if len(message) > MAX_COMMIT_CHARS:
            message = message[:MAX_COMMIT_CHARS] + " …(truncated)"
        commits.append((f"Commit {commit.sha[:12]}: {message}", frozenset(touched.get(commit.sha, ()))))
    return PrText(head, tuple(commits))


def review_messages(chunk: Chunk, config: Config, contracts: Contracts, pr: PrText) -> tuple[Message, ...]:
    prompt = load_prompt(REVIEW_PROMPT)
    sections: list[str] = []
    rules = _rules_for(config, chunk.paths)
    if rules:
        sections.append(
            "Contracts from the repository's configuration that this change must keep:\n" + "\n".join(rules)
        )
    for spec, text in contracts.for_chunk(chunk).sections:
        sections.append(
            data_block(text, f"Specification document `{spec.path}` (the contract the code must keep)")
        )
    words = pr.for_paths(chunk.paths)
    if words:
        sections.append(data_block(words, "Pull request description and commit messages (context only)"))
    sections.append(data_block(chunk.text, f"The code to review ({len(chunk.units)} hunks)"))
    sections.append('Report your findings as the `review` JSON object; `{"findings": []}` if there are none.')
    return (Message("system", prompt.system), Message("user", "\n\n".join(sections)))


MARGIN_LINES = 4  # rows shown around a finding's lines in the cross-check


def finding_excerpts(groups: Sequence[Group | Claim], units: Sequence[ReviewUnit] | Excerpts) -> str:
    """Only the rows each finding points at, with a small margin, from the units that hold them: a
    checker needs the lines in question, not the whole hunk (nor a whole chunk per finding)."""
    return (units if isinstance(units, Excerpts) else Excerpts(units)).of(groups)


@dataclass(frozen=True)
class _Shown:
    order: int  # the unit's place among all units: excerpts come in diff order
    unit: ReviewUnit
    numbers: tuple[int | None, ...]  # each row's new-side line number (None: a removed row)
    first: int  # the lowest and highest numbered rows, to pass over a unit no finding comes near
    last: int


class Excerpts:
    """The units of a round indexed once by path and line range, so that each cross-check batch reads
    only the units its findings fall in (every batch used to scan every unit of the change)."""

    def __init__(self, units: Sequence[ReviewUnit]) -> None:
        self._by_path: dict[str, list[_Shown]] = {}
        for order, unit in enumerate(units):
            numbers = tuple(no for no, _ in unit.rows)
            numbered = [no for no in numbers if no is not None]
            if numbered:  # a unit with no numbered row never shows a finding's lines
                shown = _Shown(order, unit, numbers, min(numbered), max(numbered))
                self._by_path.setdefault(unit.path, []).append(shown)

    def of(self, groups: Sequence[Group | Claim]) -> str:
        wanted: dict[str, list[tuple[int, int]]] = {}
        for g in groups:
            f = g.lead.finding
            lo, hi = sorted((f.start_line, f.end_line))
            wanted.setdefault(f.path, []).append((lo - MARGIN_LINES, hi + MARGIN_LINES))
        blocks: list[tuple[int, str]] = []
        for path, spans in wanted.items():
            for shown in self._by_path.get(path, ()):
                near = [(lo, hi) for lo, hi in spans if lo <= shown.last and hi >= shown.first]
                if near:
                    block = _excerpt(shown, near)
                    if block:
                        blocks.append((shown.order, block))
        return "\n\n".join(block for _, block in sorted(blocks, key=lambda b: b[0]))


def _excerpt(shown: _Shown, spans: Sequence[tuple[int, int]]) -> str:
    numbers = shown.numbers
    keep = [no is not None and any(lo <= no <= hi for lo, hi in spans) for no in numbers]
    # A removed row (no new-side number) goes with a kept numbered row just before or after it.
    near = list(keep)
    for order in (range(len(keep)), range(len(keep) - 1, -1, -1)):
        last = False
        for i in order:
            if numbers[i] is None:
                near[i] = near[i] or last
            else:
                last = keep[i]
    rows = [row for (_, row), k in zip(shown.unit.rows, near, strict=True) if k]
    if not rows:
        return ""
    return shown.unit.text.split("\n", 1)[0] + "\n" + "\n".join(rows)


def cross_check_messages(
    groups: Sequence[Group | Claim], units: Sequence[ReviewUnit] | Excerpts
) -> tuple[Message, ...]:
    """The cross-check of `groups`, each shown as its lead finding with the severity its raisers gave it:
    an agreement stands behind the finding at that severity."""
    prompt = load_prompt(CROSS_CHECK_PROMPT)
    findings = [
        {
            "id": g.id,
            "path": g.lead.finding.path,
            "start_line": g.lead.finding.start_line,
            "end_line": g.lead.finding.end_line,
            "severity": g.lead.finding.severity,
            "category": g.lead.finding.category,
            "title": g.lead.finding.title,
            "body": g.lead.finding.body,
        }
        for g in groups
    ]
    code = finding_excerpts(groups, units) or "(the code is not available)"
    listing = "\n".join(json.dumps(f, ensure_ascii=False) for f in findings)
    user = "\n\n".join(
        [
            data_block(code, "The code the findings point at"),
            data_block(listing, f"The findings to check ({len(findings)}), one JSON object a line"),
            "Answer with the `cross_check` JSON object: one verdict for each id above.",
        ]
    )
    return (Message("system", prompt.system), Message("user", user))
