"""BM25 over two token fields: the search form (exact accents) and the folded form (no accents).

A query typed with diacritics is scored on the exact field, with the folded field added at a lower
weight, so exact-accent matches rank first; texts written without any diacritics (OCR output) cannot
match accents, so for them the folded field counts as both. A query typed without diacritics is
scored on the folded field alone. BM25 is Robertson & Zaragoza's Okapi BM25 as implemented by bm25s ("lucene").
"""

from __future__ import annotations

import logging
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
        tokens = tokenize(query)
        if not self.size or not tokens.exact:
            return np.zeros(self.size, dtype=np.float32)
        folded = self._folded.get_scores(tokens.folded)[: self.size]
        if not has_diacritics(query):
            return folded.astype(np.float32)
        exact = self._exact.get_scores(tokens.exact)[: self.size]
        accented = exact + FOLDED_WEIGHT_FOR_ACCENTED_QUERY * folded
        # A text without diacritics can neither match nor miss the query's accents: it scores as if it matched.
        unaccented = (1 + FOLDED_WEIGHT_FOR_ACCENTED_QUERY) * folded
        return np.where(self.accentless, unaccented, accented).astype(np.float32)

    def document_frequency(self, folded_token: str) -> int:
        """How many indexed texts contain a folded token (its BM25 posting-list length)."""
        token_id = self._folded.vocab_dict.get(folded_token)
        if token_id is None:
            return 0
        indptr = self._folded.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])
