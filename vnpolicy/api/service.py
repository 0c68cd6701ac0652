"""The one object the CLI, the HTTP API and Python users drive: everything a user can do is a method here.

Reads use the current retriever. A write (ingest, upload, delete) runs alone and is all or nothing:
the new documents are indexed and the new snapshot written first, then the store commits, then the
new retriever is swapped in. A document that cannot be indexed is refused before anything is stored,
and a write that fails leaves the store and the index as they were (see vnpolicy.index.persist).
Requests are validated here (`InvalidRequest`, `NotFound`: one sentence each); HTTP and the CLI only
translate them into a status code or an exit status.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from vnpolicy.answer import Answer, answer_question
from vnpolicy.api.catalog import ClauseInContext, Facets, clause_in_context, facets
from vnpolicy.api.validation import InvalidRequest, NotFound, check_filters, check_k, check_query, check_question
from vnpolicy.index.embedding import load_embedder
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.persist import IndexManager, IndexWriteError
from vnpolicy.index.query import parse_query
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.ingest.isolated import parse_upload_isolated
from vnpolicy.ingest.loaders import IngestError
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.pipeline import PARSER_VERSION, FileReport, parse_each
from vnpolicy.ingest.store import Store, data_home, documents_after_put

logger = logging.getLogger("vnpolicy")
T = TypeVar("T")


class WriteFailed(Exception):
    """A write that did not happen (disk full, I/O error): store and index are as they were. One sentence."""

    def __init__(self, message: str, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


class VnPolicy:
    def __init__(self, home: Path | None = None, embedder_backend: str | None = None) -> None:
        self.home = home or data_home()
        if self.home.exists() and not self.home.is_dir():
            raise InvalidRequest(f"the data directory {self.home} is a file; name a directory (--home, VNPOLICY_HOME)")
        self.home.mkdir(parents=True, exist_ok=True)
        self.store = Store.open(self.home)
        self._embedder_backend = embedder_backend
        self._write_lock = threading.Lock()  # one writer of the store and indexes at a time, first load included
        self._retriever: HybridRetriever | None = None
        self._in_step = False  # whether the retriever covers exactly the store's documents
        self._indexes: IndexManager | None = None
        self.catching_up: tuple[int, int] | None = None  # (indexed, total) while catching up with the store

    @property
    def indexes(self) -> IndexManager:
        if self._indexes is None:
            self.load_model(deferred=True)
        assert self._indexes is not None
        return self._indexes

    def load_model(self, on_step: Callable[[str], None] | None = None, deferred: bool = False) -> None:
        """Load the embedding model now (building it on first use), telling `on_step` what it is doing; or,
        `deferred`, build it if need be and load it at the first embedding (a delete or a batch of unchanged
        files embeds nothing)."""
        embedder = load_embedder(self.home, self._embedder_backend, on_step, deferred)
        if self._indexes is None:
            self._indexes = IndexManager(self.home, embedder)

    def open(self) -> bool:
        """Load the last complete index (repairing damaged files) if not loaded; True when it is in step
        with the store, False when `catch_up` is still to run."""
        with self._write_lock:
            return self._open()

    def catch_up(self) -> None:
        """Index what the store holds beyond the loaded snapshot; searches use the snapshot meanwhile."""
        with self._write_lock:
            self._catch_up()

    def _open(self) -> bool:  # with the write lock held
        if self._retriever is None:
            self._retriever, self._in_step = self.indexes.open(self.store)
        return self._in_step

    def _catch_up(self) -> None:  # with the write lock held
        if self._in_step:
            return
        documents = self.store.documents()
        self.catching_up = (0, len(documents))

        def progress(_: Document) -> None:
            done, total = self.catching_up or (0, len(documents))
            self.catching_up = (done + 1, total)

        try:
            self._retriever = self.indexes.sync(self.store, progress, documents)
            self._in_step = True
        finally:
            self.catching_up = None

    @property
    def retriever(self) -> HybridRetriever:
        """The current retriever, loaded (and brought in step with the store) on first use."""
        if self._retriever is None and not self.open():
            self.catch_up()
        assert self._retriever is not None
        return self._retriever

    # --- writes ---

    def _indexable(self, document: Document, on_clauses: Callable[[int], None] | None = None) -> str | None:
        """None when the document's tokens and vectors are computed (and cached), else why not, in words."""
        try:
            self.indexes.indexed(document, on_clauses)
        except IndexWriteError as error:
            raise WriteFailed(str(error), error.disk_full) from error
        except Exception as error:
            logger.exception("indexing %s failed", document.source_name)
            return f"the document could not be indexed ({type(error).__name__}); nothing was stored"
        return None

    def _commit(self, documents: list[Document], commit: Callable[[], T]) -> T:
        """Index `documents` (the store's documents once `commit` has run) as a new snapshot, run `commit`,
        then switch to the snapshot. Called with the write lock held; raises WriteFailed."""
        try:
            retriever = self.indexes.build(documents)
            snapshot = self.indexes.stage(retriever)
        except IndexWriteError as error:
            raise WriteFailed(str(error), error.disk_full) from error
        try:
            result = commit()
        except sqlite3.Error as error:
            self.indexes.discard(snapshot)
            disk_full = isinstance(error, sqlite3.OperationalError) and "full" in str(error)
            raise WriteFailed(f"the store could not be written ({error}); nothing was stored or changed",
                              disk_full) from error
        except BaseException:
            self.indexes.discard(snapshot)
            raise
        self.indexes.publish(snapshot)
        self._retriever, self._in_step = retriever, True
        return result

    def _store(self, documents: list[Document]) -> list[list[str]]:
        """Store documents (all or none) with their index; returns the ids each one replaced."""
        after = documents_after_put(self.store.documents(), documents)
        return self._commit(after, lambda: self.store.put_documents(documents, PARSER_VERSION))

    def ingest(
        self,
        paths: Iterable[Path],
        on_file: Callable[[FileReport], None] | None = None,
        on_clauses: Callable[[int], None] | None = None,
        on_page: Callable[[Path, int, int], None] | None = None,
    ) -> list[FileReport]:
        """Ingest and index files; a file that fails (to read, parse or index) fails alone with a sentence.

        The files that succeed are stored and indexed together, in one write. `on_file` is told of each
        file read, `on_clauses(n)` as n more clauses are indexed, `on_page(path, page, pages)` as each
        scanned PDF page is read by OCR.
        """
        reports: list[FileReport] = []
        accepted: list[tuple[FileReport, Document]] = []
        with self._write_lock:
            for path, parsed in parse_each(paths, on_page, self.store.parsed(PARSER_VERSION)):
                if isinstance(parsed, str):
                    report = FileReport(str(path), "failed", error=parsed)
                elif existing := self.store.id_for_hash(parsed.content_hash, PARSER_VERSION):
                    report = FileReport(str(path), "unchanged", existing, len(parsed.clauses))
                elif reason := self._indexable(parsed, on_clauses):
                    report = FileReport(str(path), "failed", error=reason)
                else:
                    report = FileReport(str(path), "added", parsed.id, len(parsed.clauses), parsed.warnings)
                    accepted.append((report, parsed))
                reports.append(report)
                if on_file:
                    on_file(report)
            self._store_accepted(accepted)
        return reports

    def _store_accepted(self, accepted: list[tuple[FileReport, Document]]) -> None:
        """Store the accepted documents in one write and tell each report what its document replaced; with
        none, only bring the index in step with the store (an unchanged batch writes no new snapshot)."""
        if not accepted:
            if not self._open():
                self._catch_up()
            return
        replaced = self._store([document for _, document in accepted])
        for (report, _), ids in zip(accepted, replaced, strict=True):
            report.replaced = ids
            report.status = "replaced" if ids else "added"

    def ingest_on_ray(
        self,
        paths: Iterable[Path],
        address: str | None = None,
        workers: int | None = None,
        on_file: Callable[[FileReport], None] | None = None,
    ) -> list[FileReport]:
        """`ingest` with the files parsed and embedded on a Ray cluster (the `ray` extra); the store and
        the indexes are written here, by this process, in the same one write as `ingest`."""
        from vnpolicy.index.distributed import ingest_on_ray  # Ray is imported only when asked for

        with self._write_lock:
            reports, accepted = ingest_on_ray(paths, self.store, self.indexes, self.home, address, workers, on_file)
            self._store_accepted(accepted)
        return reports

    def add_upload(self, name: str, data: bytes) -> FileReport:
        """Ingest one uploaded file (parsed in a child process under a memory ceiling); raises IngestError
        or WriteFailed, and then nothing has changed."""
        document = parse_upload_isolated(name, data)
        with self._write_lock:
            existing = self.store.id_for_hash(document.content_hash, PARSER_VERSION)
            if existing:
                return FileReport(document.source_name, "unchanged", existing, len(document.clauses))
            if reason := self._indexable(document):
                raise IngestError(reason)
            [replaced] = self._store([document])
        return FileReport(
            document.source_name, "replaced" if replaced else "added", document.id, len(document.clauses),
            document.warnings, replaced=replaced,
        )

    def delete(self, document_id: str) -> None:
        """Remove a document from the store and the indexes; NotFound when there is no such document."""
        with self._write_lock:
            documents = self.store.documents()
            if all(document.id != document_id for document in documents):
                raise NotFound(f"no document with id {document_id!r}; the document list gives the ids")
            remaining = [document for document in documents if document.id != document_id]
            self._commit(remaining, lambda: self.store.delete_document(document_id))

    # --- reads ---

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """The k clauses that best match `query` and hold every filter, best first."""
        query, k = check_query(query), check_k(k)
        return self.retriever.search(query, k=k, filters=self._checked(filters))

    def read_as(self, query: str) -> str | None:
        """How `search` reads a query typed without diacritics (its restored reading), else None."""
        return parse_query(check_query(query)).read_as

    def ask(self, question: str, filters: SearchFilters | None = None) -> Answer:
        """A grounded answer: the clauses that support the question, quoted verbatim with their sources."""
        return answer_question(self, check_question(question), self._checked(filters))

    def documents(self) -> list[Document]:
        """The documents the current index covers, in store order (by file name)."""
        return list(self.retriever.table.documents.values())

    def document(self, document_id: str) -> Document:
        document = self.retriever.table.documents.get(document_id)
        if document is None:
            raise NotFound(f"no document with id {document_id!r}; the document list gives the ids")
        return document

    def clause(self, clause_id: str) -> ClauseInContext:
        """A clause with the headings above it, its neighbours and its document."""
        stored = self.store.clause(clause_id)
        document = self.retriever.table.documents.get(stored.document_id) if stored else None
        if document is None:
            raise NotFound(f"no clause with id {clause_id!r}")
        return clause_in_context(document, clause_id)

    def facets(self) -> Facets:
        """Provinces (old and current names), document types and years, with document and clause counts."""
        return facets(self.documents())

    def _checked(self, filters: SearchFilters | None) -> SearchFilters:
        indexed = {d.meta.province.value for d in self.retriever.table.documents.values() if d.meta.province.value}
        return check_filters(filters, indexed)
