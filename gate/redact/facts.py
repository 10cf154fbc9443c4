"""What the analysis of the secret detector's patterns finds, kept in a file beside this module.

Building the detector's rules (`gate.redact.rules.detector_rules`) reads the syntax tree of each of its
two hundred patterns for the literals one of which every match holds (`gate.redact.prefilter`) and for
whether it matches only inside a long run of token characters (`gate.redact.runs`): most of the rules'
set-up, paid by every run before its first scan. The answers depend on the patterns, the analysis's
code and the Python that parses them, and on nothing a run reads; so the installation writes them once
(`python -m gate.redact.keep_facts`, run by `make` and by the image's build) and each run reads them back.

The file names what it was made from (`fingerprint`: every pattern and its flags, the source of the
modules that analyse them, Python's version) and holds a digest of its content. A run whose fingerprint
differs (a module edited since, another Python), or that finds the file missing, unreadable, cut short
or without an answer for every rule, analyses the patterns itself. The file lies in the installation:
whoever can write it can change the detector's code as well (SECURITY.md, 2b).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("detector-facts.json")
# The modules whose code decides the answers: the analysis, and the rules' use of it.
_ANALYSIS = ("prefilter.py", "runs.py", "rules.py", "facts.py")

_Literals = tuple[str, ...] | None


@dataclass(frozen=True)
class RuleFacts:
    """The analysis's answers for the detector's patterns, in the rules' order (`detector_rules`)."""

    # The prefilter's tables (`Prefilter.from_tables`): the rules always run, and each literal's rules.
    always: tuple[int, ...]
    exact: tuple[tuple[str, tuple[int, ...]], ...]
    folded: tuple[tuple[str, tuple[int, ...]], ...]
    keyword_covered: bool  # `KEYWORD_COVER` covers every string of the keywords
    plain_keywords_exact: bool  # the keywords that need nothing around them are an alternation of literals
    # For each key format: its required literals and whether they are found case-insensitively, or None.
    format_needs: tuple[tuple[tuple[str, ...], bool] | None, ...]
    format_literals: tuple[_Literals, ...]
    format_folded: tuple[_Literals, ...]
    format_folded_on_line: tuple[_Literals, ...]
    in_runs: tuple[bool, ...]
    # For each detect-secrets regex: in runs, literals, folded, needs a run, needs a run in ASCII text.
    finders: tuple[tuple[bool, _Literals, bool, bool, bool], ...]


def fingerprint(patterns: Sequence[re.Pattern[str]]) -> str:
    """What facts of these patterns depend on: each pattern and its flags, in order, the analysing
    modules' source, and Python's version."""
    digest = hashlib.sha256(sys.version.encode())
    for name in _ANALYSIS:
        digest.update(Path(__file__).with_name(name).read_bytes())
    for pattern in patterns:
        digest.update(f"\0{pattern.flags}\0{pattern.pattern}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load(key: str, path: Path = PATH) -> RuleFacts | None:
    """The facts kept for `key` (a `fingerprint`); None when the file is missing, unreadable, of
    other patterns or code, or not as written."""
    try:
        kept = json.loads(path.read_bytes())
        if not isinstance(kept, dict) or kept.get("fingerprint") != key:
            return None
        body = kept.get("facts")
        if not isinstance(body, dict) or kept.get("digest") != _digest(body):
            return None
        return RuleFacts(**{f.name: _tuples(body[f.name]) for f in fields(RuleFacts)})
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def save(key: str, facts: RuleFacts, path: Path = PATH) -> None:
    """Write the facts for `key`, whole or not at all (a run reading the file meanwhile sees the old
    file or the new one)."""
    import tempfile

    body = asdict(facts)
    text = json.dumps({"fingerprint": key, "digest": _digest(body), "facts": body}, sort_keys=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(scratch, 0o644)  # read by every user of the installation, as its modules are
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _tuples(value: Any) -> Any:
    """JSON's lists as the tuples the facts hold."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
