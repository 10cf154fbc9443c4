"""Load the model layer early when the run will call a model.

Importing litellm takes seconds of the run. When the thresholds call for a model stage (which then
imports litellm to choose its models, `gate.models.selection`), the import starts on a thread as soon
as that is known (after provenance), so it overlaps the deterministic stages' waits on git and the
registries instead of following them. A run that calls for no model stage never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping

from gate.models.runtime import import_in_background
from gate.run import MODEL_STAGES


def warm_up(escalations: Mapping[str, tuple[bool, str]]) -> bool:
    """Start the import when a model stage is called for; True when it was started."""
    if any(escalations.get(stage, (False, ""))[0] for stage in MODEL_STAGES):
        import_in_background()
        return True
    return False
