"""Consensus across models: de-duplicate what several models said about one issue, count the distinct
models behind each issue (raised it, or agreed in the cross-check), and turn groups into Findings.

Grouping only de-duplicates. A finding joins a group only when `same_issue` holds between it and the
group's first finding (its representative), never through another member, so loose matches cannot
chain. `same_issue` is strict: when in doubt it says no, and the cross-check decides. Grouping is
independent of the order calls completed (inputs are sorted first), so a replay of the trace rebuilds
the same groups and the same ids. A model never counts twice, and a disagreement never removes support:
one model can neither confirm nor veto alone. Nor can it set the severity alone: a finding is reported at
the highest severity a quorum of its models stand behind (`Group.severity`), and a group whose raisers
rate it on both sides of `gate.fail_on` is cross-checked as the blocking claim (`Group.claim`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from rapidfuzz import fuzz

from gate.findings import Confidence, Finding, Location, Severity
from gate.models.schemas import CrossCheckVerdict, ReviewFinding
from gate.review.agreement import agreed_lines, agreed_suggestion

# Two findings are on the same lines when their ranges overlap or are this many lines apart at most:
# models point one or two lines off the same statement.
LINE_TOLERANCE = 3
# Share of the content words of the two titles that both use (Jaccard), and how many at least.
TITLE_WORDS_SHARED = 0.7
MIN_SHARED_WORDS = 2
# The titles' content words in order, compared as text: a second, independent bar.
TITLE_SIMILAR = 80.0
# Else: share of the content words of title and body together that both use, and how many at least.
TEXT_WORDS_SHARED = 0.5
MIN_SHARED_TEXT_WORDS = 4
STAGE = "review"

# Words that carry no issue: English function words and what every reviewer says of every issue.
_FILLER_WORDS = """
    a an the of to in on at by for from with without into onto over under as is are was were be been
    being it its this that these those there here and or but not no nor if then else when whenever while
    where which who whom whose what why how can could may might must should would will shall do does did
    done has have had having than too very so such also only just any all each every some more most less
    possible possibly potential potentially likely unlikely issue issues problem problems bug bugs concern
    risk risky error-prone code line lines function functions method methods call calls called use used
    uses using usage value values variable variables here missing lack lacks lacking without
"""
_FILLER = frozenset(_FILLER_WORDS.split())

# Kinds of defect. Two findings whose titles name kinds and share none are different issues, however
# many other words they share ("race condition when updating the cache" vs "null dereference when
# reading the cache"). Words are compared by their stems (see `_stem`).
_KIND_WORDS = {
    "concurrency": "race races racy concurrent concurrency thread threads lock locking deadlock atomic "
    "atomically mutex synchronization unsynchronized",
    "null": "null none nil undefined dereference nullptr nullable",
    "numeric": "float floats floating decimal precision rounding money currency cents",
    "overflow": "overflow underflow wraparound",
    "division": "division divide divisor zero",
    "bounds": "index indices bounds off-by-one out-of-bounds out-of-range",
    "injection": "injection inject sql xss escaping unescaped sanitize sanitized unsanitized traversal shell",
    "access": "authentication authorization authorisation permission permissions privilege privileges",
    "resource": "leak leaks leaked unclosed",
    "secret": "secret secrets credential credentials password passwords hardcoded hard-coded",
    "error-handling": "exception exceptions swallowed swallows catch catches bare",
    "performance": "performance slow quadratic inefficient",
    "termination": "infinite recursion unbounded",
    "validation": "validation validate validated unvalidated unchecked",
}

# Categories models give one kind of issue under different names. An issue filed as a plain bug by one
# model and as security by another may still be one issue; style and security never are.
_CATEGORY_FAMILY = {
    **dict.fromkeys(("", "bug", "bugs", "correctness", "logic", "general", "other", "review", "defect"), ""),
    **dict.fromkeys(("security", "vulnerability", "injection", "auth", "secrets"), "security"),
    **dict.fromkeys(("performance", "perf", "efficiency"), "performance"),
    **dict.fromkeys(
        ("style", "readability", "maintainability", "naming", "documentation", "docs", "nit"), "style"
    ),
    **dict.fromkeys(("test", "tests", "testing"), "tests"),
    **dict.fromkeys(("concurrency", "thread-safety", "race"), "concurrency"),
    **dict.fromkeys(
        ("error-handling", "error handling", "errors", "reliability", "robustness"), "reliability"
    ),
}
_GENERIC_FAMILY = ""
# Short forms reviewers write for the same word.
_ABBREVIATIONS = {
    "deref": "dereference",
    "derefs": "dereference",
    "init": "initialization",
    "param": "parameter",
    "params": "parameters",
    "arg": "argument",
    "args": "arguments",
    "env": "environment",
    "config": "configuration",
    "auth": "authentication",
    "perms": "permissions",
    "concurrently": "concurrent",
}
_CODE_NAME = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]|[a-z][A-Z]|[A-Za-z][0-9]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_SUFFIXES = ("ing", "ed", "es", "e", "s")
STEM_CHARS = 6


@dataclass(frozen=True)
class Raised:
    model: str
    unit: str
    finding: ReviewFinding  # its path as the diff spells it (`norm_path`): findings compare paths as they are


@dataclass(frozen=True)
class Claim:
    """What a group is cross-checked as, and what an agreement in the cross-check stands behind: the
    finding of the models that raised it at or above `fail_on` when any did, else of all its raisers
    (`lead`, their lower-median member), and those models (`by`)."""

    id: str
    lead: Raised
    by: frozenset[str]


@dataclass(frozen=True)
class Group:
    id: str
    members: tuple[Raised, ...]

    @property
    def raisers(self) -> frozenset[str]:
        return frozenset(m.model for m in self.members)

    @cached_property
    def rated(self) -> dict[str, Raised]:
        """Each raising model's member with the highest severity: what that model rated the issue."""
        per_model: dict[str, Raised] = {}
        for m in self.members:
            best = per_model.get(m.model)
            if best is None or _rank(m) > _rank(best):
                per_model[m.model] = m
        return per_model

    @cached_property
    def lead(self) -> Raised:
        """The lower-median member among the models (one model alone cannot inflate it), earliest model
        name on ties."""
        return _lower_median(self.rated.values())

    def claim(self, fail_on: Severity) -> Claim:
        """The group as the cross-check shows it. When the raisers split across `fail_on`, the claim is
        the blocking one, of the models that rated it at or above: a model that rated the issue lower
        stands behind the issue, not behind blocking for it, so the models that did not raise it decide."""
        blocking = [r for r in self.rated.values() if _rank(r) >= fail_on.rank]
        chosen = blocking or list(self.rated.values())
        return Claim(self.id, _lower_median(chosen), frozenset(r.model for r in chosen))

    def severity(self, agreed: Iterable[str], quorum: int, fail_on: Severity) -> Severity:
        """The highest severity that `quorum` of the models behind the group rate it at or above: each
        raiser at the severity it gave, each model that agreed in the cross-check at the severity of the
        claim it was shown. One model can neither raise it above what the others stand behind nor pull it
        below. Below the quorum (not confirmed), the lower median of the raisers."""
        ratings = [_rank(r) for r in self.rated.values()]
        ratings += [_rank(self.claim(fail_on).lead)] * len(set(agreed) - self.raisers)
        needed = max(1, quorum)
        if len(ratings) < needed:
            return Severity(self.lead.finding.severity)
        rank = sorted(ratings, reverse=True)[needed - 1]
        return next(s for s in Severity if s.rank == rank)


def _lower_median(members: Iterable[Raised]) -> Raised:
    ordered = sorted(members, key=lambda r: (_rank(r), r.model))
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Support:
    agreed: frozenset[str]
    disagreed: frozenset[str]


def _rank(r: Raised) -> int:
    return Severity(r.finding.severity).rank


def norm_path(path: str, paths: Collection[str]) -> str:
    """A finding's path as the diff spells it (`paths`, the paths of the files reviewed). Models write
    `./x`, backslashes, `/x`, `x:13` or `x:13-14`, the path in backticks or quotes, and copy the diff
    headers' `a/x` and `b/x`: a spelling is read as a file reviewed only when the path as written is not
    one and that spelling names exactly it. A file under a folder named `a/` or `b/` keeps its folder; a
    path that names no file reviewed is returned as written, cleaned, and the finding is left out."""
    path = path.strip().strip("`'\"").strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if path in paths:
        return path
    return next((p for p in _spellings(path) if p in paths), path)


# A line or a range of lines after a path (`x.py:13`, `x.py:13-14`), as models cite code.
_LINES_AFTER = re.compile(r":\d+(?:-\d+)?$")


def _spellings(path: str) -> Iterator[str]:
    """The paths a model may mean by `path`, from the nearest reading."""
    for bare in dict.fromkeys((path, _LINES_AFTER.sub("", path))):
        for rooted in dict.fromkeys((bare, bare.lstrip("/"))):
            yield rooted
            if rooted.startswith(("a/", "b/")):
                yield rooted[2:]


class Said(Protocol):
    """What `same_issue` reads of a finding: a model's review finding, or anything shaped like one."""

    @property
    def path(self) -> str: ...
    @property
    def start_line(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def category(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...


def _stem(word: str) -> str:
    """A crude stem: one common suffix off, then the first `STEM_CHARS` letters, so that "dereference",
    "dereferenced" and "dereferencing" meet."""
    if _CODE_NAME.search(word):
        return word.lower()  # a code name is compared whole: `test_from_dict_a` is not `test_from_dict_b`
    w = word.lower().strip("-_")
    w = _ABBREVIATIONS.get(w, w)
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w[:STEM_CHARS]


_KINDS: dict[str, str] = {_stem(w): kind for kind, words in _KIND_WORDS.items() for w in words.split()}
_FILLER_STEMS = frozenset(_stem(w) for w in _FILLER)
_IDENTIFIER = re.compile(
    r"`([^`]{1,80})`|\b([A-Za-z_][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)\b"
)


def _content(text: str) -> frozenset[str]:
    """The stems of the words that say something, without filler."""
    stems = (_stem(w) for w in _WORD.findall(text))
    return frozenset(s for s in stems if s and s not in _FILLER_STEMS)


def _kinds(stems: Iterable[str]) -> frozenset[str]:
    return frozenset(_KINDS[s] for s in stems if s in _KINDS)


def _identifiers(text: str) -> frozenset[str]:
    return frozenset((m.group(1) or m.group(2)).strip().lower() for m in _IDENTIFIER.finditer(text))


def _family(category: str) -> str | None:
    """The category's family; None for a category not known (then only an equal category matches)."""
    return _CATEGORY_FAMILY.get(category.strip().lower().replace("_", "-"))


def _compatible(a: str, b: str) -> bool:
    if a.strip().lower() == b.strip().lower():
        return True
    fa, fb = _family(a), _family(b)
    if fa is None or fb is None:
        return False
    return fa == fb or (_GENERIC_FAMILY in (fa, fb) and "style" not in (fa, fb))


def same_kind(a: str, b: str) -> bool:
    """Whether two categories name one kind of issue: equal, or of one family ("bug" and "correctness",
    "security" and "vulnerability"). Narrower than what grouping lets meet (a plain bug and a security
    issue may be one issue, but are not one kind)."""
    if a.strip().lower() == b.strip().lower():
        return True
    fa = _family(a)
    return fa is not None and fa == _family(b)


def same_issue(a: Said, b: Said, *, categories: bool = True) -> bool:
    """Whether two findings (of different models, or of one) are one issue. Strict; no means "not sure".

    Same path; line ranges that overlap or lie within `LINE_TOLERANCE`; compatible categories; titles
    whose content words mostly coincide (Jaccard >= `TITLE_WORDS_SHARED`, at least `MIN_SHARED_WORDS`,
    and rapidfuzz token-sort >= `TITLE_SIMILAR` on the stems), or titles and bodies that together do
    (Jaccard >= `TEXT_WORDS_SHARED`, at least `MIN_SHARED_TEXT_WORDS`); no kind of defect named by one title
    that the other finding never mentions; and no two disjoint sets of named code identifiers.

    Without `categories`, the categories are not compared: models file one defect under names that the
    families do not tie ("money", "numeric-precision"), and the inline comments must not say it twice.
    """
    if a.path != b.path:
        return False
    if a.start_line > b.end_line + LINE_TOLERANCE or b.start_line > a.end_line + LINE_TOLERANCE:
        return False
    if categories and not _compatible(a.category, b.category):
        return False
    ta, tb = _content(a.title), _content(b.title)
    if not ta or not tb:
        return False
    ka, kb = _kinds(ta), _kinds(tb)
    if not ka <= _kinds(tb | _content(b.body)) or not kb <= _kinds(ta | _content(a.body)):
        return False  # a kind of defect the other finding never speaks of: another issue
    ia, ib = _identifiers(a.title), _identifiers(b.title)
    if ia and ib and not ia & ib:
        return False
    shared = ta & tb
    if (
        len(shared) >= min(MIN_SHARED_WORDS, len(ta), len(tb))
        and len(shared) / len(ta | tb) >= TITLE_WORDS_SHARED
        and fuzz.token_sort_ratio(" ".join(sorted(ta)), " ".join(sorted(tb))) >= TITLE_SIMILAR
    ):
        return True
    # Titles worded apart, but title and body together say mostly the same words.
    fa, fb = ta | _content(a.body), tb | _content(b.body)
    both = fa & fb
    return len(both) >= MIN_SHARED_TEXT_WORDS and len(both) / len(fa | fb) >= TEXT_WORDS_SHARED


def group_findings(raised: Iterable[Raised]) -> list[Group]:
    """De-duplicate: each finding joins the first group whose representative (first member) is the same
    issue, else starts a group. Never via another member: A~B and B~C do not put A with C."""
    ordered = sorted(
        raised,
        key=lambda r: (
            r.finding.path,
            r.finding.start_line,
            r.finding.end_line,
            r.model,
            r.unit,
            r.finding.title,
            r.finding.body,
            r.finding.severity,
            r.finding.category,
        ),
    )
    buckets: list[list[Raised]] = []
    # Findings on different paths are never the same issue, so a bucket is only compared with findings
    # on its path: grouping stays linear in the number of files.
    by_path: dict[str, list[list[Raised]]] = {}
    for item in ordered:
        same_path = by_path.setdefault(item.finding.path, [])
        home = next((b for b in same_path if same_issue(b[0].finding, item.finding)), None)
        if home is None:
            buckets.append([item])
            same_path.append(buckets[-1])
        else:
            home.append(item)
    # Ids are positions in this deterministic order: short for models to echo, the same on replay.
    return [Group(f"F{i}", tuple(bucket)) for i, bucket in enumerate(buckets, start=1)]


def tally(groups: Sequence[Group], verdicts: Mapping[str, Sequence[CrossCheckVerdict]]) -> dict[str, Support]:
    """Cross-check verdicts by model -> support per group. Only verdicts from models that did not raise
    the group count; a model's first verdict on an id is the one taken. `verdicts` holds only those on
    ids their call was sent (`flow.on_sent`): a model answers on one id in one call."""
    out: dict[str, Support] = {}
    for group in groups:
        agreed: set[str] = set()
        disagreed: set[str] = set()
        for model in sorted(verdicts):
            if model in group.raisers:
                continue
            verdict = next((v for v in verdicts[model] if v.id == group.id), None)
            if verdict is None:
                continue
            (agreed if verdict.agree else disagreed).add(model)
        out[group.id] = Support(frozenset(agreed), frozenset(disagreed))
    return out


def confidence(confirmers: int, quorum: int) -> Confidence:
    """High once a quorum of distinct models stands behind a finding, medium with two or more, else low."""
    if confirmers >= quorum:
        return Confidence.HIGH
    return Confidence.MEDIUM if confirmers > 1 else Confidence.LOW


def to_findings(
    groups: Sequence[Group],
    support: Mapping[str, Support],
    quorum: int,
    fail_on: Severity,
    stage: str = STAGE,
) -> tuple[Finding, ...]:
    """Each group as a finding: the claim the cross-check was shown, in its lead's words, on the lines its
    raisers agree on, with the change they agree on (`agreement`), the severity a quorum of its models
    stand behind (`Group.severity`), and the models that raised, agreed with or refused it. When several
    models raised it, `worded_by` names the one whose words these are; a change fewer than `quorum`
    raisers gave is kept with the models that gave it (`suggested_by`), to be shown as theirs."""
    findings = []
    for group in groups:
        claim = group.claim(fail_on).lead
        lead = claim.finding
        start, end = agreed_lines((r.finding.start_line, r.finding.end_line) for r in group.rated.values())
        given = (
            (m.model, m.finding.suggestion, (m.finding.start_line, m.finding.end_line)) for m in group.members
        )
        suggested = agreed_suggestion(given, claim.model, quorum, (start, end))
        s = support.get(group.id, Support(frozenset(), frozenset()))
        confirmed_by = tuple(sorted(group.raisers | s.agreed))
        category = lead.category.strip().lower() or stage
        extra = [
            ("group", group.id),
            ("raised_by", ",".join(sorted(group.raisers))),
            ("agreed_by", ",".join(sorted(s.agreed))),
            ("disagreed_by", ",".join(sorted(s.disagreed))),
            ("units", ",".join(sorted({m.unit for m in group.members}))),
        ]
        if len(group.raisers) > 1:
            extra.append(("worded_by", claim.model))
        if suggested is not None and not suggested.confirmed:
            extra.append(("suggested_by", ",".join(suggested.by)))
        findings.append(
            Finding(
                stage=stage,
                rule=f"{stage}/{category}",
                severity=group.severity(s.agreed, quorum, fail_on),
                confidence=confidence(len(confirmed_by), quorum),
                title=lead.title.strip(),
                body=lead.body.strip(),
                location=Location(lead.path, start, end),
                category=category,
                suggestion=suggested.code if suggested is not None else None,
                confirmed_by=confirmed_by,
                deterministic=False,
                extra=tuple(extra),
            )
        )
    return tuple(findings)
