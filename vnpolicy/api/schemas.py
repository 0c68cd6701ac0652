"""The HTTP API's request and response shapes, with the Vietnamese examples that /docs shows.

Hits and clauses are the index's and the store's own records (`Hit`, `Clause`), so the API returns
exactly what `vnpolicy search --json` and `vnpolicy clauses --json` print.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from vnpolicy.api.validation import MAX_K, MAX_QUERY_CHARS, check_province, check_query, check_question
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.ingest.models import Clause, MetaField

DEFAULT_K = 10
EXPORT_K = 100


QueryText = Annotated[str, Field(max_length=MAX_QUERY_CHARS), AfterValidator(check_query)]
QuestionText = Annotated[str, Field(max_length=MAX_QUERY_CHARS), AfterValidator(check_question)]
Province = Annotated[str | None, AfterValidator(check_province)]

EXAMPLE_QUERY = "dự án điện gió ngoài khơi"
EXAMPLE_DOCUMENT_ID = "98c32be8083db648"
EXAMPLE_CLAUSE_ID = "98c32be8083db648-0018"
_EXAMPLE_TRAIL = ["II. NHIỆM VỤ, GIẢI PHÁP", "1. Nhiệm vụ", "1.2. Phát triển hạ tầng cung cấp điện"]
EXAMPLE_CLAUSE: dict[str, Any] = {
    "id": EXAMPLE_CLAUSE_ID, "document_id": EXAMPLE_DOCUMENT_ID, "ordinal": 18, "path": "II › 1 › 1.2",
    "trail": _EXAMPLE_TRAIL, "kind": "paragraph",
    "text": "Tập trung đầu tư thực hiện hạ tầng điện (lưới điện 110kV, 220kV) …; nghiên cứu đề xuất Thủ tướng Chính "
            "phủ cho phép thực hiện dự án điện gió ngoài khơi; …; phát triển dự án Khu tổ hợp hydro xanh Bến Tre.",
    "start": 4046, "end": 4651, "parent_id": "98c32be8083db648-0017", "part": 0, "part_count": 0,
}
EXAMPLE_HIT: dict[str, Any] = {
    "clause_id": EXAMPLE_CLAUSE_ID, "document_id": EXAMPLE_DOCUMENT_ID,
    "document_title": "Kế hoạch thực hiện Kết luận số 72-KL/TW ngày 23/02/2024 của Bộ Chính trị …",
    "document_number": None, "source_name": "000_43ca579e2f883a62.txt", "province": "Bến Tre",
    "province_current": "Vĩnh Long", "doc_type": "Kế hoạch", "date": None, "path": "II › 1 › 1.2",
    "trail": _EXAMPLE_TRAIL, "kind": "paragraph", "text": EXAMPLE_CLAUSE["text"], "start": 4046, "end": 4651,
    "score": 0.032787, "legs": {"lexical": {"rank": 1, "score": 21.4}, "dense": {"rank": 1, "score": 0.8712}},
    "spelled_out": [],
}
EXAMPLE_SUMMARY: dict[str, Any] = {
    "id": EXAMPLE_DOCUMENT_ID, "source_name": "000_43ca579e2f883a62.txt",
    "content_hash": "98c32be8083db648f2ceb1acbeba0a85398971b453a766debaa7db0d809870ff", "clause_count": 65,
    "title": EXAMPLE_HIT["document_title"], "doc_type": "Kế hoạch", "number": None, "date": None,
    "province": "Bến Tre", "province_current": "Vĩnh Long", "province_label": "Bến Tre (nay thuộc tỉnh Vĩnh Long)",
    "locality": None, "issuer": "Ban Thường vụ Tỉnh ủy", "signer": "Trần Thanh Lâm", "cites": ["72-KL/TW", "13-NQ/TW"],
    "year": None,
    "meta": {
        "province": {"value": "Bến Tre", "found": True, "source": "text"},
        "date": {"value": None, "found": False, "source": "none"},
    },
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class FilterFields(BaseModel):
    """Search filters; every one given must hold. A filter that matches nothing gives no hits (not an error)."""

    model_config = ConfigDict(extra="forbid", **_examples({"province": "Bến Tre", "doc_type": "Kế hoạch"}))

    province: Province = Field(
        None, description="Province before or after the 2025 merger, with or without diacritics: 'Bến Tre', "
        "'ben tre', or 'Vĩnh Long' (which covers Vĩnh Long, Bến Tre and Trà Vinh). An unknown name is a 422."
    )
    document_id: str | None = Field(None, description="Only this document's clauses.")
    doc_type: str | None = Field(
        None, description="Document type: 'Kế hoạch', 'Nghị quyết', 'ke hoach', …", examples=["Kế hoạch"]
    )
    year_from: int | None = Field(None, description="Documents dated in or after this year.")
    year_to: int | None = Field(None, description="Documents dated in or before this year (undated ones excluded).")
    section: str | None = Field(None, description="A clause path prefix: 'II' or 'II › 1' ('>' works too).")

    def search_filters(self) -> SearchFilters:
        return SearchFilters(**self.model_dump(include=set(FilterFields.model_fields)))


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", **_examples({"query": EXAMPLE_QUERY, "k": 5, "filters": {"province": "Bến Tre"}})
    )

    query: QueryText = Field(description="What to look for, in Vietnamese (diacritics optional) or English.")
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K, description="How many clauses to return.")
    filters: FilterFields = Field(default_factory=FilterFields)


class SearchParams(FilterFields):
    """GET /api/search: the query, k and the filters as query parameters."""

    q: QueryText = Field(description="What to look for.", examples=[EXAMPLE_QUERY])
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K, description="How many clauses to return.")


class ExportParams(SearchParams):
    k: int = Field(EXPORT_K, ge=1, le=MAX_K, description="How many clauses to export.")
    format: Literal["csv", "jsonl"] = Field("csv", description="CSV (UTF-8 with BOM, for Excel) or JSON lines.")


class SearchResponse(BaseModel):
    model_config = _examples({"query": EXAMPLE_QUERY, "hits": [EXAMPLE_HIT]})

    query: str
    hits: list[Hit]
    read_as: str | None = Field(
        None, description="The restored reading a query typed without diacritics was searched by; null otherwise."
    )


class DocumentSummary(BaseModel):
    """A document's metadata; `meta` tells for each field whether the text stated it and where it came from."""

    model_config = _examples(EXAMPLE_SUMMARY)

    id: str
    source_name: str
    content_hash: str
    clause_count: int
    indexed_clauses: int | None = Field(
        None, description="Of clause_count, the clauses search covers (recipient lists and signatures are not)."
    )
    title: str | None
    doc_type: str | None
    number: str | None
    date: str | None = Field(description="ISO date, yyyy-mm-dd.")
    province: str | None = Field(description="Province named in the document (before the 2025 merger).")
    province_current: str | None = Field(description="The post-2025 province it now belongs to.")
    province_label: str | None = Field(None, description='For a reader: "Bến Tre (nay thuộc tỉnh Vĩnh Long)".')
    locality: str | None
    issuer: str | None
    signer: str | None
    signer_role: str | None = Field(None, description='The capacity it is signed in: "KT. CHỦ TỊCH", "T/M …".')
    cites: list[str] | None = Field(description="Codes of the documents its title and recitals cite.")
    regulation: str | None = Field(None, description="For a decision, the regulation it issues.")
    year: int | None
    meta: dict[str, MetaField]


class DocumentDetail(DocumentSummary):
    """A document with its clauses as a flat list in document order; `parent_id` and `path` give the tree."""

    model_config = _examples({**EXAMPLE_SUMMARY, "warnings": [], "clauses": [EXAMPLE_CLAUSE], "text": None})

    warnings: list[str]
    clauses: list[Clause]
    text: str | None = Field(None, description="The original text; only with ?include_text=true.")


class Offsets(BaseModel):
    start: int
    end: int
    source_text: str = Field(description="The original text between the offsets, before display cleaning.")


class ClauseContext(BaseModel):
    """A clause with what surrounds it: its headings, its parent and its neighbours in document order."""

    model_config = _examples({
        "clause": EXAMPLE_CLAUSE, "trail": _EXAMPLE_TRAIL, "ancestors": [], "parent": None, "previous": None,
        "next": None, "document": EXAMPLE_SUMMARY,
        "offsets": {"start": 4046, "end": 4651, "source_text": EXAMPLE_CLAUSE["text"]},
        "source_line": "Kế hoạch thực hiện Kết luận số 72-KL/TW · Bến Tre (nay thuộc tỉnh Vĩnh Long) · mục II › 1",
    })

    clause: Clause
    trail: list[str] = Field(description="The texts of the headings above the clause, outermost first.")
    ancestors: list[Clause] = Field(description="The clauses above it by parent_id, outermost first.")
    parent: Clause | None
    previous: Clause | None
    next: Clause | None
    document: DocumentSummary
    offsets: Offsets
    source_line: str = Field(description="The clause for a reader: number · short title · date · province · section.")


class UploadResult(BaseModel):
    model_config = _examples({
        "status": "added", "document": EXAMPLE_SUMMARY, "clauses": 65, "replaced": [],
        "warnings": ["not stated in the text: number, date"],
    })

    status: Literal["added", "replaced", "unchanged"] = Field(
        description="'replaced' when a document of the same file name was there; 'unchanged' when this content was."
    )
    document: DocumentSummary
    clauses: int
    replaced: list[str] = Field(description="Ids of the documents this upload replaced.")
    warnings: list[str]


class ProvinceFacet(BaseModel):
    province: str
    province_current: str | None
    province_label: str = Field(description='For a reader: "Bến Tre (nay thuộc tỉnh Vĩnh Long)".')
    documents: int
    clauses: int


class CurrentProvinceFacet(BaseModel):
    province_current: str
    provinces: list[str] = Field(description="The pre-2025 provinces of the corpus that it covers.")
    documents: int
    clauses: int


class DocTypeFacet(BaseModel):
    doc_type: str
    documents: int
    clauses: int


class YearFacet(BaseModel):
    year: int
    documents: int
    clauses: int


class Facets(BaseModel):
    """Filter values present in the corpus, with how many documents and clauses each covers.

    Documents whose province, type or date the text does not state are not counted under any value.
    """

    model_config = _examples({
        "provinces": [{
            "province": "Bến Tre", "province_current": "Vĩnh Long",
            "province_label": "Bến Tre (nay thuộc tỉnh Vĩnh Long)", "documents": 1, "clauses": 65,
        }],
        "provinces_current": [
            {"province_current": "Vĩnh Long", "provinces": ["Bến Tre", "Trà Vinh"], "documents": 2, "clauses": 165}
        ],
        "doc_types": [{"doc_type": "Kế hoạch", "documents": 3, "clauses": 167}],
        "years": [{"year": 2024, "documents": 1, "clauses": 45}],
        "undated_documents": 3,
    })

    provinces: list[ProvinceFacet]
    provinces_current: list[CurrentProvinceFacet]
    doc_types: list[DocTypeFacet]
    years: list[YearFacet]
    undated_documents: int = Field(0, description="Documents whose text states no date: a year filter leaves them out.")


class CatchUp(BaseModel):
    indexed: int
    total: int


class Health(BaseModel):
    model_config = _examples({
        "status": "ok", "documents": 5, "clauses": 384, "indexed_clauses": 317,
        "not_indexed": {"header": 18, "recipients": 42, "recital": 4, "signature": 3},
        "clause_note": "384 clauses, 317 indexed: 18 header lines (issuer, number, place and date), 42 "
        "recipient-list lines (Nơi nhận), 4 recitals (Căn cứ …) and 3 signature blocks are not searched",
    })

    status: Literal["ok", "loading", "error"]
    documents: int | None = None
    clauses: int | None = None
    indexed_clauses: int | None = Field(None, description="Clauses the search covers.")
    not_indexed: dict[str, int] | None = Field(None, description="The clauses search leaves out, by kind.")
    clause_note: str | None = Field(None, description="The counts in one sentence, the difference explained.")
    detail: str | None = Field(None, description="While loading: what the server is waiting for; on error: why.")
    catching_up: CatchUp | None = Field(
        None, description="Present while the index catches up with the store; searches answer from the last "
        "complete snapshot meanwhile and writes get a 503."
    )
    repairs: list[str] | None = Field(
        None, description="Damaged index files found since the server started, each rebuilt from the store."
    )


class ErrorBody(BaseModel):
    model_config = _examples({"detail": "no clause with id '98c32be8083db648-9999'"})

    detail: str


def _error(status: int, description: str) -> dict[int, dict[str, Any]]:
    return {status: {"model": ErrorBody, "description": description}}


# The error answers routes declare for /docs, to be combined: responses={**READ_KEY, **LOADING}.
READ_KEY = _error(401, "This server requires the API key for reads, and it was missing or wrong.")
WRITE_KEY = _error(401, "Missing or wrong API key, or none configured on the server.")
LOADING = _error(503, "The index is still loading.")
NOT_FOUND = _error(404, "No such id.")
