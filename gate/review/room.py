"""How many tokens of code one chunk may carry: one rule for every stage that sends code in chunks (the
review and the spec check)."""

from __future__ import annotations

# Share of the smallest context window that the prompt (instructions, PR text and code) may fill; the
# answer's reserve (what each call asks for) comes out of it too. The rest is margin for tokenizers
# counting differently.
CONTEXT_SHARE = 0.75
MAX_CHUNK_TOKENS = 24_000  # beyond this, review quality drops faster than the calls saved
MIN_CHUNK_TOKENS = 1_000


def chunk_tokens(window: int, overhead: int, answer_tokens: int) -> int:
    """Tokens of code per chunk: the prompt's share of `window` less the rest of the prompt (`overhead`)
    and the answer's reserve, within the bounds above."""
    room = int(window * CONTEXT_SHARE) - overhead - answer_tokens
    return max(MIN_CHUNK_TOKENS, min(MAX_CHUNK_TOKENS, room))
