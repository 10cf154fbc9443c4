"""The one place litellm is imported and configured: lazily, with telemetry and callbacks off.

Importing litellm costs seconds, so only code paths that call a model reach this module's function.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

from gate import syntax


@lru_cache(maxsize=1)  # the configured module itself: imported and set up once per process
def litellm() -> Any:
    # The cost map must come from the pinned package, never from the network.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm as lm

    lm.telemetry = False
    lm.suppress_debug_info = True
    lm.success_callback = []
    lm.failure_callback = []
    lm._async_success_callback = []
    lm._async_failure_callback = []
    lm.callbacks = []
    # Parameters a provider does not take (e.g. `temperature` on some reasoning models) are dropped
    # rather than failing the call; the trace records what was asked.
    lm.drop_params = True
    # Counting tokens must not fetch a tokenizer from Hugging Face (litellm does for Llama and Command R
    # models): the gate reaches only GitHub, the models and the registries. tiktoken is bundled.
    lm.disable_hf_tokenizer_download = True
    return lm


def import_in_background() -> None:
    """Start importing litellm on a daemon thread, for a run that will call a model: the import's
    seconds then overlap the deterministic stages' waits on git and the registries. A caller that needs
    it first waits for that import (Python's import lock), never imports twice."""
    if litellm.cache_info().currsize:
        return
    syntax.guard_stdlib_parser()  # the import defines pydantic models, which parse signatures
    threading.Thread(target=litellm, name="import-litellm", daemon=True).start()
