"""Documents, clauses in context, facets, and uploads and deletions (which need the API key).

Reads come from the documents of the current index, so what they list is exactly what search covers;
a write shows up once it is indexed, all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from vnpolicy.answer.sources import province_label, source_line
from vnpolicy.api.catalog import Facet, current_province_of
from vnpolicy.api.schemas import (
    EXAMPLE_CLAUSE_ID,
    EXAMPLE_DOCUMENT_ID,
    LOADING,
    NOT_FOUND,
    READ_KEY,
    WRITE_KEY,
    ClauseContext,
    CurrentProvinceFacet,
    DocTypeFacet,
    DocumentDetail,
    DocumentSummary,
    ErrorBody,
    Facets,
    Offsets,
    ProvinceFacet,
    UploadResult,
    YearFacet,
)
from vnpolicy.api.security import require_read_key, require_write_key
from vnpolicy.index.retriever import ClauseCounts
from vnpolicy.ingest.models import Document

if TYPE_CHECKING:
    from vnpolicy.api.runtime import Runtime
    from vnpolicy.api.service import VnPolicy

router = APIRouter(tags=["documents"])
reads = APIRouter(dependencies=[Depends(require_read_key)])
writes = APIRouter(dependencies=[Depends(require_write_key)])

_READ_ERRORS = {**READ_KEY, **LOADING}
_WRITE_ERRORS = {**WRITE_KEY, **LOADING}
DocumentId = Annotated[str, Path(description="A document id.", examples=[EXAMPLE_DOCUMENT_ID])]


def _summary(document: Document) -> DocumentSummary:
    indexed = ClauseCounts.of([document]).indexed
    label = province_label(document.meta.province.value, current_province_of(document), "vi") or None
    return DocumentSummary.model_validate({**document.summary(), "indexed_clauses": indexed, "province_label": label})


def _service(request: Request) -> VnPolicy:
    runtime: Runtime = request.app.state.runtime
    runtime.retriever()  # 503 while loading
    return runtime.service


@reads.get("/api/documents", summary="List documents", responses=_READ_ERRORS)
def list_documents(request: Request) -> list[DocumentSummary]:
    """Every indexed document's metadata and clause count, ordered by file name."""
    return [_summary(document) for document in _service(request).documents()]


@reads.get(
    "/api/documents/{document_id}", summary="A document and its clauses", responses={**_READ_ERRORS, **NOT_FOUND}
)
def get_document(
    request: Request,
    document_id: DocumentId,
    include_text: Annotated[bool, Query(description="Also return the original text.")] = False,
) -> DocumentDetail:
    """The document's metadata, warnings and clauses as a flat list in document order.

    The clause tree is given by each clause's `parent_id` (the heading it sits under) and `path`
    (e.g. "II › 1 › 1.2"); `start`/`end` are offsets into the original text.
    """
    document = _service(request).document(document_id)
    return DocumentDetail(
        **_summary(document).model_dump(), warnings=document.warnings, clauses=document.clauses,
        text=document.text if include_text else None,
    )


@reads.get("/api/clauses/{clause_id}", summary="A clause in context", responses={**_READ_ERRORS, **NOT_FOUND})
def get_clause(
    request: Request, clause_id: Annotated[str, Path(description="A clause id.", examples=[EXAMPLE_CLAUSE_ID])]
) -> ClauseContext:
    """The clause, the headings above it, its parent, the clauses before and after it, and its document."""
    found = _service(request).clause(clause_id)
    clause = found.clause
    return ClauseContext(
        clause=clause,
        trail=list(clause.trail),
        ancestors=found.ancestors,
        parent=found.ancestors[-1] if found.ancestors else None,
        previous=found.previous,
        next=found.next,
        document=_summary(found.document),
        offsets=Offsets(start=clause.start, end=clause.end, source_text=found.source_text),
        source_line=source_line(
            number=found.document.meta.number.value, title=found.document.meta.title.value,
            source_name=found.document.source_name, date=found.document.meta.date.value,
            province=found.document.meta.province.value, province_current=current_province_of(found.document),
            path=clause.path, language="vi",
        ),
    )


def _province_facet(facet: Facet) -> ProvinceFacet:
    province, current = str(facet.value), current_province_of(facet.documents[0])
    return ProvinceFacet(
        province=province, province_current=current, province_label=province_label(province, current, "vi"),
        documents=len(facet.documents), clauses=facet.clauses,
    )


@reads.get("/api/facets", summary="Filter values with counts", responses=_READ_ERRORS)
def get_facets(request: Request) -> Facets:
    """Provinces (pre-2025 name and the post-2025 province it is now part of), document types and years."""
    found = _service(request).facets()
    return Facets(
        provinces=[_province_facet(facet) for facet in found.provinces],
        provinces_current=[
            CurrentProvinceFacet(
                province_current=str(facet.value),
                provinces=sorted({d.meta.province.value for d in facet.documents if d.meta.province.value}),
                documents=len(facet.documents), clauses=facet.clauses,
            )
            for facet in found.provinces_current
        ],
        doc_types=[
            DocTypeFacet(doc_type=str(facet.value), documents=len(facet.documents), clauses=facet.clauses)
            for facet in found.doc_types
        ],
        years=[
            YearFacet(year=int(facet.value), documents=len(facet.documents), clauses=facet.clauses)  # type: ignore[call-overload]
            for facet in found.years
        ],
        undated_documents=found.undated,
    )


@writes.post(
    "/api/documents",
    status_code=201,
    summary="Upload a document",
    responses={
        **_WRITE_ERRORS,
        200: {"model": UploadResult, "description": "The same content is already there (status 'unchanged')."},
        413: {"model": ErrorBody, "description": "Over the upload limit (VNPOLICY_MAX_FILE_MB, default 20)."},
        415: {"model": ErrorBody, "description": "Not a .txt, .docx, .doc or .pdf file."},
        422: {"model": ErrorBody, "description": "The file cannot become a document (e.g. a scan with OCR off)."},
    },
)
async def upload_document(
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description=(
        "A .txt (UTF-8, UTF-16, TCVN3, VNI or VISCII), .docx, .doc (Word 97–2003) or .pdf (scanned pages are "
        "read by OCR unless VNPOLICY_OCR=0) policy document."
    ))],
) -> UploadResult:
    """Ingest and index one file, e.g. `ke-hoach-ben-tre.txt`; searchable as soon as this returns."""
    runtime: Runtime = request.app.state.runtime
    runtime.writable()  # no writes until the index has loaded and caught up
    service = runtime.service
    if not file.filename:
        raise HTTPException(422, "the upload has no file name, and its extension tells the file type")
    data = await file.read()
    report = await run_in_threadpool(service.add_upload, file.filename, data)
    document = service.retriever.table.documents.get(report.document_id)
    if document is None:
        raise HTTPException(409, "the document was deleted by another request while it was being indexed")
    if report.status == "unchanged":
        response.status_code = 200
    else:
        response.headers["Location"] = f"/api/documents/{document.id}"
    return UploadResult(
        status=report.status, document=_summary(document), clauses=len(document.clauses),
        replaced=report.replaced, warnings=report.warnings,
    )


@writes.delete(
    "/api/documents/{document_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a document",
    responses={**_WRITE_ERRORS, **NOT_FOUND},
)
async def delete_document(request: Request, document_id: DocumentId) -> Response:
    """Remove the document from the store and the indexes; it is gone from search when this returns.

    E.g. `DELETE /api/documents/98c32be8083db648` removes the Bến Tre plan (Kế hoạch thực hiện Kết luận 72-KL/TW).
    """
    runtime: Runtime = request.app.state.runtime
    runtime.writable()
    await run_in_threadpool(runtime.service.delete, document_id)
    return Response(status_code=204)


router.include_router(reads)
router.include_router(writes)
