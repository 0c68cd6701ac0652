"""Typed records of the index layer: search filters and hits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SearchFilters:
    province: str | None = None  # pre- or post-2025 name, with or without diacritics
    document_id: str | None = None
    doc_type: str | None = None  # "Kế hoạch", "ke hoach", …
    year_from: int | None = None
    year_to: int | None = None
    section: str | None = None  # a path prefix: "II" or "II › 1"

    def is_empty(self) -> bool:
        return all(value in (None, "") for value in asdict(self).values())


@dataclass(frozen=True, slots=True)
class LegResult:
    rank: int  # 1-based rank in that leg
    score: float


@dataclass(slots=True)
class ClauseSource:
    """Where a clause stands: its document and its place in it. A search hit and an answer's citation
    are both one."""

    clause_id: str
    document_id: str
    document_title: str | None
    document_number: str | None
    source_name: str
    province: str | None
    province_current: str | None
    date: str | None
    path: str
    trail: list[str]


@dataclass(slots=True)
class Hit(ClauseSource):
    doc_type: str | None
    kind: str
    text: str
    start: int
    end: int
    score: float
    legs: dict[str, LegResult] = field(default_factory=dict)
    restored_text: str | None = None  # the restored reading of an OCR-damaged or unaccented clause
    page: int | None = None  # the page the clause starts on, for a paged source (PDF)
    spelled_out: list[str] = field(default_factory=list)  # what the abbreviations it uses stand for

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
