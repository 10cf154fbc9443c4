"""Which models a stage calls and where each call goes (SPEC 5.4).

Selection, in order:
1. the names configured in `models.review` (or `models.regen`, which defaults to the review models);
2. else auto from the provider keys in the environment: one model per provider whose key is set (up to
   three), in the order of `DEFAULT_MODELS`; a provider's second model only when fewer providers than
   `review.quorum` have keys, and then said in the selection's notes (two models of one provider are
   less independent voters than two providers). The trio across providers, from the pinned litellm's
   model map, is
   `openai/gpt-6.1-sol` (OPENAI_API_KEY), `anthropic/claude-sonnet-5-5` (ANTHROPIC_API_KEY) and
   `gemini/gemini-3.1-pro-preview` (GEMINI_API_KEY); DeepSeek and Mistral keys are also recognised;
3. else a local Ollama on `localhost:11434` (or `OLLAMA_API_BASE`) if it answers a quick probe: its
   models, as `ollama_chat/<name>`, as many as the quorum needs (one provider, so said in the notes);
4. else none: the stage is skipped with a note and the verdict follows `gate.on_model_error`.

Routing: `models.endpoints[<name>]` gives a model its own `api_base` and the name of the environment
variable holding its key (`api_key_env`). Setting `AI_GATE_LITELLM_PROXY=<url>` sends every model
without its own endpoint through a LiteLLM Proxy (an OpenAI-compatible gateway that holds the provider
keys, budgets, rate limits and caching for many runners): the call goes to `<url>` as
`litellm_proxy/<name>` with the key from `AI_GATE_LITELLM_PROXY_KEY` (or `LITELLM_PROXY_API_KEY`), and
provider keys are then not needed on the runner. With a proxy and no configured names, the proxy's
`/models` list is asked for its models, and up to three of different providers are taken.

A model's provider is what litellm's provider resolution says of its name, offline
(`gate.models.pricing.provider_of`); a name litellm cannot place counts as a provider of its own.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from gate.config.models import Config
from gate.models.pricing import PROXY_PREFIX, facts, provider_of

PROXY_ENV = "AI_GATE_LITELLM_PROXY"
PROXY_KEY_ENVS = ("AI_GATE_LITELLM_PROXY_KEY", "LITELLM_PROXY_API_KEY")
OLLAMA_DEFAULT = "http://localhost:11434"
OLLAMA_ENV = "OLLAMA_API_BASE"
PROBE_TIMEOUT_S = 0.5

# Provider key -> (first choice, second choice), in order of preference across providers.
DEFAULT_MODELS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("OPENAI_API_KEY", ("openai/gpt-6.1-sol", "openai/gpt-6.1-terra")),
    ("ANTHROPIC_API_KEY", ("anthropic/claude-sonnet-5-5", "anthropic/claude-haiku-4-5")),
    ("GEMINI_API_KEY", ("gemini/gemini-3.1-pro-preview", "gemini/gemini-3-flash-preview")),
    ("DEEPSEEK_API_KEY", ("deepseek/deepseek-chat", "deepseek/deepseek-reasoner")),
    ("MISTRAL_API_KEY", ("mistral/mistral-large-latest", "mistral/mistral-medium-latest")),
)
AUTO_COUNT = 3


@dataclass(frozen=True)
class Route:
    """Where calls to one model go. `name` is what the report and the consensus call the model."""

    name: str
    litellm_model: str
    api_base: str | None = None
    api_key_env: str | None = None

    def api_key(self, env: Mapping[str, str]) -> str | None:
        return env.get(self.api_key_env) if self.api_key_env else None

    def describe(self) -> dict[str, str | None]:
        """For the trace: never the key, only where it is read from."""
        return {"model": self.litellm_model, "api_base": self.api_base, "api_key_env": self.api_key_env}


@dataclass(frozen=True)
class Selection:
    models: tuple[str, ...]
    source: str  # "config" | "environment keys" | "local Ollama" | "LiteLLM Proxy" | "none"
    note: str
    notes: tuple[str, ...] = ()  # said in the report: e.g. a second model of one provider was taken


def route_for(name: str, config: Config, env: Mapping[str, str]) -> Route:
    endpoint = config.models.endpoints.get(name)
    if endpoint is not None and (endpoint.api_base is not None or endpoint.api_key_env is not None):
        base = str(endpoint.api_base).rstrip("/") if endpoint.api_base is not None else None
        return Route(name, name, base, endpoint.api_key_env)
    proxy = env.get(PROXY_ENV)
    if proxy:
        key_env = next((k for k in PROXY_KEY_ENVS if env.get(k)), None)
        model = name if name.startswith(PROXY_PREFIX) else PROXY_PREFIX + name
        return Route(name, model, proxy.rstrip("/"), key_env)
    return Route(name, name)


def smallest_window(models: Sequence[str], config: Config) -> int:
    """The smallest context window of `models`, in tokens: each as its endpoint declares it
    (`models.endpoints.<name>.max_input_tokens`), else as litellm's map gives it (`facts`)."""
    return min(_window(name, config) for name in models)


def _window(name: str, config: Config) -> int:
    endpoint = config.models.endpoints.get(name)
    if endpoint is not None and endpoint.max_input_tokens is not None:
        return endpoint.max_input_tokens
    return facts(name).max_input_tokens


def select_models(
    config: Config, stage: str, env: Mapping[str, str] | None = None, *, offline: bool = False
) -> Selection:
    env = os.environ if env is None else env
    quorum = config.review.quorum
    configured = config.models.regen if stage == "regen" and config.models.regen else config.models.review
    if configured:
        return Selection(
            tuple(dict.fromkeys(configured)), "config", f"models from the configuration ({stage})"
        )
    if offline:
        return Selection((), "none", "offline: no model is called")
    proxy = env.get(PROXY_ENV)
    if proxy:
        listed, notes = across_providers(_proxy_models(proxy, env), quorum)
        if listed:
            return Selection(listed, "LiteLLM Proxy", f"models listed by the LiteLLM Proxy at {proxy}", notes)
    auto, notes = across_providers(_key_candidates(env), quorum)
    if auto:
        return Selection(
            auto, "environment keys", "models chosen from the provider keys in the environment", notes
        )
    local, notes = across_providers(_ollama_models(env.get(OLLAMA_ENV) or OLLAMA_DEFAULT), quorum)
    if local:
        return Selection(local, "local Ollama", "models of the local Ollama server", notes)
    return Selection(
        (),
        "none",
        "no model configured, no provider key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, "
        "GEMINI_API_KEY, ...) and no local Ollama answering",
    )


def may_find_models(config: Config, env: Mapping[str, str]) -> bool:
    """Whether `select_models` may find a model for some stage, told without asking any server: names
    are configured, a LiteLLM Proxy is set, a provider's key is, or `OLLAMA_API_BASE` names a local
    server. False leaves only an Ollama answering at its default address, which a stage finds when it
    asks (and imports litellm then)."""
    return bool(
        config.models.review
        or config.models.regen
        or env.get(PROXY_ENV)
        or _key_candidates(env)
        or env.get(OLLAMA_ENV)
    )


def auto_from_keys(env: Mapping[str, str], quorum: int = 2) -> tuple[str, ...]:
    return across_providers(_key_candidates(env), quorum)[0]


def _key_candidates(env: Mapping[str, str]) -> tuple[str, ...]:
    """Each keyed provider's first choice in order of preference, then their second choices."""
    available = [models for key, models in DEFAULT_MODELS if env.get(key)]
    return tuple(first for first, _ in available) + tuple(second for _, second in available)


def across_providers(candidates: Sequence[str], quorum: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Up to `AUTO_COUNT` of `candidates` (in their order), one per provider; then, only while fewer
    than `quorum` are chosen, more of a provider already chosen. Returns (models, notes)."""
    chosen: list[str] = []
    providers: dict[str, str] = {}
    for name in candidates:
        provider = provider_of(name)
        # a name litellm cannot place may be anything: it is not taken for a second of some provider
        key = name if provider == "unknown" else provider
        if key not in providers.values() and len(chosen) < AUTO_COUNT:
            chosen.append(name)
            providers[name] = key
    notes = []
    for name in candidates:
        if len(chosen) >= quorum:
            break
        if name in chosen:
            continue
        provider = provider_of(name)
        same = [m for m, p in providers.items() if p == provider]
        chosen.append(name)
        providers[name] = name if provider == "unknown" else provider
        if same:
            notes.append(
                f"{name} was chosen to reach the quorum of {quorum} although {', '.join(same)} is of the "
                f"same provider ({provider}): models of one provider are less independent reviewers; set "
                "keys for more providers, or name the models in models.review"
            )
    return tuple(chosen), tuple(notes)


def _ollama_models(base: str) -> tuple[str, ...]:
    if _nothing_listens(base):
        return ()
    import httpx  # only when a model is being chosen: offline runs never load the HTTP client

    try:
        response = httpx.get(base.rstrip("/") + "/api/tags", timeout=PROBE_TIMEOUT_S)
        names = [
            m["name"] for m in response.json().get("models", []) if isinstance(m, dict) and m.get("name")
        ]
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, AttributeError, KeyError, TypeError):
        return ()
    return tuple(f"ollama_chat/{n}" for n in sorted(names))


# The variables that make httpx send a request through a proxy (in either case), which may reach a host
# this process cannot connect to itself.
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def _nothing_listens(base: str) -> bool:
    """True when nothing takes a connection at `base`'s host and port and no proxy is set: no Ollama can
    answer there, and the HTTP client (a third of a second to load) is not loaded to ask it. A run with
    no model to call (a fork's pull request, whose workflow gets no secrets) asks the default address."""
    if any(os.environ.get(name) or os.environ.get(name.lower()) for name in _PROXY_VARIABLES):
        return False
    try:
        url = urlsplit(base)
        port = url.port or (443 if url.scheme == "https" else 80)
    except ValueError:
        return False
    if not url.hostname:
        return False
    try:
        with socket.create_connection((url.hostname, port), timeout=PROBE_TIMEOUT_S):
            return False
    except (OSError, UnicodeError):  # UnicodeError: a host name no resolver takes (a label past 63)
        return True


def _proxy_models(base: str, env: Mapping[str, str]) -> tuple[str, ...]:
    key = next((env[k] for k in PROXY_KEY_ENVS if env.get(k)), None)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    import httpx  # only when a model is being chosen: offline runs never load the HTTP client

    try:
        response = httpx.get(base.rstrip("/") + "/models", headers=headers, timeout=PROBE_TIMEOUT_S * 4)
        data = response.json().get("data", [])
        names = [m["id"] for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, AttributeError, KeyError, TypeError):
        return ()
    return tuple(names)
