"""The review and cross-check messages: versioned system prompts, contracts, and fenced untrusted data.

System prompts live in `gate/prompts/<task>-v<N>.md`; the version (`review/1`) is recorded in every
trace line. PR text, code and other models' findings are untrusted: each block is fenced between
markers whose tag is a hash of the block (the content cannot close its own fence), declared as data in
the system prompt, and secrets are redacted by the model client before any call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pathspec

from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.models.interface import Message
from gate.review.consensus import Group
from gate.review.units import Chunk, ReviewUnit

REVIEW_PROMPT = "review-v1.md"
CROSS_CHECK_PROMPT = "cross_check-v1.md"
MAX_PR_TEXT_CHARS = 6_000
MAX_SPEC_CHARS = 24_000
MAX_COMMITS = 50


@dataclass(frozen=True)
class Prompt:
    version: str  # "review/1"
    system: str


@lru_cache(maxsize=8)
def load_prompt(name: str) -> Prompt:
    text = resources.files("gate").joinpath("prompts", name).read_text(encoding="utf-8")
    task, _, version = name.removesuffix(".md").rpartition("-v")
    return Prompt(f"{task}/{version}", text)


def fence(text: str, what: str) -> str:
    tag = hashlib.sha256(text.encode()).hexdigest()[:12]
    # A forged marker inside the data is neutralised; the real one carries the hash of this block.
    safe = text.replace("=====END UNTRUSTED DATA", "=====END-UNTRUSTED-DATA (quoted)")
    return (
        f"{what}:\n=====BEGIN UNTRUSTED DATA {tag}=====\n{safe.rstrip()}\n=====END UNTRUSTED DATA {tag}====="
    )


@dataclass(frozen=True)
class Contracts:
    """What the change must keep: configured path rules (trusted) and spec documents (data)."""

    specs: tuple[tuple[str, str], ...]  # (path, text)
    notes: tuple[str, ...]

    @classmethod
    def gather(cls, changeset: ChangeSet, config: Config) -> Contracts:
        if not config.specs:
            return cls((), ())
        if changeset.revisions is None:
            return cls((), ("spec documents not available: the change came without its repository",))
        spec = pathspec.PathSpec.from_lines("gitwildmatch", config.specs)
        found: list[tuple[str, str]] = []
        notes: list[str] = []
        left = MAX_SPEC_CHARS
        for path in sorted(p for p in changeset.revisions.list_files("head") if spec.match_file(p)):
            text = changeset.revisions.read("head", path) or ""
            if left <= 0:
                notes.append(
                    f"spec {path} left out: spec documents are limited to {MAX_SPEC_CHARS} characters"
                )
                continue
            if len(text) > left:
                notes.append(f"spec {path} truncated to {left} characters")
                text = text[:left]
            left -= len(text)
            found.append((path, text))
        if not found:
            notes.append("no file matches the configured specs globs")
        return cls(tuple(found), tuple(notes))


def _rules_for(config: Config, paths: Sequence[str]) -> list[str]:
    rules = []
    for rule in config.paths.instructions:
        spec = pathspec.PathSpec.from_lines("gitwildmatch", [rule.path])
        if any(spec.match_file(p) for p in paths):
            rules.append(f"- files matching `{rule.path}`: {rule.rules}")
    return rules


def pr_text(changeset: ChangeSet) -> str:
    parts: list[str] = []
    if changeset.pr is not None and (changeset.pr.title or changeset.pr.body):
        parts.append(f"Title: {changeset.pr.title}\n\n{changeset.pr.body}".strip())
    for commit in changeset.commits[:MAX_COMMITS]:
        parts.append(f"Commit {commit.sha[:12]}: {commit.message.strip()}")
    text = "\n\n".join(parts)
    return text[:MAX_PR_TEXT_CHARS] + (" …(truncated)" if len(text) > MAX_PR_TEXT_CHARS else "")


def review_messages(chunk: Chunk, config: Config, contracts: Contracts, pr: str) -> tuple[Message, ...]:
    prompt = load_prompt(REVIEW_PROMPT)
    sections: list[str] = []
    rules = _rules_for(config, chunk.paths)
    if rules:
        sections.append(
            "Contracts from the repository's configuration that this change must keep:\n" + "\n".join(rules)
        )
    for path, text in contracts.specs:
        sections.append(fence(text, f"Specification document `{path}` (the contract the code must keep)"))
    if pr:
        sections.append(fence(pr, "Pull request description and commit messages (context only)"))
    sections.append(fence(chunk.text, f"The code to review ({len(chunk.units)} hunks)"))
    sections.append('Report your findings as the `review` JSON object; `{"findings": []}` if there are none.')
    return (Message("system", prompt.system), Message("user", "\n\n".join(sections)))


NEAR_LINES = 20


def _near(unit: ReviewUnit, spans: Mapping[str, Sequence[tuple[int, int]]]) -> bool:
    """The units a finding points into (or close to): the code a checker needs, not the whole file."""
    return any(
        unit.start_line - NEAR_LINES <= end and start <= unit.end_line + NEAR_LINES
        for start, end in spans.get(unit.path, ())
    )


def _finding_spans(groups: Sequence[Group]) -> dict[str, list[tuple[int, int]]]:
    """Each group's lines by path, so that a unit is compared with the findings on its own file only."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for group in groups:
        f = group.lead.finding
        spans.setdefault(f.path.removeprefix("./"), []).append((f.start_line, f.end_line))
    return spans


def cross_check_messages(groups: Sequence[Group], units: Sequence[ReviewUnit]) -> tuple[Message, ...]:
    prompt = load_prompt(CROSS_CHECK_PROMPT)
    spans = _finding_spans(groups)
    findings = [
        {
            "id": g.id,
            "path": g.lead.finding.path,
            "start_line": g.lead.finding.start_line,
            "end_line": g.lead.finding.end_line,
            "category": g.lead.finding.category,
            "title": g.lead.finding.title,
            "body": g.lead.finding.body,
        }
        for g in groups
    ]
    code = "\n\n".join(u.text for u in units if _near(u, spans)) or "(the code is not available)"
    listing = "\n".join(json.dumps(f, ensure_ascii=False) for f in findings)
    user = "\n\n".join(
        [
            fence(code, "The code the findings point at"),
            fence(listing, f"The findings to check ({len(findings)}), one JSON object a line"),
            "Answer with the `cross_check` JSON object: one verdict for each id above.",
        ]
    )
    return (Message("system", prompt.system), Message("user", user))
