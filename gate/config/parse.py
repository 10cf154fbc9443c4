"""A configuration's YAML text read into a `Config`: only the safe subset of YAML, within bounds, and
every error names the file, the key and the line."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from gate.config.models import Config
from gate.errors import ConfigError

# A real config is a few levels deep with a few hundred values. The limits stop hostile YAML: aliases
# that expand exponentially ("billion laughs"), an alias that contains itself, and deep nesting.
MAX_DEPTH = 32
MAX_VALUES = 10_000

Loc = tuple[str | int, ...]
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def parse_config_text(text: str, name: str = "<config>") -> Config:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid YAML: nested too deeply") from None
    if node is None:
        return Config()
    lines: dict[Loc, int] = {}
    value = _to_python(node, (), lines, name, [0])
    if not isinstance(value, dict):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: the configuration must be a mapping")
    try:
        return Config.model_validate(value)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, lines, name)) from None


def _yaml_error(exc: yaml.YAMLError, name: str, line: int | None = None) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    if line is None and mark is not None:
        line = mark.line + 1
    where = f"{name}:{line}" if line is not None else name
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return ConfigError(f"{where}: invalid YAML: {problem}")


def _scalar(node: yaml.Node, name: str) -> Any:
    try:
        return yaml.safe_load(yaml.serialize(node))
    except yaml.YAMLError as exc:  # a tag safe YAML has no constructor for, e.g. !!python/object
        # The error's own mark points into the one-node fragment; the node knows the file line.
        raise _yaml_error(exc, name, node.start_mark.line + 1) from None


def _to_python(node: yaml.Node, loc: Loc, lines: dict[Loc, int], name: str, seen: list[int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    seen[0] += 1
    if len(loc) > MAX_DEPTH or seen[0] > MAX_VALUES:
        what = (
            f"nested deeper than {MAX_DEPTH} levels" if len(loc) > MAX_DEPTH else f"over {MAX_VALUES} values"
        )
        raise ConfigError(
            f"{name}:{node.start_mark.line + 1}: the configuration is {what}",
            "YAML aliases (*name) that expand a lot are not needed in a config; write the values out",
        )
    if isinstance(node, yaml.CollectionNode) and node.tag not in (_MAP, _SEQ):
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: invalid YAML: tag '{node.tag}' is not allowed")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, name) if key_node.tag != "tag:yaml.org,2002:str" else key_node.value
            if not isinstance(key, str):
                raise ConfigError(f"{name}:{key_node.start_mark.line + 1}: keys must be strings, got {key!r}")
            if key in out:
                raise ConfigError(
                    f"{name}:{key_node.start_mark.line + 1}: key '{_dotted((*loc, key))}' given twice"
                )
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*loc, key), lines, name, seen)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*loc, i), lines, name, seen) for i, item in enumerate(node.value)]
    return _scalar(node, name)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _describe(exc: ValidationError, lines: dict[Loc, int], name: str) -> str:
    err = exc.errors()[0]
    loc: Loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    # pydantic marks a mapping key that is not allowed (e.g. a registry other than pypi/npm) as "[key]".
    bad_key = loc[-1:] == ("[key]",)
    loc = loc[:-1] if bad_key else loc
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
    elif bad_key:
        msg = f"unknown key '{key}': {err['msg']}"
    elif err["type"] == "missing":
        msg = f"missing key '{key}'"
    else:
        got = repr(err.get("input"))
        got = got if len(got) <= 80 else got[:77] + "..."
        msg = f"'{key}': {err['msg']} (got {got})"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    return f"{where}: {msg}"
