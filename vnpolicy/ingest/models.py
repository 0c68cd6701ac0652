"""Typed records that cross folder boundaries: a document, its metadata and its clauses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# Body kinds (searchable): heading, item, bullet, paragraph, appendix. Kinds outside the body: header (issuer,
# number, dateline, type word and title), recital ("Căn cứ …"), signature, recipients ("Nơi nhận").
ClauseKind = Literal[
    "heading", "item", "bullet", "paragraph", "appendix", "header", "recital", "signature", "recipients"
]
# The kinds of body clause that state something (not a heading, the front matter or an appendix).
STATING_KINDS: tuple[ClauseKind, ...] = ("item", "paragraph", "bullet")

PATH_SEPARATOR = " › "  # between the labels of a clause path ("II › 1 › 1.2") and of a heading trail
PAGE_BREAK = "\f"  # between the pages of a paged source in its text (a form feed, as pdftotext writes it)


@dataclass(frozen=True, slots=True)
class MetaField:
    """One metadata value and where it came from; `found` is False when the text did not state it."""

    value: Any = None
    found: bool = False
    source: Literal["text", "sidecar", "none"] = "none"

    @classmethod
    def missing(cls) -> MetaField:
        return cls()

    @classmethod
    def from_text(cls, value: Any) -> MetaField:
        return cls(value=value, found=value not in (None, "", []), source="text" if value else "none")


@dataclass(slots=True)
class DocumentMeta:
    title: MetaField = field(default_factory=MetaField)
    doc_type: MetaField = field(default_factory=MetaField)
    number: MetaField = field(default_factory=MetaField)
    date: MetaField = field(default_factory=MetaField)  # ISO yyyy-mm-dd
    province: MetaField = field(default_factory=MetaField)  # pre-2025 name, as the documents use
    province_current: MetaField = field(default_factory=MetaField)  # post-2025 (34-province) name
    locality: MetaField = field(default_factory=MetaField)  # city / district named as issuer's seat
    issuer: MetaField = field(default_factory=MetaField)
    signer: MetaField = field(default_factory=MetaField)
    signer_role: MetaField = field(default_factory=MetaField)  # "T/M BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"
    cites: MetaField = field(default_factory=MetaField)  # codes of the documents its title and recitals cite
    regulation: MetaField = field(default_factory=MetaField)  # for a decision, the regulation it issues

    FIELDS = (
        "title", "doc_type", "number", "date", "province", "province_current",
        "locality", "issuer", "signer", "signer_role", "cites", "regulation",
    )

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: asdict(getattr(self, name)) for name in self.FIELDS}

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).value for name in self.FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, Any]]) -> DocumentMeta:
        return cls(**{name: MetaField(**data[name]) for name in cls.FIELDS if name in data})


@dataclass(frozen=True, slots=True)
class Clause:
    """One item, bullet or paragraph of a document.

    `text` is the display text: `clean_span(document.text[start:end])` (see ingest.normalize).
    """

    id: str
    document_id: str
    ordinal: int
    path: str  # e.g. "II › 1 › 1.2"
    trail: tuple[str, ...]  # texts of the ancestor headings, outermost first
    kind: ClauseKind
    text: str
    start: int
    end: int
    parent_id: str | None = None
    part: int = 0  # 0: whole clause; 1..n: a part of a long paragraph split at sentences
    part_count: int = 0
    # The restored reading of OCR-damaged or unaccented text (ingest.restore), or None: what the indexes
    # see in place of `text`; quotes always come from `text`.
    restored_text: str | None = None
    page: int | None = None  # 1-based page of the clause's start, for paged sources (PDF; text with form feeds)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["trail"] = list(self.trail)
        return data


@dataclass(slots=True)
class Document:
    id: str
    source_name: str
    content_hash: str
    text: str  # the original text, decoded; clause offsets point into it
    meta: DocumentMeta
    clauses: list[Clause] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "source_name": self.source_name, "content_hash": self.content_hash, "text": self.text,
            "meta": self.meta.to_dict(), "clauses": [clause.to_dict() for clause in self.clauses],
            "warnings": self.warnings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=data["id"], source_name=data["source_name"], content_hash=data["content_hash"], text=data["text"],
            meta=DocumentMeta.from_dict(data["meta"]),
            clauses=[Clause(**{**clause, "trail": tuple(clause["trail"])}) for clause in data["clauses"]],
            warnings=list(data["warnings"]),
        )

    def summary(self) -> dict[str, Any]:
        values = self.meta.values()
        return {
            "id": self.id,
            "source_name": self.source_name,
            "content_hash": self.content_hash,
            "clause_count": len(self.clauses),
            **values,
            "year": int(values["date"][:4]) if values["date"] else None,
            "meta": self.meta.to_dict(),
        }
