"""Quotes: the part of a clause's original span to show, and the check that it stands on the source."""

from __future__ import annotations

import re

from vnpolicy.answer.question import concept_coverage
from vnpolicy.answer.spelling import spelled
from vnpolicy.index.models import Hit
from vnpolicy.ingest.normalize import clean_span

QUOTE_TARGET_CHARS = 320
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n\s*\n")


def best_quote_span(text: str, hit: Hit, concepts: dict[str, float]) -> tuple[int, int]:
    """The sentence(s) of the clause's original span that best cover the key terms."""
    start, end = hit.start, hit.end
    if end - start <= QUOTE_TARGET_CHARS:
        return start, end
    cuts = [start, *(start + m.end() for m in _SENTENCE_END.finditer(text[start:end])), end]
    sentences = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]
    best = max(sentences, key=lambda span: (concept_coverage(concepts, spelled(text[span[0] : span[1]])), -span[0]))
    a, b = best
    while b - a < QUOTE_TARGET_CHARS // 3 and (a, b) != (start, end):  # a too short sentence: add the next
        following = [s for s in sentences if s[0] >= b]
        if not following:
            break
        b = following[0][1]
    text_span = text[a:b]
    trimmed = len(text_span) - len(text_span.rstrip())
    leading = len(text_span) - len(text_span.lstrip())
    return a + leading, b - trimmed


def verified(text: str, hit: Hit, start: int, end: int) -> bool:
    """Does the quote stand on the original text? The document as stored must still give the clause
    the index holds at its offsets (else the index is stale for it), and the quote must lie inside that
    clause and say something."""
    if not 0 <= hit.start <= start < end <= hit.end <= len(text):
        return False
    return clean_span(text[hit.start : hit.end]) == hit.text and bool(text[start:end].strip())


def display_span(clause_text: str, quote: str) -> tuple[str, int, int]:
    """The quote as displayed (`clean_span`, the clause text's own derivation) and where it sits in the
    clause's display text: what the page highlights. The whole clause when the quote is all of it or, at
    a page break, cannot be found in it."""
    shown = clean_span(quote)
    at = clause_text.find(shown) if shown else -1
    if at < 0:
        return shown, 0, len(clause_text)
    return shown, at, at + len(shown)
