"""The intent sources a change is checked against, read as untrusted data and bounded.

- the issues the PR links (closing keywords in its description and commits, and GitHub's own linked-
  issue data, fetched by the Action into `LinkedIssues`);
- the PR's title and description;
- the spec documents that govern the changed files.

Every text is redacted, then cut to a bound, before it can reach a prompt (a secret cut first would
be a piece no detector knows); a source left out or cut is said in `notes`. The issues and the PR's
words are read as prose with config syntax, like commit messages (`MESSAGE_FILENAME`). A spec that
declares no `governs` governs the whole change, as do the PR's own words and its issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gate.analyzers.injection import find_phrases
from gate.context.model import ChangeSet
from gate.intent.refs import IssueRef, closing_refs
from gate.redact import MESSAGE_FILENAME, redact, redacted_prefix
from gate.specs import SpecSet

MAX_ISSUE_CHARS = 6_000  # title and body of one issue
MAX_PR_CHARS = 6_000
MAX_SPEC_CHARS = 12_000  # of one spec document
MAX_INTENT_CHARS = 48_000  # of all sources together, in the order issues, PR, specs
CUT = " …(truncated)"
SPEC_PREFIX = "spec "  # a spec source's name: "spec docs/specs/payments.md"


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

    def texts(self) -> list[str]:
        """Each issue's title and body: the text read from outside the change."""
        return [text for issue in self.issues for text in (issue.title, issue.body)]


@dataclass(frozen=True)
class IntentSource:
    id: str  # "S1": how prompts and requirements name it
    kind: str  # "issue" | "pull-request" | "spec"
    name: str  # "issue #12", "pull request description", "spec docs/specs/payments.md"
    text: str  # bounded and redacted
    # Globs of the paths the source governs (a spec's `governs`); None = the whole change.
    governs: tuple[str, ...] | None = None

    def governs_any(self, paths: Sequence[str], specs: SpecSet) -> bool:
        """Whether the source speaks to code at any of `paths`: by the spec set's rule (a spec document
        is not code, so no spec governs another)."""
        if self.governs is None:
            return True
        spec = specs.get(self.name.removeprefix(SPEC_PREFIX))
        return spec is not None and spec in specs.governing(paths)


@dataclass(frozen=True)
class Intent:
    sources: tuple[IntentSource, ...]
    notes: tuple[str, ...]

    def by_id(self) -> dict[str, IntentSource]:
        return {s.id: s for s in self.sources}


def _bounded(text: str, limit: int, name: str, notes: list[str], *, filename: str) -> str:
    """The text redacted (read with `filename`), then cut to `limit` characters, never through the
    [REDACTED] that stands for a secret."""
    text = redact(text.strip(), filename=filename)
    if len(text) > limit:
        notes.append(f"{name} cut to {limit:,} characters")
        text = redacted_prefix(text, limit) + CUT
    return text


def gather(changeset: ChangeSet, specs: SpecSet, linked: LinkedIssues | None) -> Intent:
    """The change's intent sources, each redacted and bounded, in a fixed order: issues, the PR, then
    the specs governing the changed files and the general ones (no `governs`: they speak to every chunk)."""
    notes: list[str] = []
    found: list[tuple[str, str, str, tuple[str, ...] | None]] = []  # (kind, name, text, governs)
    if linked is not None:
        notes.extend(linked.notes)
        for issue in linked.issues:
            name = f"issue {issue.ref}"
            text = f"Title: {issue.title}\n\n{issue.body}"
            text = _bounded(text, MAX_ISSUE_CHARS, name, notes, filename=MESSAGE_FILENAME)
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
        text = f"Title: {pr.title}\n\n{pr.body}"
        text = _bounded(text, MAX_PR_CHARS, name, notes, filename=MESSAGE_FILENAME)
        found.append(("pull-request", name, text, None))
    notes.extend(specs.notes)
    changed = [f.path for f in changeset.diff.files]
    for spec in [*specs.governing(changed), *specs.general_context]:
        name = f"{SPEC_PREFIX}{spec.path}"
        # Redacted as it was loaded (`gate.specs.load`), with its name and as prose; again with its name
        # here, for the values remembered since.
        text = _bounded(spec.text, MAX_SPEC_CHARS, name, notes, filename=spec.path)
        found.append(("spec", name, text, spec.governs or None))
    sources: list[IntentSource] = []
    left = MAX_INTENT_CHARS
    for kind, name, text, governs in found:
        if left <= 0:
            notes.append(f"{name} left out: intent sources are limited to {MAX_INTENT_CHARS:,} characters")
            continue
        if len(text) > left:
            notes.append(f"{name} cut to {left:,} characters (the intent sources' limit)")
            text = redacted_prefix(text, left) + CUT
        left -= len(text)
        notes.extend(_addressed_to_models(name, text))
        sources.append(IntentSource(f"S{len(sources) + 1}", kind, name, text, governs))
    return Intent(tuple(sources), tuple(notes))


def _addressed_to_models(name: str, text: str) -> list[str]:
    """A note for text in a source that addresses AI reviewers: it stays data, and the reader is told."""
    hits = [h for h in find_phrases(text.splitlines()) if not h.quoted_example]
    if not hits:
        return []
    return [f"{name} holds text addressed to AI reviewers ({hits[0].text[:80]!r}); it was read as data only"]
