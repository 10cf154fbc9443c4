"""Run the gate over a change: load it, build the run's services, run the pipeline. Shared by every entry."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from gate.analyzers import forget_caches as forget_analyzer_caches
from gate.analyzers.source import clear_parse_cache
from gate.config.env import with_env_overrides
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.context.opaque import with_opaque_files
from gate.context.python_coding import with_python_codings
from gate.errors import GateError
from gate.models.budget import RunBudget
from gate.pipeline import run
from gate.regen.lexing import lexed_names
from gate.regen.tokens import normalized_tokens
from gate.run import HeadDiff, Outcome, Progress, RunContext, Services, no_progress
from gate.stages import default_stages

if TYPE_CHECKING:
    from gate.intent.sources import LinkedIssues
    from gate.review.state import ReviewState


@contextmanager
def run_services(config: Config, trace_path: Path | None) -> Iterator[Services]:
    """Run-scoped services (trace writer, budget, model layer), closed even when the run fails."""
    # The budget's clock starts with the run: deterministic stages count against max_seconds too.
    services = Services(budget=RunBudget.from_config(config.budget))
    try:
        if trace_path is not None:
            from gate.models.trace import TraceWriter

            services.trace = TraceWriter.open(trace_path, config)
        yield services
    finally:
        if services.trace is not None:
            services.trace.close()
        forget_run_caches()


def forget_run_caches() -> None:
    """Empty the caches that hold a run's text (parsed files, test lines, token sequences, the names
    used around regions): they save work within a run, and no run's text outlives it in a long-lived
    process."""
    clear_parse_cache()
    forget_analyzer_caches()
    normalized_tokens.cache_clear()
    lexed_names.cache_clear()


def run_gate(
    changeset: ChangeSet,
    config: Config,
    *,
    offline: bool = False,
    trace_path: Path | None = None,
    progress: Progress = no_progress,
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
    # Whatever the change was read from: a Python file Python reads as other text was not read.
    changeset = with_python_codings(changeset)
    # Nor is a file read by a name that is not its own, a submodule's commit, or a notebook's cells.
    changeset = with_opaque_files(changeset)
    with run_services(config, trace_path) as services:
        services.previous_review = previous_review
        services.compare_heads = compare_heads
        services.linked_issues = linked_issues
        ctx = RunContext(
            changeset=changeset, config=config, offline=offline, services=services, progress=progress
        )
        trace = services.trace
        try:
            outcome = run(ctx, default_stages())
        except GateError as exc:
            if trace is not None:  # the calls already recorded stay useful; say why the run stopped
                trace.write({"type": "error", "error": exc.one_line()})
            raise
        if trace is not None:
            trace.record_run(outcome)
        return outcome
