"""A sentence-transformers model directory as an embedder: the fast BERT path where the model is a
BERT with mean pooling, SentenceTransformer.encode otherwise."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from vnpolicy.index.embedding.coalescing import CoalescingRunner
from vnpolicy.index.embedding.e5_rebuild import PASSAGE_PREFIX, QUERY_PREFIX
from vnpolicy.index.embedding.fast_bert import FastBert, native_bf16
from vnpolicy.index.embedding.mapped_safetensors import MappedSafetensors
from vnpolicy.index.embedding.protocol import THREADS, clean_text, normalize_rows

# Padded tokens per forward pass: measured best of 256-2048 (activations stay in the L2 cache).
TOKEN_BUDGET = 512


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _is_mean_pooling(pooling: dict[str, Any]) -> bool:
    if "pooling_mode" in pooling:
        return pooling["pooling_mode"] in ("mean", ["mean"]) and pooling.get("include_prompt", True)
    # older sentence-transformers: one boolean per mode
    active = [key for key, value in pooling.items() if key.startswith("pooling_mode_") and value is True]
    return active == ["pooling_mode_mean_tokens"] and pooling.get("include_prompt", True)


def _fast_path_config(model_dir: Path) -> dict[str, Any] | None:
    """The BERT config when the directory is Transformer(BERT) -> mean Pooling [-> Normalize], else None."""
    try:
        modules = _read_json(model_dir / "modules.json")
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return None
        pooling = _read_json(model_dir / modules[1]["path"] / "config.json")
        config = _read_json(model_dir / "config.json")
        st_config_path = model_dir / "sentence_bert_config.json"
        st_config = _read_json(st_config_path) if st_config_path.is_file() else {}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    eligible = (
        _is_mean_pooling(pooling)
        and not st_config.get("do_lower_case", False)
        and config.get("model_type") == "bert"
        and config.get("hidden_act", "gelu") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (model_dir / "tokenizer.json").is_file()
        and (model_dir / "model.safetensors").is_file()
    )
    return config if eligible else None


def _token_budget_batches(order: Sequence[int], lengths: Sequence[int], budget: int) -> Iterator[list[int]]:
    """Consecutive runs of `order` (sorted by length) whose padded size stays within `budget` tokens."""
    batch: list[int] = []
    for i in order:
        if batch and (len(batch) + 1) * max(lengths[batch[-1]], lengths[i]) > budget:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


class TransformerEmbedder:
    """A sentence-transformers model directory."""

    def __init__(self, model_dir: Path, name: str, query_prefix: str = QUERY_PREFIX,
                 passage_prefix: str = PASSAGE_PREFIX, precision: str | None = None) -> None:
        import torch

        precision = precision or ("bf16" if native_bf16() else "fp32")

        # One thread per op and one batch per core, rather than every op split across the cores:
        # the ops are small, and when another process takes a core, split ops stall at each
        # barrier (observed: 10x slower), while independent batches just run a little later.
        # (torch.set_num_threads also sets the default of threads that have not run torch yet.)
        self._pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="embed",
                                        initializer=torch.set_num_threads, initargs=(1,))
        self.model_dir = Path(model_dir)
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        config = _fast_path_config(self.model_dir)
        self._lock = threading.Lock()
        self._st: Any = None
        self._fast: FastBert | None = None
        if config is not None:
            from tokenizers import Tokenizer

            self._weights = MappedSafetensors(self.model_dir / "model.safetensors")
            state = {k.removeprefix("bert."): v for k, v in self._weights.tensors().items()}
            self._fast = FastBert(state, config, precision)
            self._small = CoalescingRunner(self._fast.mean_pooled, THREADS, TOKEN_BUDGET)  # single-batch calls
            del state
            self._weights.release_pages()
            self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            self._tokenizer.no_truncation()
            self._tokenizer.no_padding()
            self.dim = self._fast.hidden
            # bf16 and fp32 give the same vectors to ~1e-5; int8's differ enough to keep apart.
            self.name = name + (":int8" if precision == "int8" else "")
        else:
            from sentence_transformers import SentenceTransformer

            self._st = SentenceTransformer(str(self.model_dir), device="cpu")
            self.dim = int(self._st.get_embedding_dimension())
            self.name = name

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.query_prefix + clean_text(t) for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.passage_prefix + clean_text(t) for t in texts])

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._fast is not None:
            return self._embed_fast(texts)  # thread-safe: weights and tokenizer are only read
        with self._lock:
            # SentenceTransformer.encode sorts by length itself and restores the order.
            out = self._st.encode(texts, batch_size=16, convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(out, dtype=np.float32)

    def _windows(self, texts: list[str]) -> tuple[list[list[int]], list[int], list[int]]:
        """Token sequences to run: one per text, or several windows for a text over the position limit.

        Like the engine, a long text's content is cut into windows of at most max_positions - specials
        tokens, each framed by the special tokens, and its vector is the content-length-weighted mean of
        the windows' mean-pooled vectors (the same as pooling over the whole text, up to attention span).
        """
        assert self._fast is not None
        sequences: list[list[int]] = []
        owner: list[int] = []
        weight: list[int] = []
        for t, encoding in enumerate(self._tokenizer.encode_batch(texts)):
            ids, special = encoding.ids, encoding.special_tokens_mask
            head = next((i for i, s in enumerate(special) if not s), len(ids))
            tail = len(ids) - next((i for i, s in enumerate(reversed(special)) if not s), len(ids))
            tail = max(tail, head)
            content = ids[head:tail]
            room = self._fast.max_positions - head - (len(ids) - tail)
            for start in range(0, max(len(content), 1), room):
                chunk = content[start : start + room]
                sequences.append(ids[:head] + chunk + ids[tail:])
                owner.append(t)
                weight.append(max(len(chunk), 1))
        return sequences, owner, weight

    def _embed_fast(self, texts: list[str]) -> np.ndarray:
        assert self._fast is not None
        sequences, owner, weight = self._windows(texts)
        lengths = [len(s) for s in sequences]
        order = sorted(range(len(sequences)), key=lengths.__getitem__)
        pooled = np.empty((len(sequences), self.dim), dtype=np.float32)
        fast = self._fast

        def run(batch: list[int]) -> None:
            pooled[batch] = fast.mean_pooled([sequences[i] for i in batch])

        batches = list(_token_budget_batches(order, lengths, TOKEN_BUDGET))
        if len(batches) == 1:
            pooled[batches[0]] = self._small([sequences[i] for i in batches[0]])
        else:
            for _ in self._pool.map(run, batches):
                pass
        if len(sequences) == len(texts):
            return normalize_rows(pooled)
        combined = np.zeros((len(texts), self.dim), dtype=np.float64)
        np.add.at(combined, owner, pooled * np.asarray(weight, dtype=np.float32)[:, None])
        return normalize_rows(combined.astype(np.float32))
