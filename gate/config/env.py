"""`AI_GATE_MODEL_*` environment variables: overrides of the `models` call settings, validated like the
file's values (a runner may need a longer timeout than the repository's config says, without a commit).

An empty variable is unset; any other value must pass the same checks as the config key it overrides,
else the run stops with one line naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from gate.config.models import Config, Models
from gate.errors import ConfigError

# variable -> key of `models` it overrides
MODEL_ENV: dict[str, str] = {
    "AI_GATE_MODEL_CONCURRENCY": "concurrency",
    "AI_GATE_MODEL_TIMEOUT": "timeout_seconds",
    "AI_GATE_MODEL_BACKOFF": "backoff_seconds",
    "AI_GATE_MODEL_GRACE": "grace_seconds",
    "AI_GATE_MODEL_MAX_OUTPUT_TOKENS": "max_output_tokens",
}


def with_env_overrides(config: Config, environ: Mapping[str, str]) -> Config:
    """`config` with the `AI_GATE_MODEL_*` variables set in `environ` applied to `models`."""
    overrides = {key: environ[var].strip() for var, key in MODEL_ENV.items() if environ.get(var, "").strip()}
    if not overrides:
        return config
    data = config.models.model_dump()
    for var, key in MODEL_ENV.items():
        if key not in overrides:
            continue
        try:
            Models.model_validate({**data, key: overrides[key]})
        except ValidationError as exc:
            err = exc.errors()[0]
            got = repr(environ[var])
            got = got if len(got) <= 40 else got[:37] + "..."
            raise ConfigError(
                f"environment variable {var}: 'models.{key}': {err['msg']} (got {got})",
                f"unset {var} or give it a valid value",
            ) from None
    return config.model_copy(update={"models": Models.model_validate({**data, **overrides})})
