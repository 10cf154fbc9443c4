"""The AI tool table: conventions as data (gate/data/ai_tools.toml), loaded once and compiled.

The rows say what each tool leaves in commits and pull requests; the matching in classify.py is
generic over the rows. Every regex is compiled here, once per process.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

TOOL_IDS = (
    "claude-code",
    "copilot",
    "codex",
    "cursor",
    "aider",
    "devin",
    "jules",
    "openhands",
    "amazon-q",
    "gemini",
    "windsurf",
    "firebender",
    "unknown-ai",
)
UNKNOWN_AI = "unknown-ai"
FROM_TEXT = "*"
KINDS = ("identity", "trailer", "message", "login", "branch", "pr-body", "label", "plan-commit")
BASES = ("seen", "docs", "3rd-party")

_FLAGS = re.IGNORECASE
_KEY_NOISE = re.compile(r"[\s_-]+")


def trailer_key(key: str) -> str:
    """Trailer keys compared without case, spaces, dashes or underscores: Co-Authored-By == co authored by."""
    return _KEY_NOISE.sub("", key).lower()


@dataclass(frozen=True)
class Rule:
    tool: str  # a tool id, or FROM_TEXT
    kind: str
    counts: bool
    basis: str
    source: str
    note: str
    name: re.Pattern[str] | None = None
    email: re.Pattern[str] | None = None
    key: str = ""  # normalized trailer key
    value: re.Pattern[str] | None = None
    pattern: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None
    exclude_note: str = ""
    login: re.Pattern[str] | None = None
    prefix: str = ""
    shape: re.Pattern[str] | None = None  # a branch's whole name, in the shape the tool gives it
    label: str = ""


@dataclass(frozen=True)
class ToolTable:
    rules: tuple[Rule, ...]
    # (alias, tool id), longest alias first, for reading a tool out of free text.
    aliases: tuple[tuple[str, str], ...]
    alias_pattern: re.Pattern[str]

    @cached_property
    def _by_kind(self) -> dict[str, tuple[Rule, ...]]:
        return {kind: tuple(r for r in self.rules if r.kind == kind) for kind in KINDS}

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return self._by_kind[kind]

    def tool_in_text(self, text: str) -> str | None:
        """The tool a free text names (`Claude:claude-3-opus`, `github-copilot`), or None. A coding
        tool named anywhere in it wins over an assistant that tells no tool (`GPT-4o via Cursor`)."""
        named = [self._alias_tool(m.group(0).lower()) for m in self.alias_pattern.finditer(text)]
        return next((tool for tool in named if tool != UNKNOWN_AI), named[0] if named else None)

    def _alias_tool(self, alias: str) -> str:
        return next(tool for name, tool in self.aliases if name == alias)


class TableError(ValueError):
    """The packaged tool table is malformed: a defect of the package, caught by its tests."""


def _regex(row: dict[str, Any], field: str, anchored: bool) -> re.Pattern[str] | None:
    text = row.get(field)
    if text is None:
        return None
    if not isinstance(text, str):
        raise TableError(f"rule {row}: {field} must be a string")
    try:
        return re.compile(f"(?:{text})" + (r"\Z" if anchored else ""), _FLAGS | re.MULTILINE)
    except re.error as exc:
        raise TableError(f"rule {row}: bad {field} regex: {exc}") from None


def _rule(row: dict[str, Any]) -> Rule:
    tool, kind = row.get("tool"), row.get("kind")
    if tool not in (*TOOL_IDS, FROM_TEXT):
        raise TableError(f"rule {row}: unknown tool {tool!r}")
    if kind not in KINDS:
        raise TableError(f"rule {row}: unknown kind {kind!r}")
    if row.get("basis") not in BASES or not row.get("source"):
        raise TableError(f"rule {row}: needs a basis ({', '.join(BASES)}) and a source")
    rule = Rule(
        tool=tool,
        kind=kind,
        counts=bool(row.get("counts", True)),
        basis=row["basis"],
        source=row["source"],
        note=row.get("note", ""),
        name=_regex(row, "name", anchored=True),
        email=_regex(row, "email", anchored=True),
        key=trailer_key(row.get("key", "")),
        value=_regex(row, "value", anchored=False),
        pattern=_regex(row, "pattern", anchored=False),
        exclude=_regex(row, "exclude", anchored=False),
        exclude_note=row.get("exclude_note", ""),
        login=_regex(row, "login", anchored=True),
        prefix=str(row.get("prefix", "")).lower(),
        shape=_regex(row, "shape", anchored=True),
        label=str(row.get("label", "")).lower(),
    )
    needed = {
        "identity": rule.name or rule.email,
        "trailer": rule.key,
        "message": rule.pattern,
        "pr-body": rule.pattern,
        "plan-commit": rule.pattern,
        "login": rule.login,
        "branch": rule.prefix,
        "label": rule.label,
    }[kind]
    if not needed:
        raise TableError(f"rule {row}: a {kind} rule needs its pattern field")
    return rule


def parse_table(text: str) -> ToolTable:
    data = tomllib.loads(text)
    tools = data.get("tool", [])
    ids = [t.get("id") for t in tools]
    if sorted(ids) != sorted(TOOL_IDS):
        raise TableError(f"the table's tools {ids} are not the SPEC 5.1 ids")
    aliases = sorted(
        ((str(a).lower(), t["id"]) for t in tools for a in t.get("aliases", [])),
        key=lambda pair: -len(pair[0]),
    )
    # Whole words: an alias is not matched inside a longer name ("cursor" in "precursor").
    alternation = "|".join(re.escape(a) for a, _ in aliases)
    alias_pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", _FLAGS)
    rules = tuple(_rule(row) for row in data.get("rule", []))
    # Look-alikes first, so a review bot is recognised before any broader AI row can match it.
    rules = tuple(r for r in rules if not r.counts) + tuple(r for r in rules if r.counts)
    return ToolTable(rules=rules, aliases=tuple(aliases), alias_pattern=alias_pattern)


@cache  # the bundled AI tool table (gate/data/ai_tools.toml), parsed once per process
def tool_table() -> ToolTable:
    return parse_table((files("gate") / "data" / "ai_tools.toml").read_text(encoding="utf-8"))
