"""pytest fixtures for the model-layer fakes; conftest files import them from here."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.model_server import FakeModelServer

# The cost map must come from the installed package in every test that imports litellm.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


@pytest.fixture
def model_server() -> Iterator[FakeModelServer]:
    server = FakeModelServer().start()
    try:
        yield server
    finally:
        server.stop()
