"""GitHub requests for a 300-file PR: reading, and posting as the number of findings grows.

Requests must follow what is posted (annotation batches of 50, one review, one comment), not the
number of files or lines.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from gate.diff.parser import parse_diff
from gate.github.action import run_action
from gate.github.client import GitHubClient
from gate.github.environment import Target
from gate.github.posting import post_results
from gate.report.github_view import PostContext, ReportView
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.gitrepo import GitRepo

FILES = 300


def _kind(method: str, path: str) -> str:
    tail = path.split("/repos/", 1)[-1].split("/", 2)[-1]
    parts = [p if not p.isdigit() and len(p) != 40 else "{n}" for p in tail.split("/")]
    return f"{method} {'/'.join(parts[:1] if parts[0] == 'contents' else parts[:3])}"


def _detail(fake: FakeGitHub) -> str:
    counts = Counter(_kind(r.method, r.path) for r in fake.requests)
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def run() -> str:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        repo = GitRepo(tmp / "repo")
        repo.write("README", "base\n")
        base = repo.commit("base")
        for i in range(FILES):
            repo.write(f"pkg/m{i:04d}.py", "".join(f"x{n} = {n}\n" for n in range(20)))
        head = repo.commit("300 files")
        fake = FakeGitHub().start()
        try:
            pull_from_git(fake, repo, base, head, number=1)
            (tmp / "none").mkdir()
            run_action(runner_env(fake, tmp, 1, workspace=tmp / "none"))
            rows.append(f"| full run, no checkout (API only) | {len(fake.requests)} | {_detail(fake)} |")
            fake.requests.clear()
            run_action(runner_env(fake, tmp, 1, workspace=repo.root))
            rows.append(f"| full run, checkout with history | {len(fake.requests)} | {_detail(fake)} |")
            diff = parse_diff(fake.pulls[1].diff)
            for n in (0, 10, 100, 300):
                fake.requests.clear()
                findings = [
                    {
                        "id": f"f{i}",
                        "stage": "secrets",
                        "path": f"pkg/m{i % FILES:04d}.py",
                        "start_line": 1 + i % 20,
                        "severity": "high",
                        "title": f"finding {i}",
                        "blocking": True,
                        "fingerprint": f"fp{n}-{i}",
                    }
                    for i in range(n)
                ]
                view = ReportView.parse(
                    {"schema_version": 1, "verdict": "fail" if n else "pass", "findings": findings}, "bench"
                )
                ctx = PostContext(view=view, number=1, head_sha=head, diff=diff, identity=fake.login_of("t"))
                post_results(
                    GitHubClient(fake.url, "t", fake.repo), ctx, frozenset(Target), step_summary=None
                )
                rows.append(
                    f"| posting {n} findings | {len(fake.requests)} | "
                    f"{len(fake.requests_to('PATCH', r'/check-runs/'))} check-run updates |"
                )
            assert not fake.invalid, fake.invalid
        finally:
            fake.stop()
    return "\n".join(
        [
            f"## GitHub requests for a {FILES}-file PR",
            "",
            "| what | requests | detail |",
            "| --- | ---: | --- |",
            *rows,
            "",
        ]
    )


if __name__ == "__main__":
    print(run())
