"""The HTTP API: `create_app` wires a `VnPolicy` service to the routers, the error handlers and the UI.

Every error is JSON `{"detail": "<one sentence>"}`; nothing else (no stack trace) leaves the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

import ui
from api import routes_ask, routes_documents, routes_search
from api.routes_documents import UploadSizeLimit
from api.schemas import ErrorBody, Health
from api.security import AccessPolicy
from api.service import VnPolicy
from index.models import Hit, SearchFilters
from index.retriever import HybridRetriever
from ingest.loaders import FileTooLarge, IngestError, UnsupportedFileType
from ingest.models import Document

logger = logging.getLogger("vnpolicy.api")
SEARCHES_IN_FLIGHT = 16

# Each module contributes one router; each reaches the service as `request.app.state.runtime`.
ROUTERS: tuple[APIRouter, ...] = (routes_search.router, routes_documents.router, routes_ask.router)

STATIC_DIR = Path(ui.__file__).parent / "static"
_PLACEHOLDER = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>vnpolicy</title>"
    "<p>Giao diện chưa được cài đặt (the UI is not installed). "
    "The API is running: see <a href='/docs'>/docs</a>.</p></html>"
)


class Runtime:
    """The service behind the app, and whether its index has loaded.

    The index loads in a background thread so the server answers /health at once; requests that
    need the index get a 503 until it is there. Writes get the 503 too, so a write never races the
    first load.
    """

    def __init__(self, service: VnPolicy) -> None:
        self.service = service
        self._loaded = threading.Event()
        self.failure: str | None = None
        # Searches in flight at once: their query embeddings merge into shared forward passes
        # (index.embedding._CoalescingRunner), so more in flight means more queries per pass.
        self._search_turns = anyio.CapacityLimiter(SEARCHES_IN_FLIGHT)

    def load(self) -> None:
        try:
            self.service.retriever  # noqa: B018 — the property loads the model and syncs the index
        except Exception as error:
            logger.exception("loading the index failed")
            self.failure = f"the index could not be loaded ({type(error).__name__}); the server log says why"
        else:
            self._loaded.set()

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def retriever(self) -> HybridRetriever:
        """The current index, or a 503 while it is still loading."""
        if not self.loaded:
            raise HTTPException(
                503, self.failure or "the index is still loading; retry in a few seconds", headers={"Retry-After": "5"}
            )
        return self.service.retriever

    async def search(self, query: str, k: int, filters: SearchFilters) -> list[Hit]:
        self.retriever()  # 503 while loading
        search = partial(self.service.search, query, k=k, filters=filters)
        return await anyio.to_thread.run_sync(search, limiter=self._search_turns)

    def documents(self) -> dict[str, Document]:
        """The documents the current index covers, in store order (by file name)."""
        return self.retriever().table.documents


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
        return JSONResponse(Health(status=status, detail=runtime.failure).model_dump(exclude_none=True), 503)
    table = runtime.service.retriever.table
    return Health(
        status="ok",
        documents=len(table.documents),
        clauses=sum(len(document.clauses) for document in table.documents.values()),
        indexed_clauses=len(table),
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


def _ingest_status(error: IngestError) -> int:
    if isinstance(error, UnsupportedFileType):
        return 415
    if isinstance(error, FileTooLarge):
        return 413
    return 422  # NoTextLayer and every other file that cannot become a document


async def _ingest_error(_: Request, error: IngestError) -> JSONResponse:
    return _error(_ingest_status(error), str(error))


async def _unexpected_error(_: Request, error: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=error)
    return _error(500, "internal server error; the server log has the details")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IngestError, _ingest_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.include_router(service_router)
    for router in ROUTERS:
        app.include_router(router)
    _mount_ui(app)
    return app
