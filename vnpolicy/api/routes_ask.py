"""Ask endpoints: a grounded answer as JSON, or streamed as server-sent events (citations first)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from vnpolicy.answer import Answer
from vnpolicy.api.schemas import ErrorBody, FilterFields, QuestionText
from vnpolicy.api.security import require_read_key

if TYPE_CHECKING:
    from vnpolicy.api.runtime import Runtime

WORDS_PER_DELTA = 4
router = APIRouter(prefix="/api/ask", tags=["ask"], dependencies=[Depends(require_read_key)])

_ERRORS = {
    401: {"model": ErrorBody, "description": "An API key is required for reads on this server and was not given."},
    422: {"model": ErrorBody, "description": "Empty question, unknown province or malformed request."},
    503: {"model": ErrorBody, "description": "The index is still loading."},
}
_EXAMPLES: dict[str, Any] = {
    "which provinces (Vietnamese)": {"value": {"question": "Tỉnh nào cam kết phát triển dự án hydro xanh?"}},
    "which provinces (English)": {"value": {"question": "Which provinces plan new airports?"}},
    "without diacritics, filtered": {
        "value": {"question": "du an dien gio ngoai khoi", "filters": {"province": "Bến Tre"}}
    },
}


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Tỉnh nào cam kết phát triển dự án hydro xanh?"}]},
    )

    question: QuestionText = Field(description="A question in Vietnamese (diacritics optional) or English.")
    filters: FilterFields = Field(default_factory=FilterFields)


def _answer(request: Request, body: AskRequest) -> Answer:
    runtime: Runtime = request.app.state.runtime
    runtime.retriever()  # 503 while loading
    return runtime.service.ask(body.question, body.filters.search_filters())


@router.post("", summary="Answer a question with verbatim citations", responses=_ERRORS)
def ask(request: Request, body: Annotated[AskRequest, Body(openapi_examples=_EXAMPLES)]) -> dict[str, Any]:
    """The answer text with [n] markers, its citations (each quote verified against the original text at
    its offsets), the provinces that support it, the intent, and whether anything supports it at all."""
    return _answer(request, body).to_dict()


def stream_events(answer: Answer) -> Iterator[tuple[str, dict]]:
    """Server-sent events of an answer: its frame, then every citation, then the text, then done."""
    yield "meta", {
        "intent": answer.intent, "supported": answer.supported, "language": answer.language,
        "provinces": [asdict(p) for p in answer.provinces], "read_as": answer.read_as,
    }
    for citation in answer.citations:
        yield "citation", asdict(citation)
    for piece in _pieces(answer.answer):
        yield "delta", {"text": piece}
    yield "done", {"answer": answer.answer, "supported": answer.supported}


def _pieces(text: str) -> Iterator[str]:
    """The text in runs of a few words (with their spaces), which the page paints one per frame."""
    words = re.findall(r"\S+\s*|\s+", text)
    for at in range(0, len(words), WORDS_PER_DELTA):
        yield "".join(words[at : at + WORDS_PER_DELTA])


def _sse(events: Iterator[tuple[str, dict]]) -> Iterator[str]:
    for event, data in events:
        yield f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/stream",
    summary="Answer a question, streamed as server-sent events",
    responses={**_ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "meta, citation…, delta…, done"}},
)
def ask_stream(request: Request, body: Annotated[AskRequest, Body(openapi_examples=_EXAMPLES)]) -> StreamingResponse:
    """Events in order: `meta` (intent, supported, provinces), one `citation` per source, `delta` chunks of the
    answer text, then `done`; `error` with a `detail` if answering fails midway."""
    answer = _answer(request, body)

    def events() -> Iterator[tuple[str, dict]]:
        try:
            yield from stream_events(answer)
        except Exception:  # the status line is already sent: report the failure as an event
            yield "error", {"detail": "the answer could not be completed; the server log says why"}

    return StreamingResponse(_sse(events()), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
