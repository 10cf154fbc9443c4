"""The registries of the dependencies stage: four ecosystems, defaults kept for the ones not named."""

from __future__ import annotations

import pytest

from gate.config import Config, load_config_text
from gate.errors import ConfigError


def test_default_registries_include_go_and_crates() -> None:
    registries = {key: str(url) for key, url in Config().dependencies.registries.items()}
    assert registries == {
        "pypi": "https://pypi.org/",
        "npm": "https://registry.npmjs.org/",
        "go": "https://proxy.golang.org/",
        "crates": "https://index.crates.io/",
    }


def test_naming_one_registry_keeps_the_others() -> None:
    config = load_config_text("dependencies:\n  registries: {go: 'https://goproxy.corp.example'}\n")
    registries = {key: str(url) for key, url in config.dependencies.registries.items()}
    assert registries["go"] == "https://goproxy.corp.example/"
    assert registries["crates"] == "https://index.crates.io/" and registries["pypi"] == "https://pypi.org/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dependencies:\n  registries: {crates: 'not a url'}\n", "dependencies.registries.crates"),
        ("dependencies:\n  registries: {go: 'ftp://proxy.example'}\n", "dependencies.registries.go"),
        (
            "dependencies:\n  registries: {cargo: 'https://index.crates.io'}\n",
            "dependencies.registries.cargo",
        ),
    ],
)
def test_a_bad_registry_is_an_error_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config_text(text)
    assert message in str(error.value)


def test_the_schema_lists_the_registries() -> None:
    schema = Config.model_json_schema(mode="validation")
    registries = schema["$defs"]["Dependencies"]["properties"]["registries"]
    assert registries["propertyNames"]["enum"] == ["pypi", "npm", "go", "crates"]
