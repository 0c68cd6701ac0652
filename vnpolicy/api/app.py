"""The HTTP API: `create_app` wires a `VnPolicy` service to the routers, the error handlers and the UI.

Every error is JSON `{"detail": "<one sentence>"}`; nothing else (no stack trace) leaves the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from vnpolicy.api import routes_ask, routes_documents, routes_search
from vnpolicy.api.middleware import HeadAsGet, SecurityHeaders, UploadSizeLimit
from vnpolicy.api.runtime import Runtime
from vnpolicy.api.schemas import CatchUp, ErrorBody, Health
from vnpolicy.api.security import AccessPolicy
from vnpolicy.api.service import VnPolicy, WriteFailed
from vnpolicy.api.validation import InvalidRequest, NotFound
from vnpolicy.index.retriever import ClauseCounts
from vnpolicy.ingest.loaders import FileTooLarge, IngestError, UnsupportedFileType

logger = logging.getLogger("vnpolicy.api")

# Each module contributes one router; each reaches the service as `request.app.state.runtime`.
ROUTERS: tuple[APIRouter, ...] = (routes_search.router, routes_documents.router, routes_ask.router)

# The page is files the server hands out (the ui folder holds no Python the api could call).
STATIC_DIR = Path(str(files("vnpolicy.ui"))) / "static"
_PLACEHOLDER = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>vnpolicy</title>"
    "<p>Giao diện chưa được cài đặt (the UI is not installed). "
    "The API is running: see <a href='/docs'>/docs</a>.</p></html>"
)


service_router = APIRouter(tags=["service"])


@service_router.get(
    "/health",
    response_model=Health,
    response_model_exclude_none=True,
    summary="Is the index loaded?",
    responses={503: {"model": Health, "description": "Still loading (or the load failed)."}},
)
def health(request: Request) -> Health | JSONResponse:
    """200 with the corpus size once the index is loaded; 503 `{"status": "loading"}` before."""
    runtime: Runtime = request.app.state.runtime
    if not runtime.loaded:
        status = "error" if runtime.failure else "loading"
        detail = runtime.failure or runtime.stage
        return JSONResponse(Health(status=status, detail=detail).model_dump(exclude_none=True), 503)
    service = runtime.service
    table = service.retriever.table
    counts = ClauseCounts.of(list(table.documents.values()))
    progress = service.catching_up
    return Health(
        status="ok", documents=len(table.documents), clauses=counts.total, indexed_clauses=counts.indexed,
        not_indexed=counts.not_indexed, clause_note=counts.sentence(), detail=runtime.catch_up_failure,
        catching_up=CatchUp(indexed=progress[0], total=progress[1]) if progress else None,
        repairs=list(service.indexes.repairs) or None,
    )


def _describe(error: dict[str, Any]) -> str:
    """One validation error as words a person can act on."""
    where = [str(part) for part in error.get("loc", ())[1:]]
    name = ".".join(where)
    kind = error.get("type")
    if kind == "json_invalid":
        return f"the request body is not valid JSON ({error.get('ctx', {}).get('error', 'decode error')})"
    if kind == "extra_forbidden":
        return f"unknown parameter {name!r}"
    if kind == "missing":
        return f"{name} is required" if name else "the request body is missing"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{name}: {message}" if name else f"the request body: {message}"


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
    return _error(422, "; ".join(_describe(item) for item in error.errors()))


async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    return _error(error.status_code, str(error.detail), getattr(error, "headers", None))


async def _invalid_request(_: Request, error: InvalidRequest) -> JSONResponse:
    return _error(422, str(error))


async def _not_found(_: Request, error: NotFound) -> JSONResponse:
    return _error(404, str(error))


def _ingest_status(error: IngestError) -> int:
    if isinstance(error, UnsupportedFileType):
        return 415
    if isinstance(error, FileTooLarge):
        return 413
    return 422  # NoTextLayer and every other file that cannot become a document


async def _ingest_error(_: Request, error: IngestError) -> JSONResponse:
    return _error(_ingest_status(error), str(error))


async def _write_failed(_: Request, error: WriteFailed) -> JSONResponse:
    # 507 Insufficient Storage when the disk is full; otherwise the service cannot write just now.
    return _error(507 if error.disk_full else 503, str(error))


async def _unexpected_error(_: Request, error: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=error)
    return _error(500, "internal server error; the server log has the details")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if not app.state.runtime.loaded:  # a replica loads before it is served
        threading.Thread(target=app.state.runtime.load, name="vnpolicy-index-load", daemon=True).start()
    yield


def _mount_ui(app: FastAPI) -> None:
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = STATIC_DIR / "index.html"
        return FileResponse(page) if page.is_file() else HTMLResponse(_PLACEHOLDER)


def create_app(service: VnPolicy | None = None) -> FastAPI:
    """The API over `service` (default: one on $VNPOLICY_HOME). It ingests nothing by itself."""
    service = service or VnPolicy()
    app = FastAPIOffline(  # /docs and /redoc with their scripts served from the package, not a CDN
        title="vnpolicy",
        version=version("vnpolicy"),
        description=(
            "Semantic search and cited Q&A over Vietnamese provincial policy documents.\n\n"
            "Reads are open unless VNPOLICY_READ_KEY_REQUIRED=1; writes need the API key in `X-API-Key` "
            "(or `Authorization: Bearer`). Errors are `{\"detail\": \"…\"}`."
        ),
        lifespan=_lifespan,
        responses={500: {"model": ErrorBody, "description": "Unexpected failure (details in the server log)."}},
    )
    app.state.runtime = Runtime(service)
    app.state.access = AccessPolicy.from_env(service.home)
    app.add_middleware(UploadSizeLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # added last, so it runs first: routes see a GET
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IngestError, _ingest_error)
    app.add_exception_handler(InvalidRequest, _invalid_request)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(WriteFailed, _write_failed)
    app.add_exception_handler(Exception, _unexpected_error)
    app.include_router(service_router)
    for router in ROUTERS:
        app.include_router(router)
    _mount_ui(app)
    return app
