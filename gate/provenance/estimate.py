"""Combine commit classification, PR-level signals and line-level records into the AI share.

Order of precedence, weakest first (pull_request.py documents the PR rules):
1. each added line belongs to the commit in `line_origins` (a line with no origin belongs to the last
   commit that added lines to its file, else to no commit);
2. the commit's own evidence (classify.py) or, failing that, PR-level signals decide whether its
   lines are AI and which tool wrote them; a line with no commit is AI only under an `ai_labels` label;
3. line-level records (Agent Trace files, git-ai notes; a git-ai note wins over an Agent Trace record
   for the same line) mark AI the lines they cover that steps 1-2 left human. They arrive with the
   change, so they only ever add AI attribution: a record calling human a line that commit-level
   evidence, a PR label or a configured identity attributes to AI is disregarded, and the report
   says so. Untracked lines keep the commit-level verdict.
`ai_share = ai_lines / added_lines` (0 when nothing is added); `code_ai_share` is the same over the
lines of files that are not documentation, the share the thresholds read by default.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress

from gate.config.models import Provenance
from gate.context.model import ChangeSet, Commit
from gate.provenance.classify import CommitClass, classify
from gate.provenance.doc_files import is_documentation
from gate.provenance.line_marks import line_marks, line_owners
from gate.provenance.model import CommitAttribution, Evidence, ProvenanceResult
from gate.provenance.pull_request import PullRequestSignals, by_pr_author, pr_signals

MAX_LINE_EVIDENCE = 6  # line-level records quoted per commit; the rest are counted in its notes

_BASIS = {
    "configured identity": "configured identities",
    "author": "author identities",
    "trailer": "commit trailers",
    "message": "commit message markers",
    "commit login": "commit author logins",
    "PR label": "PR labels",
    "PR author": "PR-level marks",
    "PR body": "PR-level marks",
    "PR branch": "PR-level marks",
    "plan commit": "PR-level marks",
    "git-ai note": "git-ai notes",
    "agent trace": "Agent Trace records",
}


@dataclass(frozen=True)
class _Verdict:
    tool: str | None  # None = human
    evidence: tuple[Evidence, ...]


def _verdicts(
    commits: tuple[Commit, ...],
    classes: Mapping[str, CommitClass],
    signals: PullRequestSignals,
    changeset: ChangeSet,
    notes: list[str],
) -> dict[str, _Verdict]:
    out: dict[str, _Verdict] = {}
    unknown_author = attributed = 0
    for c in commits:
        cls = classes[c.sha]
        if cls.ai:
            out[c.sha] = _Verdict(cls.tool, cls.evidence)
        elif signals.whole_pr is not None:
            out[c.sha] = _Verdict(signals.whole_pr.tool, signals.marks)
        elif signals.tool is not None:
            who = by_pr_author(c, changeset.pr)
            if who:
                attributed += 1
                out[c.sha] = _Verdict(signals.tool, signals.marks)
            else:
                if who is None and changeset.pr is not None:
                    unknown_author += 1
                out[c.sha] = _Verdict(None, ())
        else:
            out[c.sha] = _Verdict(None, ())
    if attributed:
        notes.append(
            f"{_count(attributed, 'commit', 'commits')} by the PR author with no marks of their own "
            f"attributed to {signals.tool} by the PR-level marks"
        )
    if unknown_author:
        notes.append(
            f"{_count(unknown_author, 'commit', 'commits')} with no marks of their own could not be matched "
            "to the PR author: counted human"
        )
    return out


def estimate(changeset: ChangeSet, config: Provenance) -> ProvenanceResult:
    commits = changeset.commits
    order = {c.sha: i for i, c in enumerate(commits)}
    classes = {c.sha: classify(c, config, changeset.pr) for c in commits}
    plan_marks = [cls.plan_mark for cls in classes.values() if cls.plan_mark is not None]
    signals = pr_signals(changeset.pr, config, plan_marks)
    notes: list[str] = list(signals.notes)
    verdicts = _verdicts(commits, classes, signals, changeset, notes)
    owners = line_owners(changeset, order)
    marks = line_marks(changeset, owners, notes)

    sha_tool = {sha: v.tool for sha, v in verdicts.items()}
    loose_tool = signals.whole_pr.tool if signals.whole_pr is not None else None
    added_by: Counter[str | None] = Counter()
    ai_by: Counter[str | None] = Counter()
    tools: Counter[str] = Counter()
    line_tools: dict[str, Counter[str]] = defaultdict(Counter)
    line_evidence: dict[str, list[Evidence]] = defaultdict(list)
    ai_line_map: dict[str, frozenset[int]] = {}
    human_attested = no_origin = 0
    # (owner, record kind, record source) -> lines a record called human against AI attribution
    overruled: Counter[tuple[str | None, str, str]] = Counter()
    used_kinds: set[str] = set()
    # The tool of each owner (None = the lines with no commit); owners without a tool are human.
    owner_tool: dict[str | None, str] = {s: t for s, t in sha_tool.items() if t is not None}
    if loose_tool is not None:
        owner_tool[None] = loose_tool
    for path, (added, owner) in owners.items():
        per_owner = Counter(owner)
        added_by.update(per_owner)
        no_origin += per_owner.get(None, 0)
        file_marks = marks.get(path)
        if not file_marks:
            # The common case, kept free of per-line Python work: whole owners are AI or not.
            ai_owners = [s for s in per_owner if s in owner_tool]
            for s in ai_owners:
                ai_by[s] += per_owner[s]
                tools[owner_tool[s]] += per_owner[s]
            if len(ai_owners) == len(per_owner):
                ai_line_map[path] = frozenset(added)
            elif ai_owners:
                ai_line_map[path] = frozenset(compress(added, map(owner_tool.__contains__, owner)))
            continue
        ai_lines: list[int] = []
        for n, s in zip(added, owner, strict=True):
            tool = sha_tool.get(s) if s else loose_tool
            mark = file_marks.get(n)
            if mark is None:
                pass
            elif tool is not None:
                # A record the PR supplied never takes AI attribution away, nor renames its tool.
                if mark.tool is None:
                    overruled[(s, mark.evidence.kind, mark.evidence.source)] += 1
            elif mark.tool is None:
                human_attested += 1
            else:
                tool = mark.tool
                used_kinds.add(mark.evidence.kind)
                if s is not None:
                    line_tools[s][tool] += 1
                    if mark.evidence not in line_evidence[s]:
                        line_evidence[s].append(mark.evidence)
            if tool is not None:
                ai_lines.append(n)
                ai_by[s] += 1
                tools[tool] += 1
        if ai_lines:
            ai_line_map[path] = frozenset(ai_lines)
    code_added = code_ai = 0
    for path, (added, _) in owners.items():
        if not is_documentation(path):
            code_added += len(added)
            code_ai += len(ai_line_map.get(path, ()))

    attributions = []
    for c in commits:
        v, cls = verdicts[c.sha], classes[c.sha]
        extra = line_evidence.get(c.sha, [])
        tool = v.tool or (line_tools[c.sha].most_common(1)[0][0] if line_tools.get(c.sha) else None)
        commit_notes = list(cls.notes)
        if len(extra) > MAX_LINE_EVIDENCE:
            commit_notes.append(f"{len(extra) - MAX_LINE_EVIDENCE} more line-level records not quoted")
        if v.tool is not None or ai_by[c.sha]:
            used_kinds.update(e.kind for e in v.evidence)
        attributions.append(
            CommitAttribution(
                sha=c.sha,
                subject=c.subject,
                ai=tool is not None,
                tool=tool,
                evidence=v.evidence + tuple(extra[:MAX_LINE_EVIDENCE]),
                added_lines=added_by[c.sha],
                ai_lines=ai_by[c.sha],
                notes=tuple(commit_notes),
            )
        )
    if loose_tool is not None and ai_by[None]:
        used_kinds.add("PR label")
    disregarded = _disregarded(overruled, verdicts, signals)
    notes.extend(disregarded)
    notes.extend(_summary_notes(attributions, classes, no_origin, human_attested, changeset))
    total = sum(added_by.values())
    ai_total = sum(ai_by.values())
    rank = list(_BASIS)
    ordered = sorted(used_kinds, key=lambda k: rank.index(k) if k in rank else len(rank))
    basis = tuple(dict.fromkeys(_BASIS.get(k, k) for k in ordered))
    if not basis:
        basis = ("commit metadata: no AI marks found",) if commits else ("no commit metadata (plain diff)",)
    return ProvenanceResult(
        ai_share=ai_total / total if total else 0.0,
        ai_lines=ai_total,
        added_lines=total,
        commits=tuple(attributions),
        ai_line_map=ai_line_map,
        pr_evidence=signals.evidence,
        tools=dict(tools.most_common()),
        basis=basis,
        notes=tuple(dict.fromkeys(notes)),
        code_ai_lines=code_ai,
        code_added_lines=code_added,
        disregarded=tuple(disregarded),
    )


def _disregarded(
    overruled: Counter[tuple[str | None, str, str]],
    verdicts: Mapping[str, _Verdict],
    signals: PullRequestSignals,
) -> list[str]:
    """Why each record that called AI-attributed lines human was not followed, in words."""
    out: list[str] = []
    for (sha, kind, source), n in overruled.items():
        if sha is None:
            because = (
                f"the PR is marked AI ({signals.whole_pr})" if signals.whole_pr else "the PR is marked AI"
            )
            owner = "with no commit"
        else:
            evidence = verdicts[sha].evidence
            because = f"its commit is AI by {evidence[0]}" if evidence else "its commit is AI"
            owner = f"of commit {sha[:12]}"
        out.append(
            f"{kind} ({source}) disregarded: it calls {_count(n, 'line', 'lines')} {owner} human, but "
            f"{because}; records supplied with a change may add AI attribution, never remove it"
        )
    return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary_notes(
    attributions: list[CommitAttribution],
    classes: Mapping[str, CommitClass],
    no_origin: int,
    human_attested: int,
    changeset: ChangeSet,
) -> list[str]:
    out: list[str] = []
    committer_only = Counter(
        classes[a.sha].committer_only for a in attributions if not a.ai and classes[a.sha].committer_only
    )
    for tool, n in sorted(committer_only.items()):
        what = "an aider-suffixed committer" if tool == "aider" else f"a {tool} committer"
        out.append(
            f"{_count(n, 'commit', 'commits')} by {what} and no other {tool} mark counted human "
            "(the author decides)"
        )
    plans = sum(1 for cls in classes.values() if cls.plan_mark is not None)
    if plans:
        out.append(f"empty agent planning commits: {plans}; they mark the PR and add no lines")
    if human_attested:
        out.append(f"{_count(human_attested, 'line is', 'lines are')} attested human by line-level records")
    if no_origin and attributions:
        out.append(
            f"{_count(no_origin, 'added line', 'added lines')} could not be tied to a commit of the range"
        )
    if not attributions and changeset.source == "diff":
        out.append("a plain diff carries no commit metadata: only line-level records and PR signals apply")
    return out
