"""Clause embeddings in FAISS: exact inner product while small, HNSW past `HNSW_THRESHOLD` vectors.

Row i of the index is clause i of the retriever's clause table; filters become a FAISS id selector so
that top-k is taken among allowed clauses only.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# Below this, exact search is fast enough (see eval/bench_search.py) and loses nothing.
HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def build_faiss(vectors: np.ndarray) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) >= HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


class DenseIndex:
    def __init__(self, vectors: np.ndarray, index: faiss.Index | None = None) -> None:
        self.vectors = vectors
        self.index = index if index is not None else build_faiss(vectors)

    @property
    def size(self) -> int:
        return self.index.ntotal

    def save(self, directory: Path) -> None:
        np.save(directory / "vectors.npy", self.vectors)
        faiss.write_index(self.index, str(directory / "dense.faiss"))

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        return cls(np.load(directory / "vectors.npy"), faiss.read_index(str(directory / "dense.faiss")))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) of the k nearest allowed rows, best first."""
        if not self.size or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            allowed_ids = np.flatnonzero(allowed).astype(np.int64)
            if not len(allowed_ids):
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            if len(allowed_ids) <= 4096:  # few candidates: score them directly, exactly
                scores = self.vectors[allowed_ids] @ query[0]
                order = np.argsort(-scores)[:k]
                return allowed_ids[order], scores[order].astype(np.float32)
            selector = faiss.IDSelectorBatch(allowed_ids)
            params = (
                faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
                if isinstance(self.index, faiss.IndexHNSWFlat)
                else faiss.SearchParameters(sel=selector)
            )
            scores, ids = self.index.search(query, min(k, len(allowed_ids)), params=params)
        else:
            if isinstance(self.index, faiss.IndexHNSWFlat):
                self.index.hnsw.efSearch = max(HNSW_EF_SEARCH, k)
            scores, ids = self.index.search(query, min(k, self.size))
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]
