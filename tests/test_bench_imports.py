"""Every benchmark module still imports: a rename in the package must not break `make bench` unseen."""

from __future__ import annotations

import importlib

import pytest

from bench.__main__ import MODULES


@pytest.mark.parametrize("name", MODULES)
def test_each_benchmark_module_imports_and_has_run(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.run)
