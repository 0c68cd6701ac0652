"""A .safetensors file's tensors as views of a private memory map (`MappedSafetensors`)."""

from __future__ import annotations

import json
import mmap
import struct
from pathlib import Path
from typing import Any


class MappedSafetensors:
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
