"""The officials' chat page, end to end in headless Chromium against the real app (uvicorn on a free port).

The server is `vnpolicy.api.app.create_app` over the session's sample service (the embedding model is built
once, see conftest.py).
Screenshots go to test-output/ (desktop 1366×768, phone 390×844).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync",
]
OUTPUT = ROOT / "test-output"
API_KEY = "ui-test-key"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT_MS = 60_000
FINISHED = re.compile(r"^(done|unsupported|error)$")

INJECTION_DOC = """ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG

KẾ HOẠCH

Thử nghiệm hiển thị văn bản trong giao diện hỏi đáp

I. NHIỆM VỤ

1. Quan trắc

- Xây dựng mạng lưới trạm quan trắc độ mặn tự động <script>window.__pwned=1</script> và \
<img src=x onerror="window.__pwned=1"> tại các cửa sông Hậu trước năm 2027.

- Cập nhật bản tin cảnh báo xâm nhập mặn hằng tuần cho nông dân.
"""
INJECTION_QUESTION = "Tỉnh nào xây dựng mạng lưới trạm quan trắc độ mặn tự động?"


# --- the server ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, app, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=60)


@pytest.fixture(scope="session")
def ui_server(sample_service) -> Iterator[Server]:
    import uvicorn

    from vnpolicy.api.app import create_app

    saved = {name: os.environ.get(name) for name in ("VNPOLICY_API_KEY", "VNPOLICY_READ_KEY_REQUIRED")}
    os.environ["VNPOLICY_API_KEY"] = API_KEY  # read by create_app (AccessPolicy.from_env)
    os.environ.pop("VNPOLICY_READ_KEY_REQUIRED", None)
    try:
        app = create_app(sample_service)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="ui-test-uvicorn", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base_url}/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail("the API server did not become healthy within 180 s")
        time.sleep(0.2)
    try:
        yield Server(app, base_url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# --- the browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), "the UI tests need Debian's chromium: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A page on the app plus what it did: uncaught errors and every URL it requested."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []  # refused by the page's Content-Security-Policy: never sent
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "requestfailed",
            lambda request: self.blocked.append(request.url) if "csp" in (request.failure or "").lower() else None,
        )

    def open(self, path: str = "/", ready: bool = True) -> None:
        """Go to `path`; with `ready`, wait until the page says the server is ready (Gửi enabled)."""
        from playwright.sync_api import expect

        self.page.goto(self.base_url + path)
        if ready:
            expect(self.page.get_by_role("button", name="Gửi", exact=True)).to_be_enabled()
            self.page.wait_for_load_state("networkidle")

    def ask(self, question: str, *, submit: str = "enter"):
        """Type a question, send it, wait until its answer is finished; the answer's <li>."""
        from playwright.sync_api import expect

        turns = self.page.locator("li.msg.assistant")
        before = turns.count()
        box = self.page.get_by_label("Câu hỏi", exact=True)
        box.fill(question)
        if submit == "enter":
            box.press("Enter")
        else:
            self.page.get_by_role("button", name="Gửi", exact=True).click()
        expect(turns).to_have_count(before + 1)
        turn = turns.nth(before)
        expect(turn).to_have_attribute("data-state", FINISHED, timeout=ANSWER_TIMEOUT_MS)
        return turn

    def shot(self, name: str) -> None:
        OUTPUT.mkdir(exist_ok=True)
        self.page.screenshot(path=str(OUTPUT / name))

    def assert_clean(self) -> None:
        assert self.errors == [], f"uncaught errors in the page: {self.errors}"
        outside = [
            url for url in self.requests
            if not url.startswith((self.base_url, "data:", "blob:")) and url not in self.blocked
        ]
        assert outside == [], f"the page requested resources from elsewhere: {outside}"


@pytest.fixture
def open_page(browser, ui_server):
    contexts = []

    def make(viewport: dict = DESKTOP, path: str | None = "/") -> Page:
        """A page on `path` (None: not opened yet, e.g. to route requests first)."""
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        contexts.append(context)
        page = Page(context.new_page(), ui_server.base_url)
        if path is not None:
            page.open(path)
        return page

    yield make
    for context in contexts:
        context.close()


def cited_clause_in_view(page) -> bool:
    """Is the highlighted clause inside the visible part of the panel's scrolling body, with only that
    body scrolled (not the page around it, which would push the header out of sight)?"""
    return page.evaluate(
        """() => {
            const panelBody = document.querySelector('#panel-body');
            const body = panelBody.getBoundingClientRect();
            const mark = document.querySelector('#panel .clause.cited').getBoundingClientRect();
            for (let el = panelBody.parentElement; el; el = el.parentElement) {
                if (el.scrollTop !== 0) return false;
            }
            return mark.bottom > body.top && mark.top < body.bottom;
        }"""
    )


# --- stream bodies for the client-side error and filter tests -----------------------------------------


def sse(*events: tuple[str, dict], newline: str = "\n") -> str:
    """A text/event-stream body (CRLF line ends are legal SSE too: sse-starlette sends them)."""
    return "".join(
        f"event: {name}{newline}data: {json.dumps(data, ensure_ascii=False)}{newline}{newline}" for name, data in events
    )


@pytest.fixture(scope="session")
def hydro_citation(ui_server) -> dict:
    """A citation (as /api/ask/stream sends it) of the Bến Tre clause on green hydrogen, quoting a sub-span;
    its display fields come from the same functions the answers use."""
    from vnpolicy.answer.quotes import display_span
    from vnpolicy.answer.sources import source_line

    with ui_server.client() as client:
        documents = client.get("/api/documents").json()
        document = next(d for d in documents if d["province"] == "Bến Tre")
        detail = client.get(f"/api/documents/{document['id']}", params={"include_text": True}).json()
    clause = next(c for c in detail["clauses"] if "hydro xanh" in c["text"])
    text = detail["text"]
    start = text.index("phát triển dự án Khu tổ hợp hydro xanh", clause["start"])
    end = text.index(".", start) + 1
    shown, display_start, display_end = display_span(clause["text"], text[start:end])
    return {
        "n": 1, "clause_id": clause["id"], "document_id": document["id"], "document_title": document["title"],
        "document_number": document["number"], "source_name": document["source_name"], "province": "Bến Tre",
        "province_current": document["province_current"], "province_label": document["province_label"],
        "date": document["date"], "path": clause["path"],
        "trail": clause["trail"], "quote": text[start:end], "start": start, "end": end, "related": False,
        "quote_display": shown, "display_start": display_start, "display_end": display_end, "figures": [],
        "source_line": source_line(
            number=document["number"], title=document["title"], source_name=document["source_name"],
            date=document["date"], province="Bến Tre", province_current=document["province_current"],
            path=clause["path"], language="vi",
        ),
    }


# --- tests that need only the page, the documents and the facets --------------------------------------


def test_page_loads_with_local_assets_filters_and_examples(open_page):
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    p = page.page
    assert p.title() == "Hỏi đáp văn bản chính sách các tỉnh"
    # filters come from /api/facets: pre-2025 provinces and the post-2025 ones they are part of
    province = p.get_by_label("Tỉnh", exact=True)
    options = province.locator("option").all_inner_texts()
    assert any(o.startswith("Bến Tre (nay thuộc tỉnh Vĩnh Long)") for o in options), options
    assert any(o.startswith("Vĩnh Long (gồm Bến Tre, Trà Vinh)") for o in options), options
    assert "Kế hoạch" in " ".join(p.get_by_label("Loại văn bản", exact=True).locator("option").all_inner_texts())
    assert p.locator("button.example").count() >= 4
    # the question box has the focus on load, ready to type
    assert p.evaluate("document.activeElement.id") == "question"
    page.shot("desktop-home.png")
    phone = open_page(PHONE)
    phone.shot("phone-home.png")
    # on a phone the filters fold behind a labelled toggle
    toggle = phone.page.get_by_role("button", name=re.compile("^Bộ lọc"))
    assert not phone.page.get_by_label("Tỉnh", exact=True).is_visible()
    toggle.click()
    assert phone.page.get_by_label("Tỉnh", exact=True).is_visible()
    # a year filter says how many undated documents it leaves out (the sample has 3)
    note = p.locator("#year-note")
    assert not note.is_visible()
    p.get_by_label("Năm từ", exact=True).select_option("2024")
    expect(note).to_have_text("3 văn bản không ghi năm bị loại khi lọc theo năm.")
    # the corpus the answers come from, in the welcome text
    expect(p.locator("#corpus-note")).to_have_text(re.compile(r"^Đang tra cứu 5 văn bản, \d+ điều khoản\.$"))
    page.assert_clean()
    phone.assert_clean()


def test_shift_enter_filters_copy_export_and_server_errors(open_page, browser, ui_server, hydro_citation):
    """Client behaviour on a fixed stream: the request body, the copy/export actions and both kinds of error."""
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    p = page.page
    p.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_server.base_url)
    sent: list[dict] = []
    replies = [
        {"status": 500, "content_type": "application/json", "body": json.dumps({"detail": "internal server error"})},
        {"status": 200, "content_type": "text/event-stream", "body": sse(
            ("meta", {"intent": "lookup", "supported": True, "language": "vi", "provinces": []}),
            ("error", {"detail": "mất kết nối tới chỉ mục"}),
        )},
        {"status": 200, "content_type": "text/event-stream", "body": sse(
            ("meta", {"intent": "aggregate", "supported": True, "language": "vi",
                      "provinces": [{"name": "Bến Tre", "current": "Vĩnh Long", "citations": [1]}]}),
            ("citation", hydro_citation),
            ("delta", {"text": "Có 1 tỉnh có nội dung về vấn đề này:\n"}),
            ("delta", {"text": "- Bến Tre (nay thuộc tỉnh Vĩnh Long): “phát triển dự án Khu tổ hợp hydro xanh"}),
            ("delta", {"text": " Bến Tre.” [1]"}),
            ("done", {"answer": "Có 1 tỉnh có nội dung về vấn đề này:\n- Bến Tre (nay thuộc tỉnh Vĩnh Long): "
                                "“phát triển dự án Khu tổ hợp hydro xanh Bến Tre.” [1]", "supported": True}),
            newline="\r\n",
        )},
    ]

    def fulfil(route):
        sent.append(json.loads(route.request.post_data))
        route.fulfill(**replies[len(sent) - 1])

    p.route("**/api/ask/stream", fulfil)
    box = p.get_by_label("Câu hỏi", exact=True)

    # Shift+Enter is a new line, not a send
    box.fill("dòng một")
    box.press("Shift+Enter")
    box.type("dòng hai")
    assert box.input_value() == "dòng một\ndòng hai"
    assert sent == []

    # an HTTP error: a readable message, and the box stays usable
    turn = page.ask("hydro xanh")
    assert turn.get_attribute("data-state") == "error"
    expect(turn.get_by_role("alert")).to_contain_text("Máy chủ đang gặp lỗi (mã 500)")
    assert box.is_enabled() and p.get_by_role("button", name="Gửi", exact=True).is_enabled()
    page.shot("desktop-error.png")

    # an error event in the stream
    turn = page.ask("hydro xanh", submit="button")
    expect(turn.get_by_role("alert")).to_contain_text("mất kết nối tới chỉ mục")

    # the filters travel with the question, and with the export link
    p.get_by_label("Tỉnh", exact=True).select_option("Bến Tre")
    p.get_by_label("Loại văn bản", exact=True).select_option("Kế hoạch")
    turn = page.ask("Tỉnh nào cam kết phát triển dự án hydro xanh?")
    assert sent[-1] == {
        "question": "Tỉnh nào cam kết phát triển dự án hydro xanh?",
        "filters": {"province": "Bến Tre", "doc_type": "Kế hoạch", "year_from": None, "year_to": None},
    }
    assert turn.get_attribute("data-state") == "done"
    expect(turn.locator(".answer-text")).to_contain_text("Bến Tre")
    export = turn.get_by_role("link", name="Xuất nguồn (CSV)")
    href = export.get_attribute("href")
    assert href.startswith("/api/search/export?")
    assert "format=csv" in href and "province=B%E1%BA%BFn+Tre" in href and "q=T%E1%BB%89nh+n%C3%A0o" in href
    with ui_server.client() as client:  # the link works against the real endpoint
        response = client.get(href)
    assert response.status_code == 200 and "text/csv" in response.headers["content-type"]
    assert "hydro xanh" in response.text

    # copy the answer with its numbered sources
    turn.get_by_role("button", name="Sao chép câu trả lời kèm nguồn").click()
    expect(turn.locator(".copy-status")).to_have_text("Đã sao chép.")
    copied = p.evaluate("navigator.clipboard.readText()")
    assert "Bến Tre" in copied and "Nguồn:" in copied
    assert f"[1] {hydro_citation['source_line']}" in copied, copied
    assert "Bến Tre (nay thuộc tỉnh Vĩnh Long) · mục II › 1 › 1.2" in hydro_citation["source_line"]
    # a stream that arrives at once still gets a readable time, never "0,0 giây"
    assert re.fullmatch(r"dưới 0,1 giây|\d+,\d giây", turn.locator(".elapsed").inner_text())

    # the [1] in the text opens the clause: sub-span highlighted inside the whole clause, in view
    turn.locator(".answer-text").get_by_role("button", name=re.compile("^Mở nguồn 1")).click()
    cited = p.locator("#panel .clause.cited")
    expect(cited).to_contain_text("Tập trung đầu tư thực hiện hạ tầng điện")
    expect(cited.locator("mark.quote")).to_have_text("phát triển dự án Khu tổ hợp hydro xanh Bến Tre.")
    page.assert_clean()


def test_linked_clause_renders_markup_as_text(open_page, ui_server):
    """An uploaded plan with <script> and <img onerror> in a bullet: shown as characters, nothing runs."""
    from playwright.sync_api import expect

    with ui_server.client() as client:
        response = client.post(
            "/api/documents", headers={"X-API-Key": API_KEY},
            files={"file": ("ke-hoach-thu-nghiem-hien-thi.txt", INJECTION_DOC.encode(), "text/plain")},
        )
        assert response.status_code in (200, 201), response.text
        document_id = response.json()["document"]["id"]
        try:
            clauses = client.get(f"/api/documents/{document_id}").json()["clauses"]
            clause = next(c for c in clauses if "<script>" in c["text"])
            page = open_page(DESKTOP, f"/#clause={clause['id']}")
            p = page.page
            cited = p.locator("#panel .clause.cited")
            expect(cited).to_contain_text('<script>window.__pwned=1</script> và <img src=x onerror="window.__pwned=1">')
            assert p.locator("#panel script, #panel img").count() == 0
            p.wait_for_timeout(300)
            assert p.evaluate("typeof window.__pwned") == "undefined"
            page.shot("injection-linked.png")

            # and through an answer
            p.keyboard.press("Escape")
            turn = page.ask(INJECTION_QUESTION)
            assert turn.get_attribute("data-state") == "done", turn.inner_text()
            card = turn.locator(".citation-card").filter(has_text="quan trắc độ mặn").first
            card.click()
            expect(cited).to_contain_text("<script>window.__pwned=1</script>")
            assert p.locator("script:not([src]), #messages img, #panel img").count() == 0
            p.wait_for_timeout(300)
            assert p.evaluate("typeof window.__pwned") == "undefined"
            page.shot("injection-answer.png")
            page.assert_clean()
        finally:
            client.delete(f"/api/documents/{document_id}", headers={"X-API-Key": API_KEY})


# --- tests against the real ask endpoint --------------------------------------------------------------


def test_green_hydrogen_answer_cites_ben_tre_and_opens_the_clause(open_page, ui_server):
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    p = page.page
    started = time.monotonic()
    p.get_by_role("button", name="Tỉnh nào cam kết phát triển dự án hydro xanh?").click()
    turn = p.locator("li.msg.assistant").last
    expect(turn).to_have_attribute("data-state", FINISHED, timeout=ANSWER_TIMEOUT_MS)
    elapsed = time.monotonic() - started
    assert turn.get_attribute("data-state") == "done", turn.inner_text()
    expect(turn.locator(".answer-text")).to_contain_text("Bến Tre")
    assert turn.locator(".citations .citation-card").count() >= 1
    expect(p.locator("li.msg.user .question-text").last).to_have_text("Tỉnh nào cam kết phát triển dự án hydro xanh?")
    page.shot("desktop-answer.png")

    # click the [n] marker that follows Bến Tre in the answer
    turn.locator(".answer-text button.cite-ref[aria-label*='Bến Tre']").first.click()
    panel = p.get_by_role("complementary")
    expect(panel).to_be_visible()
    expect(p.locator("#panel-info")).to_contain_text("Bến Tre (nay thuộc tỉnh Vĩnh Long)")
    expect(p.locator("#panel-info .trail")).to_contain_text("NHIỆM VỤ")
    highlighted = p.locator("#panel .clause.cited")
    expect(highlighted).to_contain_text("hydro xanh")
    expect(highlighted.locator("mark.quote")).to_contain_text("hydro xanh")
    assert p.locator("#panel .clause").count() > 20  # the whole document, not just the clause
    assert cited_clause_in_view(p)
    page.shot("panel.png")

    # Esc closes the panel and gives focus back to the marker
    p.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert p.evaluate("document.activeElement.classList.contains('cite-ref')")
    # the citation card opens the same clause
    turn.locator(".citation-card").first.click()
    expect(highlighted).to_contain_text("hydro xanh")
    print(f"hydro answer in {elapsed:.1f} s")
    page.assert_clean()


def test_question_without_diacritics_on_a_phone(open_page, ui_server):
    from playwright.sync_api import expect

    page = open_page(PHONE)
    p = page.page
    turn = page.ask("du an dien gio ngoai khoi")
    assert turn.get_attribute("data-state") == "done", turn.inner_text()
    expect(p.locator(".msg.user .question-reading").last).to_have_text("Đọc là: dự án điện gió ngoài khơi")
    assert turn.locator(".answer-text button.cite-ref").count() >= 1
    assert turn.locator(".citation-card:not(.related)").count() >= 1
    expect(turn).to_contain_text("điện gió ngoài khơi")
    # nothing wider than the phone
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.shot("phone-answer.png")

    turn.locator(".citation-card").first.click()
    panel = p.locator("#panel")
    expect(panel.locator(".clause.cited")).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] == 0 and box["width"] == PHONE["width"] and box["height"] == PHONE["height"]  # full screen
    assert cited_clause_in_view(p)
    page.shot("phone-panel.png")
    p.get_by_role("button", name="Đóng văn bản (Esc)").click()
    expect(panel).to_be_hidden()
    page.assert_clean()


def test_unanswerable_question_shows_not_found(open_page, ui_server):
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    turn = page.ask("Kế hoạch xây dựng nhà máy điện hạt nhân ở Đà Lạt?")
    assert turn.get_attribute("data-state") == "unsupported", turn.inner_text()
    expect(turn.locator(".not-found")).to_contain_text("Không tìm thấy nội dung phù hợp")
    assert turn.locator(".citation-card:not(.related)").count() == 0
    related = turn.locator(".related-citations .citation-card")
    if related.count():  # "có thể liên quan" clauses are shown apart from sources
        expect(turn.locator(".related-citations")).to_contain_text("Có thể liên quan")
    page.shot("desktop-not-found.png")
    # the conversation stays: a second question is appended below the first
    page.ask("du an dien gio ngoai khoi")
    assert page.page.locator("li.msg.assistant").count() == 2
    expect(page.page.locator("li.msg.assistant").first.locator(".not-found")).to_be_visible()
    page.assert_clean()


# --- the page as a newcomer meets it ------------------------------------------------------------------


def layout_holds(page) -> dict:
    """Where the newest question and the first line of its answer are in the conversation pane, and
    whether anything lies outside the window (the page itself must never scroll)."""
    return page.evaluate(
        """() => {
            const pane = document.querySelector('#conversation').getBoundingClientRect();
            const question = [...document.querySelectorAll('li.msg.user')].at(-1).getBoundingClientRect();
            const answer = [...document.querySelectorAll('li.msg.assistant')].at(-1);
            const first = (answer.querySelector('.answer-text, .not-found') || answer).getBoundingClientRect();
            const root = document.documentElement;
            return {
                questionTop: question.top - pane.top, firstLineBottom: first.top + 24 - pane.top,
                paneHeight: pane.height, pageHeight: root.scrollHeight, pageWidth: root.scrollWidth,
                windowHeight: innerHeight, windowWidth: innerWidth,
            };
        }"""
    )


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_newest_answer_starts_at_the_top_of_the_pane(open_page, ui_server, viewport, name):
    """After each answer the official sees the question and the first line of its answer, not the last
    source card; and nothing lies outside the window."""
    page = open_page(viewport)
    questions = ("Tỉnh nào cam kết phát triển dự án hydro xanh?", "Những tỉnh nào có kế hoạch đầu tư cảng hàng không?")
    for question in questions:
        turn = page.ask(question)
        assert turn.get_attribute("data-state") == "done", turn.inner_text()
        where = layout_holds(page.page)
        assert 0 <= where["questionTop"] <= 24, where
        assert where["firstLineBottom"] <= where["paneHeight"], where
        assert where["pageHeight"] == where["windowHeight"] and where["pageWidth"] == where["windowWidth"], where
        page.shot(f"{name}-answer-in-view.png")
    page.assert_clean()


def test_each_quote_is_shown_once_in_the_answer_and_once_in_its_card(open_page, ui_server):
    page = open_page(DESKTOP)
    question = "Mục tiêu tỷ lệ đô thị hóa của Kon Tum đến năm 2030 là bao nhiêu?"
    turn = page.ask(question)
    assert turn.get_attribute("data-state") == "done", turn.inner_text()
    with ui_server.client() as client:
        citations = client.post("/api/ask", json={"question": question}).json()["citations"]
    assert citations
    text = turn.inner_text()
    for citation in citations:
        opening = citation["quote_display"][:60]
        assert text.count(opening) == 2, (opening, text)
        assert turn.locator(".answer-text .quote").filter(has_text=opening).count() == 1
        card_quote = turn.locator(f".citation-card[data-n='{citation['n']}'] .card-quote")
        assert card_quote.filter(has_text=opening).count() == 1
    # the figure that answers "bao nhiêu" is marked in the answer and in its card
    assert "52%" in turn.locator(".answer-text mark.figure").all_inner_texts()
    assert "52%" in turn.locator(".card-quote mark.figure").all_inner_texts()
    # a source card: number and date first, the short title with the full one on hover
    card = turn.locator(".citation-card").first
    title = card.locator(".card-title")
    assert title.get_attribute("title") == citations[0]["document_title"]
    year, month, day = citations[0]["date"].split("-")
    number = f"Số {citations[0]['document_number']} · " if citations[0]["document_number"] else ""
    assert card.locator(".card-meta").inner_text().startswith(f"{number}{day}/{month}/{year}")
    page.shot("desktop-figures.png")
    page.assert_clean()


def test_an_ocr_source_shows_its_restored_reading_beside_the_printed_quote(open_page, ui_server):
    page = open_page(DESKTOP)
    question = "Kiên Giang có kế hoạch đầu tư đường cao tốc nào?"
    turn = page.ask(question)
    with ui_server.client() as client:
        citations = client.post("/api/ask", json={"question": question}).json()["citations"]
    ocr = [citation for citation in citations if citation["restored_text"]]
    assert ocr, [citation["source_name"] for citation in citations]
    card = turn.locator(f".citation-card[data-n='{ocr[0]['n']}']")
    assert card.locator(".card-quote").filter(has_text=ocr[0]["quote_display"][:40]).count() == 1
    restored = card.locator(".card-restored").inner_text()
    assert restored.startswith("Văn bản OCR, cách đọc đã khôi phục:") and ocr[0]["restored_text"][:30] in restored
    clean = [citation for citation in citations if not citation["restored_text"]]
    for citation in clean:
        assert turn.locator(f".citation-card[data-n='{citation['n']}'] .card-restored").count() == 0
    page.shot("desktop-ocr-restored.png")
    page.assert_clean()


# Vietnamese words of the page's frame that an English answer must not show.
VIETNAMESE_FRAME = ["Nguồn", "Có thể liên quan", "Sao chép", "Xuất nguồn", "giây", "nay thuộc", "Mục ", "mục ",
                    "Số ", "Không tìm thấy", "province(s)"]


def test_an_english_question_gets_an_english_answer_throughout(open_page, ui_server):
    from playwright.sync_api import expect

    page = open_page(DESKTOP)
    turn = page.ask("Which provinces plan to develop green hydrogen?")
    assert turn.get_attribute("data-state") == "done", turn.inner_text()
    assert turn.get_attribute("lang") == "en"
    # the frame without the documents' own words (quotes, titles, headings stay as the documents wrote them)
    frame = turn.evaluate(
        """el => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll('.quote, .card-quote, .card-title, .card-trail').forEach(q => q.remove());
            return copy.innerText;
        }"""
    )
    assert [word for word in VIETNAMESE_FRAME if word in frame] == [], frame
    assert "now part of" in frame and "Sources (" in frame and "Section " in frame
    expect(turn.get_by_role("button", name="Copy the answer with its sources")).to_be_visible()
    turn.locator(".citation-card").first.click()
    expect(page.page.locator("#panel-info")).to_contain_text("Province:")
    page.shot("desktop-english.png")
    page.assert_clean()


def test_the_answer_streams_in_visibly(open_page, ui_server):
    """The text is painted in several steps while it arrives, with a caret, not all at once."""
    page = open_page(DESKTOP)
    page.page.evaluate(
        """() => {
            window.__seen = [];
            new MutationObserver(() => {
                const text = document.querySelector('li.msg.assistant:last-child .answer-text');
                const caret = document.querySelector('li.msg.assistant:last-child .caret');
                if (text) window.__seen.push([text.textContent.length, Boolean(caret)]);
            }).observe(document.querySelector('#messages'), {childList: true, subtree: true});
        }"""
    )
    turn = page.ask("Tỉnh nào cam kết phát triển dự án hydro xanh?")
    assert turn.get_attribute("data-state") == "done"
    seen = page.page.evaluate("window.__seen")
    lengths = sorted({length for length, caret in seen if caret})
    assert len(lengths) >= 5, seen  # painted in at least five growing steps while streaming
    assert turn.locator(".caret").count() == 0
    page.assert_clean()


def test_while_the_server_loads_the_page_says_what_it_waits_for(open_page, ui_server):
    """/health answers 503 while the model and index load: the page shows a waiting state, keeps the send
    button off, and turns ready by itself when /health says ok."""
    from playwright.sync_api import expect

    page = open_page(PHONE, path=None)
    p = page.page
    loading = {"on": True}

    def health(route):
        if loading["on"]:
            route.fulfill(status=503, content_type="application/json",
                          body=json.dumps({"status": "loading", "detail": "loading the embedding model"}))
        else:
            route.continue_()

    p.route("**/health", health)
    page.open("/", ready=False)
    status = p.get_by_role("status").filter(has_text="Máy chủ đang khởi động")
    expect(status).to_be_visible()
    expect(status).to_contain_text("đang tải mô hình ngôn ngữ và chỉ mục tìm kiếm")
    expect(p.get_by_role("button", name="Gửi", exact=True)).to_be_disabled()
    assert p.locator("button.example").first.is_disabled()
    expect(status).to_contain_text("giây")  # the wait is counted
    page.shot("phone-loading.png")
    loading["on"] = False
    expect(p.get_by_role("button", name="Gửi", exact=True)).to_be_enabled(timeout=5_000)
    expect(p.locator("#server-status")).to_be_hidden()
    expect(p.locator("#corpus-note")).to_contain_text("Đang tra cứu 5 văn bản")
    page.assert_clean()


def test_every_control_shows_where_the_focus_is(open_page, ui_server):
    page = open_page(DESKTOP)
    p = page.page
    turn = page.ask("du an dien gio ngoai khoi")
    assert turn.get_attribute("data-state") == "done"
    outline = "() => { const s = getComputedStyle(document.activeElement); " \
              "return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    seen = []
    for _ in range(30):  # walk the page with Tab (round past its end): every stop has a visible outline
        p.keyboard.press("Tab")
        tag, style, width = p.evaluate(outline)
        seen.append(tag)
        if tag != "BODY":  # the browser's own stop between the last control and the first
            assert style != "none" and width >= 2, (tag, style, width, seen)
    assert {"A", "SELECT", "BUTTON", "TEXTAREA"} <= set(seen), seen
    turn.locator(".citation-card").first.click()
    tag, style, width = p.evaluate(outline)
    assert p.evaluate("document.activeElement.id") == "panel-title" and style != "none" and width >= 2
    page.shot("panel-focus.png")
    page.assert_clean()


def test_redoc_loads_nothing_from_elsewhere(open_page, ui_server):
    page = open_page(DESKTOP, path=None)
    page.open("/redoc", ready=False)
    page.page.wait_for_selector("text=vnpolicy", timeout=30_000)
    page.page.wait_for_timeout(500)
    assert page.blocked == ["https://cdn.redoc.ly/redoc/logo-mini.svg"], page.blocked  # asked for, never sent
    page.assert_clean()
