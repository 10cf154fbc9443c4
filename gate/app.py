"""Run the gate over a change: load it, build the run's services, run the pipeline. Shared by every entry."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gate.config.env import with_env_overrides
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.errors import GateError
from gate.intent.sources import SERVICE as LINKED_ISSUES
from gate.intent.sources import LinkedIssues
from gate.models.budget import RunBudget
from gate.pipeline import Outcome, Progress, RunContext, _no_progress, run
from gate.review.incremental import COMPARE_SERVICE as COMPARE_HEADS
from gate.review.incremental import SERVICE as PREVIOUS_REVIEW
from gate.review.incremental import HeadDiff
from gate.review.state import ReviewState
from gate.stages import default_stages


@contextmanager
def run_services(config: Config, trace_path: Path | None, offline: bool) -> Iterator[dict[str, Any]]:
    """Run-scoped services (trace writer, model layer), closed even when the run fails."""
    services: dict[str, Any] = {"trace_path": trace_path}
    # The budget's clock starts with the run: deterministic stages count against max_seconds too.
    services["budget"] = RunBudget.from_config(config.budget)
    if trace_path is not None:
        from gate.models.trace import TraceWriter

        services["trace"] = TraceWriter.open(trace_path, config)
    try:
        yield services
    finally:
        for service in reversed(list(services.values())):
            close = getattr(service, "close", None)
            if callable(close):
                close()


def run_gate(
    changeset: ChangeSet,
    config: Config,
    *,
    offline: bool = False,
    trace_path: Path | None = None,
    progress: Progress = _no_progress,
    previous_review: ReviewState | None = None,
    compare_heads: HeadDiff | None = None,
    model_env: bool = True,
    linked_issues: LinkedIssues | Callable[[], LinkedIssues] | None = None,
) -> Outcome:
    """`previous_review`: the state an earlier run of the same change left, for an incremental review;
    `compare_heads` tells what changed since its head when the change's git cannot (the GitHub API);
    `linked_issues`: the issues the PR links (the `spec` stage's intent), or how to read them when that
    stage runs.
    The `AI_GATE_MODEL_*` environment variables override the config's model call settings (the entry
    points apply them on loading already; applying them again changes nothing). `model_env=False` leaves
    them out: the Action has applied them only as far as they tighten the base branch's config."""
    if model_env:
        config = with_env_overrides(config, os.environ)
    with run_services(config, trace_path, offline) as services:
        if previous_review is not None:
            services[PREVIOUS_REVIEW] = previous_review
        if compare_heads is not None:
            services[COMPARE_HEADS] = compare_heads
        if linked_issues is not None:
            services[LINKED_ISSUES] = linked_issues
        ctx = RunContext(
            changeset=changeset, config=config, offline=offline, services=services, progress=progress
        )
        trace = services.get("trace")
        try:
            outcome = run(ctx, default_stages())
        except GateError as exc:
            if trace is not None:  # the calls already recorded stay useful; say why the run stopped
                trace.write({"type": "error", "error": exc.one_line()})
            raise
        if trace is not None:
            trace.record_run(outcome)
        return outcome
