"""The one object the CLI, the HTTP API and Python users drive: everything a user can do is a method here.

Reads use the current retriever; a write (ingest, upload, delete) runs alone, builds a new retriever
and swaps it in only when complete, so readers keep answering from the previous index meanwhile.
Requests are validated here (`InvalidRequest`, `NotFound`: one sentence each); HTTP and the CLI only
translate them into a status code or an exit status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from vnpolicy.answer import Answer, answer_question
from vnpolicy.api.catalog import ClauseInContext, Facets, clause_in_context, facets
from vnpolicy.api.validation import InvalidRequest, NotFound, check_filters, check_k, check_query, check_question
from vnpolicy.index.embedding import load_embedder
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.persist import IndexManager
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.pipeline import FileReport, ingest_paths, parse_upload, store_document
from vnpolicy.ingest.store import Store, data_home


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
        self._indexes: IndexManager | None = None

    @property
    def indexes(self) -> IndexManager:
        if self._indexes is None:
            self._indexes = IndexManager(self.home, load_embedder(self.home, self._embedder_backend))
        return self._indexes

    @property
    def retriever(self) -> HybridRetriever:
        """The current retriever, loaded (and brought in step with the store) on first use."""
        if self._retriever is None:
            with self._write_lock:
                if self._retriever is None:
                    self._retriever = self.indexes.sync(self.store)
        return self._retriever

    def _reindex(self, on_document: Callable[[Document], None] | None = None) -> None:
        self._retriever = self.indexes.sync(self.store, on_document)

    # --- writes ---

    def ingest(
        self,
        paths: Iterable[Path],
        on_file: Callable[[FileReport], None] | None = None,
        on_indexed: Callable[[Document], None] | None = None,
        on_page: Callable[[Path, int, int], None] | None = None,
    ) -> list[FileReport]:
        with self._write_lock:
            reports = ingest_paths(paths, self.store, on_file, on_page)
            self._reindex(on_indexed)
        return reports

    def add_upload(self, name: str, data: bytes) -> FileReport:
        """Ingest one uploaded file; raises IngestError (and changes nothing) when it is bad."""
        document = parse_upload(name, data)
        with self._write_lock:
            report = store_document(self.store, document)
            self._reindex()
        return report

    def delete(self, document_id: str) -> None:
        """Remove a document from the store and the indexes; NotFound when there is no such document."""
        with self._write_lock:
            deleted = self.store.delete_document(document_id)
            if deleted:
                self._reindex()
        if not deleted:
            raise NotFound(f"no document with id {document_id!r}; the document list gives the ids")

    # --- reads ---

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """The k clauses that best match `query` and hold every filter, best first."""
        query, k = check_query(query), check_k(k)
        return self.retriever.search(query, k=k, filters=self._checked(filters))

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
