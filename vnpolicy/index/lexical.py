"""BM25 over two token fields: the search form (exact accents) and the folded form (no accents).

A query typed with diacritics is scored on the exact field, with the folded field added at a lower
weight, so exact-accent matches rank first; texts written without any diacritics (OCR output) cannot
match accents, so for them the folded field counts as both. A query without diacritics is scored on
the folded field alone (a Vietnamese question typed so is searched by its restored reading, which is
accented: see index/query.py). BM25 is Robertson & Zaragoza's Okapi BM25 as implemented by bm25s ("lucene").
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import bm25s
import numpy as np

from vnpolicy.index.tokenize import Tokens, tokenize
from vnpolicy.ingest.normalize import has_diacritics

logging.getLogger("bm25s").setLevel(logging.WARNING)

BM25_K1 = 1.2
BM25_B = 0.75
FOLDED_WEIGHT_FOR_ACCENTED_QUERY = 0.5


# No tokenizer output contains a control character, so this token can never match a query.
_NO_VOCABULARY = "\x00"


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    if not any(corpus):
        # bm25s cannot index a corpus without a single token (no clauses, or only empty ones): each row
        # (at least one) gets a token no query has, so every score is 0 and the rows still line up.
        corpus = [[_NO_VOCABULARY]] * max(1, len(corpus))
    model.index(corpus, show_progress=False)
    return model


class LexicalIndex:
    def __init__(self, exact: bm25s.BM25, folded: bm25s.BM25, accentless: np.ndarray) -> None:
        self.size = len(accentless)
        self._exact = exact
        self._folded = folded
        self.accentless = accentless  # rows whose text has no diacritics at all

    @classmethod
    def build(cls, documents: list[Tokens], accentless: np.ndarray) -> LexicalIndex:
        return cls(
            _bm25([tokens.exact for tokens in documents]), _bm25([tokens.folded for tokens in documents]), accentless
        )

    def save(self, directory: Path) -> None:
        self._exact.save(directory / "exact", show_progress=False)
        self._folded.save(directory / "folded", show_progress=False)
        np.save(directory / "accentless.npy", self.accentless)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        return cls(
            bm25s.BM25.load(directory / "exact"),
            bm25s.BM25.load(directory / "folded"),
            np.load(directory / "accentless.npy"),
        )

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for the query (0 where nothing matches)."""
        return self.scores_of(tokenize(query), has_diacritics(query))

    def scores_of(self, tokens: Tokens, accented: bool) -> np.ndarray:
        """BM25 of every indexed text for a query's tokens: an accented query on the exact field, the folded
        field added at a lower weight; an unaccented one on the folded field alone."""
        if not self.size or not tokens.exact:
            return np.zeros(self.size, dtype=np.float32)
        exact, folded = self.field_scores(tokens)
        if not accented:
            return folded
        accented_scores = exact + FOLDED_WEIGHT_FOR_ACCENTED_QUERY * folded
        # A text without diacritics can neither match nor miss the query's accents: it scores as if it matched.
        unaccented = (1 + FOLDED_WEIGHT_FOR_ACCENTED_QUERY) * folded
        return np.where(self.accentless, unaccented, accented_scores).astype(np.float32)

    def field_scores(self, tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of every indexed text on the exact field and on the folded field, separately."""
        if not self.size or not tokens.exact:
            empty = np.zeros(self.size, dtype=np.float32)
            return empty, empty
        exact = self._exact.get_scores(tokens.exact)[: self.size].astype(np.float32)
        folded = self._folded.get_scores(tokens.folded)[: self.size].astype(np.float32)
        return exact, folded

    def ideal_score(self, tokens: Tokens, field: str) -> float:
        """The BM25 a text of average length holding each query token once would get: the sum of the tokens'
        IDFs. A score over it is comparable across queries."""
        words = set(tokens.exact if field == "exact" else tokens.folded)
        return sum(self.idf(word, field) for word in words)

    def idf(self, token: str, field: str = "folded") -> float:
        """BM25's ("lucene") inverse document frequency of a token."""
        frequency = self.document_frequency(token, field)
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def document_frequency(self, token: str, field: str = "folded") -> int:
        """How many indexed texts contain a token of a field (its BM25 posting-list length)."""
        model = self._exact if field == "exact" else self._folded
        token_id = model.vocab_dict.get(token)
        if token_id is None:
            return 0
        indptr = model.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])
