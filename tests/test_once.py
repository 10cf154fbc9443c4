"""`gate.once`: one build per process, whatever the threads asking for it first."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from gate.once import once


def test_threads_that_ask_at_once_share_one_build() -> None:
    builds: list[object] = []

    @once
    def value() -> object:
        time.sleep(0.05)  # the other threads arrive while this build is under way
        builds.append(object())
        return builds[-1]

    start = threading.Barrier(8)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(value())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert got == [builds[0]] * 8
    assert value() is builds[0]


def test_a_failed_build_is_tried_again_by_the_next_caller() -> None:
    attempts: list[int] = []

    @once
    def value() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("not yet")
        return 7

    with pytest.raises(OSError):
        value()
    assert value() == 7
    assert len(attempts) == 2


def test_the_detector_rules_and_the_model_loop_are_one_each_when_threads_ask_first_at_once() -> None:
    # In a fresh process, where neither is built yet: the model stages' threads ask for both at once.
    script = """
import threading
from gate.models.loop import model_loop
from gate.redact.rules import detector_rules
start = threading.Barrier(4)
got = []
def ask():
    start.wait()
    got.append((detector_rules(), model_loop()))
threads = [threading.Thread(target=ask) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(len({id(rules) for rules, _ in got}), len({id(loop) for _, loop in got}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "1"]
