"""The LangChain retrievers in a small chain (retriever | formatter), in-process and over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from tests.support.server import threaded_server, wait_until_healthy
from vnpolicy.api.langchain_retriever import VnPolicyAPIError, VnPolicyHTTPRetriever, VnPolicyRetriever
from vnpolicy.index.models import SearchFilters

pytestmark = pytest.mark.slow

QUERY = "dự án điện gió ngoài khơi"
BEN_TRE = SearchFilters(province="Bến Tre")
METADATA = {
    "clause_id", "document_id", "document_title", "document_number", "source_name", "province", "province_current",
    "doc_type", "date", "path", "trail", "kind", "start", "end", "score", "legs", "restored_text", "page",
    "spelled_out",
}


def cite(documents: list[Document]) -> str:
    """What a prompt would receive: numbered clauses with where they come from."""
    return "\n".join(
        f"[{number}] {doc.metadata['province']} · {doc.metadata['path']}: {doc.page_content}"
        for number, doc in enumerate(documents, start=1)
    )


@pytest.fixture(scope="module")
def base_url(sample_service) -> Iterator[str]:
    from vnpolicy.api.app import create_app

    with threaded_server(create_app(sample_service)) as url:
        wait_until_healthy(url, timeout=60)
        yield url


def check(documents: list[Document], sample_service) -> None:
    expected = sample_service.search(QUERY, k=3, filters=BEN_TRE)
    assert [doc.id for doc in documents] == [hit.clause_id for hit in expected]
    for doc, hit in zip(documents, expected, strict=True):
        assert doc.page_content == hit.text
        assert set(doc.metadata) == METADATA
        assert doc.metadata["province"] == "Bến Tre" and doc.metadata["province_current"] == "Vĩnh Long"
        assert doc.metadata["trail"] == hit.trail
        assert (doc.metadata["start"], doc.metadata["end"]) == (hit.start, hit.end)
    assert "điện gió ngoài khơi" in documents[0].page_content


def test_in_process_retriever_in_a_chain(sample_service) -> None:
    retriever = VnPolicyRetriever(service=sample_service, k=3, filters=BEN_TRE)
    check(retriever.invoke(QUERY), sample_service)
    text = (retriever | RunnableLambda(cite)).invoke(QUERY)
    assert text.startswith("[1] Bến Tre · II › 1 › 1.2: ") and text.count("\n") == 2


def test_http_retriever_in_a_chain(base_url, sample_service) -> None:
    retriever = VnPolicyHTTPRetriever(base_url=base_url, k=3, filters=BEN_TRE)
    check(retriever.invoke(QUERY), sample_service)
    check(asyncio.run(retriever.ainvoke(QUERY)), sample_service)
    chain = retriever | RunnableLambda(cite)
    assert chain.invoke(QUERY) == (VnPolicyRetriever(service=sample_service, k=3, filters=BEN_TRE) | cite).invoke(QUERY)
    assert len(chain.batch([QUERY, "hydro xanh"])) == 2


def test_http_retriever_reports_the_api_error(base_url) -> None:
    retriever = VnPolicyHTTPRetriever(base_url=base_url, filters={"province": "Atlantis"})
    with pytest.raises(VnPolicyAPIError, match="422: filters.province: unknown province 'Atlantis'"):
        retriever.invoke(QUERY)
