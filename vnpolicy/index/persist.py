"""Indexes on disk beside the store: written before the store commits, checked when read, never half-used.

Layout under `<home>/index/<embedder>/`:
- `docs/<document id>.npz` — one document's tokens, vectors and window vectors (so adding or removing a
  document never re-embeds the others);
- `snapshot-<n>/` — the built indexes (BM25 fields, FAISS, vectors, window vectors), the documents they cover and a
  manifest listing every file with its size and SHA-256; `CURRENT` names the snapshot in use.

A write stages its complete snapshot first, then commits the store, then points `CURRENT` at the
snapshot. A crash before the store commits leaves an orphan snapshot that the next start removes; a
crash after it leaves a snapshot that matches the store, which the next start adopts (rolls forward).
A snapshot holds its documents too, so a server can answer from it at once even when the store has
moved on, and catch up in the background. A file that fails its size or checksum is rebuilt from the
store, and the repair is logged and kept in `repairs` for /health.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vnpolicy.index.retriever import ClauseTable, HybridRetriever, IndexedDocument, index_digest, index_document
from vnpolicy.index.tokenize import Tokens
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.store import Store

if TYPE_CHECKING:
    from vnpolicy.index.embedding import Embedder

logger = logging.getLogger("vnpolicy.index")

# Bump when what is cached or snapshotted changes meaning (tokenizer, indexed text, file layout):
# older caches and snapshots are then rebuilt instead of read.
FORMAT_VERSION = 5
_MANIFEST = "manifest.json"
_DOCUMENTS = "documents.json"


class IndexWriteError(Exception):
    """The index could not be written (disk full, I/O error); nothing was changed. The message is a sentence."""

    def __init__(self, message: str, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


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


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _state(documents: list[Document]) -> list[list[str]]:
    """What a snapshot must match: each document's id and index digest, in store order."""
    return [[document.id, index_digest(document)] for document in documents]


def _snapshot_number(path: Path) -> int:
    suffix = path.name.removeprefix("snapshot-")
    return int(suffix) if suffix.isdigit() else -1


def _write_failure(error: OSError) -> IndexWriteError:
    disk_full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    reason = error.strerror or type(error).__name__
    return IndexWriteError(f"the index could not be written ({reason}); nothing was stored or changed", disk_full)


class IndexManager:
    def __init__(self, home: Path, embedder: Embedder) -> None:
        self.embedder = embedder
        self.root = home / "index" / f"{_slug(embedder.name)}-v{FORMAT_VERSION}"
        self.docs_dir = self.root / "docs"
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.repairs: list[str] = []  # damaged index files found and rebuilt since start, for /health

    def _repaired(self, what: str) -> None:
        logger.warning("index repair: %s", what)
        self.repairs.append(what)

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
                    return None  # an older parse of the document: re-embedded, not a repair
                item = IndexedDocument(
                    document.id, digest,
                    [Tokens(*pair) for pair in json.loads(bytes(data["tokens"]).decode("utf-8"))],
                    data["vectors"].astype(np.float32), data["window_vectors"],
                    data["window_counts"].astype(np.int64),
                )
        except Exception as error:  # truncated, emptied or corrupted (the zip CRC catches changed bytes)
            self._repaired(f"{path.relative_to(self.root)} was unreadable ({type(error).__name__}); re-embedded")
            return None
        if item.shape_error(self.embedder.dim):
            self._repaired(f"{path.relative_to(self.root)} had vectors of the wrong shape; re-embedded")
            return None
        return item

    def _write_cache(self, item: IndexedDocument) -> None:
        tokens = json.dumps([[t.exact, t.folded] for t in item.tokens], ensure_ascii=False).encode("utf-8")

        def write(path: Path) -> None:
            with open(path, "wb") as handle:
                np.savez(
                    handle,
                    vectors=item.vectors.astype(np.float32),
                    window_vectors=item.window_vectors.astype(np.float16),
                    window_counts=item.window_counts.astype(np.int64),
                    tokens=np.frombuffer(tokens, dtype=np.uint8),
                    digest=np.frombuffer(item.digest.encode(), dtype=np.uint8),
                )

        _atomic_write(self._cache_path(item.document_id), write)

    def indexed(self, document: Document, on_clauses: Callable[[int], None] | None = None) -> IndexedDocument:
        """A document's tokens and vectors, from the cache or computed (and cached) now; then `on_clauses(n)`
        with its n searchable clauses.

        Raises IndexWriteError when the cache cannot be written; any other exception is the document's.
        """
        cached = self._read_cache(document, index_digest(document))
        if cached is None:
            cached = index_document(document, self.embedder, on_clauses)
            try:
                self._write_cache(cached)
            except OSError as error:
                raise _write_failure(error) from error
        elif on_clauses:
            on_clauses(len(cached.tokens))
        return cached

    def adopt(self, document: Document, item: IndexedDocument) -> None:
        """Cache tokens and vectors computed elsewhere (a Ray worker), so `sync` finds them instead of
        embedding again. Refused unless they were computed from exactly this document's indexed text."""
        if item.document_id != document.id or item.digest != index_digest(document):
            raise ValueError(f"the indexed data does not belong to document {document.id} as stored")
        if error := item.shape_error(self.embedder.dim):
            raise ValueError(f"document {document.id}: {error}")
        self._write_cache(item)

    def build(
        self, documents: list[Document], on_document: Callable[[Document], None] | None = None
    ) -> HybridRetriever:
        """A retriever over these documents (in this order), embedding only what is not cached."""
        indexed = []
        for document in documents:
            indexed.append(self.indexed(document))
            if on_document:
                on_document(document)
        return HybridRetriever.build(documents, indexed, self.embedder)

    # --- snapshots ---

    def _snapshots(self) -> list[Path]:
        """Complete snapshots (their manifest is written last), newest first."""
        found = [path for path in self.root.glob("snapshot-*") if (path / _MANIFEST).is_file()]
        return sorted(found, key=_snapshot_number, reverse=True)

    def _current(self) -> Path | None:
        pointer = self.root / "CURRENT"
        try:
            snapshot = self.root / pointer.read_text().strip()
        except OSError:
            return None
        return snapshot if snapshot.name.startswith("snapshot-") and (snapshot / _MANIFEST).is_file() else None

    def current_name(self) -> str | None:
        """The name of the snapshot in use (changes with every write): cheap to poll, one small file."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except OSError:
            return None

    def load_current(self) -> tuple[str, HybridRetriever] | None:
        """The snapshot in use, read-only (another process's write): never embeds or writes; None when it
        cannot be read whole now (a writer is replacing it), so a reader keeps what it has and tries later."""
        name = self.current_name()
        if name is None:
            return None
        snapshot = self.root / name
        try:
            manifest = self._manifest(snapshot)
            return None if self._damage(snapshot, manifest) else (name, self._read(snapshot, manifest))
        except Exception:  # a snapshot being replaced can fail in any reader; the next request tries again
            return None

    def stage(self, retriever: HybridRetriever) -> Path:
        """Write the retriever as a complete new snapshot, not yet in use; raises IndexWriteError."""
        number = max((_snapshot_number(path) for path in self.root.glob("snapshot-*")), default=0) + 1
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".snapshot-"))
        try:
            documents = list(retriever.table.documents.values())
            with open(staging / _DOCUMENTS, "w", encoding="utf-8") as handle:
                json.dump([document.to_dict() for document in documents], handle, ensure_ascii=False)
            retriever.save(staging)
            files = {
                str(path.relative_to(staging)): [path.stat().st_size, _file_digest(path)]
                for path in sorted(staging.rglob("*"))
                if path.is_file()
            }
            manifest = {
                "embedder": self.embedder.name, "documents": _state(documents), "clauses": len(retriever.table),
                "files": files,
            }
            (staging / _MANIFEST).write_text(json.dumps(manifest))
            snapshot = self.root / f"snapshot-{number}"
            os.replace(staging, snapshot)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise _write_failure(error) from error
        except RuntimeError as error:  # faiss reports its write failures as RuntimeError
            shutil.rmtree(staging, ignore_errors=True)
            raise IndexWriteError(f"the index could not be written ({error}); nothing was stored or changed") from error
        return snapshot

    def discard(self, snapshot: Path) -> None:
        shutil.rmtree(snapshot, ignore_errors=True)

    def publish(self, snapshot: Path) -> None:
        """Make a staged snapshot the one in use, then drop the others and the caches it does not cover.

        Never raises: once the store has committed, a failure here (the pointer not switched) is
        completed by the next start, which adopts the newest snapshot that matches the store.
        """
        try:
            if self._current() != snapshot:
                _atomic_write(self.root / "CURRENT", lambda path: path.write_text(snapshot.name))
            live = {f"{document_id}.npz" for document_id, _ in self._manifest(snapshot)["documents"]}
        except (OSError, ValueError, KeyError) as error:
            logger.warning("the index pointer could not be switched to %s (%s); the next start will", snapshot, error)
            return
        for other in [*self.root.glob("snapshot-*"), *self.root.glob(".snapshot-*")]:
            if other != snapshot:
                shutil.rmtree(other, ignore_errors=True)
        for cache in self.docs_dir.glob("*.npz"):
            if cache.name not in live:
                cache.unlink(missing_ok=True)
        for older in self.other_formats():  # rebuilt in this format, they would only take the disk
            shutil.rmtree(older, ignore_errors=True)

    def other_formats(self) -> list[Path]:
        """The index directories of this model in the formats of other versions of vnpolicy."""
        prefix = self.root.name[: -len(str(FORMAT_VERSION))]
        return [
            path for path in self.root.parent.glob(f"{prefix}*")
            if path != self.root and path.name[len(prefix) :].isdigit()
        ]

    @staticmethod
    def _manifest(snapshot: Path) -> dict:
        return json.loads((snapshot / _MANIFEST).read_text())

    def _damage(self, snapshot: Path, manifest: dict) -> list[str]:
        """Each file of the snapshot that is missing or differs from its manifest entry, said in words."""
        damaged = []
        for name, (size, digest) in manifest["files"].items():
            path = snapshot / name
            try:
                actual = path.stat().st_size
                if actual != size:
                    damaged.append(f"{snapshot.name}/{name} has {actual} bytes, {size} expected")
                elif _file_digest(path) != digest:
                    damaged.append(f"{snapshot.name}/{name} fails its checksum")
            except OSError as error:
                damaged.append(f"{snapshot.name}/{name} is unreadable ({error.strerror or error})")
        return damaged

    def _read(self, snapshot: Path, manifest: dict) -> HybridRetriever:
        with open(snapshot / _DOCUMENTS, encoding="utf-8") as handle:
            documents = [Document.from_dict(data) for data in json.load(handle)]
        table = ClauseTable(documents)
        if manifest["clauses"] != len(table) or _state(documents) != manifest["documents"]:
            raise ValueError("the snapshot's documents do not match its manifest")
        return HybridRetriever.load(snapshot, table, self.embedder)

    def _checked(self, snapshot: Path) -> tuple[dict, HybridRetriever] | None:
        """The snapshot's manifest and retriever if every file is whole, else None (the damage recorded)."""
        try:
            manifest = self._manifest(snapshot)
            damaged = self._damage(snapshot, manifest)
            if not damaged:
                return manifest, self._read(snapshot, manifest)
        except Exception as error:  # whatever a damaged file makes a reader raise, the snapshot is not used
            damaged = [f"{snapshot.name} could not be read ({type(error).__name__}: {error})"]
        for what in damaged:
            self._repaired(f"{what}; rebuilt from the store")
        return None

    def open(self, store: Store) -> tuple[HybridRetriever, bool]:
        """The retriever to answer with now, and whether it is in step with the store.

        The newest whole snapshot matching the store is adopted (completing a write a crash cut short);
        failing that, the snapshot in use is answered from while the caller catches up (`sync`); with no
        whole snapshot at all, the indexes are rebuilt from the store first.
        """
        documents = store.documents()
        state = _state(documents)
        current = self._current()
        for snapshot in self._snapshots():
            try:
                matches = self._manifest(snapshot)["documents"] == state
            except (OSError, ValueError, KeyError):
                matches = False
            if matches or snapshot == current:
                checked = self._checked(snapshot)
                if checked is not None:
                    if matches:
                        self.publish(snapshot)
                    return checked[1], matches
        return self.sync(store, documents=documents), True

    def sync(
        self,
        store: Store,
        on_document: Callable[[Document], None] | None = None,
        documents: list[Document] | None = None,
    ) -> HybridRetriever:
        """A retriever over exactly the store's documents, written as the snapshot in use."""
        documents = store.documents() if documents is None else documents
        retriever = self.build(documents, on_document)
        self.publish(self.stage(retriever))
        return retriever
