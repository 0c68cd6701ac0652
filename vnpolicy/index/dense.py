"""Clause embeddings in FAISS: exact inner product while small, HNSW past `HNSW_THRESHOLD` vectors.

Row i of the index is clause i of the retriever's clause table; filters become a FAISS id selector so
that top-k is taken among allowed clauses only. Beside it, `ClauseWindows` holds the vectors of each
clause's windows (its sentences), which are only ever compared with the query for given rows.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class ClauseWindows:
    """The vectors of every clause's windows, row by row: clause i's are `vectors[offsets[i]:offsets[i + 1]]`.

    Kept in half precision: a clause has about four windows, and they are only ever read a few rows at a
    time, so the memory matters and the speed of the arithmetic does not; cosines move by about 1e-3."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray) -> None:
        if len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(vectors) or (np.diff(offsets) < 1).any():
            raise ValueError("the window offsets do not give every clause its windows")
        self.vectors = vectors.astype(np.float16, copy=False)
        self.offsets = offsets

    @classmethod
    def of(cls, vectors: np.ndarray, counts: Sequence[int]) -> ClauseWindows:
        return cls(vectors, np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64))

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1

    def best_cosines(self, query: np.ndarray, rows: Sequence[int]) -> np.ndarray:
        """For each row, the cosine of the query with the nearest of its clause's windows."""
        return np.array(
            [float((self.vectors[self.offsets[row] : self.offsets[row + 1]].astype(np.float32) @ query).max())
             for row in rows],
            dtype=np.float64,
        )

    def save(self, directory: Path) -> None:
        np.save(directory / "window_vectors.npy", self.vectors)
        np.save(directory / "window_offsets.npy", self.offsets)

    @classmethod
    def load(cls, directory: Path) -> ClauseWindows:
        return cls(np.load(directory / "window_vectors.npy"), np.load(directory / "window_offsets.npy"))
