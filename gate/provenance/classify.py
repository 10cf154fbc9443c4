"""Classify one commit as AI or human from its own marks: identities, trailers, message markers, login.

Rules (AI-ATTRIBUTION.md, SPEC 5.1):
- the author decides: an AI identity that is only the committer is not evidence (aider renames the
  committer of hand-made commits too);
- trailers are read as git reads them (trailers.py): the `Token: value` lines that end a message, or
  end a squashed commit's part of a squash (GitHub's, `git merge --squash`, `git rebase -i`); a key
  quoted in prose is no trailer. Keys match in
  any case and spacing, and an address may be malformed (`openhands openhands@...`);
- a trailer whose value must name the tool (`Made-with: Cursor`, a session link, `Assisted-by:` an AI
  tool or model) does not count for any other value (`Assisted-by: Bob Smith <bob@example.com>`);
- review, release and automation bots are recognised first and never count;
- configured `provenance.ai_identities` win over the table and report their own tool id.
Every piece of evidence quotes the exact text it was read from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from gate.config.models import AIIdentity, Provenance
from gate.context.model import Commit, Person, PullRequestInfo
from gate.provenance.model import Evidence
from gate.provenance.table import FROM_TEXT, UNKNOWN_AI, Rule, ToolTable, tool_table, trailer_key
from gate.provenance.trailers import read_trailers
from gate.redact import MESSAGE_FILENAME, cut_redacted

_ANGLE_IDENTITY = re.compile(r"^(.*?)\s*<([^<>]*)>?\s*$")
_SPACES = re.compile(r"\s+")
_COAUTHOR_KEYS = frozenset({trailer_key("Co-authored-by")})
# The kernel's `Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL...]`: a name, a colon, then the model.
_AGENT_AND_MODEL = re.compile(r"[^\s:<>@][^:<>@]*:[^\s:<>@]")

# Which kind of evidence names the tool when a commit carries several: the most direct first.
KIND_PRIORITY = {"configured identity": 0, "author": 1, "trailer": 2, "message": 3, "commit login": 4}


@dataclass(frozen=True)
class CommitClass:
    """A commit's own verdict, before PR-level signals and line-level records are combined in."""

    ai: bool
    tool: str | None
    evidence: tuple[Evidence, ...]
    notes: tuple[str, ...] = ()
    # The tool of an AI identity that appears only as committer (not evidence; said in the report).
    committer_only: str | None = None
    # An empty planning commit by an agent (Copilot's `Initial plan`): a PR-level mark, no lines.
    plan_mark: Evidence | None = None


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def parse_identity(value: str) -> Person:
    """`Name <email>`, tolerating a missing `>` or no brackets at all (`openhands openhands@x.dev`)."""
    value = _norm(value)
    m = _ANGLE_IDENTITY.match(value)
    if m and "<" in value:
        return Person(m.group(1).strip(), m.group(2).strip())
    head, _, last = value.rpartition(" ")
    if "@" in last:
        return Person(head.strip(), last.strip("<>"))
    if "@" in value and " " not in value:
        return Person("", value.strip("<>"))
    return Person(value, "")


def identity_rule(table: ToolTable, person: Person) -> Rule | None:
    """The first identity row the person's email matches, else the first their name alone matches
    (look-alikes are checked first, so a review bot never matches a broader AI row). A name is any text
    an author types: `coderabbitai <noreply@anthropic.com>` is Claude's email under a review bot's name,
    and a row of the name alone must not outrank the email's."""
    name, email = _norm(person.name), person.email.strip()
    by_name: Rule | None = None
    for rule in table.of_kind("identity"):
        if rule.name is not None and not rule.name.match(name):
            continue
        if rule.email is not None and not rule.email.match(email):
            continue
        if rule.email is not None:
            return rule
        by_name = by_name or rule
    return by_name


def _eq(configured: str | None, actual: str) -> bool:
    return configured is not None and configured.strip().lower() == actual.strip().lower()


def configured_match(entry: AIIdentity, person: Person | None, login: str | None) -> bool:
    """An entry matches when every field it sets matches (name, email, login; no case)."""
    fields = (entry.name, entry.email, entry.login)
    if all(f is None for f in fields):
        return False
    if entry.name is not None and (person is None or not _eq(entry.name, _norm(person.name))):
        return False
    if entry.email is not None and (person is None or not _eq(entry.email, person.email)):
        return False
    return entry.login is None or (login is not None and _eq(entry.login, login))


def _named_tool(value: str, table: ToolTable) -> str:
    # Kernel form `AGENT_NAME:MODEL_VERSION [TOOL...]`: the agent name first, then the whole text.
    agent = value.split(":", 1)[0]
    return table.tool_in_text(agent) or table.tool_in_text(value) or UNKNOWN_AI


MAX_QUOTE = 300  # characters of a quoted line; longer lines are cut with an ellipsis
MAX_EVIDENCE = 20  # marks quoted per commit: a message repeating a trailer does not grow the report


def _cut(line: str) -> str:
    """A line of a commit message or PR body as evidence quotes it: redacted as such text is learned
    (`MESSAGE_FILENAME`) before it is cut, so that no secret is cut into a piece no redaction knows."""
    return cut_redacted(line, MAX_QUOTE, filename=MESSAGE_FILENAME)


def line_at(message: str, pos: int) -> str:
    """The whole line around position `pos`, stripped: the exact text a marker was found in."""
    start = message.rfind("\n", 0, pos) + 1
    end = message.find("\n", pos)
    return _cut(message[start : end if end != -1 else len(message)].strip())


class _Collector:
    def __init__(self, table: ToolTable) -> None:
        self.table = table
        self.evidence: list[Evidence] = []
        self.notes: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, kind: str, text: str, tool: str, source: str = "") -> None:
        if len(self.evidence) >= MAX_EVIDENCE:
            self.note(f"more than {MAX_EVIDENCE} AI marks in the commit: the rest not quoted")
            return
        if (kind, text) not in self._seen:
            self._seen.add((kind, text))
            self.evidence.append(Evidence(kind=kind, text=text, tool=tool, source=source))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def person(self, kind: str, person: Person, text: str, config: Provenance) -> bool:
        """An author or a co-author: configured identities first, then the table. False when the
        person is no identity the table or the configuration knows."""
        for entry in config.ai_identities:
            if configured_match(entry, person, None):
                self.add("configured identity", text, entry.tool, "provenance.ai_identities")
                return True
        rule = identity_rule(self.table, person)
        if rule is None:
            return False
        if rule.counts:
            self.add(kind, text, rule.tool, rule.source)
        else:
            self.note(f"{text}: {rule.note}; not counted as AI authorship")
        return True


def classify(commit: Commit, config: Provenance, pr: PullRequestInfo | None = None) -> CommitClass:
    table = tool_table()
    out = _Collector(table)
    login = pr.commit_logins.get(commit.sha) if pr is not None else None

    author_text = str(commit.author)
    out.person("author", commit.author, author_text, config)
    if login:
        for entry in config.ai_identities:
            if entry.login is not None and configured_match(entry, commit.author, login):
                out.add("configured identity", f"login {login}", entry.tool, "provenance.ai_identities")

    committer_only: str | None = None
    if commit.committer is not None and commit.committer != commit.author:
        rule = identity_rule(table, commit.committer)
        if rule is not None and rule.counts:
            committer_only = rule.tool
            out.note(f"committer {commit.committer} matches {rule.tool}, but only the author counts")

    _scan_trailers(commit.message, out, config)
    _scan_markers(commit.message, out)

    if login:
        for rule in table.of_kind("login"):
            if rule.login is not None and rule.login.match(login):
                if rule.counts:
                    out.add("commit login", login, rule.tool, rule.source)
                else:
                    out.note(f"login {login}: {rule.note}; not counted as AI authorship")
                break

    evidence = sorted(out.evidence, key=lambda e: KIND_PRIORITY.get(e.kind, 9))
    tool = _decide_tool(evidence)
    if committer_only is not None and tool is not None:
        committer_only = None  # the commit has its own evidence; the committer changes nothing
    plan_mark = None
    for rule in table.of_kind("plan-commit"):
        if tool == rule.tool and rule.pattern is not None and rule.pattern.match(commit.subject):
            text = f"{commit.sha[:12]} {commit.subject}"
            plan_mark = Evidence("plan commit", text, rule.tool, rule.source)
            out.note(f"{commit.subject!r}: an agent's empty planning commit; it marks the PR, adds no lines")
    return CommitClass(
        ai=tool is not None,
        tool=tool,
        evidence=tuple(evidence),
        notes=tuple(out.notes),
        committer_only=committer_only,
        plan_mark=plan_mark,
    )


def classify_commit(
    commit: Commit, config: Provenance, pr: PullRequestInfo | None = None
) -> tuple[bool, str | None, tuple[Evidence, ...]]:
    """SPEC 5.1 commit verdict: (AI?, tool id, the evidence quoted exactly)."""
    result = classify(commit, config, pr)
    return result.ai, result.tool, result.evidence


def _decide_tool(evidence: list[Evidence]) -> str | None:
    if not evidence:
        return None
    best = KIND_PRIORITY.get(evidence[0].kind, 9)
    counts = Counter(e.tool for e in evidence if KIND_PRIORITY.get(e.kind, 9) == best)
    top = max(counts.values())
    # Ties go to the tool seen first.
    return next(e.tool for e in evidence if counts.get(e.tool) == top)


def _scan_trailers(message: str, out: _Collector, config: Provenance) -> None:
    trailer_rules = out.table.of_kind("trailer")
    keys = {r.key for r in trailer_rules} | _COAUTHOR_KEYS
    for trailer in read_trailers(message):
        key = trailer_key(trailer.key)
        if key not in keys:
            continue
        text, value = _cut(trailer.line.strip()), trailer.value
        if key in _COAUTHOR_KEYS:
            out.person("trailer", parse_identity(value), text, config)
            continue
        for rule in trailer_rules:
            if rule.key == key and (rule.value is None or rule.value.search(value)):
                if not rule.counts:
                    out.note(f"{text}: {rule.note}; not counted as AI authorship")
                elif rule.tool == FROM_TEXT:
                    _named_assistant(text, value, rule, out, config)
                else:
                    out.add("trailer", text, rule.tool, rule.source)
                break


def _named_assistant(text: str, value: str, rule: Rule, out: _Collector, config: Provenance) -> None:
    """A trailer that names its assistant (`Assisted-by:`) counts when the name is an AI's: an AI
    identity, the kernel's `AGENT_NAME:MODEL_VERSION`, or a known tool's name. People are credited
    with the same key (`Assisted-by: Bob Smith <bob@example.com>`), and any other value names no AI."""
    identity = parse_identity(value)
    if identity.email:
        if not out.person("trailer", identity, text, config):
            out.note(f"{text}: names a person, not an AI tool; not counted as AI authorship")
    elif _AGENT_AND_MODEL.match(value) or out.table.tool_in_text(value):
        out.add("trailer", text, _named_tool(value, out.table), rule.source)
    else:
        out.note(f"{text}: names no AI tool or model; not counted as AI authorship")


def _scan_markers(message: str, out: _Collector) -> None:
    for rule in out.table.of_kind("message"):
        assert rule.pattern is not None
        for m in rule.pattern.finditer(message):
            line = line_at(message, m.start())
            if rule.exclude is not None and rule.exclude.search(line):
                out.note(f"{line!r}: {rule.exclude_note or rule.note}")
                continue
            if rule.counts:
                out.add("message", line, rule.tool, rule.source)
            break  # one quote a marker is enough
