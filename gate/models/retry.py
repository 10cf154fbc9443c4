"""Which failures are worth another attempt, and how long to wait: jittered exponential backoff that
honours a provider's `Retry-After`."""

from __future__ import annotations

import email.utils
import random
import time
from typing import Any

import httpx

MAX_RETRY_AFTER_S = 60.0
TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and connection errors; not bad requests, auth errors or context overflows."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException | httpx.TransportError):
        return True
    name = type(exc).__name__
    if name in ("Timeout", "APITimeoutError", "APIConnectionError", "ServiceUnavailableError"):
        return True
    status = status_of(exc)
    if status is not None:
        return status in TRANSIENT_STATUS or status >= 500
    return False


def retry_after(exc: BaseException) -> float | None:
    """Seconds the provider asked us to wait (Retry-After / retry-after-ms), if it said."""
    for headers in (
        getattr(getattr(exc, "response", None), "headers", None),
        getattr(exc, "litellm_response_headers", None),
    ):
        if not headers:
            continue
        value = _get(headers, "retry-after-ms")
        if value is not None:
            try:
                return max(0.0, float(value) / 1000.0)
            except ValueError:
                pass
        value = _get(headers, "retry-after")
        if value is not None:
            return _parse_retry_after(value)
    return None


def _get(headers: Any, key: str) -> str | None:
    try:
        value = headers.get(key)
    except AttributeError:
        return None
    return str(value) if value is not None else None


def _parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = email.utils.parsedate_to_datetime(value) if value else None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff(attempt: int, exc: BaseException | None, base: float, cap: float = 20.0) -> float:
    """Wait before attempt `attempt + 1`: Retry-After when given (plus a little jitter so runners that
    were throttled together do not return together), else full-jitter exponential backoff."""
    asked = retry_after(exc) if exc is not None else None
    if asked is not None:
        return min(asked, MAX_RETRY_AFTER_S) + random.uniform(0, min(0.25, base))
    return random.uniform(base / 2, min(cap, base * 2**attempt))
