"""Hybrid clause retrieval: BM25 and dense legs, filtered before top-k, fused by a convex combination.

Each leg's scores are scaled to [0, 1] per query (BM25 by its best score, cosine min-max over the
leg's candidates, as Bruch, Gai & Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval",
TOIS 2023, recommend) and summed with equal weights. Measured against reciprocal rank fusion
(k = 60) it keeps how much better the best candidate is, not only that it is first: nDCG@10 on
XQuAD-vi 0.976 against 0.969, on ALQAC-2022 0.934 against 0.929, with the gold questions as good.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vnpolicy.index.abbreviations import defined_in, spelled_out
from vnpolicy.index.dense import ClauseWindows, DenseIndex
from vnpolicy.index.lexical import LexicalIndex
from vnpolicy.index.models import Hit, LegResult, SearchFilters
from vnpolicy.index.query import Query, parse_query
from vnpolicy.index.tokenize import Tokens, tokenize
from vnpolicy.ingest.clauses import TRAIL_ENTRY_CHARS
from vnpolicy.ingest.gazetteer import provinces_of
from vnpolicy.ingest.models import PATH_SEPARATOR, Clause, Document
from vnpolicy.ingest.normalize import canonical_tones, folded_form, folded_words, has_diacritics, to_nfc
from vnpolicy.ingest.restore import is_fully_read

if TYPE_CHECKING:
    from vnpolicy.index.embedding import Embedder

SEARCHABLE_KINDS = frozenset({"heading", "item", "bullet", "paragraph", "appendix"})  # not header, recital, …
ACCENTLESS_DENSE_WEIGHT = 0.5
# A restored reading (ingest.restore) is right for about 19 syllables in 20: it embeds nearer its meaning than
# unaccented text, but not as surely as printed accented text, and without a discount a generic restored
# clause outranks other documents' clauses for unrelated questions. Its cosines count midway between the two;
# a reading that kept words the restorer could not read ("TÔ CHLTC THlTC HIẾN") embeds like damaged text and
# counts as unaccented text.
RESTORED_DENSE_WEIGHT = 0.75
NAMED_PROVINCE_BOOST = 1.5  # a query naming a province (or one of its towns) prefers its documents
CANDIDATE_DEPTH = 100
QUERY_CACHE_SIZE = 1024
WINDOW_WORDS = 30  # a clause's windows: its sentences, long ones cut into this many words …
WINDOW_OVERLAP = 5  # … each window beginning with the last words of the one before
_SENTENCE_BREAK = re.compile(r"(?<=[;.:!?])\s+|\n+")


def reading(clause: Clause) -> str:
    """What a clause says, for the indexes: its restored reading when it has one (OCR-damaged or unaccented
    text, see ingest.restore), else its text. Quotes never come from here."""
    return clause.restored_text or clause.text


def reading_trail(clause: Clause, document: Document) -> tuple[str, ...]:
    """The clause's heading trail with each heading's restored reading where it has one."""
    if not clause.trail or not any(other.restored_text for other in document.clauses):
        return clause.trail
    by_id = {other.id: other for other in document.clauses}
    entries = list(clause.trail)
    node = by_id.get(clause.parent_id or "")
    for index in range(len(entries) - 1, -1, -1):
        if node is None:
            break
        if node.restored_text:
            entries[index] = node.restored_text[:TRAIL_ENTRY_CHARS]
        node = by_id.get(node.parent_id or "")
    return tuple(entries)
# What the clauses search leaves out are, in words ("45 … are not searched").
_UNSEARCHED_NAMES = {
    "header": ("header line", "(issuer, number, place and date)"),
    "recital": ("recital", "(Căn cứ …)"),
    "recipients": ("recipient-list line", "(Nơi nhận)"),
    "signature": ("signature block", ""),
}


# A clause naming its own document ("Nghị quyết này có hiệu lực …", "Quy định này áp dụng …"), folded.
_THIS_DOCUMENT = re.compile(
    r"\b(?:nghi quyet|quyet dinh|quy dinh|quy che|ke hoach|chuong trinh|chi thi|ket luan|de an|van ban) nay\b"
)


@lru_cache(maxsize=16384)  # asked of every clause at every write (see `index_digest`), folding it each time
def names_its_document(text: str) -> bool:
    """Whether a clause speaks of "this resolution/decision/regulation/plan": it is then about the document
    its title names ("Nghị quyết này có hiệu lực từ ngày 10 tháng 12 năm 2025" answers when the resolution on
    the low-emission zone takes effect) without repeating the title."""
    return bool(_THIS_DOCUMENT.search(" ".join(folded_words(text))))


def subject(document: Document) -> str:
    """What a document is, in its own words: its type and title ("Nghị quyết QUY ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI
    THẤP …"), the type once when the title begins with it."""
    doc_type, title = document.meta.doc_type.value or "", document.meta.title.value or ""
    if doc_type and folded_form(title).startswith(folded_form(doc_type)):
        return title
    return " ".join(v for v in (doc_type, title) if v)


def its_document(clause: Clause, document: Document) -> list[str]:
    """The document's subject, for a clause that names its own document; else nothing."""
    return [subject(document)] if names_its_document(reading(clause)) else []


def lexical_text(clause: Clause, document: Document) -> str:
    """What the lexical leg indexes: the clause with its heading trail, its document's place and number, and
    its document's subject when it names it.

    A bullet under "1.2. Phát triển hạ tầng cung cấp điện" is about điện, a clause of a Kon Tum
    plan answers "… của Kon Tum" even where it does not repeat the name, a query for "182-KH/TU"
    finds the plan's clauses (its header, where the number stands, is not searched), and "Nghị quyết này
    có hiệu lực …" answers when the resolution on the low-emission zone takes effect. (Not every clause
    with its title: the title's words would then be in most clauses and weigh nothing in a question.)
    """
    meta = document.meta
    place = " ".join(
        str(v) for v in (meta.province.value, meta.province_current.value, meta.locality.value, meta.number.value) if v
    )
    trail = reading_trail(clause, document)
    return "\n".join(
        [*trail, reading(clause), *spelled_out_in(clause, document, trail), *its_document(clause, document), place]
    )


def spelled_out_in(clause: Clause, document: Document, trail: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The expansions of the abbreviations the clause (and the headings given) uses, by its document's own
    definitions where it has them (see abbreviations.py)."""
    return spelled_out("\n".join([*trail, reading(clause)]), defined_in(document.text))


def dense_form(text: str) -> str:
    """The text the model sees: one tone placement, so "thuỷ" and "thủy" embed alike (case is kept)."""
    return canonical_tones(to_nfc(text))


def passage_text(clause: Clause, document: Document) -> str:
    """What the dense leg embeds: the clause after its nearest heading (restored readings where there are),
    and the title of its document when it names it ("Nghị quyết này …")."""
    trail = reading_trail(clause, document)
    lines = [trail[-1]] if clause.kind != "heading" and trail else []
    return dense_form(
        "\n".join([*lines, reading(clause), *spelled_out_in(clause, document, lines), *its_document(clause, document)])
    )


def windows(clause: Clause) -> list[str]:
    """What the dense leg embeds besides the whole clause: its sentences, long ones cut into overlapping
    windows of WINDOW_WORDS words. A long clause's vector is the mean of all it says, while a question asks
    about one thing it says ("… dự án tuyến đường bộ ven biển kết nối tỉnh Bến Tre với tỉnh Tiền Giang và
    tỉnh Trà Vinh dự kiến hoàn thành năm 2028" inside a paragraph on five projects)."""
    found = []
    for sentence in _SENTENCE_BREAK.split(reading(clause)):
        words = sentence.split()
        found += [
            dense_form(" ".join(words[max(0, start - WINDOW_OVERLAP) : start + WINDOW_WORDS]))
            for start in range(0, len(words), WINDOW_WORDS)
        ]
    return found or [dense_form(reading(clause))]


def has_words(query: str) -> bool:
    """Whether a query has a letter or digit to look for: one of only spaces, punctuation, symbols or
    invisible characters (zero-width spaces, joiners) finds nothing rather than the nearest vectors."""
    return any(ch.isalnum() for ch in query)


def searchable(clauses: list[Clause]) -> list[Clause]:
    return [clause for clause in clauses if clause.kind in SEARCHABLE_KINDS]


@dataclass(frozen=True)
class ClauseCounts:
    """How many clauses the documents hold and how many of them search covers: the one count everywhere."""

    total: int
    indexed: int
    not_indexed: dict[str, int]  # by clause kind

    @classmethod
    def of(cls, documents: list[Document]) -> ClauseCounts:
        clauses = [clause for document in documents for clause in document.clauses]
        left_out = Counter(clause.kind for clause in clauses if clause.kind not in SEARCHABLE_KINDS)
        return cls(len(clauses), len(clauses) - sum(left_out.values()), dict(sorted(left_out.items())))

    def sentence(self) -> str:
        """E.g. "104 clauses, 77 indexed: 7 header lines (issuer, number, place and date), 17 recipient-list lines
        (Nơi nhận), 2 recitals (Căn cứ …) and 1 signature block are not searched"."""
        head = f"{self.total} clauses, {self.indexed} indexed"
        if not self.not_indexed:
            return head
        parts = []
        for kind, n in self.not_indexed.items():
            name, note = _UNSEARCHED_NAMES.get(kind, (f"{kind} clause", ""))
            parts.append(" ".join(filter(None, [str(n), name + ("s" if n != 1 else ""), note])))
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        verb = "is" if len(parts) == 1 and next(iter(self.not_indexed.values())) == 1 else "are"
        return f"{head}: {listed} {verb} not searched"


@dataclass
class IndexedDocument:
    """A document's searchable clauses' tokens and vectors, in clause order: what indexes are built from."""

    document_id: str
    digest: str  # of everything indexed from the document (see `index_digest`)
    tokens: list[Tokens]
    vectors: np.ndarray
    window_vectors: np.ndarray  # of each clause's `windows`, in clause order
    window_counts: np.ndarray  # how many windows each clause has

    def shape_error(self, dim: int) -> str | None:
        """What does not fit together (vectors, windows and clauses), in words; None when all does."""
        clauses = len(self.tokens)
        if self.vectors.shape != (clauses, dim):
            return f"{self.vectors.shape} vectors for {clauses} clauses"
        if len(self.window_counts) != clauses or (self.window_counts < 1).any():
            return f"window counts for {len(self.window_counts)} of {clauses} clauses"
        if self.window_vectors.shape != (int(self.window_counts.sum()), dim):
            return f"{self.window_vectors.shape} window vectors for {int(self.window_counts.sum())} windows"
        return None


def index_digest(document: Document) -> str:
    """A fingerprint of what the indexes take from a document: it changes when the text is parsed
    differently or the metadata changes, even for the same content."""
    parts = [
        (c.id, c.kind, c.text, lexical_text(c, document), passage_text(c, document))
        for c in searchable(document.clauses)
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def index_document(
    document: Document, embedder: Embedder, on_clauses: Callable[[int], None] | None = None
) -> IndexedDocument:
    """Tokens and vectors of a document's searchable clauses; `on_clauses(n)` once its n clauses are done.
    (One embedding call per document: how texts are batched must not change their vectors.)"""
    clauses = searchable(document.clauses)
    tokens = [tokenize(lexical_text(clause, document)) for clause in clauses]
    windowed = [windows(clause) for clause in clauses]
    vectors, window_vectors = (
        (
            embedder.embed_passages([passage_text(clause, document) for clause in clauses]),
            embedder.embed_passages([window for found in windowed for window in found]),
        )
        if clauses
        else (np.zeros((0, embedder.dim), dtype=np.float32), np.zeros((0, embedder.dim), dtype=np.float32))
    )
    if on_clauses:
        on_clauses(len(clauses))
    counts = np.array([len(found) for found in windowed], dtype=np.int64)
    return IndexedDocument(document.id, index_digest(document), tokens, vectors, window_vectors, counts)


def scaled_by_best(scores: np.ndarray) -> np.ndarray:
    """Scores on [0, 1] over the best one, so 0 still means nothing matched (BM25)."""
    return scores / max(float(scores.max()), 1e-6) if len(scores) else scores


def scaled_min_max(scores: np.ndarray) -> np.ndarray:
    """Scores on [0, 1] between the worst and the best candidate (cosines, which bunch together)."""
    if not len(scores):
        return scores
    low = float(scores.min())
    return (scores - low) / max(float(scores.max()) - low, 1e-6)


@dataclass(frozen=True)
class Leg:
    """How one retrieval leg's candidate scores enter the fusion."""

    weight: float
    scale: Callable[[np.ndarray], np.ndarray]  # per query, over the leg's candidates
    accentless_weight: float  # for rows whose text has no diacritics at all (OCR output)
    restored_weight: float  # for rows indexed by their restored reading


LEGS = {
    "lexical": Leg(weight=1.0, scale=scaled_by_best, accentless_weight=1.0, restored_weight=1.0),
    # An unaccented text embeds far from the accented words it stands for: its cosines count half.
    "dense": Leg(
        weight=1.0, scale=scaled_min_max, accentless_weight=ACCENTLESS_DENSE_WEIGHT,
        restored_weight=RESTORED_DENSE_WEIGHT,
    ),
}


class ClauseTable:
    """Every searchable clause in row order, with the columns filters look at."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents: dict[str, Document] = {document.id: document for document in documents}
        self.clauses: list[Clause] = [clause for document in documents for clause in searchable(document.clauses)]
        self.row_of: dict[str, int] = {clause.id: row for row, clause in enumerate(self.clauses)}
        docs = [self.documents[clause.document_id] for clause in self.clauses]
        self.document_id = np.array([clause.document_id for clause in self.clauses], dtype=object)
        self.province = np.array([doc.meta.province.value or "" for doc in docs], dtype=object)
        self.doc_type = np.array([folded_form(doc.meta.doc_type.value or "") for doc in docs], dtype=object)
        self.year = np.array(
            [int(doc.meta.date.value[:4]) if doc.meta.date.value else -1 for doc in docs], dtype=np.int32
        )
        self.path = np.array([clause.path for clause in self.clauses], dtype=object)
        self.restored = np.array([bool(clause.restored_text) for clause in self.clauses], dtype=bool)
        self.fully_read = np.array(
            [bool(clause.restored_text) and is_fully_read(clause.restored_text) for clause in self.clauses], dtype=bool
        )

    def __len__(self) -> int:
        return len(self.clauses)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Allowed rows, or None for all. A filter that matches nothing allows nothing."""
        if filters is None or filters.is_empty():
            return None
        allowed = np.ones(len(self), dtype=bool)
        if filters.province:
            allowed &= np.isin(self.province, list(provinces_of(filters.province)))
        if filters.document_id:
            allowed &= self.document_id == filters.document_id
        if filters.doc_type:
            allowed &= self.doc_type == folded_form(filters.doc_type)
        if filters.year_from is not None:
            allowed &= self.year >= filters.year_from
        if filters.year_to is not None:
            allowed &= (self.year <= filters.year_to) & (self.year >= 0)
        if filters.section:
            section = PATH_SEPARATOR.join(part.strip() for part in filters.section.replace(">", "›").split("›"))
            allowed &= np.array(
                [p == section or p.startswith(section + PATH_SEPARATOR) for p in self.path], dtype=bool
            )
        return allowed

    def spelled_out(self, clause: Clause) -> list[str]:
        """What the abbreviations of the clause (and its headings) stand for."""
        return spelled_out_in(clause, self.documents[clause.document_id], clause.trail)

    def hit(self, row: int, score: float, legs: dict[str, LegResult]) -> Hit:
        clause = self.clauses[row]
        return clause_hit(clause, self.documents[clause.document_id], score, legs)


def clause_hit(clause: Clause, document: Document, score: float, legs: dict[str, LegResult]) -> Hit:
    """A clause as a hit: with its document's number, title, province, type and date."""
    meta = document.meta
    return Hit(
        clause_id=clause.id, document_id=clause.document_id, document_title=meta.title.value,
        document_number=meta.number.value, source_name=document.source_name,
        province=meta.province.value, province_current=meta.province_current.value,
        doc_type=meta.doc_type.value, date=meta.date.value, path=clause.path, trail=list(clause.trail),
        kind=clause.kind, text=clause.text, start=clause.start, end=clause.end, score=score, legs=legs,
        restored_text=clause.restored_text, page=clause.page,
        spelled_out=spelled_out_in(clause, document, clause.trail),
    )


class HybridRetriever:
    """Hybrid search over one immutable set of clauses; a write builds a new retriever.

    `documents` and `indexed` are in the same order, and so are their clauses and rows.
    """

    def __init__(
        self, table: ClauseTable, lexical: LexicalIndex, dense: DenseIndex, windows: ClauseWindows, embedder: Embedder
    ) -> None:
        self.table = table
        self.lexical = lexical
        self.dense = dense
        self.windows = windows
        self.embedder = embedder
        # Officials repeat questions and an answer searches twice with one question: embed it once.
        self.query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)

    def _embed_query(self, query: str) -> np.ndarray:
        vector = self.embedder.embed_queries([dense_form(query)])[0]
        vector.setflags(write=False)
        return vector

    @classmethod
    def build(cls, documents: list[Document], indexed: list[IndexedDocument], embedder: Embedder) -> HybridRetriever:
        empty = np.zeros((0, embedder.dim), dtype=np.float32)
        vectors = np.concatenate([item.vectors for item in indexed]) if indexed else empty
        windows = ClauseWindows.of(
            np.concatenate([item.window_vectors for item in indexed]) if indexed else empty,
            [int(count) for item in indexed for count in item.window_counts],
        )
        table = ClauseTable(documents)
        accentless = np.array([not has_diacritics(reading(clause)) for clause in table.clauses], dtype=bool)
        lexical = LexicalIndex.build([tokens for item in indexed for tokens in item.tokens], accentless)
        return cls(table, lexical, DenseIndex(vectors), windows, embedder)

    def save(self, directory: Path) -> None:
        """Write both legs' indexes into `directory` (the clause table is the caller's: it has the documents)."""
        self.lexical.save(directory)
        self.dense.save(directory)
        self.windows.save(directory)

    @classmethod
    def load(cls, directory: Path, table: ClauseTable, embedder: Embedder) -> HybridRetriever:
        """The retriever `save` wrote, over `table`; ValueError when its parts do not have one row per clause."""
        lexical, dense = LexicalIndex.load(directory), DenseIndex.load(directory)
        windows = ClauseWindows.load(directory)
        if not (len(dense.vectors) == dense.size == lexical.size == windows.rows == len(table)):
            raise ValueError("the index parts have different numbers of rows")
        return cls(table, lexical, dense, windows, embedder)

    @staticmethod
    def _top(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        """The best `depth` allowed rows with a positive score, best first."""
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:depth]
        return [(int(row), float(scores[row])) for row in order]

    def _fuse(
        self, rankings: dict[str, list[tuple[int, float]]], k: int, preferred_province: str | None = None
    ) -> list[Hit]:
        fused: dict[int, float] = {}
        legs: dict[int, dict[str, LegResult]] = {}
        for name, ranking in rankings.items():
            leg = LEGS[name]
            contributions = leg.weight * leg.scale(np.array([score for _, score in ranking]))
            for rank, ((row, score), contribution) in enumerate(zip(ranking, contributions, strict=True), start=1):
                if self.lexical.accentless[row]:
                    contribution *= leg.accentless_weight
                elif self.table.restored[row]:
                    contribution *= leg.restored_weight if self.table.fully_read[row] else leg.accentless_weight
                fused[row] = fused.get(row, 0.0) + float(contribution)
                legs.setdefault(row, {})[name] = LegResult(rank=rank, score=round(score, 6))
        if preferred_province:
            for row in fused:
                if self.table.province[row] == preferred_province:
                    fused[row] *= NAMED_PROVINCE_BOOST
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        return [self.table.hit(row, round(fused[row], 6), legs[row]) for row in best]

    def lexical_scores(self, query: Query) -> np.ndarray:
        return self.lexical.scores_of(query.tokens, query.accented or query.restored)

    def dense_scores(self, query: Query) -> np.ndarray:
        """Cosine of every row with the query (the vectors are normalised)."""
        return self.dense.vectors @ self.query_vector(query.search_text)

    def window_cosines(self, query: Query, rows: list[int]) -> np.ndarray:
        """For each row, the cosine of the query with the nearest of its clause's `windows`."""
        return self.windows.best_cosines(self.query_vector(query.search_text), rows)

    def search(
        self, query: str | Query, k: int = 10, filters: SearchFilters | None = None, depth: int = CANDIDATE_DEPTH
    ) -> list[Hit]:
        query = parse_query(query) if isinstance(query, str) else query
        allowed = self.table.mask(filters)
        if not len(self.table) or not has_words(query.text) or (allowed is not None and not allowed.any()):
            return []
        dense_rows, dense_scores = self.dense.search(self.query_vector(query.search_text), depth, allowed)
        return self._fuse(
            {
                "lexical": self._top(self.lexical_scores(query), allowed, depth),
                "dense": [(int(r), float(s)) for r, s in zip(dense_rows, dense_scores, strict=True)],
            },
            k,
            query.province,
        )

    def search_per_province(
        self, query: str | Query, k: int, filters: SearchFilters | None = None, depth: int = 20
    ) -> dict[str, list[Hit]]:
        """The best k clauses of every province, for questions across provinces: a province whose
        clauses rank below other provinces' in one global list still gets its candidates."""
        query = parse_query(query) if isinstance(query, str) else query
        allowed = self.table.mask(filters)
        if not len(self.table) or not has_words(query.text) or (allowed is not None and not allowed.any()):
            return {}
        lexical = self.lexical_scores(query)
        dense = self.dense_scores(query)
        dense = np.where(dense > 0, dense, 1e-6)  # every row stays rankable by the dense leg
        results = {}
        for province in self.provinces():
            rows = self.table.province == province
            if allowed is not None:
                rows &= allowed
            if rows.any():
                rankings = {"lexical": self._top(lexical, rows, depth), "dense": self._top(dense, rows, depth)}
                results[province] = self._fuse(rankings, k)
        return results

    def provinces(self) -> list[str]:
        """The pre-2025 provinces that have at least one indexed clause."""
        return sorted(set(self.table.province) - {""})
