"""How the benchmarks point `ai-gate` at the metered loopback server: config and scripted answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bench.loopback import MeteredServer, schema_of
from tests.fakes.model_server import sent_findings

REVIEW_MODELS = ("openai/bench-alpha", "openai/bench-beta", "openai/bench-gamma")
KEY_ENV = "BENCH_MODEL_KEY"

_PATH = re.compile(r"^###\s+(\S+)", re.MULTILINE)
_ADDED = re.compile(r"^\+\s*(\d+)\s*\|", re.MULTILINE)


def _user_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")


# One finding only this model raises (distinct words and category, so consensus does not merge them).
_OWN = {
    "bench-alpha": (
        "concurrency",
        "Shared cache mutated without a lock",
        "Two requests can interleave here.",
    ),
    "bench-beta": ("security", "Query assembled by string formatting", "User input reaches the SQL text."),
    "bench-gamma": ("resource-leak", "File handle never closed", "The opened file leaks on the error path."),
}
CONFIRMED_OWN = "Shared cache mutated without a lock"  # the cross-checkers agree with this one only


def review_answer(body: dict[str, Any]) -> dict[str, Any]:
    """Two findings per review call on the first file the prompt shows: one every model reports, and
    one only this model reports (so the cross-check round has something to decide)."""
    text = _user_text(body)
    path = _PATH.search(text)
    lines = [int(n) for n in _ADDED.findall(text)] or [1]
    model = str(body.get("model", "bench-alpha"))
    category, title, detail = _OWN.get(model, _OWN["bench-alpha"])
    own_line = lines[min(len(lines) - 1, 10 * (1 + sorted(_OWN).index(model) if model in _OWN else 1))]

    def at(line: int) -> dict[str, Any]:
        return {"path": path.group(1) if path else "unknown", "start_line": line, "end_line": line}

    return {
        "findings": [
            {
                **at(lines[0]),
                "severity": "high",
                "category": "error-handling",
                "title": "New call can raise on a missing key",
                "body": "The added lookup raises KeyError when the key is absent and nothing catches it.",
                "suggestion": None,
            },
            {
                **at(own_line),
                "severity": "medium",
                "category": category,
                "title": title,
                "body": detail,
                "suggestion": None,
            },
        ]
    }


def answer(body: dict[str, Any]) -> dict[str, Any]:
    schema = schema_of(body)
    if schema == "review":
        return review_answer(body)
    if schema == "cross_check":
        # agree with one model's own findings only, so some are confirmed and some are not
        verdicts = [
            {"id": fid, "agree": title == CONFIRMED_OWN, "reason": "checked against the code"}
            for fid, title in sent_findings(body)
        ]
        return {"verdicts": verdicts}
    if schema == "regeneration":
        return {"code": "pass\n"}
    if schema == "equivalence":
        return {"equivalent": True, "difference": ""}
    return {}


def serve_gate_models(server: MeteredServer, models: tuple[str, ...] = REVIEW_MODELS) -> None:
    for model in models:
        # litellm sends the name without its provider prefix
        server.answer(model.split("/", 1)[-1], answer)


def write_config(
    path: Path,
    server: MeteredServer,
    *,
    models: tuple[str, ...] = REVIEW_MODELS,
    review: bool = True,
    regen: bool = False,
    window: int | None = None,
) -> Path:
    """An ai-gate config whose model and registry traffic all goes to the loopback server. litellm's map
    does not know the bench's models: their context window is the gate's assumed 32,000 tokens unless
    `window` declares one (`max_input_tokens`)."""
    never = {"ai_share": 1.0, "ai_lines": 10**9}
    root = server.url.removesuffix("/v1")
    config = {
        "version": 1,
        "thresholds": {
            "review": {"ai_share": 0.0, "ai_lines": 0, "changed_lines": 0}
            if review
            else never | {"changed_lines": 10**9},
            "regen": {"ai_share": 0.0, "ai_lines": 0} if regen else never,
        },
        "models": {
            "review": list(models),
            "regen": list(models[:1]),
            "endpoints": {
                m: {"api_base": server.url, "api_key_env": KEY_ENV}
                | ({"max_input_tokens": window} if window else {})
                for m in models
            },
        },
        "dependencies": {"registries": {"pypi": root, "npm": root}},
        "budget": {"max_cost_usd": 1000.0, "max_seconds": 600, "unpriced_usd_per_million_tokens": 1.0},
    }
    if not regen:
        # a PR that is all AI meets any regen threshold (an AI share of 100% >= 1.0): select no hunks
        config["regen"] = {"max_hunks": 0}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
