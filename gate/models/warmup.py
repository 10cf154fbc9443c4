"""Load the model layer early when the run will call a model.

Importing litellm takes seconds of the run. When the thresholds call for a model stage (which then
imports litellm to choose its models, `gate.models.selection`), the import starts on a thread as soon
as that is known, so it overlaps the deterministic stages' waits on git and the registries instead of
following them. The diff alone can already tell (its changed lines meet a `changed_lines` threshold):
then the import starts while git still works out the commits and the lines' origins, before
provenance; otherwise after provenance. A run that calls for no model stage never imports it, nor
does one that can find no model to call (none configured, no provider key, no proxy: a pull request
from a fork, whose workflow gets no secrets); its model stages then say so without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from gate.models.runtime import import_in_background
from gate.models.selection import may_find_models
from gate.run import MODEL_STAGES

if TYPE_CHECKING:
    from gate.config.models import Config
    from gate.diff.model import Diff


def warm_up(escalations: Mapping[str, tuple[bool, str]], config: Config) -> bool:
    """Start the import when a model stage is called for and may find a model; True when it was
    started."""
    if any(escalations.get(stage, (False, ""))[0] for stage in MODEL_STAGES):
        return _start(config)
    return False


def warm_up_for_diff(diff: Diff, config: Config) -> bool:
    """Start the import when the diff's size alone calls for a model stage and it may find a model;
    True when it was started."""
    if size_calls_for_model(diff, config):
        return _start(config)
    return False


def _start(config: Config) -> bool:
    if not may_find_models(config, os.environ):
        return False
    import_in_background()
    return True


def size_calls_for_model(diff: Diff, config: Config) -> bool:
    """True when the diff's changed lines meet the review's or spec's `changed_lines` threshold,
    whatever provenance finds.

    Only files `paths.ignore` does not match are counted: the change the stages see keeps at least
    those (it may keep more, first-party code it keeps although matched), so a threshold met here is
    met by `gate.policy.escalations` too."""
    files = diff.files
    if config.paths.ignore:
        from gate.context.ignore import ignore_spec

        spec = ignore_spec(config.paths.ignore)
        files = tuple(c for c in files if not spec.match_file(c.path))
    changed = sum(c.added_count + c.removed_count for c in files)
    limits = (config.thresholds.review.changed_lines, config.thresholds.spec.changed_lines)
    # as `gate.policy` reads a threshold: 0 is met by any changed line
    return any(changed >= limit if limit > 0 else changed > 0 for limit in limits)
