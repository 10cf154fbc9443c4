"""A prompt's tokens are counted once per tokenizer, and the count is litellm's own for each model.

The review sends the same chunk to every review model; litellm's counter takes a model name, but most
names share one of tiktoken's encodings. The gate counts a text once per encoding and adds what each
model's chat format adds per message: the figure must stay exactly `litellm.token_counter`'s.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gate.models import pricing
from gate.models.runtime import litellm

# Names on different encodings (o200k, cl100k), with and without a provider prefix or a proxy, a legacy
# chat format (more tokens per message), and names litellm does not know at all.
MODELS = (
    "openai/gpt-4o",
    "gpt-4o",
    "gpt-4",
    "gpt-3.5-turbo-0301",
    "litellm_proxy/gpt-4o",
    "anthropic/claude-3-5-sonnet-20240620",
    "openai/test-double",
    "not-a-model",
)
CODE = (Path(pricing.__file__)).read_text(encoding="utf-8")
PROMPTS = (
    [{"role": "system", "content": "You review code."}, {"role": "user", "content": CODE}],
    [{"role": "user", "content": ""}],
    [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "ünïcödé ✓ 漢字 " * 50},
        {"role": "assistant", "content": '{"findings": []}'},
        {"role": "user", "content": "Answer again."},
    ],
)


@pytest.mark.parametrize("model", MODELS)
def test_count_is_litellms_for_every_model(model: str) -> None:
    lm = litellm()
    for messages in PROMPTS:
        expected = lm.token_counter(model=model.removeprefix(pricing.PROXY_PREFIX), messages=messages)
        assert pricing.prompt_tokens(model, messages) == expected


def test_a_text_sent_to_models_on_one_encoding_is_tokenized_once() -> None:
    text = CODE + "\n# a text no other test counts\n"
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": text}]
    digest = hashlib.sha256(text.encode()).digest()

    def counted() -> list[object]:
        return [tokenizer for tokenizer, d in pricing._counts if d == digest]

    for model in ("openai/model-a", "openai/model-b", "model-c"):
        pricing.prompt_tokens(model, messages)
    assert counted() == [("tiktoken", "cl100k_base")]
    pricing.prompt_tokens("openai/gpt-4o", messages)  # another encoding: counted again
    assert sorted(map(str, counted())) == [str(("tiktoken", "cl100k_base")), str(("tiktoken", "o200k_base"))]
