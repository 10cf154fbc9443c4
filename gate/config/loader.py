"""Load the YAML configuration; every error names the file, the key and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gate.config.models import Config
from gate.errors import ConfigError

DEFAULT_PATH = ".github/ai-gate.yml"
MAX_CONFIG_BYTES = 1 << 20

Loc = tuple[str | int, ...]


def load_config(path: Path | None, *, repo_root: Path | None = None) -> tuple[Config, str | None]:
    """Load `path`, else `.github/ai-gate.yml` under `repo_root` if it exists, else the defaults.

    Returns the config and the file it came from (None for the defaults).
    """
    if path is None and repo_root is not None:
        candidate = repo_root / DEFAULT_PATH
        if candidate.is_file():
            path = candidate
    if path is None:
        return Config(), None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return load_config_text(text, str(path)), str(path)


def load_config_text(text: str, name: str = "<config>") -> Config:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    if node is None:
        return Config()
    lines: dict[Loc, int] = {}
    value = _to_python(node, (), lines, name)
    if not isinstance(value, dict):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the configuration must be a mapping")
    try:
        return Config.model_validate(value)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, lines, name)) from None


def _to_python(node: yaml.Node, loc: Loc, lines: dict[Loc, int], name: str) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if key_node.tag != "tag:yaml.org,2002:str"
                else key_node.value
            )
            if not isinstance(key, str):
                raise ConfigError(f"{name}:{key_node.start_mark.line + 1}: keys must be strings, got {key!r}")
            if key in out:
                raise ConfigError(
                    f"{name}:{key_node.start_mark.line + 1}: key '{_dotted((*loc, key))}' given twice"
                )
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*loc, key), lines, name)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*loc, i), lines, name) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _describe(exc: ValidationError, lines: dict[Loc, int], name: str) -> str:
    err = exc.errors()[0]
    loc: Loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    line = None
    probe = loc
    while probe:
        if probe in lines:
            line = lines[probe]
            break
        probe = probe[:-1]
    where = f"{name}:{line}" if line else name
    key = _dotted(loc)
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{key}'"
    elif err["type"] == "missing":
        msg = f"missing key '{key}'"
    else:
        msg = f"'{key}': {err['msg']} (got {err.get('input')!r})"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    return f"{where}: {msg}"
