"""Who may call the API: an API key on writes (and on reads when asked), secure by default.

The key comes from $VNPOLICY_API_KEY, else from the file $VNPOLICY_API_KEY_FILE (default
`<home>/api_key`). With no key configured, writes are refused rather than left open.
"""

from __future__ import annotations

import hmac
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

KEY_ENV = "VNPOLICY_API_KEY"
KEY_FILE_ENV = "VNPOLICY_API_KEY_FILE"
READ_KEY_ENV = "VNPOLICY_READ_KEY_REQUIRED"
logger = logging.getLogger("vnpolicy.api")

# auto_error=False: a missing key is answered by `_check` with a message that says how to send one.
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The API key (or send it as `Authorization: Bearer <key>`)."
)
_bearer = HTTPBearer(auto_error=False, description="The API key as a bearer token.")
HeaderKey = Annotated[str | None, Depends(_api_key_header)]
BearerKey = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class AccessPolicy:
    key: str | None
    reads_need_key: bool

    @classmethod
    def from_env(cls, home: Path) -> AccessPolicy:
        reads_need_key = os.environ.get(READ_KEY_ENV, "").strip().lower() in ("1", "true", "yes")
        key = os.environ.get(KEY_ENV, "").strip()
        if key:
            return cls(key, reads_need_key)
        named = os.environ.get(KEY_FILE_ENV)
        key_file = Path(named or home / "api_key").expanduser()
        if named and not key_file.is_file():
            logger.warning("%s names %s, which is not a file: writes will be refused", KEY_FILE_ENV, key_file)
        key = key_file.read_text(encoding="utf-8").strip() if key_file.is_file() else ""
        return cls(key or None, reads_need_key)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _check(request: Request, header_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> None:
    policy: AccessPolicy = request.app.state.access
    if policy.key is None:
        raise _unauthorized(
            f"no API key is configured on this server, so this request is refused: set {KEY_ENV}, "
            f"or write the key into the file named by {KEY_FILE_ENV} (default <data directory>/api_key), "
            "and restart the server"
        )
    given = header_key or (bearer.credentials if bearer else None)
    if not given:
        raise _unauthorized("this request needs the API key: send it in the X-API-Key header or as a bearer token")
    if not hmac.compare_digest(given.encode(), policy.key.encode()):
        raise _unauthorized("the API key sent is not the one configured on this server")


def require_write_key(request: Request, header_key: HeaderKey, bearer: BearerKey) -> None:
    _check(request, header_key, bearer)


def require_read_key(request: Request, header_key: HeaderKey, bearer: BearerKey) -> None:
    if request.app.state.access.reads_need_key:
        _check(request, header_key, bearer)
