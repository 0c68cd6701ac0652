"""Choosing and loading the process-wide embedder (`load_embedder`)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vnpolicy.index.embedding.e5_rebuild import MODEL_NAME, PASSAGE_PREFIX, QUERY_PREFIX, ensure_model
from vnpolicy.index.embedding.engine import EngineEmbedder
from vnpolicy.index.embedding.protocol import Embedder
from vnpolicy.index.embedding.transformer import TransformerEmbedder

ENV_BACKEND = "VNPOLICY_EMBEDDER"
ENV_MODEL = "VNPOLICY_MODEL"
ENV_QUERY_PREFIX = "VNPOLICY_QUERY_PREFIX"
ENV_PASSAGE_PREFIX = "VNPOLICY_PASSAGE_PREFIX"
BACKENDS = ("st", "engine")

_CACHE: dict[tuple[str, ...], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def _resolve(home: Path, backend: str | None) -> tuple[str, ...]:
    backend = (backend or os.environ.get(ENV_BACKEND) or "st").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedder backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    custom = os.environ.get(ENV_MODEL, "").strip()
    if backend == "engine":
        if custom:
            raise ValueError(f"{ENV_MODEL} names a sentence-transformers model; the engine backend cannot run it")
        return ("engine",)
    if custom:
        path = Path(custom).expanduser().resolve()
        if not (path / "modules.json").is_file():
            raise FileNotFoundError(f"{ENV_MODEL}={custom}: not a sentence-transformers model directory")
        query = os.environ.get(ENV_QUERY_PREFIX, QUERY_PREFIX)
        passage = os.environ.get(ENV_PASSAGE_PREFIX, PASSAGE_PREFIX)
        return ("st", str(path), f"st:{path}|query={query!r}|passage={passage!r}", query, passage)
    return ("st", "", MODEL_NAME, QUERY_PREFIX, PASSAGE_PREFIX)


def load_embedder(
    home: Path, backend: str | None = None, on_step: Callable[[str], None] | None = None, deferred: bool = False
) -> Embedder:
    """The process-wide embedder for `backend` (default: env VNPOLICY_EMBEDDER, else "st").

    "st" uses VNPOLICY_MODEL when set, else the rebuilt model under `home`, built on first use.
    `on_step` hears what takes time: each step of a model build, then the load. `deferred`: the rebuilt
    model, once built, is loaded at its first embedding instead of now (`DeferredEmbedder`).
    """
    key = _resolve(Path(home), backend)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        if key[0] == "engine":
            embedder: Embedder = EngineEmbedder()
        else:
            _, path, name, query, passage = key
            model_dir = Path(path) if path else ensure_model(Path(home), on_step)
            if deferred and not path:
                return DeferredEmbedder(name, _hidden_size(model_dir), lambda: load_embedder(home, backend, on_step))
            if on_step:
                on_step("loading the embedding model")
            embedder = TransformerEmbedder(model_dir, name, query, passage)
        _CACHE[key] = embedder
        return embedder


class DeferredEmbedder:
    """The rebuilt model, loaded at its first embedding: a command that embeds nothing (a delete, a batch of
    unchanged files, a listing) does not spend the 3-5 s that importing torch and loading the weights take.
    Its name and dimension, which say which index is its own, are known before it loads."""

    def __init__(self, name: str, dim: int, load: Callable[[], Embedder]) -> None:
        self.name, self.dim = name, dim
        self._load = load
        self._loaded: Embedder | None = None

    def _embedder(self) -> Embedder:
        if self._loaded is None:
            loaded = self._load()
            if (loaded.name, loaded.dim) != (self.name, self.dim):
                raise RuntimeError(f"the model loaded as {loaded.name} ({loaded.dim}), not {self.name} ({self.dim})")
            self._loaded = loaded
        return self._loaded

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embedder().embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embedder().embed_passages(texts)


def _hidden_size(model_dir: Path) -> int:
    """The rebuilt model's dimension: e5's hidden size, mean-pooled (no projection after it)."""
    return int(json.loads((model_dir / "config.json").read_text("utf-8"))["hidden_size"])


def clear_embedder_cache(embedder: Embedder | None = None) -> None:
    """Forget `embedder` (or every cached one), e.g. after the model directory was rebuilt."""
    with _CACHE_LOCK:
        for key in [k for k, v in _CACHE.items() if embedder is None or v is embedder]:
            del _CACHE[key]
