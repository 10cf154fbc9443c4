"""Properties of the config loader: only ConfigError escapes, and an error names the key and its line."""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from gate.config import Config, load_config_text
from gate.errors import ConfigError

DEFAULTS: dict[str, Any] = Config().model_dump(mode="json")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _loads_or_config_error(text: str) -> str | None:
    try:
        load_config_text(text, "cfg.yml")
    except ConfigError as exc:
        line = exc.one_line()
        assert "\n" not in line and line.startswith("ai-gate: bad config: cfg.yml")
        return line
    return None


@given(st.text(max_size=300))
def test_any_text_is_a_config_or_a_config_error(text: str) -> None:
    _loads_or_config_error(text)


yaml_tokens = st.sampled_from(
    [
        "review:",
        "  quorum: ",
        "gate:",
        "  fail_on: ",
        "- ",
        "&a ",
        "*a",
        "<<: ",
        "!!str ",
        "!!binary ",
        "!!python/object:os.system ",
        "? ",
        ": ",
        "{",
        "}",
        "[",
        "]",
        ",",
        "'",
        '"',
        "|",
        ">",
        "#",
        "---",
        "...",
        "%YAML 1.1",
        "\n",
        "  ",
        "\t",
        "~",
        "1e400",
        ".nan",
        "0x1F",
        "2001-12-14",
        "yes",
        "\x85",
    ]
)


@given(st.lists(st.one_of(yaml_tokens, st.text(max_size=4)), max_size=40).map("".join))
def test_yaml_shaped_noise_is_a_config_or_a_config_error(text: str) -> None:
    _loads_or_config_error(text)


@given(st.dictionaries(st.sampled_from([*DEFAULTS, "extra", "Review"]), values, max_size=5))
def test_random_mappings_are_a_config_or_a_config_error(mapping: dict[str, Any]) -> None:
    _loads_or_config_error(yaml.safe_dump(mapping, allow_unicode=True))


def _mapping_paths(node: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out += _mapping_paths(value, (*prefix, key))
    return out


def _leaf_paths(node: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out += _leaf_paths(value, (*prefix, key))
        else:
            out.append((*prefix, key))
    return out


def _line_of(text: str, path: tuple[str, ...]) -> int:
    """The line of a key in block-style YAML: each key is found after its parent, two spaces deeper."""
    lines = text.split("\n")
    at = 0
    for depth, key in enumerate(path):
        want = " " * (2 * depth) + f"{key}:"
        while not (lines[at] == want or lines[at].startswith(want + " ")):
            at += 1
        at += 1
    return at


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(tree)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


@given(
    st.sampled_from(_mapping_paths(DEFAULTS)), st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=10)
)
def test_an_unknown_key_is_named_with_its_line(where: tuple[str, ...], name: str) -> None:
    key = "zz_" + name
    tree = _set(DEFAULTS, (*where, key), 1) if where else {**DEFAULTS, key: 1}
    text = yaml.safe_dump(tree, sort_keys=False, default_flow_style=False)
    error = _loads_or_config_error(text)
    dotted = ".".join((*where, key))
    assert error is not None
    assert error.startswith(
        f"ai-gate: bad config: cfg.yml:{_line_of(text, (*where, key))}: unknown key '{dotted}'"
    )


@given(st.sampled_from(_leaf_paths(DEFAULTS)))
def test_a_wrong_type_is_named_with_its_line(path: tuple[str, ...]) -> None:
    leaf = DEFAULTS
    for key in path:
        leaf = leaf[key]
    wrong: Any = [1, 2] if isinstance(leaf, dict) else {"zz_bad": [1]}
    text = yaml.safe_dump(_set(DEFAULTS, path, wrong), sort_keys=False, default_flow_style=False)
    error = _loads_or_config_error(text)
    assert error is not None
    m = re.match(r"ai-gate: bad config: cfg\.yml:(\d+): '([^']+)': ", error)
    assert m, error
    assert m.group(2) == ".".join(path)
    assert int(m.group(1)) == _line_of(text, path)
