"""Findings: what every stage reports, with severity, confidence and a location."""

from __future__ import annotations

import enum
import hashlib
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
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def id(self) -> str:
        return self.fingerprint[:12]

    @property
    def fingerprint(self) -> str:
        """Stable across runs: stage, rule, path and title, not line numbers (lines move)."""
        path = self.location.path if self.location else ""
        key = "\x1f".join((self.stage, self.rule, path, self.title.strip().lower()))
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def with_(self, **changes: object) -> Finding:
        return replace(self, **changes)  # type: ignore[arg-type]
