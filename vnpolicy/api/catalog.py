"""What the indexed documents hold, for browsing: a clause in its context, and the filter values with counts.

Pure functions over the documents of the current index, so what they list is exactly what search covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from vnpolicy.api.validation import NotFound
from vnpolicy.ingest.gazetteer import current_province
from vnpolicy.ingest.models import Clause, Document


@dataclass(frozen=True)
class ClauseInContext:
    clause: Clause
    ancestors: list[Clause]  # the headings above it by parent_id, outermost first
    previous: Clause | None
    next: Clause | None
    document: Document

    @property
    def source_text(self) -> str:
        return self.document.text[self.clause.start : self.clause.end]


@dataclass(frozen=True)
class Facet:
    value: Hashable
    documents: list[Document]

    @property
    def clauses(self) -> int:
        return sum(len(document.clauses) for document in self.documents)


@dataclass(frozen=True)
class Facets:
    provinces: list[Facet]
    provinces_current: list[Facet]
    doc_types: list[Facet]
    years: list[Facet]
    undated: int  # documents the year facet cannot place


def clause_in_context(document: Document, clause_id: str) -> ClauseInContext:
    clauses = document.clauses
    position = next((i for i, clause in enumerate(clauses) if clause.id == clause_id), None)
    if position is None:
        raise NotFound(f"no clause with id {clause_id!r}")
    clause = clauses[position]
    by_id = {c.id: c for c in clauses}
    ancestors = []
    parent = by_id.get(clause.parent_id) if clause.parent_id else None
    while parent is not None:
        ancestors.append(parent)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return ClauseInContext(
        clause=clause, ancestors=ancestors[::-1],
        previous=clauses[position - 1] if position > 0 else None,
        next=clauses[position + 1] if position + 1 < len(clauses) else None,
        document=document,
    )


def current_province_of(document: Document) -> str | None:
    meta = document.meta
    return meta.province_current.value or (current_province(meta.province.value) if meta.province.value else None)


def _grouped(documents: Iterable[Document], key: Callable[[Document], Hashable]) -> list[Facet]:
    """Documents grouped by a key (None left out), most documents first, then by value."""
    groups: dict[Hashable, list[Document]] = defaultdict(list)
    for document in documents:
        value = key(document)
        if value is not None:
            groups[value].append(document)
    return [Facet(value, docs) for value, docs in sorted(groups.items(), key=lambda g: (-len(g[1]), str(g[0])))]


def _year(document: Document) -> int | None:
    return document.summary()["year"]


def facets(documents: list[Document]) -> Facets:
    years = _grouped(documents, _year)
    return Facets(
        provinces=_grouped(documents, lambda d: d.meta.province.value),
        provinces_current=_grouped(documents, current_province_of),
        doc_types=_grouped(documents, lambda d: d.meta.doc_type.value),
        years=sorted(years, key=lambda facet: -int(facet.value)),  # type: ignore[call-overload]
        undated=sum(_year(document) is None for document in documents),
    )
