"""The one place litellm is imported and configured: lazily, with telemetry and callbacks off.

Importing litellm costs seconds, so only code paths that call a model reach this module's functions.

The import creates some 400,000 objects (pydantic models, typing constructs, the cost map) that live as
long as the process. With automatic collection on, each full collection the import triggers rescans
all that it has made so far, and every later collection, and the one at exit, walks them again; the
process's teardown then frees them one by one. So the import runs with automatic collection paused,
and what it made is frozen (`gc.freeze`) after it: never collected again, nor torn down at exit.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import threading
from functools import lru_cache
from typing import Any

from gate import collector, syntax

# Modules litellm (the pinned version) imports only on its first completion, and the tokenizer it
# loads on the first count: imported with litellm, on the thread that imports it, so that they are
# frozen with the rest and a model stage's first call does not import them. A name another version
# lacks is skipped; its first call then imports what it needs, as before.
FIRST_CALL_MODULES = (
    "litellm.litellm_core_utils.default_encoding",  # tiktoken's cl100k_base, read once
    "litellm.proxy.openai_files_endpoints.common_utils",  # file ids in messages; litellm.proxy._types
    "litellm.llms.openai_like.dynamic_config",
    "litellm.llms.github_copilot.per_user_auth",
    "litellm._service_logger",
    "litellm.proxy.spend_tracking.savings",
)

_loading = threading.Lock()  # one import: a caller that comes while another thread imports waits for it
_background = threading.Lock()
_started: list[threading.Thread] = []


def litellm() -> Any:
    """litellm, imported and configured once per process."""
    with _loading:
        return _configured()


@lru_cache(maxsize=1)  # the configured module itself
def _configured() -> Any:
    # The cost map must come from the pinned package, never from the network.
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    # Nor may its settings come from a file the change can add: in its default mode, litellm's import
    # loads the first `.env` found above the installed package (or in the working directory, when the
    # process has no script file), without overriding what is set. With a virtualenv inside the
    # checkout, that is the pull request's own `.env`: an `OPENAI_BASE_URL` or a proxy there would send
    # the prompts and the model key to a host the pull request names.
    os.environ["LITELLM_MODE"] = "PRODUCTION"
    with collector.paused():
        import litellm as lm

        for name in FIRST_CALL_MODULES:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        gc.freeze()

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
    it first waits for that import, never imports twice. Once per process."""
    with _background:
        if _started or _configured.cache_info().currsize:
            return
        syntax.guard_stdlib_parser()  # the import defines pydantic models, which parse signatures
        thread = threading.Thread(target=litellm, name="import-litellm", daemon=True)
        _started.append(thread)
        thread.start()


IMPORT_WAIT_AT_EXIT_SECONDS = 30.0


def finish_background_import() -> None:
    """Wait for a background import that is still running: for a run that ends before it needs
    litellm (an error, a budget spent, no model stage after all). Left running into the process's
    exit, the import (which creates OpenSSL contexts for openai's client) had OpenSSL torn down under
    it, and the process died with a segmentation fault instead of exiting with its verdict's code.
    Called before the interpreter starts shutting down: the import registers exit handlers of its own."""
    for thread in _started:
        # Bounded: an import that hangs (a network it should not reach) must not keep the run from
        # exiting with its verdict.
        thread.join(timeout=IMPORT_WAIT_AT_EXIT_SECONDS)
