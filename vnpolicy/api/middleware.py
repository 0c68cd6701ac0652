"""ASGI middleware: the upload size limit, security headers, and HEAD on every GET route."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vnpolicy.ingest.loaders import max_file_bytes

# Room for the multipart envelope around a file of the maximum size.
MULTIPART_ALLOWANCE = 64 * 1024

# The chat page runs only its own files: no inline script, nothing from another origin.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc start from an inline script that FastAPI writes into their pages.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


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


class SecurityHeaders:
    """Content-Security-Policy, X-Content-Type-Options and Referrer-Policy on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(DOCS_PATHS) else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD answered as GET without the body (RFC 9110), for every GET route, /health included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
