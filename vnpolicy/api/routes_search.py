"""Search endpoints: JSON search (POST body or GET parameters) and the CSV / JSON-lines export."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from vnpolicy.api.export import export_hits
from vnpolicy.api.schemas import (
    EXAMPLE_QUERY,
    LOADING,
    READ_KEY,
    ErrorBody,
    ExportParams,
    FilterFields,
    SearchParams,
    SearchRequest,
    SearchResponse,
)
from vnpolicy.api.security import require_read_key
from vnpolicy.index.models import Hit
from vnpolicy.ingest.normalize import fold_diacritics

if TYPE_CHECKING:
    from vnpolicy.api.runtime import Runtime

router = APIRouter(prefix="/api/search", tags=["search"], dependencies=[Depends(require_read_key)])

_ERRORS = {
    **READ_KEY,
    **LOADING,
    422: {"model": ErrorBody, "description": "Empty query, k out of 1–100, unknown province or malformed request."},
}


async def _search(request: Request, query: str, k: int, filters: FilterFields) -> list[Hit]:
    runtime: Runtime = request.app.state.runtime
    return await runtime.search(query, k, filters.search_filters())


@router.post("", summary="Search clauses (JSON body)", responses=_ERRORS)
async def search(
    request: Request,
    body: Annotated[
        SearchRequest,
        Body(openapi_examples={
            "offshore wind in Bến Tre": {
                "value": {"query": EXAMPLE_QUERY, "k": 5, "filters": {"province": "Bến Tre"}}
            },
            "no diacritics, post-2025 province": {
                "value": {"query": "ha tang giao thong", "filters": {"province": "Vĩnh Long", "year_from": 2021}}
            },
            "one section of plans": {
                "value": {"query": "hydro xanh", "filters": {"doc_type": "Kế hoạch", "section": "II › 1"}}
            },
        }),
    ],
) -> SearchResponse:
    """Hybrid (BM25 + dense) search over clauses; hits are best first, as `vnpolicy search --json` prints them."""
    hits = await _search(request, body.query, body.k, body.filters)
    return SearchResponse(query=body.query, hits=hits, read_as=request.app.state.runtime.service.read_as(body.query))


@router.get("", summary="Search clauses (query parameters)", responses=_ERRORS)
async def search_get(request: Request, params: Annotated[SearchParams, Query()]) -> SearchResponse:
    """The same search as POST, for links and quick tries: `/api/search?q=điện gió ngoài khơi&province=Bến Tre`."""
    hits = await _search(request, params.q, params.k, params)
    return SearchResponse(query=params.q, hits=hits, read_as=request.app.state.runtime.service.read_as(params.q))


def _attachment(query: str, extension: str) -> str:
    """A Content-Disposition naming the file after the query: ASCII for old clients, UTF-8 for the rest."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(query).lower()).strip("-")[:60] or "search"
    name = f"vnpolicy-{slug}.{extension}"
    utf8_name = f"vnpolicy-{query.strip()[:60]}.{extension}"
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(utf8_name)}"


_EXPORT_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@router.get(
    "/export",
    summary="Export hits as CSV or JSON lines",
    response_class=Response,
    responses={
        **_ERRORS,
        200: {
            "description": "An attachment: CSV (UTF-8 with BOM) or JSON lines, one hit per row, best first.",
            "content": {
                "text/csv": {"example": "\ufeffrank,score,province,province_current,doc_type,…\r\n"
                                        "1,0.032787,Bến Tre,Vĩnh Long,Kế hoạch,…\r\n"},
                "application/x-ndjson": {"example": '{"rank": 1, "clause_id": "98c32be8083db648-0018", …}\n'},
            },
        },
    },
)
async def export(request: Request, params: Annotated[ExportParams, Query()]) -> Response:
    """The hits of a search with their document's metadata, as a file: `?q=hydro xanh&format=csv`."""
    hits = await _search(request, params.q, params.k, params)
    content = export_hits(hits, params.format)
    return Response(
        content,
        media_type=_EXPORT_MEDIA_TYPES[params.format],
        headers={"Content-Disposition": _attachment(params.q, params.format)},
    )
