"""Findings: what every stage reports, with severity, confidence and a location."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace


class Severity(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Location:
    path: str
    start_line: int | None = None
    end_line: int | None = None

    def __post_init__(self) -> None:
        if self.start_line is not None and self.end_line is None:
            object.__setattr__(self, "end_line", self.start_line)


@dataclass(frozen=True)
class Finding:
    """One problem a stage found. Immutable; the policy marks it blocking, the diff marks it commentable."""

    stage: str
    rule: str
    severity: Severity
    confidence: Confidence
    title: str
    body: str
    location: Location | None = None
    category: str = ""
    suggestion: str | None = None
    confirmed_by: tuple[str, ...] = ()
    # Whether this stage's own evidence is enough to count it confirmed (deterministic analyzers).
    deterministic: bool = True
    advisory: bool = False
    commentable: bool = False
    blocking: bool = False
    # Set by the policy: deterministic, or raised or agreed by at least `quorum` distinct models.
    confirmed: bool = False
    # Set by the policy: posted as an inline review comment (commentable, and confirmed unless
    # `post.unconfirmed: inline`).
    inline: bool = False
    extra: tuple[tuple[str, str], ...] = field(default=())
    # A normalised hash of the text of the finding's own lines (`lines_key`); "" when they are not known.
    lines_key: str = ""

    @property
    def id(self) -> str:
        return self.fingerprint[:12]

    @property
    def fingerprint(self) -> str:
        """Stable across runs and distinct within one: stage, rule, path, title and the text of the
        finding's own lines, never their numbers. A finding that moves keeps it; two findings with one
        title on different code do not share it, nor do two on copies of one text (`line_keys`)."""
        path = self.location.path if self.location else ""
        key = "\x1f".join((self.stage, self.rule, path, self.title.strip().lower(), self.lines_key))
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def said(self, key: str) -> tuple[str, ...]:
        """A comma-separated list kept in `extra` (`raised_by`, `agreed_by`, `disagreed_by`)."""
        value = dict(self.extra).get(key, "")
        return tuple(v for v in value.split(",") if v)

    @property
    def disputed(self) -> bool:
        """A model finding no quorum confirmed that another model refused in the cross-check."""
        return not self.deterministic and not self.confirmed and bool(self.said("disagreed_by"))

    def with_(self, **changes: object) -> Finding:
        return replace(self, **changes)  # type: ignore[arg-type]


# Reads lines start..end (1-based, inclusive) of a file as the change leaves it; None when unknown.
LineReader = Callable[[str, int, int], Sequence[str] | None]


def lines_key(lines: Iterable[str]) -> str:
    """A hash of the lines' text, normalised so that indentation, spacing and blank lines do not count;
    "" for no text."""
    text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def span(f: Finding) -> str | None:
    """Where a finding is, as the key of a `line_keys` map: `path:start-end`; None without lines."""
    loc = f.location
    if loc is None or loc.start_line is None:
        return None
    return f"{loc.path}:{loc.start_line}-{loc.end_line or loc.start_line}"


def line_keys(findings: Iterable[Finding], read: LineReader) -> dict[str, str]:
    """`span -> lines_key` for the findings whose lines `read` knows."""
    out: dict[str, str] = {}
    for f in findings:
        where = span(f)
        if where is None or where in out:
            continue
        assert f.location is not None and f.location.start_line is not None
        start = f.location.start_line
        lines = read(f.location.path, start, f.location.end_line or start)
        if lines is not None and (key := lines_key(lines)):
            out[where] = key
    return out


def with_line_keys(findings: Iterable[Finding], keys: Mapping[str, str]) -> tuple[Finding, ...]:
    """The findings with their `lines_key` set from `keys` where it was not set yet. Copies of one finding
    (stage, rule, path, title and text) at a second or later place of a file, by line, are told apart
    (`<key>~2`): a token pasted twice is two findings, each with its own fingerprint, id and inline
    comment. The first keeps the text's key, so a finding that moves keeps its fingerprint while the
    order of its copies holds; a finding of another rule on the same text changes none of it."""
    out = list(findings)
    fresh: set[int] = set()
    for i, f in enumerate(out):
        where = span(f)
        key = keys.get(where, "") if where is not None else ""
        if key and not f.lines_key:
            out[i] = f.with_(lines_key=key)
            fresh.add(i)
    seen: dict[tuple[str, ...], int] = {}
    # Findings keyed before (carried over from an earlier run) hold their places and keep their keys.
    for i in sorted((i for i, f in enumerate(out) if f.lines_key and span(f)), key=lambda i: _place(out[i])):
        f = out[i]
        assert f.location is not None
        text = f.lines_key.partition("~")[0]
        copy = (f.stage, f.rule, f.location.path, f.title.strip().lower(), text)
        seen[copy] = count = seen.get(copy, 0) + 1
        if count > 1 and i in fresh:
            out[i] = f.with_(lines_key=f"{text}~{count}")
    return tuple(out)


def _place(f: Finding) -> tuple[str, int, int]:
    loc = f.location
    assert loc is not None and loc.start_line is not None
    return loc.path, loc.start_line, loc.end_line or loc.start_line
