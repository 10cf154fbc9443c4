"""A forked child (`gate.worker`) that reads through the GitHub client opens its own connections: two
processes writing requests on one keep-alive connection would read each other's answers.

The fork happens in a separate, single-threaded process, as in the gate; the fake GitHub server runs in
this one and rejects any request that is not a valid one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.github_server import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from gate.github.client import GitHubClient

    client = GitHubClient(sys.argv[1], "t", sys.argv[2])
    expected = client.viewer_login()  # the parent's connection is open and kept alive
    pid = os.fork()
    logins = {client.viewer_login() for _ in range(40)}
    if pid == 0:
        os._exit(0 if logins == {expected} else 3)
    _, status = os.waitpid(pid, 0)
    sys.exit(0 if logins == {expected} and os.waitstatus_to_exitcode(status) == 0 else 4)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs os.fork")
def test_a_forked_child_and_its_parent_each_read_their_own_answers(github: FakeGitHub) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, github.url, github.repo],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(github.requests_to("POST", r"/graphql$")) == 81
