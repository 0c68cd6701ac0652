"""The HTTP API over a real server: `vnpolicy serve` in a child process on the sample corpus, driven with httpx.

The same server serves every test of this module, so a test that adds documents removes them again.
Servers with another key configuration run in a thread over the session's `sample_service`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.server import SpawnedServer, prepare_home, spawned_server, threaded_server
from vnpolicy.index.models import Hit, SearchFilters

pytestmark = pytest.mark.slow

KEY = "thu-nghiem-6f1c2a"
AUTH = {"X-API-Key": KEY}
MAX_FILE_MB = 1
HIT_FIELDS = {field.name for field in fields(Hit)}
OFFSHORE_WIND = "dự án điện gió ngoài khơi"


def plan(province: str, topic: str, phrase: str) -> str:
    """A small provincial plan in the shape of the real ones, saying `phrase` in one of its items."""
    return f"""TỈNH ỦY {province.upper()}

KẾ HOẠCH
{topic} trên địa bàn tỉnh {province}

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Cụ thể hóa các nhiệm vụ, giải pháp {topic.lower()} phù hợp với tình hình thực tế của tỉnh {province}.

2. Yêu cầu

- Các cơ quan, đơn vị xây dựng chương trình hành động cụ thể, phân công rõ trách nhiệm.

II. NHIỆM VỤ, GIẢI PHÁP

1. Nhiệm vụ trọng tâm

- Triển khai thí điểm {phrase} trong giai đoạn 2025 - 2030.

- Huy động các nguồn lực xã hội, ưu tiên vốn ngân sách cho các công trình trọng điểm.

2. Tổ chức thực hiện

- Giao Sở Kế hoạch và Đầu tư chủ trì, theo dõi, đôn đốc và báo cáo kết quả thực hiện.
"""


CORAL = ("vườn ươm san hô nhân tạo", plan("Khánh Hòa", "Bảo tồn biển và du lịch sinh thái", "vườn ươm san hô nhân tạo"))
STURGEON = ("trại nuôi cá tầm nước lạnh", plan("Lâm Đồng", "Phát triển thủy sản", "trại nuôi cá tầm nước lạnh"))
TIDAL = ("trạm sạc xe điện bằng năng lượng thủy triều", plan("Bến Tre", "Phát triển năng lượng sạch",
                                                              "trạm sạc xe điện bằng năng lượng thủy triều"))


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory, model_home: Path, sample_service) -> Iterator[SpawnedServer]:
    # sample_service has indexed the sample corpus in model_home: the server reuses those vectors.
    home = tmp_path_factory.mktemp("api-home")
    prepare_home(home, model_home)
    (home / "api_key").write_text(KEY + "\n", encoding="utf-8")  # the default key file
    env = {"VNPOLICY_API_KEY": "", "VNPOLICY_API_KEY_FILE": "", "VNPOLICY_READ_KEY_REQUIRED": "",
           "VNPOLICY_MAX_FILE_MB": str(MAX_FILE_MB)}
    with spawned_server(home, env) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: SpawnedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=120) as http:
        yield http


@pytest.fixture(scope="module")
def sample_counts(sample_documents) -> tuple[int, int]:
    return len(sample_documents), sum(len(document.clauses) for document in sample_documents.values())


def assert_error(response: httpx.Response, status: int, *phrases: str) -> str:
    """An error answer: the status, exactly {"detail": one sentence}, and no stack trace."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    for phrase in phrases:
        assert phrase.lower() in body["detail"].lower(), body["detail"]
    return body["detail"]


def corpus_state(client: httpx.Client) -> tuple[dict, list[tuple[str, int]]]:
    health = client.get("/health").json()
    return health, [(doc["id"], doc["clause_count"]) for doc in client.get("/api/documents").json()]


def upload(client: httpx.Client, name: str, data: bytes, headers: dict | None = None) -> httpx.Response:
    return client.post("/api/documents", files={"file": (name, data)}, headers=AUTH if headers is None else headers)


def top_document(client: httpx.Client, query: str) -> str | None:
    hits = client.post("/api/search", json={"query": query, "k": 1}).json()["hits"]
    return hits[0]["document_id"] if hits else None


# --- health, docs, UI --------------------------------------------------------------------------------


def test_health_says_loading_until_the_index_is_loaded_then_counts(server, client, sample_counts) -> None:
    *before, ready = server.startup
    # while loading, /health says what it is waiting for
    assert all(answer["status_code"] == 503 and answer["status"] == "loading" for answer in before)
    assert all(answer["detail"].startswith(("starting", "loading")) for answer in before), before
    documents, clauses = sample_counts
    assert ready["status_code"] == 200 and ready["status"] == "ok"
    assert (ready["documents"], ready["clauses"]) == (documents, clauses)
    # one clause count, the difference explained
    health = client.get("/health").json()
    assert health["indexed_clauses"] + sum(health["not_indexed"].values()) == clauses
    assert health["clause_note"].startswith(f"{clauses} clauses, {health['indexed_clauses']} indexed")
    listed = client.get("/api/documents").json()
    assert sum(doc["indexed_clauses"] for doc in listed) == health["indexed_clauses"]


def test_concurrent_first_searches_on_a_new_server_all_succeed(server) -> None:
    # The first searches load the word segmenter; 16 at once once met it half-loaded (500s).
    # This runs before any other search of the module's new server.
    queries = [f"{query} {n}" for n, query in enumerate(["hydro xanh", "du an dien gio", "cảng hàng không"] * 6)]

    async def search_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:
            return await asyncio.gather(*(http.get("/api/search", params={"q": q}) for q in queries))

    responses = asyncio.run(search_all())
    assert [r.status_code for r in responses] == [200] * len(queries), server.log.read_text()[-2000:]
    assert all(r.json()["hits"] for r in responses)


class _LoadsOnSignal:
    """The session's service, whose index only 'finishes loading' when the test says so."""

    def __init__(self, service, loaded: threading.Event) -> None:
        self._service = service
        self._loaded = loaded

    def __getattr__(self, name: str):
        return getattr(self._service, name)

    def open(self) -> bool:
        self._loaded.wait(60)
        return self._service.open()


def test_requests_get_503_while_the_index_loads(sample_service) -> None:
    from vnpolicy.api.app import create_app

    loaded = threading.Event()
    with threaded_server(create_app(_LoadsOnSignal(sample_service, loaded))) as base_url:
        response = httpx.get(f"{base_url}/health")
        assert response.status_code == 503 and response.json()["status"] == "loading"
        assert_error(httpx.get(f"{base_url}/api/search", params={"q": OFFSHORE_WIND}), 503, "loading")
        assert_error(httpx.get(f"{base_url}/api/documents"), 503, "loading")
        loaded.set()
        for _ in range(200):
            if httpx.get(f"{base_url}/health").status_code == 200:
                break
            time.sleep(0.05)
        assert httpx.get(f"{base_url}/api/search", params={"q": OFFSHORE_WIND}).json()["hits"]


def _resolve(node, components: dict):
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {key: _resolve(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, components) for item in node]
    return node


def test_openapi_documents_every_endpoint_with_vietnamese_examples(client) -> None:
    docs = client.get("/docs")
    assert "text/html" in docs.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+\.(?:js|css))['"]""", docs.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets  # served here: works offline
    assert all(client.get(asset).status_code == 200 for asset in assets)
    spec = client.get("/openapi.json").json()
    expected = {
        ("post", "/api/search"), ("get", "/api/search"), ("get", "/api/search/export"), ("get", "/api/documents"),
        ("post", "/api/documents"), ("get", "/api/documents/{document_id}"), ("delete", "/api/documents/{document_id}"),
        ("get", "/api/clauses/{clause_id}"), ("get", "/api/facets"), ("get", "/health"),
        ("post", "/api/ask"), ("post", "/api/ask/stream"),
    }
    operations = {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert expected <= set(operations)
    components = spec["components"]["schemas"]
    for (_, path), operation in operations.items():
        if path.startswith("/api/"):
            text = json.dumps(_resolve(operation, components), ensure_ascii=False)
            assert "example" in text and any(word in text for word in ("Bến Tre", "Kế hoạch", "điện gió")), path
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])


def test_root_serves_the_ui(client) -> None:
    from vnpolicy.api.app import STATIC_DIR

    response = client.get("/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    index = STATIC_DIR / "index.html"
    if index.is_file():
        assert response.content == index.read_bytes()
        for asset in (path for path in STATIC_DIR.iterdir() if path.is_file()):
            assert client.get(f"/static/{asset.name}").content == asset.read_bytes()
    assert_error(client.get("/static/no-such-file.js"), 404)


@pytest.mark.parametrize("url", ["/health", "/", "/api/documents", "/api/facets", "/api/search?q=hydro", "/docs"])
def test_head_answers_every_get_route_with_its_headers_and_no_body(client, url: str) -> None:
    got, head = client.get(url), client.head(url)
    assert got.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_the_page_and_the_api_send_security_headers(client) -> None:
    for url in ("/", "/static/app.js", "/api/documents", "/health"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "default-src 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    page = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "the page must have no inline script"
    assert not re.search(r"\son[a-z]+=", page), "the page must have no inline event handler"


# --- search ------------------------------------------------------------------------------------------


def test_search_post_returns_the_cli_hits(client, sample_service) -> None:
    filters = {"province": "Bến Tre"}
    response = client.post("/api/search", json={"query": OFFSHORE_WIND, "k": 5, "filters": filters})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == OFFSHORE_WIND
    assert 0 < len(body["hits"]) <= 5
    assert all(set(hit) == HIT_FIELDS and hit["province"] == "Bến Tre" for hit in body["hits"])
    assert "điện gió ngoài khơi" in body["hits"][0]["text"]
    in_process = sample_service.search(OFFSHORE_WIND, k=5, filters=SearchFilters(**filters))
    assert [hit["clause_id"] for hit in body["hits"]] == [hit.clause_id for hit in in_process]
    assert body["hits"][0] == json.loads(json.dumps(in_process[0].to_dict(), ensure_ascii=False))


def test_search_get_matches_post(client) -> None:
    posted = client.post("/api/search", json={"query": "hạ tầng giao thông", "k": 7, "filters": {"year_from": 2021}})
    got = client.get("/api/search", params={"q": "hạ tầng giao thông", "k": 7, "year_from": 2021})
    assert got.status_code == 200 and got.json() == posted.json()
    assert len(got.json()["hits"]) == 7
    assert len(client.get("/api/search", params={"q": "hạ tầng"}).json()["hits"]) == 10  # the default k


def test_a_search_typed_without_diacritics_says_how_it_was_read(client, sample_service) -> None:
    got = client.get("/api/search", params={"q": "ha tang giao thong", "k": 5}).json()
    assert got["read_as"] == "hạ tầng giao thông"
    accented = client.get("/api/search", params={"q": "hạ tầng giao thông", "k": 5}).json()
    assert accented["read_as"] is None and got["hits"] == accented["hits"]


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"province": "Vĩnh Long"}, lambda hit: hit["province"] in {"Bến Tre", "Trà Vinh"}),
        ({"province": "ben tre"}, lambda hit: hit["province"] == "Bến Tre"),
        ({"doc_type": "ke hoach"}, lambda hit: hit["doc_type"] == "Kế hoạch"),
        ({"year_from": 2022, "year_to": 2024}, lambda hit: 2022 <= int(hit["date"][:4]) <= 2024),
        ({"section": "II › 1"}, lambda hit: hit["path"] == "II › 1" or hit["path"].startswith("II › 1 › ")),
        ({"document_id": "98c32be8083db648"}, lambda hit: hit["document_id"] == "98c32be8083db648"),
    ],
)
def test_search_filters_hold_on_every_hit(client, filters, check) -> None:
    hits = client.get("/api/search", params={"q": "phát triển hạ tầng", "k": 20, **filters}).json()["hits"]
    assert hits and all(check(hit) for hit in hits)


def test_filters_that_match_nothing_give_no_hits(client) -> None:
    for filters in ({"doc_type": "Quyết định"}, {"year_from": 2099}, {"document_id": "0000"}, {"section": "IX"}):
        response = client.post("/api/search", json={"query": "hạ tầng", "filters": filters})
        assert response.status_code == 200 and response.json()["hits"] == []


@pytest.mark.parametrize(
    ("method", "url", "request_kwargs", "phrases"),
    [
        ("post", "/api/search", {"json": {"query": ""}}, ["query", "empty"]),
        ("post", "/api/search", {"json": {"query": "  \t "}}, ["query", "empty"]),
        ("get", "/api/search?q=%20%20", {}, ["empty"]),
        ("get", "/api/search", {}, ["q is required"]),
        ("post", "/api/search", {"json": {"query": "hạ tầng", "k": 0}}, ["k"]),
        ("post", "/api/search", {"json": {"query": "hạ tầng", "k": 101}}, ["k", "100"]),
        ("get", "/api/search?q=h%E1%BA%A1+t%E1%BA%A7ng&k=500", {}, ["k", "100"]),
        ("get", "/api/search?q=x&k=mười", {}, ["k", "integer"]),
        ("post", "/api/search", {"content": b'{"query": "h', "headers": {"content-type": "application/json"}},
         ["not valid JSON"]),
        ("post", "/api/search", {"json": ["hạ tầng"]}, ["request body"]),
        ("post", "/api/search", {"json": {"query": "x", "filters": {"provnce": "Bến Tre"}}}, ["unknown", "provnce"]),
        ("get", "/api/search?q=x&provnce=B%E1%BA%BFn+Tre", {}, ["unknown", "provnce"]),
        ("post", "/api/search", {"json": {"query": "x", "filters": {"province": "Sài Gòn Cũ"}}},
         ["unknown province", "Sài Gòn Cũ"]),
        ("get", "/api/search/export?q=x&format=xlsx", {}, ["format"]),
        ("get", "/api/search/export?q=&format=csv", {}, ["empty"]),
    ],
)
def test_bad_search_requests_are_422_with_a_message(client, method, url, request_kwargs, phrases) -> None:
    assert_error(client.request(method, url, **request_kwargs), 422, *phrases)


# --- export ------------------------------------------------------------------------------------------


def test_export_csv_is_utf8_with_bom_for_excel(client) -> None:
    response = client.get("/api/search/export", params={"q": OFFSHORE_WIND, "province": "Bến Tre", "k": 5})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'filename="vnpolicy-du-an-dien-gio-ngoai-khoi.csv"' in disposition
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and [row["rank"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert {row["province"] for row in rows} == {"Bến Tre"} and rows[0]["province_current"] == "Vĩnh Long"
    assert "điện gió ngoài khơi" in rows[0]["text"] and rows[0]["trail"].startswith("II. NHIỆM VỤ")


def test_export_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client) -> None:
    phrase = "trạm quan trắc độ mặn tự động"
    text = plan("Sóc Trăng", "Ứng phó xâm nhập mặn", phrase)
    response = upload(client, "=cmd|'calc'!A0.txt", text.encode("utf-8"))
    assert response.status_code == 201, response.text
    document_id = response.json()["document"]["id"]
    try:
        export = client.get("/api/search/export", params={"q": phrase, "document_id": document_id, "k": 20})
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert rows and all(row["source_name"] == "'=cmd|'calc'!A0.txt" for row in rows)
        cells = [value for row in rows for value in row.values()]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert any(cell.startswith("'- ") for cell in cells)  # a bullet clause is text, quoted the same way
    finally:
        assert client.delete(f"/api/documents/{document_id}", headers=AUTH).status_code == 204


def test_export_jsonl_has_one_hit_per_line_and_defaults_to_100(client) -> None:
    response = client.get("/api/search/export", params={"q": "hạ tầng", "format": "jsonl"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["content-disposition"].endswith(".jsonl")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == 100
    assert [line["rank"] for line in lines] == list(range(1, 101)) and set(lines[0]) == HIT_FIELDS | {"rank"}


# --- documents, clauses, facets ----------------------------------------------------------------------


def listed_summary(document) -> dict:
    """A document as the API lists it: its summary, how many of its clauses search covers and its province for
    a reader."""
    from vnpolicy.answer.sources import province_label
    from vnpolicy.index.retriever import ClauseCounts

    label = province_label(document.meta.province.value, document.meta.province_current.value, "vi") or None
    return {**document.summary(), "indexed_clauses": ClauseCounts.of([document]).indexed, "province_label": label}


def test_documents_list_summaries_with_clause_counts(client, sample_documents) -> None:
    listed = client.get("/api/documents").json()
    expected = {doc.id: listed_summary(doc) for doc in sample_documents.values()}
    assert {doc["id"] for doc in listed} == set(expected)
    for doc in listed:
        assert doc == expected[doc["id"]]
        assert "text" not in doc


def test_document_detail_gives_the_clause_tree_and_text_on_request(client, sample_documents) -> None:
    document = sample_documents["000"]
    body = client.get(f"/api/documents/{document.id}").json()
    assert body["text"] is None and body["warnings"] == document.warnings
    assert [clause["id"] for clause in body["clauses"]] == [clause.id for clause in document.clauses]
    assert body["clauses"][18] == document.clauses[18].to_dict()
    ids = {clause["id"] for clause in body["clauses"]}
    assert all(clause["parent_id"] is None or clause["parent_id"] in ids for clause in body["clauses"])
    with_text = client.get(f"/api/documents/{document.id}", params={"include_text": "true"}).json()
    assert with_text["text"] == document.text
    assert_error(client.get("/api/documents/ffffffffffffffff"), 404, "no document", "ffffffffffffffff")


def test_clause_context_has_trail_parent_neighbours_document_and_offsets(client, sample_documents) -> None:
    document = sample_documents["000"]
    clause = next(c for c in document.clauses if "điện gió ngoài khơi" in c.text)
    position = document.clauses.index(clause)
    body = client.get(f"/api/clauses/{clause.id}").json()
    assert body["clause"] == clause.to_dict()
    assert body["trail"] == list(clause.trail) == [ancestor["text"] for ancestor in body["ancestors"]]
    assert body["parent"]["id"] == clause.parent_id == body["ancestors"][-1]["id"]
    assert body["previous"]["id"] == document.clauses[position - 1].id
    assert body["next"]["id"] == document.clauses[position + 1].id
    assert body["document"] == listed_summary(document) and "text" not in body["document"]
    assert body["source_line"].endswith(f"Bến Tre (nay thuộc tỉnh Vĩnh Long) · mục {clause.path}")
    assert body["offsets"] == {
        "start": clause.start, "end": clause.end, "source_text": document.text[clause.start : clause.end]
    }
    first = client.get(f"/api/clauses/{document.clauses[0].id}").json()
    assert first["previous"] is None and first["parent"] is None and first["ancestors"] == []
    assert client.get(f"/api/clauses/{document.clauses[-1].id}").json()["next"] is None
    assert_error(client.get("/api/clauses/98c32be8083db648-9999"), 404, "no clause")


def test_facets_count_provinces_old_and_new_types_and_years(client, sample_documents) -> None:
    facets = client.get("/api/facets").json()
    provinces = {facet["province"]: facet for facet in facets["provinces"]}
    assert set(provinces) == {doc.meta.province.value for doc in sample_documents.values()}
    assert provinces["Bến Tre"] == {
        "province": "Bến Tre", "province_current": "Vĩnh Long",
        "province_label": "Bến Tre (nay thuộc tỉnh Vĩnh Long)", "documents": 1,
        "clauses": len(sample_documents["000"].clauses),
    }
    current = {facet["province_current"]: facet for facet in facets["provinces_current"]}
    assert current["Vĩnh Long"]["provinces"] == ["Bến Tre", "Trà Vinh"] and current["Vĩnh Long"]["documents"] == 2
    types = {facet["doc_type"]: facet["documents"] for facet in facets["doc_types"]}
    assert types == {"Kế hoạch": 3, "Nghị quyết": 1, "Chương trình": 1}
    assert {facet["year"]: facet["documents"] for facet in facets["years"]} == {2024: 1, 2021: 1}


# --- writes ------------------------------------------------------------------------------------------


def test_uploaded_plan_is_found_by_search_and_gone_after_delete(client, sample_counts) -> None:
    phrase, text = TIDAL
    health_before, documents_before = corpus_state(client)
    response = upload(client, "ke-hoach-nang-luong-sach.txt", text.encode("utf-8"))
    assert response.status_code == 201, response.text
    body = response.json()
    document_id = body["document"]["id"]
    assert body["status"] == "added" and body["clauses"] == body["document"]["clause_count"] >= 5
    assert body["document"]["province"] == "Bến Tre"
    assert body["document"]["source_name"] == "ke-hoach-nang-luong-sach.txt"
    assert response.headers["location"] == f"/api/documents/{document_id}"

    assert top_document(client, phrase) == document_id
    hits = client.get("/api/search", params={"q": phrase, "province": "Vĩnh Long", "k": 3}).json()["hits"]
    assert hits[0]["document_id"] == document_id and phrase in hits[0]["text"]
    assert client.get(f"/api/documents/{document_id}").status_code == 200
    assert client.get("/health").json()["documents"] == sample_counts[0] + 1

    again = upload(client, "ban-sao.txt", text.encode("utf-8"))
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert again.json()["document"]["id"] == document_id

    assert client.delete(f"/api/documents/{document_id}").status_code == 401
    response = client.delete(f"/api/documents/{document_id}", headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 204 and response.content == b""
    assert top_document(client, phrase) != document_id
    assert_error(client.get(f"/api/documents/{document_id}"), 404)
    assert_error(client.delete(f"/api/documents/{document_id}", headers=AUTH), 404, "no document")
    assert corpus_state(client) == (health_before, documents_before)


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _raw_request(base_url: str, head: str) -> tuple[int, dict]:
    """Send only a request head (no body) on a raw socket; the status and JSON the server answers with."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(head.encode("latin-1"))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0 and answer[head_end + 4 :].rstrip().endswith(b"}"):
                break
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2])


def test_failed_uploads_say_why_and_change_nothing(server, client) -> None:
    before = corpus_state(client)
    limit = MAX_FILE_MB * 1024 * 1024
    text = CORAL[1].encode("utf-8")

    assert_error(upload(client, "ke-hoach.odt", b"PK\x03\x04 not really"), 415, ".odt", "not supported", ".doc,")
    assert_error(upload(client, "scan.pdf", _blank_pdf()), 422, "no text layer", "OCR")
    assert_error(upload(client, "hong.pdf", b"%PDF-1.4 this is not a pdf"), 422, "not a readable PDF")
    assert_error(upload(client, "trong.txt", b""), 422, "empty")
    assert_error(upload(client, "nhi-phan.txt", bytes(range(256)) * 8), 422, "binary")
    assert_error(client.post("/api/documents", data={"note": "no file"}, headers=AUTH), 422, "file is required")
    # A file just over the limit inside a body the envelope allowance lets through: the loader refuses it.
    assert_error(upload(client, "lon.txt", b"a" * (limit + 1024)), 413, "over the 1 MB limit")
    # A declared size over the limit is refused before any of the body is read.
    status, body = _raw_request(
        server.base_url,
        "POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"X-API-Key: {KEY}\r\nContent-Length: {50 * limit}\r\n\r\n",
    )
    assert status == 413 and "over the 1 MB limit" in body["detail"] and "50.0 MB" in body["detail"]

    # A body with no declared size is cut off once it passes the limit.
    def streamed() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="lon.txt"\r\n\r\n'
        for _ in range(3 * MAX_FILE_MB * 16):
            yield b"a" * 65536
        yield b"\r\n--b--\r\n"

    response = client.post(
        "/api/documents", content=streamed(), headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"}
    )
    assert_error(response, 413, "over the 1 MB limit")

    assert_error(upload(client, "ke-hoach.txt", text, headers={}), 401, "X-API-Key")
    assert_error(upload(client, "ke-hoach.txt", text, headers={"X-API-Key": "sai"}), 401, "not the one configured")
    assert_error(upload(client, "ke-hoach.txt", text, headers={"Authorization": "Bearer sai"}), 401)
    assert corpus_state(client) == before
    assert top_document(client, CORAL[0]) is not None  # the index still answers…
    assert client.get("/health").json()["documents"] == before[0]["documents"]  # …and holds no new document


def test_concurrent_uploads_while_searching_keep_the_index_consistent(server, client, sample_counts) -> None:
    health_before, documents_before = corpus_state(client)
    finished = threading.Event()

    def search_until_finished() -> list[tuple[int, int]]:
        answers = []
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            while not finished.is_set() or not answers:
                response = http.get("/api/search", params={"q": "phát triển hạ tầng giao thông", "k": 5})
                answers.append((response.status_code, len(response.json().get("hits", []))))
        return answers

    def post(name: str, text: str) -> httpx.Response:
        with httpx.Client(base_url=server.base_url, timeout=300) as http:
            return upload(http, name, text.encode("utf-8"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        searches = [pool.submit(search_until_finished) for _ in range(2)]
        uploads = [pool.submit(post, "san-ho.txt", CORAL[1]), pool.submit(post, "ca-tam.txt", STURGEON[1])]
        results = [future.result() for future in uploads]
        finished.set()
        answers = [answer for future in searches for answer in future.result()]

    assert [result.status_code for result in results] == [201, 201], [result.text for result in results]
    assert answers and all(answer == (200, 5) for answer in answers), answers
    added = {result.json()["document"]["id"]: result.json()["clauses"] for result in results}
    health, documents = corpus_state(client)
    assert health["documents"] == health_before["documents"] + 2
    assert health["clauses"] == health_before["clauses"] + sum(added.values())
    assert sorted(documents) == sorted(documents_before + list(added.items()))
    assert sum(count for _, count in documents) == health["clauses"]
    assert top_document(client, CORAL[0]) == results[0].json()["document"]["id"]
    assert top_document(client, STURGEON[0]) == results[1].json()["document"]["id"]

    for document_id in added:
        assert client.delete(f"/api/documents/{document_id}", headers=AUTH).status_code == 204
    assert corpus_state(client) == (health_before, documents_before)
    assert health_before["documents"] == sample_counts[0]


# --- ask ---------------------------------------------------------------------------------------------


def read_events(response: httpx.Response) -> list[tuple[str, dict]]:
    """Server-sent events as (event, data), read as they arrive."""
    events, event = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((event, json.loads(line.removeprefix("data: "))))
    return events


def test_ask_answers_with_provinces_and_verified_citations(client) -> None:
    response = client.post("/api/ask", json={"question": "Tỉnh nào cam kết phát triển dự án hydro xanh?"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["intent"] == "aggregate" and answer["supported"] is True
    assert answer["provinces"] == [{"name": "Bến Tre", "current": "Vĩnh Long", "citations": [1]}]
    [citation] = answer["citations"]
    document = client.get(f"/api/documents/{citation['document_id']}", params={"include_text": "true"}).json()
    assert document["text"][citation["start"] : citation["end"]] == citation["quote"]
    assert "hydro xanh" in citation["quote"] and "[1]" in answer["answer"]


def test_ask_stream_sends_citations_first_then_the_text(client) -> None:
    question = {"question": "Những tỉnh nào có kế hoạch đầu tư cảng hàng không?"}  # English: see test_answers
    with client.stream("POST", "/api/ask/stream", json=question) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_events(response)
    kinds = [event for event, _ in events]
    assert kinds[0] == "meta" and kinds[-1] == "done"
    assert kinds.index("delta") > max(i for i, kind in enumerate(kinds) if kind == "citation")
    streamed = "".join(data["text"] for event, data in events if event == "delta")
    assert streamed == events[-1][1]["answer"] and "Kon Tum" in streamed
    assert {p["name"] for p in events[0][1]["provinces"]} == {"Kiên Giang", "Kon Tum", "Tuyên Quang"}


def test_a_question_typed_without_diacritics_says_how_it_was_read(client) -> None:
    question = {"question": "tinh nao co ke hoach xay dung nha o xa hoi"}
    answer = client.post("/api/ask", json=question).json()
    assert answer["read_as"] == "tỉnh nào có kế hoạch xây dựng nhà ở xã hội"
    assert {p["name"] for p in answer["provinces"]} == {"Tuyên Quang", "Trà Vinh"}
    with client.stream("POST", "/api/ask/stream", json=question) as response:
        meta = read_events(response)[0]
    assert meta == ("meta", {**meta[1], "read_as": answer["read_as"]})
    accented = client.post("/api/ask", json={"question": "Tỉnh nào có kế hoạch xây dựng nhà ở xã hội?"}).json()
    assert accented["read_as"] is None and accented["provinces"] == answer["provinces"]


def test_ask_says_plainly_when_nothing_supports_the_question(client) -> None:
    answer = client.post("/api/ask", json={"question": "Tỉnh nào xây dựng nhà máy điện hạt nhân?"}).json()
    assert answer["supported"] is False and answer["provinces"] == []
    assert answer["answer"].startswith("Không tìm thấy nội dung nào")
    assert all(citation["related"] for citation in answer["citations"])


@pytest.mark.parametrize(
    ("body", "phrases"),
    [({"question": "  "}, ("question",)), ({}, ("question", "required")), ({"question": "x", "k": 3}, ("unknown",))],
)
def test_bad_ask_requests_are_422_with_a_message(client, body: dict, phrases: tuple[str, ...]) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        assert_error(client.post(path, json=body), 422, *phrases)


# --- key configurations ------------------------------------------------------------------------------


def test_with_no_key_configured_writes_are_refused_and_say_how_to_set_one(
    sample_service, monkeypatch, tmp_path
) -> None:
    from vnpolicy.api.app import create_app

    monkeypatch.delenv("VNPOLICY_API_KEY", raising=False)
    monkeypatch.setenv("VNPOLICY_API_KEY_FILE", str(tmp_path / "no-such-key-file"))
    with threaded_server(create_app(sample_service)) as base_url, httpx.Client(base_url=base_url) as http:
        response = upload(http, "ke-hoach.txt", TIDAL[1].encode("utf-8"), headers={"X-API-Key": "anything"})
        assert_error(response, 401, "no API key is configured", "VNPOLICY_API_KEY", "VNPOLICY_API_KEY_FILE")
        assert_error(http.delete("/api/documents/98c32be8083db648"), 401, "no API key is configured")
        assert http.get("/api/search", params={"q": OFFSHORE_WIND}).status_code == 200  # reads stay open
    assert sample_service.store.document("98c32be8083db648") is not None


def test_reads_can_require_the_key(sample_service, monkeypatch) -> None:
    from vnpolicy.api.app import create_app

    monkeypatch.setenv("VNPOLICY_API_KEY", KEY)
    monkeypatch.setenv("VNPOLICY_READ_KEY_REQUIRED", "1")
    with threaded_server(create_app(sample_service)) as base_url, httpx.Client(base_url=base_url) as http:
        for path in ("/api/search?q=h%E1%BA%A1+t%E1%BA%A7ng", "/api/documents", "/api/facets",
                     "/api/clauses/98c32be8083db648-0018", "/api/search/export?q=x"):
            assert_error(http.get(path), 401, "API key")
            assert_error(http.get(path, headers={"X-API-Key": "sai"}), 401, "not the one")
            assert http.get(path, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert http.get("/health").status_code == 200  # monitoring needs no key


def test_serve_command_defaults_to_loopback_port_8000() -> None:
    from vnpolicy.api.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert build_parser().parse_args(["search", "điện gió"]).query == "điện gió"  # the other commands stay
