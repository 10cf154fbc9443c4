"""What the provenance stage concludes: the AI share of the added lines and the evidence for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

# The kinds of added lines the share of code leaves out (`gate.provenance.code_lines`), as the report
# names them in `provenance.code_left_out` and the summary prints them.
DOCUMENTATION: Final = "documentation"
DATA_FILES: Final = "data files"
WHITESPACE_ONLY: Final = "whitespace-only changes"
LEFT_OUT_KINDS: Final = (DOCUMENTATION, DATA_FILES, WHITESPACE_ONLY)


@dataclass(frozen=True)
class Evidence:
    """One mark that says a commit (or some lines) came from an AI tool, quoted exactly."""

    kind: (
        str  # "trailer" | "identity" | "message" | "login" | "label" | "branch" | "pr-body" | "git-ai" | ...
    )
    text: str  # the exact trailer, identity or marker as found
    tool: str  # tool id (SPEC 5.1)
    source: str = ""  # where the convention is documented or seen

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True)
class CommitAttribution:
    sha: str
    subject: str
    ai: bool
    tool: str | None
    evidence: tuple[Evidence, ...]
    added_lines: int  # lines of the final diff this commit last introduced
    ai_lines: int  # of those, the lines attributed to AI
    notes: tuple[str, ...] = ()  # e.g. "aider committer suffix alone is not evidence"


@dataclass(frozen=True)
class ProvenanceResult:
    ai_share: float
    ai_lines: int
    added_lines: int
    commits: tuple[CommitAttribution, ...]
    # path -> new-side line numbers attributed to AI.
    ai_line_map: Mapping[str, frozenset[int]] = field(default_factory=dict)
    pr_evidence: tuple[Evidence, ...] = ()
    tools: Mapping[str, int] = field(default_factory=dict)  # tool id -> AI lines
    basis: tuple[str, ...] = ()  # which kinds of evidence the estimate rests on, said in the report
    notes: tuple[str, ...] = ()
    # The same counts over code lines only (documentation, data files and whitespace-only changes left
    # out; see code_lines.py): padding a PR with prose or data does not dilute the share the thresholds read.
    code_ai_lines: int = 0
    code_added_lines: int = 0
    code_left_out: Mapping[str, int] = field(default_factory=dict)  # kind -> added lines left out
    # Line-level records the PR supplied that were not followed, each with why (they may only add AI).
    disregarded: tuple[str, ...] = ()
    # Added lines whose commit could not be read and that nothing marks AI: neither AI nor human in the
    # shares above; the thresholds count them as possibly AI (`threshold_share`, `threshold_ai_lines`).
    unknown_lines: int = 0
    code_unknown_lines: int = 0

    @property
    def code_ai_share(self) -> float:
        return self.code_ai_lines / self.code_added_lines if self.code_added_lines else 0.0

    def threshold_share(self, share_of: str) -> float:
        """The share the thresholds read, lines of unknown origin counted AI: over code lines (`code`;
        every added line when the change has no code lines) or over every added line (`all`)."""
        if share_of == "code" and self.code_added_lines:
            return (self.code_ai_lines + self.code_unknown_lines) / self.code_added_lines
        if not self.unknown_lines:
            return self.ai_share
        return (self.ai_lines + self.unknown_lines) / self.added_lines

    @property
    def threshold_ai_lines(self) -> int:
        """The AI lines the thresholds count: lines of unknown origin among them."""
        return self.ai_lines + self.unknown_lines

    def is_ai_line(self, path: str, line: int) -> bool:
        lines = self.ai_line_map.get(path)
        return lines is not None and line in lines
