"""The durable store of documents and clauses: one SQLite file in the data directory.

Each document is written or removed in one transaction, so a failure (or a killed process) leaves the
store as it was before that document.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from vnpolicy.ingest.models import Clause, Document, DocumentMeta

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source_name TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    warnings TEXT NOT NULL,
    parser TEXT NOT NULL DEFAULT '',
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source_name);
CREATE TABLE IF NOT EXISTS clauses (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    path TEXT NOT NULL,
    trail TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    parent_id TEXT,
    part INTEGER NOT NULL,
    part_count INTEGER NOT NULL,
    restored_text TEXT,
    page INTEGER
);
CREATE INDEX IF NOT EXISTS clauses_document ON clauses(document_id, ordinal);
"""
_CLAUSE_COLUMNS = (
    'id, document_id, ordinal, path, trail, kind, text, start, "end", parent_id, part, part_count, restored_text, page'
)
_CLAUSE_PLACEHOLDERS = ", ".join("?" for _ in _CLAUSE_COLUMNS.split(","))


def data_home() -> Path:
    """The data directory: $VNPOLICY_HOME, or ~/.local/share/vnpolicy."""
    configured = os.environ.get("VNPOLICY_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".local" / "share" / "vnpolicy"


def _clause_row(clause: Clause) -> tuple:
    return (
        clause.id, clause.document_id, clause.ordinal, clause.path, json.dumps(list(clause.trail)),
        clause.kind, clause.text, clause.start, clause.end, clause.parent_id, clause.part, clause.part_count,
        clause.restored_text, clause.page,
    )


def _clause(row: sqlite3.Row) -> Clause:
    return Clause(
        id=row["id"], document_id=row["document_id"], ordinal=row["ordinal"], path=row["path"],
        trail=tuple(json.loads(row["trail"])), kind=row["kind"], text=row["text"], start=row["start"],
        end=row["end"], parent_id=row["parent_id"], part=row["part"], part_count=row["part_count"],
        restored_text=row["restored_text"], page=row["page"],
    )


def documents_after_put(documents: list[Document], added: list[Document]) -> list[Document]:
    """The store's documents once `put_documents(added)` has run on a store holding `documents`, in the
    store's order: what the index of that write must cover, known before the write commits."""
    kept = {document.id: document for document in documents}
    for document in added:
        for other in [other for other in kept.values() if other.source_name == document.source_name]:
            del kept[other.id]
        kept[document.id] = document
    return sorted(kept.values(), key=lambda document: (document.source_name, document.id))


class StoreError(Exception):
    """The database cannot be used; the message is one sentence naming its path."""


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            # A truncated or overwritten file often opens and fails only at its first read: check it now.
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check")]
        except sqlite3.Error as error:
            raise StoreError(
                f"the database {path} is damaged or is not a vnpolicy database ({error}); restore it from a "
                "backup, or move it aside to start with an empty one"
            ) from None
        if problems != ["ok"]:
            self._db.close()
            raise StoreError(
                f"the database {path} is damaged ({problems[0]}); restore it from a backup, or move it aside "
                "to start with an empty one"
            )
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(clauses)")}
        if "restored_text" not in columns:  # a store written before restoration: its clauses have none
            self._db.execute("ALTER TABLE clauses ADD COLUMN restored_text TEXT")
        if "page" not in columns:  # a store written before page numbers
            self._db.execute("ALTER TABLE clauses ADD COLUMN page INTEGER")

    @classmethod
    def open(cls, home: Path) -> Store:
        return cls(home / "vnpolicy.db")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- writes ---

    def put_document(self, document: Document, parser_version: str) -> list[str]:
        """Insert a document with its clauses, replacing documents of the same source name (and an older
        parse of the same content).

        Returns the ids of the other documents it replaced.
        """
        return self.put_documents([document], parser_version)[0]

    def put_documents(self, documents: list[Document], parser_version: str) -> list[list[str]]:
        """`put_document` for each document, in order, all in one transaction: all are stored or none."""
        with self._transaction() as db:
            return [self._put(db, document, parser_version) for document in documents]

    @staticmethod
    def _put(db: sqlite3.Connection, document: Document, parser_version: str) -> list[str]:
        db.execute("DELETE FROM documents WHERE id = ?", (document.id,))
        replaced = [
            row["id"]
            for row in db.execute(
                "SELECT id FROM documents WHERE source_name = ? AND id != ?",
                (document.source_name, document.id),
            )
        ]
        for old_id in replaced:
            db.execute("DELETE FROM documents WHERE id = ?", (old_id,))
        db.execute(
            "INSERT INTO documents (id, source_name, content_hash, text, meta, warnings, parser)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                document.id, document.source_name, document.content_hash, document.text,
                json.dumps(document.meta.to_dict(), ensure_ascii=False),
                json.dumps(document.warnings, ensure_ascii=False), parser_version,
            ),
        )
        db.executemany(
            f"INSERT INTO clauses ({_CLAUSE_COLUMNS}) VALUES ({_CLAUSE_PLACEHOLDERS})",
            [_clause_row(clause) for clause in document.clauses],
        )
        return replaced

    def delete_document(self, document_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount > 0

    # --- reads ---

    def id_for_hash(self, content_hash: str, parser_version: str) -> str | None:
        """The document with this content, if it was parsed by this version of the parser."""
        rows = self._query(
            "SELECT id FROM documents WHERE content_hash = ? AND parser = ?", (content_hash, parser_version)
        )
        return rows[0]["id"] if rows else None

    def document_ids(self) -> list[str]:
        return [row["id"] for row in self._query("SELECT id FROM documents ORDER BY source_name, id")]

    def document(self, document_id: str, with_clauses: bool = True) -> Document | None:
        rows = self._query("SELECT * FROM documents WHERE id = ?", (document_id,))
        if not rows:
            return None
        row = rows[0]
        return Document(
            id=row["id"], source_name=row["source_name"], content_hash=row["content_hash"], text=row["text"],
            meta=DocumentMeta.from_dict(json.loads(row["meta"])),
            clauses=self.clauses(document_id) if with_clauses else [],
            warnings=json.loads(row["warnings"]),
        )

    def parsed(self, parser_version: str) -> Callable[[str], Document | None]:
        """The stored document of a content hash, when that version of the parser made it."""
        return lambda content_hash: (
            self.document(found) if (found := self.id_for_hash(content_hash, parser_version)) else None
        )

    def documents(self) -> list[Document]:
        """Every document with its metadata and clauses."""
        return [doc for doc_id in self.document_ids() if (doc := self.document(doc_id)) is not None]

    def clauses(self, document_id: str) -> list[Clause]:
        rows = self._query(
            f"SELECT {_CLAUSE_COLUMNS} FROM clauses WHERE document_id = ? ORDER BY ordinal", (document_id,)
        )
        return [_clause(row) for row in rows]

    def clause(self, clause_id: str) -> Clause | None:
        rows = self._query(f"SELECT {_CLAUSE_COLUMNS} FROM clauses WHERE id = ?", (clause_id,))
        return _clause(rows[0]) if rows else None

    def counts(self) -> tuple[int, int]:
        documents = self._query("SELECT count(*) AS n FROM documents")[0]["n"]
        clauses = self._query("SELECT count(*) AS n FROM clauses")[0]["n"]
        return documents, clauses
