from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.registries import FakeNpm, FakePyPI


@pytest.fixture
def pypi() -> Iterator[FakePyPI]:
    registry = FakePyPI()
    with registry.running():
        yield registry


@pytest.fixture
def npm() -> Iterator[FakeNpm]:
    registry = FakeNpm()
    with registry.running():
        yield registry
