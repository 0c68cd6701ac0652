"""The LangChain-default baseline: RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) and
BM25 (rank-bm25's BM25Okapi, as LangChain's BM25Retriever uses it) on whitespace tokens."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_text_splitters import RecursiveCharacterTextSplitter
from rank_bm25 import BM25Okapi

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


class LangChainDefaultBaseline:
    def __init__(self, texts: Sequence[tuple[str, str]]) -> None:
        """`texts`: (source name, full text) pairs; each is chunked."""
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        self.chunks = [(name, chunk) for name, text in texts for chunk in splitter.split_text(text)]
        self._bm25 = BM25Okapi([chunk.split() for _, chunk in self.chunks])

    def search(self, query: str, k: int = 10) -> list[tuple[str, str]]:
        """The top k (source name, chunk text) for the query."""
        scores = self._bm25.get_scores(query.split())
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [self.chunks[i] for i in order]
