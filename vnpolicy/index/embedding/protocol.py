"""What every embedder is: query and passage vectors behind one protocol, and the text clean-up they share."""

from __future__ import annotations

import os
import unicodedata
from typing import Protocol, runtime_checkable

import numpy as np

ENV_THREADS = "VNPOLICY_EMBED_THREADS"
# The deployment machine has 2 cores; a Ray worker granted fewer CPUs than the machine has sets the env.
THREADS = int(os.environ.get(ENV_THREADS) or 0) or max(1, min(2, os.cpu_count() or 1))


@runtime_checkable
class Embedder(Protocol):
    name: str  # identifies model + prefixes, so a persisted index can tell what built its vectors
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def clean_text(text: str) -> str:
    """NFC, because the engine's tokeniser maps codepoints one by one and cannot compose decomposed
    Vietnamese diacritics; and no NUL, where the engine's C strings would stop."""
    return unicodedata.normalize("NFC", text).replace("\x00", "")


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
