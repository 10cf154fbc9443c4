"""Requirements drawn from the intent sources: one `spec_extract` call, cached by content hash.

The key hashes the prompt version, the model and the messages sent (sources already bounded and
redacted), so a changed issue or spec is a new key and the same sources are never extracted twice:
within a run, and across runs when `AI_GATE_CACHE_DIR` names a directory (the Action can keep it with
actions/cache). What the model answered is checked by code: a statement that names no source given is
dropped, statements are cut to a bound and numbered `R1`.. in order.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gate.intent.prompt import (
    EXTRACT_PROMPT,
    MAX_REQUIREMENTS,
    MAX_STATEMENT_CHARS,
    Statement,
    extract_messages,
)
from gate.intent.sources import Intent
from gate.models.interface import CallRequest, ModelClient
from gate.models.schemas import SpecExtractOutput
from gate.pipeline import Usage
from gate.review.prompt import load_prompt

CACHE_ENV = "AI_GATE_CACHE_DIR"
CACHE_SERVICE = "spec_extract_cache"  # RunContext.services key: this run's {key: statements}


@dataclass(frozen=True)
class Extraction:
    statements: tuple[Statement, ...]
    key: str
    cached: bool = False
    model: str | None = None
    error: str | None = None  # no model could extract them
    dropped: int = 0  # statements naming no known source, or past MAX_REQUIREMENTS
    usage: Usage = field(default_factory=Usage)


def content_key(model: str, intent: Intent) -> str:
    messages = [{"role": m.role, "content": m.content} for m in extract_messages(intent.sources)]
    text = json.dumps([load_prompt(EXTRACT_PROMPT).version, model, messages], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def statements_from(
    output: SpecExtractOutput, source_ids: Sequence[str]
) -> tuple[tuple[Statement, ...], int]:
    """The validated answer as numbered statements, and how many were dropped."""
    known = set(source_ids)
    out: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    dropped = 0
    for item in output.requirements:
        text = " ".join(item.statement.split())[:MAX_STATEMENT_CHARS]
        source = item.source.strip()
        if source not in known or not text or (source, text.lower()) in seen or len(out) >= MAX_REQUIREMENTS:
            dropped += 1
            continue
        seen.add((source, text.lower()))
        out.append(Statement(f"R{len(out) + 1}", source, text))
    return tuple(out), dropped


def _cache_file(key: str, environ: Mapping[str, str]) -> Path | None:
    root = environ.get(CACHE_ENV, "").strip()
    return Path(root) / "spec_extract" / f"{key}.json" if root else None


def _cached(
    key: str, run_cache: dict[str, tuple[Statement, ...]], environ: Mapping[str, str]
) -> tuple[Statement, ...] | None:
    if key in run_cache:
        return run_cache[key]
    path = _cache_file(key, environ)
    if path is None:
        return None
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        found = tuple(Statement(str(r["id"]), str(r["source"]), str(r["statement"])) for r in rows)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: extract again
    return found if len(found) <= MAX_REQUIREMENTS else None


def _store(
    key: str,
    statements: tuple[Statement, ...],
    run_cache: dict[str, tuple[Statement, ...]],
    environ: Mapping[str, str],
) -> None:
    run_cache[key] = statements
    path = _cache_file(key, environ)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([s.to_json() for s in statements], ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return  # a cache that cannot be written only costs the call next time


async def extract(
    client: ModelClient,
    models: Sequence[str],
    intent: Intent,
    run_cache: dict[str, tuple[Statement, ...]],
    environ: Mapping[str, str] | None = None,
) -> Extraction:
    """The statements, from the cache or from one call (the next model is tried only when one fails)."""
    environ = os.environ if environ is None else environ
    ids = [s.id for s in intent.sources]
    first = models[0]
    key = content_key(first, intent)
    hit = _cached(key, run_cache, environ)
    if hit is not None:
        return Extraction(hit, key, cached=True)
    messages = extract_messages(intent.sources)
    version = load_prompt(EXTRACT_PROMPT).version
    usage = Usage()
    errors: list[str] = []
    for model in dict.fromkeys(models):
        result = await client.call(
            CallRequest(
                stage="spec",
                model=model,
                schema_name="spec_extract",
                output_type=SpecExtractOutput,
                messages=messages,
                prompt_version=version,
                temperature=0.0,
                unit="requirements",
            )
        )
        usage = usage + result.usage
        output = next((o for o in result.outputs if isinstance(o, SpecExtractOutput)), None)
        if output is None:
            errors.append(f"{model}: {result.error or 'no valid answer'}")
            continue
        statements, dropped = statements_from(output, ids)
        _store(key, statements, run_cache, environ)
        return Extraction(statements, key, model=model, dropped=dropped, usage=usage)
    return Extraction((), key, error="; ".join(errors)[:500], usage=usage)
