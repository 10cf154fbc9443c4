"""The collector's settings around the import and at exit: restored after, whatever happens."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from gate import collector


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(10_000, 50, 100)
    yield gc.get_threshold()
    gc.set_threshold(*before)


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_no_automatic_collection_while_paused(thresholds: tuple[int, int, int]) -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(seen)
    try:
        with collector.paused():
            cycles = [Cycle() for _ in range(50_000)]
            assert gc.get_count()[0] > thresholds[0]
            assert collections == []
        del cycles
        [Cycle() for _ in range(thresholds[0] + 1)]
        assert collections  # back on: the next allocations past the threshold collect
    finally:
        gc.callbacks.remove(seen)
    assert gc.get_threshold() == thresholds


def test_the_thresholds_come_back_when_the_block_raises(thresholds: tuple[int, int, int]) -> None:
    with pytest.raises(ImportError), collector.paused():
        raise ImportError("no module named litellm")
    assert gc.get_threshold() == thresholds


def test_thresholds_set_by_someone_else_meanwhile_stay(thresholds: tuple[int, int, int]) -> None:
    with collector.paused():
        gc.set_threshold(700, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_everything_is_frozen_at_exit_once_however_often_asked() -> None:
    # atexit runs last-registered first: the handler registered before asks what the freeze left
    code = textwrap.dedent(
        """
        import atexit, gc
        from gate import collector
        atexit.register(lambda: print(gc.get_freeze_count() > 1000, gc.get_count()[0] == 0))
        collector.freeze_at_exit()
        collector.freeze_at_exit()
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]
