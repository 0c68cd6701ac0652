"""Documents, clauses in context, facets, and uploads and deletions (which need the API key).

Reads come from the documents of the current index, so what they list is exactly what search covers;
a write shows up once it is indexed, all at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
from vnpolicy.ingest.gazetteer import current_province
from vnpolicy.ingest.loaders import max_file_bytes
from vnpolicy.ingest.models import Clause, Document

if TYPE_CHECKING:
    from vnpolicy.api.runtime import Runtime

router = APIRouter(tags=["documents"])
reads = APIRouter(dependencies=[Depends(require_read_key)])
writes = APIRouter(dependencies=[Depends(require_write_key)])

# Room for the multipart envelope around a file of the maximum size.
MULTIPART_ALLOWANCE = 64 * 1024

_READ_ERRORS = {**READ_KEY, **LOADING}
_WRITE_ERRORS = {**WRITE_KEY, **LOADING}
DocumentId = Annotated[str, Path(description="A document id.", examples=[EXAMPLE_DOCUMENT_ID])]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _summary(document: Document) -> DocumentSummary:
    return DocumentSummary.model_validate(document.summary())


def _document(request: Request, document_id: str) -> Document:
    document = _runtime(request).documents().get(document_id)
    if document is None:
        raise HTTPException(404, f"no document with id {document_id!r}; GET /api/documents lists them")
    return document


@reads.get("/api/documents", summary="List documents", responses=_READ_ERRORS)
def list_documents(request: Request) -> list[DocumentSummary]:
    """Every indexed document's metadata and clause count, ordered by file name."""
    return [_summary(document) for document in _runtime(request).documents().values()]


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
    document = _document(request, document_id)
    return DocumentDetail(
        **document.summary(), warnings=document.warnings, clauses=document.clauses,
        text=document.text if include_text else None,
    )


def _ancestors(clause: Clause, by_id: dict[str, Clause]) -> list[Clause]:
    ancestors = []
    parent = by_id.get(clause.parent_id) if clause.parent_id else None
    while parent is not None:
        ancestors.append(parent)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return ancestors[::-1]


@reads.get("/api/clauses/{clause_id}", summary="A clause in context", responses={**_READ_ERRORS, **NOT_FOUND})
def get_clause(
    request: Request, clause_id: Annotated[str, Path(description="A clause id.", examples=[EXAMPLE_CLAUSE_ID])]
) -> ClauseContext:
    """The clause, the headings above it, its parent, the clauses before and after it, and its document."""
    runtime = _runtime(request)
    stored = runtime.service.store.clause(clause_id)
    document = runtime.documents().get(stored.document_id) if stored else None
    if document is None:
        raise HTTPException(404, f"no clause with id {clause_id!r}")
    clauses = document.clauses
    position = next(i for i, clause in enumerate(clauses) if clause.id == clause_id)
    clause = clauses[position]
    ancestors = _ancestors(clause, {c.id: c for c in clauses})
    return ClauseContext(
        clause=clause,
        trail=list(clause.trail),
        ancestors=ancestors,
        parent=ancestors[-1] if ancestors else None,
        previous=clauses[position - 1] if position > 0 else None,
        next=clauses[position + 1] if position + 1 < len(clauses) else None,
        document=_summary(document),
        offsets=Offsets(start=clause.start, end=clause.end, source_text=document.text[clause.start : clause.end]),
    )


def _tally(documents: Iterable[Document], key: Callable[[Document], Hashable]) -> dict[Hashable, list[Document]]:
    """Documents grouped by a key; documents whose key is None are left out."""
    groups: dict[Hashable, list[Document]] = defaultdict(list)
    for document in documents:
        value = key(document)
        if value is not None:
            groups[value].append(document)
    return groups


def _clause_count(documents: list[Document]) -> int:
    return sum(len(document.clauses) for document in documents)


def _by_count(item: tuple[Hashable, list[Document]]) -> tuple[int, str]:
    """Most documents first, then by name."""
    return -len(item[1]), str(item[0])


def _current(document: Document) -> str | None:
    meta = document.meta
    return meta.province_current.value or (current_province(meta.province.value) if meta.province.value else None)


@reads.get("/api/facets", summary="Filter values with counts", responses=_READ_ERRORS)
def facets(request: Request) -> Facets:
    """Provinces (pre-2025 name and the post-2025 province it is now part of), document types and years."""
    documents = list(_runtime(request).documents().values())
    provinces = sorted(_tally(documents, lambda d: d.meta.province.value).items(), key=_by_count)
    currents = sorted(_tally(documents, _current).items(), key=_by_count)
    doc_types = sorted(_tally(documents, lambda d: d.meta.doc_type.value).items(), key=_by_count)
    years = sorted(_tally(documents, lambda d: d.summary()["year"]).items(), key=lambda item: -item[0])
    return Facets(
        provinces=[
            ProvinceFacet(
                province=name, province_current=_current(docs[0]), documents=len(docs), clauses=_clause_count(docs)
            )
            for name, docs in provinces
        ],
        provinces_current=[
            CurrentProvinceFacet(
                province_current=name, provinces=sorted({d.meta.province.value for d in docs if d.meta.province.value}),
                documents=len(docs), clauses=_clause_count(docs),
            )
            for name, docs in currents
        ],
        doc_types=[
            DocTypeFacet(doc_type=name, documents=len(docs), clauses=_clause_count(docs)) for name, docs in doc_types
        ],
        years=[YearFacet(year=year, documents=len(docs), clauses=_clause_count(docs)) for year, docs in years],
    )


@writes.post(
    "/api/documents",
    status_code=201,
    summary="Upload a document",
    responses={
        **_WRITE_ERRORS,
        200: {"model": UploadResult, "description": "The same content is already there (status 'unchanged')."},
        413: {"model": ErrorBody, "description": "Over the upload limit (VNPOLICY_MAX_FILE_MB, default 20)."},
        415: {"model": ErrorBody, "description": "Not a .txt, .docx or .pdf file."},
        422: {"model": ErrorBody, "description": "The file cannot become a document (e.g. a PDF with no text layer)."},
    },
)
async def upload_document(
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="A .txt (UTF-8 or UTF-16), .docx or .pdf policy document.")],
) -> UploadResult:
    """Ingest and index one file, e.g. `ke-hoach-ben-tre.txt`; searchable as soon as this returns."""
    runtime = _runtime(request)
    runtime.writable()  # no writes until the index has loaded and caught up
    if not file.filename:
        raise HTTPException(422, "the upload has no file name, and its extension tells the file type")
    data = await file.read()
    report = await run_in_threadpool(runtime.service.add_upload, file.filename, data)
    document = runtime.documents().get(report.document_id)
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
    runtime = _runtime(request)
    runtime.writable()
    if not await run_in_threadpool(runtime.service.delete, document_id):
        raise HTTPException(404, f"no document with id {document_id!r}")
    return Response(status_code=204)


router.include_router(reads)
router.include_router(writes)


def _too_large(size: int | None) -> str:
    limit = max_file_bytes() / 1048576
    stated = f" ({size / 1048576:.1f} MB)" if size else ""
    return f"the upload{stated} is over the {limit:g} MB limit (set VNPOLICY_MAX_FILE_MB to raise it)"


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, _too_large(None))


class UploadSizeLimit:
    """Refuse a request body over the upload limit: at once when Content-Length says so, else as it arrives.

    It runs before the multipart parser, which would otherwise spool the whole body to disk first.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max_file_bytes() + MULTIPART_ALLOWANCE
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse({"detail": _too_large(int(declared))}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge  # an HTTPException: FastAPI passes it through the body parser to our handler
            return message

        await self.app(scope, limited_receive, send)
