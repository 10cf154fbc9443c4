"""What litellm's pinned local model map says about a model: price, context window, support for `n`,
its provider; and how many tokens a prompt holds.

Everything comes from the package (`LITELLM_LOCAL_MODEL_COST_MAP=True`, never fetched). A model the map
does not know (a proxy alias, a self-hosted model, a test double) has `known: false`: its price is not
zero but unknown, and the run's budget decides what it counts at (`gate.models.budget`). Its context
window is taken as `DEFAULT_CONTEXT_TOKENS`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

FALLBACK_COST_PER_TOKEN = 0.0  # what `facts` says of an unknown model; never charged as such
DEFAULT_CONTEXT_TOKENS = 32_000
PROXY_PREFIX = "litellm_proxy/"


@dataclass(frozen=True)
class ModelFacts:
    known: bool
    max_input_tokens: int
    input_cost_per_token: float
    output_cost_per_token: float
    supports_n: bool


def _map_name(model: str) -> str:
    """The name to look up in the cost map: a proxied model is priced as the model behind it."""
    return model[len(PROXY_PREFIX) :] if model.startswith(PROXY_PREFIX) else model


# What the map says of each model name a run uses (a few small records): looked up once per process.
MODELS_CACHED = 256


@lru_cache(maxsize=MODELS_CACHED)
def facts(model: str) -> ModelFacts:
    from gate.models.runtime import litellm

    lm = litellm()
    name = _map_name(model)
    supports_n = _supports_n(lm, model)
    try:
        info = lm.get_model_info(name)
    except Exception:
        return ModelFacts(
            False, DEFAULT_CONTEXT_TOKENS, FALLBACK_COST_PER_TOKEN, FALLBACK_COST_PER_TOKEN, supports_n
        )
    return ModelFacts(
        known=True,
        max_input_tokens=int(
            info.get("max_input_tokens") or info.get("max_tokens") or DEFAULT_CONTEXT_TOKENS
        ),
        input_cost_per_token=float(info.get("input_cost_per_token") or 0.0),
        output_cost_per_token=float(info.get("output_cost_per_token") or 0.0),
        supports_n=supports_n,
    )


def _supports_n(lm: object, model: str) -> bool:
    try:
        _, provider, _, _ = lm.get_llm_provider(model)  # type: ignore[attr-defined]
        params = lm.get_supported_openai_params(model=model, custom_llm_provider=provider)  # type: ignore[attr-defined]
    except Exception:
        return False
    return bool(params) and "n" in params


def provider_of(model: str) -> str:
    """The provider litellm resolves a model name to, offline ("openai", "anthropic", "gemini", ...);
    a proxied name is the provider behind the proxy; "unknown" when litellm cannot tell."""
    return _provider(_map_name(model))


@lru_cache(maxsize=MODELS_CACHED)
def _provider(name: str) -> str:
    from gate.models.runtime import litellm

    try:
        _, provider, _, _ = litellm().get_llm_provider(name)
    except Exception:  # litellm raises its own BadRequestError for a name it cannot place
        return "unknown"
    return str(provider or "unknown")


# Token counts of recent texts, keyed by the tokenizer that counts them and a digest of the text, so the
# cache holds no prompt text. litellm's counter takes a model name, yet most names share a tokenizer
# (tiktoken's few encodings): a review chunk's prompt goes to every review model and is tokenized once,
# and a model without `n` is sent the same prompt once per sample. Oldest dropped first.
COUNTS_CACHED = 256
_counts: dict[tuple[object, bytes], int] = {}
_counts_lock = threading.Lock()


def prompt_tokens(model: str, messages: Sequence[Mapping[str, str]]) -> int:
    """Tokens in `messages` by litellm's counter for `model`, offline (tiktoken, bundled).

    The same figure as `litellm.token_counter(model=..., messages=...)`: what the model's chat format adds
    per message (`_framing`, from the roles alone) plus each message's text, counted once per tokenizer.
    A tokenizer that gives an empty text tokens (a start marker) counts them in the framing already.
    """
    name = _map_name(model)
    tokenizer = _tokenizer_of(name)
    empty = _text_tokens(name, tokenizer, "")
    total = _framing(name, tuple(m["role"] for m in messages))
    for m in messages:
        total += _text_tokens(name, tokenizer, m["content"]) - empty
    return total


@lru_cache(maxsize=MODELS_CACHED)
def _framing(name: str, roles: tuple[str, ...]) -> int:
    """Tokens litellm counts for messages with these roles and empty texts under `name`."""
    from gate.models.runtime import litellm

    return int(litellm().token_counter(model=name, messages=[{"role": r, "content": ""} for r in roles]))


@lru_cache(maxsize=MODELS_CACHED)
def _tokenizer_of(name: str) -> object:
    """What litellm tokenizes `name`'s texts with: a tiktoken encoding's name, a Hugging Face tokenizer
    object, or (when litellm does not say) the model name itself, so that no two models share counts
    unless their tokenizer is the same."""
    from gate.models.runtime import litellm

    litellm()
    try:
        from litellm.litellm_core_utils.token_counter import openai_tokenizer_encoding_name
        from litellm.utils import select_tokenizer

        chosen = select_tokenizer(model=name)
        if chosen["type"] == "openai_tokenizer":
            return ("tiktoken", openai_tokenizer_encoding_name(name))
        tokenizer = chosen["tokenizer"]
        hash(tokenizer)
        return tokenizer
    except Exception:  # an older or newer litellm that does not say: count per model name
        return ("model", name)


def _text_tokens(name: str, tokenizer: object, text: str) -> int:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    key = (tokenizer, digest)
    with _counts_lock:
        known = _counts.get(key)
    if known is not None:
        return known
    from gate.models.runtime import litellm

    count = int(litellm().token_counter(model=name, text=text))
    with _counts_lock:
        _counts[key] = count
        while len(_counts) > COUNTS_CACHED:
            del _counts[next(iter(_counts))]
    return count


def token_counter(models: tuple[str, ...]) -> Callable[[str], int]:
    """Tokens in a text by litellm's tokenizer for the first model: tiktoken, bundled (the runtime turns
    off tokenizer downloads), so the same for every model. Providers count somewhat differently; callers
    that size prompts from it keep a margin."""
    from gate.models.runtime import litellm

    lm = litellm()
    model = _map_name(models[0]) if models else ""
    return lambda text: len(lm.encode(model=model, text=text))
