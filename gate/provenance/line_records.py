"""Line-level authorship records: git-ai notes (refs/notes/ai) and Agent Trace files, read as their
specifications say (the fixtures in tests/provenance/test_record_specs.py quote the sections).

git-ai (Git AI Standard v3.0.0, git-ai-project/git-ai `specs/git_ai_standard_v3.0.0.md`): a note is an
attestation section, a divider line that is exactly `---`, then a JSON metadata object whose
`schema_version` is `authorship/3.0.0` (1.2.1-1.2.4; earlier versions are not processed, section 3). In
the attestation section a file path starts a line, wrapped in double quotes when it holds a space, tab
or newline (the quotes are removed, nothing is unescaped); each entry under it is indented by exactly
two spaces: a key, one space, line ranges (`1,2,19-222`, no spaces). Keys are routed by prefix
(1.2.3.1): `s_<hex>::t_<hex>` to `metadata.sessions` (by the part before `::`), `h_<hex>` to
`metadata.humans`, a bare 16-hex (7-hex in notes before v1.0) legacy key to `metadata.prompts`. A human
key with no human record attests nothing, as in the reference reader; an AI key whose record is missing
still says AI, with the tool unknown. Lines under no key are untracked, not human. Ranges are line
numbers of the file at that commit; a later entry wins. The test tool `mock_ai` is ignored. A note
from `git format-patch --notes` arrives indented as a whole; that indentation is removed first.

Agent Trace (v0.1.0, cursor/agent-trace README section 6): JSON trace records, one a line in
`.agent-trace/traces.jsonl` (the path of the reference implementation; the specification leaves storage
open). A record needs `version`, `id` (a UUID), `timestamp` (RFC 3339) and `files` (6.1); one without
them is not read. Records are applied oldest first by their timestamp (later records override earlier
ones). files[]{path, conversations[]{url, contributor{type, model_id}, ranges[]{start_line, end_line,
contributor?}}}: a range's contributor overrides its conversation's (6.1, 6.3). Lines are 1-based at
the recorded `vcs.revision` (6.5); a revision of another VCS than git (`jj`, `hg`, `svn`, 6.4) names no
commit of ours, so its ranges are not placed. `ai` and `mixed` contributors count as AI, `human` as
human, `unknown` as nothing (4). The version is read as `N.N` or `N.N.N`: the reference implementation
writes `1.0` for this format, so the number is not used to refuse a record.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any

from gate.provenance.table import UNKNOWN_AI, tool_table
from gate.redact import cut_redacted

AGENT_TRACE_PATH = ".agent-trace/traces.jsonl"
IGNORED_TOOLS = frozenset({"mock_ai"})
# Records arrive with the change, so their shape is the author's to choose. Real records nest a few
# levels (record > files > conversations > ranges > contributor); past these bounds a record is
# disregarded with the reason, and the run goes on.
MAX_JSON_DEPTH = 32
MAX_RECORD_BYTES = 1 << 20  # one Agent Trace line, or one git-ai note
MAX_RECORDS_BYTES = 8 << 20  # the whole Agent Trace file
MAX_SPANS = 20_000  # line ranges read from one source

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}

# Git AI Standard v3.0.0 1.2.3.1; the length of the hex parts may change (3.2), so it is not fixed here.
_SESSION_KEY = re.compile(r"^(s_[0-9a-f]+)::t_[0-9a-f]+$")
_HUMAN_KEY = re.compile(r"^h_[0-9a-f]+$")
_PROMPT_KEY = re.compile(r"^(?:[0-9a-f]{16}|[0-9a-f]{7})$")
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
SCHEMA_VERSION = "authorship/3.0.0"
_SCHEMA_3 = re.compile(r"^authorship/3\.\d+\.\d+$")
DIVIDER = "---"
ENTRY_INDENT = "  "
# Agent Trace v0.1.0 6.1: version (the reference implementation writes "1.0"), id, timestamp.
_TRACE_VERSION = re.compile(r"^\d+\.\d+(?:\.\d+)?$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
GIT = "git"


@dataclass(frozen=True)
class LineSpan:
    """Lines of one file said to be AI (tool set) or human (tool None) by a line-level record."""

    path: str
    ranges: tuple[tuple[int, int], ...]  # inclusive, at the record's revision
    tool: str | None
    text: str  # the record as found, for the evidence
    revision: str | None = None  # Agent Trace vcs.revision; git-ai spans are at their own commit

    @property
    def ai(self) -> bool:
        return self.tool is not None

    def hits(self, candidates: Sequence[int]) -> list[int]:
        """The candidate line numbers (sorted ascending) the span covers: two bisections a range, so a
        record claiming lines 1-999999999 costs no more than the lines it really covers."""
        out: list[int] = []
        for lo, hi in self.ranges:
            out.extend(candidates[bisect_left(candidates, lo) : bisect_right(candidates, hi)])
        return out


@dataclass(frozen=True)
class ParsedRecords:
    spans: tuple[LineSpan, ...]
    problems: tuple[str, ...] = ()


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects deeper than `limit`, told in linear time
    without parsing it (a parser would recurse once a level)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit


def load_json(text: str, what: str) -> tuple[Any, str | None]:
    """The parsed JSON value, or None and why it was not read (too large, too deep, not JSON)."""
    if len(text) > MAX_RECORD_BYTES:
        return None, f"{what} is over {MAX_RECORD_BYTES >> 10} KiB: disregarded"
    if json_too_deep(text):
        return None, f"{what} nests deeper than {MAX_JSON_DEPTH} levels: disregarded"
    try:
        return json.loads(text), None
    except (json.JSONDecodeError, RecursionError):
        return None, f"{what} is not JSON: disregarded"


def _tool_id(raw: object) -> str:
    if not raw:
        return UNKNOWN_AI
    return tool_table().tool_in_text(str(raw)) or UNKNOWN_AI


def parse_ranges(text: str) -> tuple[tuple[int, int], ...] | None:
    """`1,2,19-222` (Git AI Standard v3.0.0 1.2.3: 1-based, no spaces); None when it is not that."""
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        m = _RANGE.match(part)
        if m is None:
            return None
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo < 1 or hi < lo:
            return None
        out.append((lo, hi))
    return tuple(out) or None


def _agent_tool(meta: dict[str, Any], section: str, key: str) -> tuple[bool, str | None]:
    """(whether `metadata.<section>` has a record for `key`, the record's raw `agent_id.tool`)."""
    entries = meta.get(section)
    entry = entries.get(key) if isinstance(entries, dict) else None
    if not isinstance(entry, dict):
        return False, None
    agent = entry.get("agent_id")
    if isinstance(agent, dict) and agent.get("tool"):
        return True, str(agent["tool"])
    return True, None


def _unquote(path: str) -> str:
    """A path line without its double quotes: the standard quotes paths holding whitespace and has no
    escapes (paths should not hold a quote), so nothing inside is unescaped."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        return path[1:-1]
    return path


def _dedented(lines: list[str]) -> list[str]:
    """The note without the indentation `git format-patch --notes` puts before each of its lines."""
    first = next((line for line in lines if line.strip()), "")
    prefix = first[: len(first) - len(first.lstrip(" "))]
    if prefix and all(line.startswith(prefix) for line in lines if line.strip()):
        return [line[len(prefix) :] for line in lines]
    return lines


def parse_git_ai_note(text: str) -> ParsedRecords:
    """The AI and human spans a git-ai note attests; problems are said, never raised."""
    if len(text) > MAX_RECORD_BYTES:
        return ParsedRecords((), (f"git-ai note over {MAX_RECORD_BYTES >> 10} KiB: disregarded",))
    lines = _dedented(text.replace("\r\n", "\n").split("\n"))
    try:
        cut = lines.index(DIVIDER)
    except ValueError:
        return ParsedRecords((), (f"git-ai note without a '{DIVIDER}' line: not read",))
    meta_text = "\n".join(lines[cut + 1 :])
    if json_too_deep(meta_text):
        return ParsedRecords(
            (), (f"git-ai note metadata nests deeper than {MAX_JSON_DEPTH} levels: disregarded",)
        )
    meta, _ = load_json(meta_text, "git-ai note metadata")
    if not isinstance(meta, dict):
        return ParsedRecords((), ("git-ai note metadata is not JSON: not read",))
    version = meta.get("schema_version")
    if not isinstance(version, str) or not _SCHEMA_3.match(version):
        shown = _quote(repr(version)) if version is not None else "missing"
        return ParsedRecords((), (f"git-ai note schema_version {shown}, not {SCHEMA_VERSION}: not read",))
    problems: list[str] = []
    spans: list[LineSpan] = []
    path = ""
    for raw in lines[:cut]:
        line = raw.rstrip()
        if not line:
            continue
        if not line[0].isspace():
            path = _unquote(line)
            continue
        entry = line.removeprefix(ENTRY_INDENT)
        key, _, rest = entry.partition(" ")
        ranges = parse_ranges(rest)
        if not path or entry[:1].isspace() or ranges is None:
            problems.append(f"git-ai note line not understood: {_quote(line.strip())!r}")
            continue
        tool = _key_tool(meta, key, problems)
        if tool is _NOT_READ:
            continue
        spans.append(LineSpan(path=path, ranges=ranges, tool=tool, text=_quote(f"{path}: {entry}")))
    if sum(len(span.ranges) for span in spans) > MAX_SPANS:
        return ParsedRecords((), (f"git-ai note with over {MAX_SPANS:,} line ranges: disregarded",))
    return ParsedRecords(tuple(spans), tuple(dict.fromkeys(problems)))


_NOT_READ = "\x00not read"


def _key_tool(meta: dict[str, Any], key: str, problems: list[str]) -> str | None:
    """The tool id an attestation key says (None = a known human), or `_NOT_READ`."""
    if _HUMAN_KEY.match(key):
        known, _ = _agent_tool(meta, "humans", key)
        if not known:
            problems.append(f"git-ai human key {key} has no record in metadata.humans: disregarded")
            return _NOT_READ
        return None
    session = _SESSION_KEY.match(key)
    if session is not None:
        section, record = "sessions", session.group(1)
    elif _PROMPT_KEY.match(key):
        section, record = "prompts", key
    else:
        problems.append(f"git-ai key not understood: {_quote(key)!r}")
        return _NOT_READ
    known, raw = _agent_tool(meta, section, record)
    if not known:
        problems.append(f"git-ai key {_quote(key)} has no record in metadata.{section}: AI, tool unknown")
    if raw in IGNORED_TOOLS:
        problems.append(f"git-ai attestation by the test tool {raw} ignored")
        return _NOT_READ
    return _tool_id(raw)


MAX_QUOTE = 300  # characters of a record quoted as evidence


def _quote(text: str) -> str:
    """Redacted before it is cut: a secret cut short is a piece that no redaction of the report finds."""
    return cut_redacted(text, MAX_QUOTE)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def parse_agent_traces(text: str) -> ParsedRecords:
    """Spans from Agent Trace JSON lines, oldest record first (later records override earlier ones)."""
    if len(text) > MAX_RECORDS_BYTES:
        return ParsedRecords((), (f"{AGENT_TRACE_PATH}: over {MAX_RECORDS_BYTES >> 20} MiB: disregarded",))
    records: list[tuple[datetime, dict[str, Any]]] = []
    bad = incomplete = other_vcs = 0
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, why = load_json(line, f"{AGENT_TRACE_PATH} line {number}")
        if why is not None and "not JSON" not in why:
            problems.append(why)
        elif not isinstance(record, dict) or not isinstance(record.get("files"), list):
            bad += 1
        elif (when := _trace_time(record)) is None:
            incomplete += 1
        else:
            records.append((when, record))
    records.sort(key=lambda r: r[0])
    spans: list[LineSpan] = []
    for _, record in records:
        vcs = record.get("vcs")
        revision: str | None = None
        if isinstance(vcs, dict):
            if vcs.get("type") != GIT:
                other_vcs += 1
                continue
            revision = str(vcs["revision"]) if vcs.get("revision") else None
        tool_info = record.get("tool")
        tool_name = tool_info.get("name") if isinstance(tool_info, dict) else None
        for entry in record["files"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                continue
            for conv in entry.get("conversations") or ():
                if isinstance(conv, dict):
                    spans.extend(_conversation_spans(entry["path"], conv, tool_name, revision))
    if bad:
        problems.append(f"{AGENT_TRACE_PATH}: {bad} lines are not trace records")
    if incomplete:
        problems.append(
            f"{AGENT_TRACE_PATH}: {incomplete} trace records without a valid version, id (UUID) or "
            "timestamp (RFC 3339), which Agent Trace v0.1.0 requires: not read"
        )
    if other_vcs:
        problems.append(
            f"{AGENT_TRACE_PATH}: {other_vcs} trace records at a revision of another VCS than git: not placed"
        )
    if len(spans) > MAX_SPANS:
        problems.append(f"{AGENT_TRACE_PATH}: over {MAX_SPANS:,} line ranges: disregarded")
        return ParsedRecords((), tuple(problems))
    return ParsedRecords(tuple(spans), tuple(problems))


def _trace_time(record: dict[str, Any]) -> datetime | None:
    """The record's timestamp when it has the fields Agent Trace v0.1.0 requires (6.1), else None."""
    version, ident, stamp = record.get("version"), record.get("id"), record.get("timestamp")
    if not isinstance(version, str) or not _TRACE_VERSION.match(version):
        return None
    if not isinstance(ident, str) or not _UUID.match(ident):
        return None
    if not isinstance(stamp, str) or not _RFC3339.match(stamp):
        return None
    try:
        return datetime.fromisoformat(stamp.upper().replace("Z", "+00:00"))
    except ValueError:
        return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _conversation_spans(
    path: str, conv: dict[str, Any], tool_name: object, revision: str | None
) -> list[LineSpan]:
    default = _dict(conv.get("contributor"))
    out: list[LineSpan] = []
    for rng in conv.get("ranges") or ():
        if not isinstance(rng, dict):
            continue
        start, end = _int(rng.get("start_line")), _int(rng.get("end_line"))
        if start is None or end is None or end < start:
            continue
        contributor = _dict(rng.get("contributor")) or default
        kind = str(contributor.get("type", "unknown"))
        if kind not in ("ai", "mixed", "human"):
            continue
        model = contributor.get("model_id")
        text = f"{path} {start}-{end} {kind}" + (f" {model}" if model else "")
        if conv.get("url"):
            text += f" {conv['url']}"
        tool = None if kind == "human" else _tool_id(tool_name)
        out.append(LineSpan(path=path, ranges=((start, end),), tool=tool, text=text, revision=revision))
    return out
