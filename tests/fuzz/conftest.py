"""Hypothesis profiles: bounded for `make test`, long for `make fuzz` (FUZZ_SECONDS per fuzz target).

`default` keeps property tests quick and free of timing flakes on a loaded two-core machine;
`fuzz` asks for many more examples per round and the fuzz targets loop for FUZZ_SECONDS each.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile("default", deadline=None, max_examples=60, suppress_health_check=_SLOW_OK)
settings.register_profile(
    "fuzz", deadline=None, max_examples=2_000, suppress_health_check=_SLOW_OK, print_blob=True
)

# Seconds each fuzz target runs: a short smoke in `make test`, long in `make fuzz`.
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "2"))
