"""PR-level signals (author login, labels, branch, body markers) and how they combine with commits.

The GitHub integration fills `PullRequestInfo`; local runs have none. The rules:

1. A label from `provenance.ai_labels` marks the whole PR as AI: every commit without its own AI
   evidence, and every added line with no commit, is AI. The tool is the PR's tool mark if there is
   one, else `unknown-ai`; the label is quoted as the evidence.
2. A PR-level tool mark (an AI bot as PR author, a body marker such as `Link to Devin run`, a branch
   named in an agent's own shape, an agent's empty planning commit) attributes to that tool the
   commits *by the PR author* that have no evidence of their own. "By the PR author" is read from
   the commit's login (`PullRequestInfo.commit_logins`), else from a GitHub noreply author address;
   a commit whose author cannot be told stays human and the notes say so. Commits by anyone else
   stay human.
3. A commit's own evidence always wins over PR-level marks (its tool is kept), and line-level
   records (git-ai notes, Agent Trace) win over both for the lines they cover.
Look-alikes (review bots as PR author, `codex/` branches) are never marks; the notes say so. Nor is
a branch that only starts like an agent's: people name branches `<name>/<topic>`, and Devin Okafor's
`devin/retry-backoff` is not `devin/<unix-ts>-<slug>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gate.config.models import Provenance
from gate.context.model import Commit, PullRequestInfo
from gate.provenance.classify import line_at as _line_at
from gate.provenance.model import Evidence
from gate.provenance.table import UNKNOWN_AI, tool_table

_NOREPLY = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass(frozen=True)
class PullRequestSignals:
    evidence: tuple[Evidence, ...] = ()  # every PR-level mark found, strongest first
    tool: str | None = None  # the tool the PR-level marks name, if any
    whole_pr: Evidence | None = None  # an `ai_labels` label: the whole PR is AI
    notes: tuple[str, ...] = ()

    @property
    def marks(self) -> tuple[Evidence, ...]:
        """The evidence quoted for a commit that PR-level signals attribute."""
        chosen = [e for e in self.evidence if e.tool == self.tool][:1]
        if self.whole_pr is not None:
            chosen.insert(0, self.whole_pr)
        return tuple(chosen)


def reads_label(label: str, config: Provenance) -> bool:
    """Whether `pr_signals` reads this label: one of `provenance.ai_labels`, or a label the tool table
    names (matched as there, case and surrounding spaces aside)."""
    key = label.strip().lower()
    if key in {wanted.strip().lower() for wanted in config.ai_labels}:
        return True
    return any(rule.label == key for rule in tool_table().of_kind("label"))


def _login_key(login: str) -> str:
    return login.strip().lower().removesuffix("[bot]")


def pr_signals(
    pr: PullRequestInfo | None, config: Provenance, plan_marks: Iterable[Evidence] = ()
) -> PullRequestSignals:
    """Read the PR's marks, strongest first: author login, body, planning commit, branch, labels."""
    table = tool_table()
    evidence: list[Evidence] = []
    notes: list[str] = []
    whole_pr: Evidence | None = None
    plan = list(plan_marks)
    if pr is None:
        return PullRequestSignals(evidence=tuple(plan), tool=plan[0].tool if plan else None)

    login = pr.author_login.strip()
    if login:
        configured = [e for e in config.ai_identities if e.login and e.login.strip().lower() == login.lower()]
        if configured:
            evidence.append(Evidence("PR author", login, configured[0].tool, "provenance.ai_identities"))
        else:
            for rule in table.of_kind("login"):
                if rule.login is not None and rule.login.match(login):
                    if rule.counts:
                        evidence.append(Evidence("PR author", login, rule.tool, rule.source))
                    else:
                        notes.append(f"PR author {login}: {rule.note}; not an AI mark")
                    break
    for rule in table.of_kind("pr-body"):
        assert rule.pattern is not None
        m = rule.pattern.search(pr.body)
        if m is not None:
            evidence.append(Evidence("PR body", _line_at(pr.body, m.start()), rule.tool, rule.source))
    evidence.extend(plan)
    branch = pr.head_branch.strip()
    for rule in table.of_kind("branch"):
        if branch.lower().startswith(rule.prefix):
            if rule.shape is not None and not rule.shape.match(branch):
                notes.append(
                    f"branch {branch}: not in the shape {rule.tool} names its branches; not an AI mark"
                )
            elif rule.counts:
                evidence.append(Evidence("PR branch", branch, rule.tool, rule.source))
            else:
                notes.append(f"branch {branch}: {rule.note}")
            break
    wanted = {label.strip().lower() for label in config.ai_labels}
    for label in pr.labels:
        key = label.strip().lower()
        if key in wanted and whole_pr is None:
            whole_pr = Evidence("PR label", label, UNKNOWN_AI, "provenance.ai_labels")
        for rule in table.of_kind("label"):
            if rule.label == key:
                evidence.append(Evidence("PR label", label, rule.tool, rule.source))
    tool = evidence[0].tool if evidence else None
    if whole_pr is not None:
        whole_pr = Evidence(whole_pr.kind, whole_pr.text, tool or UNKNOWN_AI, whole_pr.source)
    all_evidence = ((whole_pr,) if whole_pr is not None else ()) + tuple(evidence)
    return PullRequestSignals(evidence=all_evidence, tool=tool, whole_pr=whole_pr, notes=tuple(notes))


def by_pr_author(commit: Commit, pr: PullRequestInfo | None) -> bool | None:
    """Whether the PR author wrote the commit: True, False, or None when it cannot be told."""
    if pr is None or not pr.author_login.strip():
        return None
    want = _login_key(pr.author_login)
    login = pr.commit_logins.get(commit.sha)
    if login:
        return _login_key(login) == want
    m = _NOREPLY.match(commit.author.email.strip())
    if m is not None:
        return _login_key(m.group(1)) == want
    return None
