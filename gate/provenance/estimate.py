"""Combine commit classification, PR-level signals and line-level records into the AI share.

Order of precedence, weakest first (pull_request.py documents the PR rules):
1. each added line belongs to the commit in `line_origins` (a line the base already had, but for
   whitespace, belongs to no commit; a line with no origin belongs to the last commit that added lines
   to its file, else to no commit; line_marks.py); a line that a commit with no AI marks owns
   but an AI commit of the range wrote, formatting aside, goes back to that AI commit (carry.py);
2. the commit's own evidence (classify.py) or, failing that, PR-level signals decide whether its
   lines are AI and which tool wrote them; a line with no commit is AI only under an `ai_labels` label;
3. line-level records (Agent Trace files, git-ai notes; a git-ai note wins over an Agent Trace record
   for the same line) mark AI the lines they cover that steps 1-2 left human. They arrive with the
   change, so they only ever add AI attribution: a record calling human a line that commit-level
   evidence, a PR label or a configured identity attributes to AI is disregarded, and the report
   says so. Untracked lines keep the commit-level verdict.
`ai_share = ai_lines / added_lines` (0 when nothing is added); `code_ai_share` is the same over the
lines of code (documentation, data files and whitespace-only changes left out, see code_lines.py), the
share the thresholds read by default.

A line whose commit the source could not tell (`ChangeSet.origins_exhaustive`: the API reader did not
see which commit added it) and that nothing above marks AI is of unknown origin: neither AI nor human in
the share, and counted as possibly AI by the thresholds, so hiding which commit wrote a line never
lowers what the gate checks. So is a line a merge of more than two parents with no AI marks owns, when
some commit of the range is AI: its diff is read against its first parent only (`MERGE_PARENTS_READ`),
so an AI line it lightly edited while merging is not told from a line of its own; a later line that
only lightly edits one of its lines is still its line (edits.py). So is a line a commit with no AI
marks owns in a file whose diff in it or an earlier such commit git could not show as text after AI
lines were there (`Carried.unread`): which AI lines it edited is not told. So is every line nothing
marks AI when the Agent Trace file the head holds could not be read (`unread_trace`: over the size
limit, or a blob git could not give): its records may mark any of them AI.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress

from gate.config.models import Provenance
from gate.context.model import MERGE_PARENTS_READ, ChangeSet, Commit
from gate.provenance.carry import carry_ai_lines
from gate.provenance.classify import CommitClass, classify
from gate.provenance.code_lines import CodeLines, code_lines
from gate.provenance.line_marks import LineMark, Owned, line_marks, line_owners, unread_trace
from gate.provenance.line_records import AGENT_TRACE_PATH
from gate.provenance.model import DATA_FILES, WHITESPACE_ONLY, CommitAttribution, Evidence, ProvenanceResult
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

    loose_tool = signals.whole_pr.tool if signals.whole_pr is not None else None
    unseen: Mapping[str, Collection[str]] = {}
    if loose_tool is None:
        # After the records are placed: they are numbered in the files of the commits blame named.
        carried = carry_ai_lines(changeset, owners, [c.sha for c in commits if verdicts[c.sha].tool])
        owners, unseen = carried.owners, carried.unread
        notes.extend(carried.notes())
    sha_tool = {sha: v.tool for sha, v in verdicts.items()}
    unread = _unread_merges(commits, sha_tool) if changeset.commit_lines is not None else set()
    tally = _tally(owners, marks, sha_tool, loose_tool, changeset.origins_exhaustive, unread)
    tally.unseen_edits(owners, unseen)
    if (why := unread_trace(changeset)) is not None:
        tally.unread_records(owners)
        notes.append(
            f"the Agent Trace file {AGENT_TRACE_PATH} at head was not read ({why}): the "
            f"{_count(tally.unread_record_lines, 'added line', 'added lines')} nothing else marks AI, which "
            "its records may, are of unknown origin, counted as possibly AI by the thresholds"
        )
    attributions = _attributions(commits, verdicts, classes, tally)
    if loose_tool is not None and tally.ai_by[None]:
        tally.used_kinds.add("PR label")
    disregarded = _disregarded(tally.overruled, verdicts, signals)
    notes.extend(disregarded)
    notes.extend(_summary_notes(attributions, classes, tally, changeset))
    code = code_lines(
        owners, tally.ai_line_map, changeset.diff.by_path, changeset.revisions, tally.unknown_by
    )
    notes.extend(_left_out_note(code))
    total = sum(tally.added_by.values())
    ai_total = sum(tally.ai_by.values())
    return ProvenanceResult(
        ai_share=ai_total / total if total else 0.0,
        ai_lines=ai_total,
        added_lines=total,
        commits=tuple(attributions),
        ai_line_map=tally.ai_line_map,
        pr_evidence=signals.evidence,
        tools=dict(tally.tools.most_common()),
        basis=_basis(tally.used_kinds, bool(commits)),
        notes=tuple(dict.fromkeys(notes)),
        code_ai_lines=code.ai,
        code_added_lines=code.added,
        code_left_out=code.left_out,
        disregarded=tuple(disregarded),
        unknown_lines=sum(map(len, tally.unknown_by.values())),
        code_unknown_lines=code.unknown,
    )


@dataclass
class _Tally:
    """What the added lines add up to, counted file by file: per owner (a commit, None = no commit),
    per tool, the AI lines of each file, and what the line-level records said."""

    added_by: Counter[str | None] = field(default_factory=Counter)
    ai_by: Counter[str | None] = field(default_factory=Counter)
    tools: Counter[str] = field(default_factory=Counter)
    line_tools: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    line_evidence: defaultdict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    ai_line_map: dict[str, frozenset[int]] = field(default_factory=dict)
    human_attested: int = 0
    no_origin: int = 0
    # path -> lines of unknown origin (when the source's origins are exhaustive) that nothing marks AI
    unknown_by: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    unread_merge_lines: int = 0  # of them, lines of merges read against their first parent only
    unseen_edit_lines: int = 0  # of them, lines of commits whose diff of the file git printed as binary
    unread_record_lines: int = 0  # of them, lines line-level records not read may mark AI
    # (owner, record kind, record source) -> lines a record called human against AI attribution
    overruled: Counter[tuple[str | None, str, str]] = field(default_factory=Counter)
    used_kinds: set[str] = field(default_factory=set)

    def unmarked_file(
        self,
        path: str,
        owned: Owned,
        per_owner: Counter[str | None],
        owner_tool: Mapping[str | None, str],
        unknown: bool,
        unread: Collection[str],
    ) -> None:
        """A file no line-level record speaks of, the common case, kept free of per-line Python work:
        whole owners are AI or not. `unknown`: the lines of no commit are of unknown origin; so are
        those of the `unread` merges."""
        added, owner = owned
        ai_owners = [s for s in per_owner if s in owner_tool]
        if unknown and None in per_owner and None not in owner_tool:
            self.unknown_by[path].extend(compress(added, (s is None for s in owner)))
        if here := per_owner.keys() & unread:  # one pass over the lines, however many such merges
            self.unknown_by[path].extend(compress(added, (o in here for o in owner)))
            self.unread_merge_lines += sum(per_owner[s] for s in here)
        for s in ai_owners:
            self.ai_by[s] += per_owner[s]
            self.tools[owner_tool[s]] += per_owner[s]
        if len(ai_owners) == len(per_owner):
            self.ai_line_map[path] = frozenset(added)
        elif ai_owners:
            self.ai_line_map[path] = frozenset(compress(added, map(owner_tool.__contains__, owner)))

    def unseen_edits(self, owners: Mapping[str, Owned], unseen: Mapping[str, Collection[str]]) -> None:
        """The lines that `unseen` (path -> commits) own in each file, that nothing marks AI, are of
        unknown origin: a commit's diff of the file git printed as binary after AI lines were there."""
        for path, shas in unseen.items():
            if path not in owners:
                continue
            ai_lines = self.ai_line_map.get(path, frozenset())
            known = set(self.unknown_by.get(path, ()))
            lines = [
                n
                for n, s in zip(*owners[path], strict=True)
                if s in shas and n not in ai_lines and n not in known
            ]
            if lines:
                self.unknown_by[path].extend(lines)
                self.unseen_edit_lines += len(lines)

    def unread_records(self, owners: Mapping[str, Owned]) -> None:
        """Every added line nothing marks AI is of unknown origin: line-level records that were not read
        (the Agent Trace file at head, which git could not give) may mark any of them AI."""
        for path, (added, _) in owners.items():
            ai_lines = self.ai_line_map.get(path, frozenset())
            known = set(self.unknown_by.get(path, ()))
            lines = [n for n in added if n not in ai_lines and n not in known]
            if lines:
                self.unknown_by[path].extend(lines)
                self.unread_record_lines += len(lines)

    def marked_file(
        self,
        path: str,
        owned: Owned,
        file_marks: Mapping[int, LineMark],
        sha_tool: Mapping[str, str | None],
        loose_tool: str | None,
        unknown: bool,
        unread: Collection[str],
    ) -> None:
        """A file with line-level records: each line's owner decides, a record only adds AI lines; a
        record calling a line of unknown origin human leaves it unknown, as it came with the change."""
        ai_lines: list[int] = []
        ai_by, tools = self.ai_by, self.tools  # bound once: this loop runs per line
        for n, s in zip(*owned, strict=True):
            tool = sha_tool.get(s) if s else loose_tool
            mark = file_marks.get(n)
            if mark is None:
                pass
            elif tool is not None:
                # A record the PR supplied never takes AI attribution away, nor renames its tool.
                if mark.tool is None:
                    self.overruled[(s, mark.evidence.kind, mark.evidence.source)] += 1
            elif mark.tool is None:
                self.human_attested += 1
            else:
                tool = mark.tool
                self.used_kinds.add(mark.evidence.kind)
                if s is not None:
                    self.line_tools[s][tool] += 1
                    if mark.evidence not in self.line_evidence[s]:
                        self.line_evidence[s].append(mark.evidence)
            if tool is not None:
                ai_lines.append(n)
                ai_by[s] += 1
                tools[tool] += 1
            elif unknown and s is None:
                self.unknown_by[path].append(n)
            elif s in unread:
                self.unknown_by[path].append(n)
                self.unread_merge_lines += 1
        if ai_lines:
            self.ai_line_map[path] = frozenset(ai_lines)


def _tally(
    owners: Mapping[str, Owned],
    marks: Mapping[str, Mapping[int, LineMark]],
    sha_tool: Mapping[str, str | None],
    loose_tool: str | None,
    unknown: bool,
    unread: Collection[str] = frozenset(),
) -> _Tally:
    """`unknown`: the lines of no commit are of unknown origin (the source's origins are exhaustive), as
    are those of the `unread` merges (`_unread_merges`)."""
    tally = _Tally()
    # The tool of each owner (None = the lines with no commit); owners without a tool are human.
    owner_tool: dict[str | None, str] = {s: t for s, t in sha_tool.items() if t is not None}
    if loose_tool is not None:
        owner_tool[None] = loose_tool
    for path, owned in owners.items():
        per_owner = Counter(owned[1])
        tally.added_by.update(per_owner)
        tally.no_origin += per_owner.get(None, 0)
        file_marks = marks.get(path)
        if file_marks:
            tally.marked_file(path, owned, file_marks, sha_tool, loose_tool, unknown, unread)
        else:
            tally.unmarked_file(path, owned, per_owner, owner_tool, unknown, unread)
    return tally


def _unread_merges(commits: Sequence[Commit], sha_tool: Mapping[str, str | None]) -> set[str]:
    """The merges of more than `MERGE_PARENTS_READ` parents with no AI marks, when some commit is AI: read
    against their first parent only, an AI line one edited while merging would be counted a person's."""
    if not any(sha_tool.values()):
        return set()
    return {c.sha for c in commits if len(c.parents) > MERGE_PARENTS_READ and sha_tool.get(c.sha) is None}


def _left_out_note(code: CodeLines) -> list[str]:
    """What the share of code leaves out besides documentation, in words: a reader of a low share should
    see what it is a share of."""
    parts: list[str] = []
    if data := code.left_out.get(DATA_FILES):
        named = ", ".join(code.data_files[:3]) + (", ..." if len(code.data_files) > 3 else "")
        parts.append(f"{_count(data, 'line', 'lines')} of data files ({named})")
    if same := code.left_out.get(WHITESPACE_ONLY):
        parts.append(f"{_count(same, 'line', 'lines')} that only change the whitespace of existing lines")
    if not parts:
        return []
    return [
        f"the share of code lines leaves out {' and '.join(parts)}; AI lines among them still count "
        "in the AI-authored lines"
    ]


def _attributions(
    commits: tuple[Commit, ...],
    verdicts: Mapping[str, _Verdict],
    classes: Mapping[str, CommitClass],
    tally: _Tally,
) -> list[CommitAttribution]:
    """Each commit's verdict, tool, evidence (its line-level records quoted up to a limit) and counts."""
    out = []
    for c in commits:
        v, cls = verdicts[c.sha], classes[c.sha]
        extra = tally.line_evidence.get(c.sha, [])
        line_tools = tally.line_tools.get(c.sha)
        tool = v.tool or (line_tools.most_common(1)[0][0] if line_tools else None)
        commit_notes = list(cls.notes)
        if len(extra) > MAX_LINE_EVIDENCE:
            commit_notes.append(f"{len(extra) - MAX_LINE_EVIDENCE} more line-level records not quoted")
        if v.tool is not None or tally.ai_by[c.sha]:
            tally.used_kinds.update(e.kind for e in v.evidence)
        out.append(
            CommitAttribution(
                sha=c.sha,
                subject=c.subject,
                ai=tool is not None,
                tool=tool,
                evidence=v.evidence + tuple(extra[:MAX_LINE_EVIDENCE]),
                added_lines=tally.added_by[c.sha],
                ai_lines=tally.ai_by[c.sha],
                notes=tuple(commit_notes),
            )
        )
    return out


def _basis(used_kinds: set[str], has_commits: bool) -> tuple[str, ...]:
    """The kinds of evidence the share rests on, in words, strongest first."""
    rank = list(_BASIS)
    ordered = sorted(used_kinds, key=lambda k: rank.index(k) if k in rank else len(rank))
    basis = tuple(dict.fromkeys(_BASIS.get(k, k) for k in ordered))
    if basis:
        return basis
    return ("commit metadata: no AI marks found",) if has_commits else ("no commit metadata (plain diff)",)


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
    tally: _Tally,
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
    if tally.human_attested:
        out.append(
            f"{_count(tally.human_attested, 'line is', 'lines are')} attested human by line-level records"
        )
    merged = tally.unread_merge_lines
    if merged:
        out.append(
            f"{_count(merged, 'added line', 'added lines')} of a merge of more than two parents, read "
            "against its first parent only (an AI line it edited while merging is not told from its own): "
            "counted as possibly AI by the thresholds"
        )
    if unseen := tally.unseen_edit_lines:
        out.append(
            f"{_count(unseen, 'added line', 'added lines')} of commits with no AI marks in files where "
            "git showed a commit's change as binary after AI lines were there (which AI lines it edited "
            "cannot be read): counted as possibly AI by the thresholds"
        )
    unknown = sum(map(len, tally.unknown_by.values())) - merged - unseen - tally.unread_record_lines
    if unknown:
        out.append(
            f"{_count(unknown, 'added line', 'added lines')} of unknown origin (which commit added "
            f"{'it' if unknown == 1 else 'them'} could not be read): counted as possibly AI by the thresholds"
        )
    elif tally.no_origin and attributions:
        lines = _count(tally.no_origin, "added line", "added lines")
        out.append(
            f"{lines} could not be tied to a commit of the range "
            "(a line the base already had, re-indented or re-spaced, is no commit's new code)"
        )
    if not attributions and changeset.source == "diff":
        out.append("a plain diff carries no commit metadata: only line-level records and PR signals apply")
    return out
