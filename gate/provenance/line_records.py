"""Line-level authorship records: git-ai notes (refs/notes/ai) and Agent Trace files.

git-ai (git-ai-project/git-ai, authorship/3.0.0): a note is an attestation block, a `---` line, then
JSON metadata. The block has a file path line, then indented `<key> <ranges>` lines:
`s_<14hex>::t_<14hex>` is an AI session (metadata.sessions), `h_<14hex>` a known human
(metadata.humans), a bare 16-hex (7-hex in old notes) prompt id an AI prompt (metadata.prompts).
Lines under no key are untracked, not human. Ranges are line numbers of the file at that commit.
The test tool `mock_ai` is ignored.

Agent Trace (cursor/agent-trace v0.1.0): JSON records, one a line in `.agent-trace/traces.jsonl`, with
files[]{path, conversations[]{url, contributor{type, model_id}, ranges[]{start_line, end_line,
contributor?}}}, optional vcs{type, revision} and tool{name, version}. Lines are 1-based at the
recorded revision. `ai` and `mixed` contributors count as AI, `human` as human, `unknown` as nothing.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from gate.provenance.table import UNKNOWN_AI, tool_table

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

_SESSION_KEY = re.compile(r"^s_[0-9a-f]+(::t_[0-9a-f]+)?$", re.IGNORECASE)
_HUMAN_KEY = re.compile(r"^h_[0-9a-f]+$", re.IGNORECASE)
_PROMPT_KEY = re.compile(r"^[0-9a-f]{7,16}$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


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
    out: list[tuple[int, int]] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        m = _RANGE.match(part)
        if m is None:
            return None
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo < 1 or hi < lo:
            return None
        out.append((lo, hi))
    return tuple(out) or None


def _agent_tool(meta: dict[str, Any], section: str, key: str) -> str | None:
    """The raw `agent_id.tool` of a session or prompt, or None when the metadata does not say."""
    entries = meta.get(section)
    if not isinstance(entries, dict):
        return None
    entry = entries.get(key)
    if entry is None and "::" in key:
        entry = entries.get(key.split("::", 1)[0])
    if not isinstance(entry, dict):
        return None
    agent = entry.get("agent_id")
    if isinstance(agent, dict) and agent.get("tool"):
        return str(agent["tool"])
    return None


def _unquote(path: str) -> str:
    if len(path) >= 2 and path[0] == path[-1] == '"':
        try:
            value = json.loads(path)
        except json.JSONDecodeError:
            return path[1:-1]
        return str(value)
    return path


def parse_git_ai_note(text: str) -> ParsedRecords:
    """The AI and human spans a git-ai note attests; problems are said, never raised."""
    if len(text) > MAX_RECORD_BYTES:
        return ParsedRecords((), (f"git-ai note over {MAX_RECORD_BYTES >> 10} KiB: disregarded",))
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        cut = next(i for i, line in enumerate(lines) if line.strip() == "---")
    except StopIteration:
        return ParsedRecords((), ("git-ai note without a '---' line: not read",))
    block = [line for line in lines[:cut] if line.strip()]
    meta_text = "\n".join(lines[cut + 1 :]) or "{}"
    if json_too_deep(meta_text):
        return ParsedRecords(
            (), (f"git-ai note metadata nests deeper than {MAX_JSON_DEPTH} levels: disregarded",)
        )
    meta, _ = load_json(meta_text, "git-ai note metadata")
    if not isinstance(meta, dict):
        meta = {}
    problems: list[str] = []
    if not meta:
        problems.append("git-ai note metadata is not JSON: tools unknown")
    base = min((len(line) - len(line.lstrip()) for line in block), default=0)
    spans: list[LineSpan] = []
    path = ""
    for line in block:
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if indent <= base:
            path = _unquote(stripped)
            continue
        key, _, rest = stripped.partition(" ")
        ranges = parse_ranges(rest)
        if not path or ranges is None:
            problems.append(f"git-ai note line not understood: {stripped!r}")
            continue
        tool: str | None
        if _HUMAN_KEY.match(key):
            tool = None
        else:
            if _SESSION_KEY.match(key):
                raw = _agent_tool(meta, "sessions", key)
            elif _PROMPT_KEY.match(key):
                raw = _agent_tool(meta, "prompts", key)
            else:
                problems.append(f"git-ai key not understood: {key!r}")
                continue
            if raw in IGNORED_TOOLS:
                problems.append(f"git-ai attestation by the test tool {raw} ignored")
                continue
            tool = _tool_id(raw)
        spans.append(LineSpan(path=path, ranges=ranges, tool=tool, text=_quote(f"{path}: {stripped}")))
    if sum(len(span.ranges) for span in spans) > MAX_SPANS:
        return ParsedRecords((), (f"git-ai note with over {MAX_SPANS:,} line ranges: disregarded",))
    return ParsedRecords(tuple(spans), tuple(dict.fromkeys(problems)))


MAX_QUOTE = 300  # characters of a record quoted as evidence


def _quote(text: str) -> str:
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def parse_agent_traces(text: str) -> ParsedRecords:
    """Spans from Agent Trace JSON lines, oldest record first (later records override earlier ones)."""
    if len(text) > MAX_RECORDS_BYTES:
        return ParsedRecords((), (f"{AGENT_TRACE_PATH}: over {MAX_RECORDS_BYTES >> 20} MiB: disregarded",))
    records: list[dict[str, Any]] = []
    bad = 0
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, why = load_json(line, f"{AGENT_TRACE_PATH} line {number}")
        if why is not None and "not JSON" not in why:
            problems.append(why)
        elif isinstance(record, dict) and isinstance(record.get("files"), list):
            records.append(record)
        else:
            bad += 1
    records.sort(key=lambda r: str(r.get("timestamp", "")))
    spans: list[LineSpan] = []
    for record in records:
        vcs = record.get("vcs")
        revision = str(vcs.get("revision")) if isinstance(vcs, dict) and vcs.get("revision") else None
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
    if len(spans) > MAX_SPANS:
        problems.append(f"{AGENT_TRACE_PATH}: over {MAX_SPANS:,} line ranges: disregarded")
        return ParsedRecords((), tuple(problems))
    return ParsedRecords(tuple(spans), tuple(problems))


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
