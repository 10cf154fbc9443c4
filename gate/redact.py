"""Redact credentials from text before it is sent to a model, written to a trace, or posted.

Uses the same detector as the `secrets` analyzer (detect-secrets), so what is flagged is what is hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

REDACTED = "[REDACTED]"


@dataclass(frozen=True)
class SecretHit:
    kind: str  # detect-secrets plugin name, e.g. "AWS Access Key"
    value: str  # the secret as it appears in the text


@lru_cache(maxsize=1)
def _plugins() -> tuple[object, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    skip = {"Hex High Entropy String", "Base64 High Entropy String"}
    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    return tuple(cls() for name, cls in mapping.items() if name not in skip)


def find_secrets(line: str) -> Iterator[SecretHit]:
    """Secrets on one line of text, by every detect-secrets plugin but the noisy entropy ones."""
    if len(line) > 10_000:
        line = line[:10_000]
    seen: set[str] = set()
    for plugin in _plugins():
        denylist = getattr(plugin, "denylist", None)
        kind = str(getattr(plugin, "secret_type", type(plugin).__name__))
        if denylist and type(plugin).__name__ != "KeywordDetector":
            # Regex detectors: take the whole token, not a short capture group such as "ghp".
            values = [_token(m) for regex in denylist for m in regex.finditer(line)]
        else:
            try:
                found = plugin.analyze_line(filename="", line=line, line_number=0)  # type: ignore[attr-defined]
            except Exception:
                continue
            values = [s.secret_value for s in found]
        for value in values:
            if value and len(value) >= 6 and value not in seen and value in line:
                seen.add(value)
                yield SecretHit(kind=kind, value=value)


def _token(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    best = max(groups, key=len) if groups else match.group(0)
    return best if len(best) >= 8 else match.group(0)


def redact(text: str) -> str:
    """Text with every detected secret replaced by [REDACTED]."""
    if not text:
        return text
    out = []
    for line in text.split("\n"):
        for hit in sorted(find_secrets(line), key=lambda h: -len(h.value)):
            line = line.replace(hit.value, REDACTED)
        out.append(line)
    return "\n".join(out)
