"""The intent sources a change is checked against, read as untrusted data and bounded.

- the issues the PR links (closing keywords in its description and commits, and GitHub's own linked-
  issue data, fetched by the Action into `LinkedIssues`);
- the PR's title and description;
- the spec documents that govern the changed files.

Every text is cut to a bound and redacted before it can reach a prompt; a source left out or cut is
said in `notes`. A spec that declares no `governs` governs the whole change, as do the PR's own words
and its issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pathspec

from gate.analyzers.injection import find_phrases
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.intent.refs import IssueRef, closing_refs
from gate.redact import redact

SERVICE = "linked_issues"  # RunContext.services key: the LinkedIssues the Action read
MAX_ISSUE_CHARS = 6_000  # title and body of one issue
MAX_PR_CHARS = 6_000
MAX_SPEC_CHARS = 12_000  # of one spec document
MAX_INTENT_CHARS = 48_000  # of all sources together, in the order issues, PR, specs
CUT = " …(truncated)"


@dataclass(frozen=True)
class LinkedIssue:
    ref: IssueRef
    title: str
    body: str
    via: str  # "closing keyword", "GitHub's linked issues", or both


@dataclass(frozen=True)
class LinkedIssues:
    """What the Action could read of the PR's linked issues, and what it could not (in `notes`)."""

    issues: tuple[LinkedIssue, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntentSource:
    id: str  # "S1": how prompts and requirements name it
    kind: str  # "issue" | "pull-request" | "spec"
    name: str  # "issue #12", "pull request description", "spec docs/specs/payments.md"
    text: str  # bounded and redacted
    # Globs of the paths the source governs; None = the whole change.
    governs: tuple[str, ...] | None = None

    def governs_any(self, paths: Sequence[str]) -> bool:
        if self.governs is None:
            return True
        spec = pathspec.PathSpec.from_lines("gitwildmatch", self.governs)
        return any(spec.match_file(p) for p in paths)


@dataclass(frozen=True)
class Intent:
    sources: tuple[IntentSource, ...]
    notes: tuple[str, ...]

    def by_id(self) -> dict[str, IntentSource]:
        return {s.id: s for s in self.sources}


def _bounded(text: str, limit: int, name: str, notes: list[str]) -> str:
    text = text.strip()
    if len(text) > limit:
        notes.append(f"{name} cut to {limit:,} characters")
        text = text[:limit] + CUT
    return text


def gather(changeset: ChangeSet, config: Config, linked: LinkedIssues | None) -> Intent:
    """The change's intent sources, each bounded and redacted, in a fixed order."""
    notes: list[str] = []
    found: list[tuple[str, str, str, tuple[str, ...] | None]] = []  # (kind, name, text, governs)
    if linked is not None:
        notes.extend(linked.notes)
        for issue in linked.issues:
            name = f"issue {issue.ref}"
            text = _bounded(f"Title: {issue.title}\n\n{issue.body}", MAX_ISSUE_CHARS, name, notes)
            found.append(("issue", name, text, None))
    else:
        refs = closing_refs(c.message for c in changeset.commits).refs
        if refs:
            shown = ", ".join(str(r) for r in refs[:5]) + (" …" if len(refs) > 5 else "")
            notes.append(
                f"linked issue(s) {shown} not read: issues are read through the GitHub API, in the Action"
            )
    pr = changeset.pr
    if pr is not None and (pr.title.strip() or pr.body.strip()):
        name = "pull request description"
        text = _bounded(f"Title: {pr.title}\n\n{pr.body}", MAX_PR_CHARS, name, notes)
        found.append(("pull-request", name, text, None))
    for path, text, governs in spec_documents(changeset, config, notes):
        name = f"spec {path}"
        found.append(("spec", name, _bounded(text, MAX_SPEC_CHARS, name, notes), governs))
    sources: list[IntentSource] = []
    left = MAX_INTENT_CHARS
    for kind, name, text, governs in found:
        if left <= 0:
            notes.append(f"{name} left out: intent sources are limited to {MAX_INTENT_CHARS:,} characters")
            continue
        if len(text) > left:
            notes.append(f"{name} cut to {left:,} characters (the intent sources' limit)")
            text = text[:left] + CUT
        left -= len(text)
        filename = name.removeprefix("spec ") if kind == "spec" else ""
        clean = redact(text, filename=filename)
        notes.extend(_addressed_to_models(name, clean))
        sources.append(IntentSource(f"S{len(sources) + 1}", kind, name, clean, governs))
    return Intent(tuple(sources), tuple(notes))


def _addressed_to_models(name: str, text: str) -> list[str]:
    """A note for text in a source that addresses AI reviewers: it stays data, and the reader is told."""
    hits = [h for h in find_phrases(text.splitlines()) if not h.quoted_example]
    if not hits:
        return []
    return [f"{name} holds text addressed to AI reviewers ({hits[0].text[:80]!r}); it was read as data only"]


def spec_documents(
    changeset: ChangeSet, config: Config, notes: list[str]
) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(path, text, governs or None) of the spec documents at head that govern the changed files, then
    the general ones (no `governs`: they speak to every chunk)."""
    from gate.specs.load import read_specs

    specs = read_specs(changeset, config)
    notes.extend(specs.notes)
    changed = [f.path for f in changeset.diff.files]
    governing = [(s.path, s.text, s.governs) for s in specs.governing(changed)]
    general = [(s.path, s.text, None) for s in specs.general_context]
    return [*governing, *general]
