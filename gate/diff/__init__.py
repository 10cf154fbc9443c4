"""The diff model and its parser."""

from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.diff.parser import parse_diff

__all__ = ["Diff", "DiffLine", "FileChange", "FileStatus", "Hunk", "LineKind", "parse_diff"]
