"""LangChain retrievers over vnpolicy's clause search: in-process (`VnPolicyRetriever`) or over HTTP
(`VnPolicyHTTPRetriever`). Both return one `Document` per hit: the clause text as `page_content` and
the rest of the hit (clause_id, document_id, document_title, province, province_current, path, trail,
start, end, score, …) as `metadata`, exactly the fields of `POST /api/search`'s hits.

    retriever = VnPolicyHTTPRetriever(base_url="http://127.0.0.1:8000", k=5,
                                      filters=SearchFilters(province="Bến Tre"))
    chain = retriever | RunnableLambda(format_citations)
    chain.invoke("dự án điện gió ngoài khơi")
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from vnpolicy.index.models import SearchFilters


class VnPolicyAPIError(RuntimeError):
    """The API refused a search; the message is its status and its one-sentence detail."""


def hit_document(hit: dict[str, Any]) -> Document:
    return Document(
        id=hit["clause_id"],
        page_content=hit["text"],
        metadata={key: value for key, value in hit.items() if key != "text"},
    )


class VnPolicyRetriever(BaseRetriever):
    """Searches a `VnPolicy` service in this process (no server needed)."""

    service: Any = Field(description="A vnpolicy.api.service.VnPolicy (or anything with its `search` method).")
    k: int = Field(10, ge=1, le=100)
    filters: SearchFilters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_document(hit.to_dict()) for hit in self.service.search(query, k=self.k, filters=self.filters)]


class VnPolicyHTTPRetriever(BaseRetriever):
    """Searches a running `vnpolicy serve` through `POST /api/search`."""

    base_url: str = "http://127.0.0.1:8000"
    k: int = Field(10, ge=1, le=100)
    filters: SearchFilters | None = None
    api_key: str | None = Field(None, description="Needed only if the server sets VNPOLICY_READ_KEY_REQUIRED=1.")
    timeout: float = 30.0

    def _request(self, query: str) -> dict[str, Any]:
        filters = {name: value for name, value in asdict(self.filters or SearchFilters()).items() if value is not None}
        return {
            "url": f"{self.base_url.rstrip('/')}/api/search",
            "json": {"query": query, "k": self.k, "filters": filters},
            "headers": {"X-API-Key": self.api_key} if self.api_key else {},
        }

    @staticmethod
    def _documents(response: httpx.Response) -> list[Document]:
        if response.is_error:
            try:
                detail = response.json()["detail"]
            except (ValueError, KeyError, TypeError):
                detail = response.text[:200]
            raise VnPolicyAPIError(f"vnpolicy API answered {response.status_code}: {detail}")
        return [hit_document(hit) for hit in response.json()["hits"]]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        with httpx.Client(timeout=self.timeout) as client:
            return self._documents(client.post(**self._request(query)))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return self._documents(await client.post(**self._request(query)))
