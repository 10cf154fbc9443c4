"""The `injection-text` analyzer and its phrase search: `table` reads the phrase table, `triggers` finds
its trigger words in a text, `windows` tries the phrases where their words are, `analyzer` turns the
hits (and invisible characters, hidden PR comments) into findings."""

from gate.analyzers.injection.analyzer import InjectionAnalyzer
from gate.analyzers.injection.windows import PhraseHit, find_phrases

__all__ = ["InjectionAnalyzer", "PhraseHit", "find_phrases"]
