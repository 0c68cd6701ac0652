"""Indexes on disk beside the store, kept in step with it, never half-written.

Layout under `<home>/index/<embedder>/`:
- `docs/<document id>.npz` — one document's tokens and vectors (so adding or removing a document
  never re-embeds the others);
- `snapshot-<n>/` — the built indexes (BM25 fields, FAISS, vectors) and a manifest of the documents
  they cover; `CURRENT` names the snapshot in use.

Every file is written aside and renamed into place, and `CURRENT` is replaced last: a crash at any
point leaves the previous snapshot usable, and the next `sync` completes the work.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from vnpolicy.index.dense import DenseIndex
from vnpolicy.index.lexical import LexicalIndex
from vnpolicy.index.retriever import ClauseTable, HybridRetriever, IndexedDocument, index_digest, index_document
from vnpolicy.index.tokenize import Tokens
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.store import Store

# Bump when what is cached or snapshotted changes meaning (tokenizer, indexed text, file layout):
# older caches and snapshots are then rebuilt instead of read.
FORMAT_VERSION = 3


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(descriptor)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:80] or "model"


class IndexManager:
    def __init__(self, home: Path, embedder) -> None:
        self.embedder = embedder
        self.root = home / "index" / f"{_slug(embedder.name)}-v{FORMAT_VERSION}"
        self.docs_dir = self.root / "docs"
        self.docs_dir.mkdir(parents=True, exist_ok=True)

    # --- per-document cache ---

    def _cache_path(self, document_id: str) -> Path:
        return self.docs_dir / f"{document_id}.npz"

    def _read_cache(self, document: Document, digest: str) -> IndexedDocument | None:
        path = self._cache_path(document.id)
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                if bytes(data["digest"]).decode() != digest:
                    return None
                tokens = json.loads(bytes(data["tokens"]).decode("utf-8"))
                vectors = data["vectors"].astype(np.float32)
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return None  # unreadable cache: rebuilt below
        return IndexedDocument(document.id, digest, [Tokens(*pair) for pair in tokens], vectors)

    def _write_cache(self, item: IndexedDocument) -> None:
        tokens = json.dumps([[t.exact, t.folded] for t in item.tokens], ensure_ascii=False).encode("utf-8")

        def write(path: Path) -> None:
            with open(path, "wb") as handle:
                np.savez(
                    handle,
                    vectors=item.vectors.astype(np.float32),
                    tokens=np.frombuffer(tokens, dtype=np.uint8),
                    digest=np.frombuffer(item.digest.encode(), dtype=np.uint8),
                )

        _atomic_write(self._cache_path(item.document_id), write)

    def indexed(self, document: Document) -> IndexedDocument:
        """A document's tokens and vectors, from the cache or computed (and cached) now."""
        cached = self._read_cache(document, index_digest(document))
        if cached is None:
            cached = index_document(document, self.embedder)
            self._write_cache(cached)
        return cached

    def adopt(self, document: Document, item: IndexedDocument) -> None:
        """Cache tokens and vectors computed elsewhere (a Ray worker), so `sync` finds them instead of
        embedding again. Refused unless they were computed from exactly this document's indexed text."""
        if item.document_id != document.id or item.digest != index_digest(document):
            raise ValueError(f"the indexed data does not belong to document {document.id} as stored")
        if item.vectors.shape != (len(item.tokens), self.embedder.dim):
            raise ValueError(f"document {document.id}: {item.vectors.shape} vectors for {len(item.tokens)} clauses")
        self._write_cache(item)

    # --- snapshots ---

    def _current(self) -> Path | None:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        snapshot = self.root / pointer.read_text().strip()
        return snapshot if (snapshot / "manifest.json").exists() else None

    def _load_snapshot(self, snapshot: Path, documents: list[Document]) -> HybridRetriever | None:
        """The snapshot's retriever if it covers exactly these documents and reads back whole, else None."""
        try:
            return self._read_snapshot(snapshot, documents)
        except (OSError, ValueError, KeyError, RuntimeError, json.JSONDecodeError):
            return None

    def _read_snapshot(self, snapshot: Path, documents: list[Document]) -> HybridRetriever | None:
        manifest = json.loads((snapshot / "manifest.json").read_text())
        if manifest["documents"] != [[doc.id, index_digest(doc)] for doc in documents]:
            return None
        table = ClauseTable(documents)
        if manifest["clauses"] != len(table):
            return None
        vectors = np.load(snapshot / "vectors.npy")
        dense = DenseIndex(vectors, faiss.read_index(str(snapshot / "dense.faiss")))
        lexical = LexicalIndex.load(snapshot)
        return HybridRetriever(table, lexical, dense, self.embedder)

    def _write_snapshot(self, retriever: HybridRetriever, documents: list[Document]) -> None:
        # Past every snapshot on disk, not only the current one: a crash can leave a newer one behind.
        numbers = [int(path.name.split("-")[1]) for path in self.root.glob("snapshot-*") if path.name[9:].isdigit()]
        number = max(numbers, default=0) + 1
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".snapshot-"))
        retriever.lexical.save(staging)
        np.save(staging / "vectors.npy", retriever.dense.vectors)
        faiss.write_index(retriever.dense.index, str(staging / "dense.faiss"))
        manifest = {
            "embedder": self.embedder.name,
            "documents": [[doc.id, index_digest(doc)] for doc in documents],
            "clauses": len(retriever.table),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest))
        snapshot = self.root / f"snapshot-{number}"
        os.replace(staging, snapshot)
        _atomic_write(self.root / "CURRENT", lambda path: path.write_text(snapshot.name))
        for old in self.root.glob("snapshot-*"):
            if old != snapshot:
                shutil.rmtree(old, ignore_errors=True)
        for stale in self.root.glob(".snapshot-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def current_name(self) -> str | None:
        """The name of the snapshot in use (changes with every write): cheap to poll, one small file."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except OSError:
            return None

    def load_current(self, store: Store) -> tuple[str, HybridRetriever] | None:
        """The snapshot in use, read-only: its documents are taken from the store as its manifest names
        them. Never embeds or writes; None when it cannot be read whole now (a writer is replacing it,
        or the store already moved past it), so a reader keeps what it has and tries again later."""
        name = self.current_name()
        if name is None:
            return None
        snapshot = self.root / name
        try:
            manifest = json.loads((snapshot / "manifest.json").read_text())
        except (OSError, ValueError):
            return None
        documents = [store.document(document_id) for document_id, _ in manifest["documents"]]
        if any(document is None for document in documents):
            return None
        retriever = self._load_snapshot(snapshot, documents)
        return (name, retriever) if retriever is not None else None

    def sync(self, store: Store, on_document: Callable[[Document], None] | None = None) -> HybridRetriever:
        """A retriever over exactly the store's documents, reusing what is on disk, completing the rest."""
        documents = store.documents()
        current = self._current()
        if current is not None:
            retriever = self._load_snapshot(current, documents)
            if retriever is not None:
                return retriever
        indexed = []
        for document in documents:
            indexed.append(self.indexed(document))
            if on_document:
                on_document(document)
        retriever = HybridRetriever.build(documents, indexed, self.embedder)
        self._write_snapshot(retriever, documents)
        live = {f"{doc.id}.npz" for doc in documents}
        for cache in self.docs_dir.glob("*.npz"):
            if cache.name not in live:
                cache.unlink(missing_ok=True)
        return retriever
