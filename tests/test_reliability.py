"""Fault injection: hostile documents, an empty store, decompression bombs, a server killed mid-upload,
a full disk, damaged index files and database, an unreadable file in a batch — and in each case,
nothing already indexed changes.

Servers are real (`vnpolicy serve` in a child process, or uvicorn in a thread over a real service);
faults are real where the machine allows it (kill -9, truncated and corrupted files, /proc/self/mem
as a file whose read fails with EIO) and injected only for a full disk (an OSError from the index write).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, SAMPLE, sample_file
from tests.support.server import prepare_home, sharing_model, spawned_server, threaded_server
from vnpolicy.api.validation import InvalidRequest

KEY = "do-tin-cay-7b2e"
AUTH = {"X-API-Key": KEY}
SERVER_ENV = {"VNPOLICY_API_KEY": KEY, "VNPOLICY_API_KEY_FILE": "", "VNPOLICY_READ_KEY_REQUIRED": "",
              "VNPOLICY_MAX_FILE_MB": "20"}
LONG_NUMBER_PLAN = "I. MỤC TIÊU\n\n1. Vốn đầu tư " + "9" * 5000 + " đồng cho trạm quan trắc mặn tự động.\n"
RESTART_DEADLINE_S = 10.0
MEMORY_CEILING_MB = 200  # growth of the server's peak RSS allowed while it refuses both bombs


# --- helpers -------------------------------------------------------------------------------------


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", str(home), *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600,
    )


def corpus(client: httpx.Client) -> list[tuple[str, int]]:
    """What the server serves: each document's id and clause count."""
    return [(doc["id"], doc["clause_count"]) for doc in client.get("/api/documents").json()]


def stored(home: Path) -> list[tuple[str, int]]:
    """What the store on disk holds, read apart from the server."""
    from vnpolicy.ingest.store import Store

    store = Store.open(home)
    try:
        return [(document.id, len(document.clauses)) for document in store.documents()]
    finally:
        store.close()


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post("/api/documents", files={"file": (name, data)}, headers=AUTH)


def assert_sentence(response: httpx.Response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail
    for phrase in phrases:
        assert phrase in detail, detail


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def docx_bomb(inflated_mb: int, single_text_node: bool) -> bytes:
    """A .docx whose word/document.xml inflates to `inflated_mb` MB: many paragraphs, or one text node."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            if single_text_node:
                part.write(b"<w:p><w:r><w:t>")
            paragraph = "<w:p><w:r><w:t>Phát triển</w:t></w:r></w:p>".encode()
            unit = b"A" * (1 << 20) if single_text_node else paragraph * 20000
            for _ in range((inflated_mb << 20) // len(unit)):
                part.write(unit)
            if single_text_node:
                part.write(b"</w:t></w:r></w:p>")
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


# --- a server over the sample corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory, model_home: Path, sample_service) -> Path:
    """The sample corpus stored and indexed (vectors shared from the session's service), kept pristine:
    tests copy it instead of writing to it."""
    home = tmp_path_factory.mktemp("reliability-sample")
    prepare_home(home, model_home)
    assert cli(home, "search", "hydro xanh", "-k", "1").returncode == 0  # indexes it, from the cached vectors
    return home


def copy_home(sample_home: Path, target: Path) -> Path:
    shutil.copytree(sample_home, target, symlinks=True, ignore=shutil.ignore_patterns("server.log"))
    return target


@pytest.fixture(scope="module")
def server(sample_home: Path, tmp_path_factory) -> Iterator:
    home = copy_home(sample_home, tmp_path_factory.mktemp("reliability-server") / "home")
    with spawned_server(home, SERVER_ENV) as running:
        yield running


@pytest.fixture(scope="module")
def client(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=300) as http:
        yield http


pytestmark = pytest.mark.slow


def test_a_5000_digit_number_is_indexed_and_nothing_else_changes(client) -> None:
    before = corpus(client)
    response = upload(client, "von-dau-tu.txt", LONG_NUMBER_PLAN.encode())
    assert response.status_code == 201, response.text
    document_id = response.json()["document"]["id"]
    hits = client.get("/api/search", params={"q": "trạm quan trắc mặn"}).json()["hits"]
    assert hits and hits[0]["document_id"] == document_id
    assert client.get("/api/search", params={"q": "9" * 5000}).status_code == 422  # over the query length limit
    assert client.delete(f"/api/documents/{document_id}", headers=AUTH).status_code == 204
    assert corpus(client) == before


def test_queries_of_invisible_characters_find_nothing(client) -> None:
    for query in ("\u200b\u200b", "\u200d\ufeff\u2060", "\u00ad", "…", "\u0301"):
        response = client.get("/api/search", params={"q": query})
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            assert response.json()["hits"] == [], query


def test_docx_bombs_are_refused_within_a_memory_ceiling(server, client) -> None:
    before = corpus(client)
    peak_before = peak_rss_mb(server.process.pid)
    for inflated_mb, single_node in ((1024, False), (1536, True)):
        bomb = docx_bomb(inflated_mb, single_node)
        assert len(bomb) < 4 << 20  # a few MB on the wire
        started = time.monotonic()
        assert_sentence(upload(client, "bom.docx", bomb), 413, "inflates to more than")
        assert time.monotonic() - started < 30
    assert peak_rss_mb(server.process.pid) - peak_before < MEMORY_CEILING_MB
    assert corpus(client) == before


# --- an empty data directory ----------------------------------------------------------------------


def test_an_empty_data_directory_serves_accepts_the_first_document_and_deletes_the_last(
    tmp_path: Path, model_home: Path
) -> None:
    home = sharing_model(tmp_path / "empty", model_home)
    with spawned_server(home, SERVER_ENV) as running, httpx.Client(base_url=running.base_url, timeout=300) as http:
        assert http.get("/health").json() == {
            "status": "ok", "documents": 0, "clauses": 0, "indexed_clauses": 0, "not_indexed": {},
            "clause_note": "0 clauses, 0 indexed",
        }
        assert http.get("/api/search", params={"q": "hydro xanh"}).json()["hits"] == []
        response = upload(http, sample_file("001").name, sample_file("001").read_bytes())
        assert response.status_code == 201, response.text
        document_id = response.json()["document"]["id"]
        assert http.get("/api/search", params={"q": "Cảng hàng không Măng Đen"}).json()["hits"]
        assert http.delete(f"/api/documents/{document_id}", headers=AUTH).status_code == 204
        assert http.get("/api/documents").json() == []
        assert http.get("/api/search", params={"q": "Cảng hàng không Măng Đen"}).json()["hits"] == []
    assert stored(home) == []

    # The CLI: a batch of only a file with no text layer, then a search, on another new directory.
    cli_home = sharing_model(tmp_path / "empty-cli", model_home)
    scanned = tmp_path / "scan.pdf"
    _blank_pdf(scanned)
    ingest = cli(cli_home, "ingest", str(scanned))
    assert ingest.returncode == 1 and "no text layer" in ingest.stdout and "Traceback" not in ingest.stderr
    search = cli(cli_home, "search", "hydro xanh")
    assert search.returncode == 0 and "No matching clause." in search.stdout, search.stderr


def _blank_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as handle:
        writer.write(handle)


# --- kill -9 during an upload ---------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_a_server_killed_during_an_upload_restarts_on_the_previous_snapshot_within_10_s(
    sample_home: Path, tmp_path: Path
) -> None:
    home = copy_home(sample_home, tmp_path / "home")
    big = ("KẾ HOẠCH\n\nI. MỤC TIÊU\n\n" + "".join(
        f"{n}. Đầu tư xây dựng trạm bơm số {n} chống hạn mặn cho vùng trồng lúa.\n\n" for n in range(1, 6000)
    )).encode()
    with spawned_server(home, SERVER_ENV) as running:
        with httpx.Client(base_url=running.base_url, timeout=300) as http:
            before = corpus(http)
        outcome: dict = {}

        def send() -> None:
            try:
                with httpx.Client(base_url=running.base_url, timeout=300) as http:
                    outcome["response"] = upload(http, "tram-bom.txt", big)
            except httpx.TransportError as error:
                outcome["error"] = error

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(3.0)  # the upload is being parsed or indexed
        parser = children(running.process.pid)  # the parsing child the upload started
        running.process.send_signal(signal.SIGKILL)
        running.process.wait()
        sender.join(60)
        assert "error" in outcome, "the upload finished before the kill; make it larger"
        assert parser, "no parsing child was running"
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in parser) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(Path(f"/proc/{pid}").exists() for pid in parser), "the parsing child outlived the server"

    started = time.monotonic()
    with spawned_server(home, SERVER_ENV) as restarted, httpx.Client(base_url=restarted.base_url) as http:
        ready_after = time.monotonic() - started
        assert ready_after < RESTART_DEADLINE_S, f"served after {ready_after:.1f} s"
        assert corpus(http) == before == stored(home)  # the interrupted write never happened
        assert http.get("/api/search", params={"q": "hydro xanh"}).json()["hits"]
        assert "catching_up" not in http.get("/health").json()


def test_a_restart_serves_the_snapshot_at_once_and_catches_up_in_the_background(
    sample_home: Path, tmp_path: Path
) -> None:
    # The store holds a document the snapshot does not (e.g. written by an older version that committed
    # before indexing): the server answers from the snapshot, then catches up and says so in /health.
    from vnpolicy.ingest.pipeline import ingest_paths
    from vnpolicy.ingest.store import Store

    home = copy_home(sample_home, tmp_path / "home")
    extra = tmp_path / "tram-bom.txt"
    extra.write_text("I. MỤC TIÊU\n\n1. Xây dựng trạm bơm chống hạn mặn cho vùng trồng lúa.\n", encoding="utf-8")
    store = Store.open(home)
    ingest_paths([extra], store)
    store.close()
    with spawned_server(home, SERVER_ENV) as running, httpx.Client(base_url=running.base_url) as http:
        seen = [answer for answer in running.startup if answer["status_code"] == 200]
        first = seen[0]
        assert first["documents"] in (len(stored(home)) - 1, len(stored(home)))
        deadline = time.monotonic() + 120
        while "catching_up" in (health := http.get("/health").json()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert health["documents"] == len(stored(home))
        assert corpus(http) == stored(home)
        assert http.get("/api/search", params={"q": "trạm bơm chống hạn mặn"}).json()["hits"]


# --- a full disk -----------------------------------------------------------------------------------


def test_a_full_disk_during_the_index_write_changes_nothing_and_says_so(
    sample_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vnpolicy.api.app import create_app
    from vnpolicy.api.service import VnPolicy
    from vnpolicy.index.lexical import LexicalIndex

    home = copy_home(sample_home, tmp_path / "home")
    monkeypatch.setenv("VNPOLICY_API_KEY", KEY)
    service = VnPolicy(home)
    real_save = LexicalIndex.save

    def disk_full(self, directory: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(directory))

    with threaded_server(create_app(service)) as base_url, httpx.Client(base_url=base_url, timeout=300) as http:
        while http.get("/health").status_code != 200:
            time.sleep(0.1)
        before = corpus(http)
        snapshot_files = sorted(p.relative_to(home) for p in (home / "index").rglob("*") if "docs" not in p.parts)
        monkeypatch.setattr(LexicalIndex, "save", disk_full)
        assert_sentence(upload(http, "tram-bom.txt", LONG_NUMBER_PLAN.encode()), 507, "No space left on device",
                        "nothing was stored")
        victim = before[0][0]
        assert_sentence(http.delete(f"/api/documents/{victim}", headers=AUTH), 507, "nothing was stored")
        assert corpus(http) == before == stored(home)
        assert sorted(p.relative_to(home) for p in (home / "index").rglob("*") if "docs" not in p.parts) == (
            snapshot_files
        )
        monkeypatch.setattr(LexicalIndex, "save", real_save)  # space again: the same write now succeeds
        assert upload(http, "tram-bom.txt", LONG_NUMBER_PLAN.encode()).status_code == 201
        assert len(corpus(http)) == len(before) + 1 == len(stored(home))


# --- damaged index files and database ----------------------------------------------------------------

DAMAGES = {
    "emptied": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "corrupted in place": lambda data: data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF])
    + data[len(data) // 2 + 1 :],
}


def test_every_damaged_index_file_is_rebuilt_from_the_store_and_reported(
    sample_home: Path, tmp_path: Path, embedder
) -> None:
    from vnpolicy.index.persist import IndexManager
    from vnpolicy.ingest.store import Store

    query = "dự án điện gió ngoài khơi"
    home = copy_home(sample_home, tmp_path / "home")
    store = Store.open(home)
    manager = IndexManager(home, embedder)
    retriever, in_step = manager.open(store)
    assert in_step and manager.repairs == []
    expected = [(hit.clause_id, hit.score) for hit in retriever.search(query)]
    documents = stored(home)
    snapshot = manager._current()
    files = sorted(path.relative_to(snapshot) for path in snapshot.rglob("*") if path.is_file())
    names = {str(file) for file in files}
    assert {"manifest.json", "documents.json", "vectors.npy", "dense.faiss", "accentless.npy"} <= names
    cache = sorted(manager.docs_dir.glob("*.npz"))[0]
    # Every file damaged, each damage on a third of them in turn (every pair took a minute on 2 AVX2 cores).
    damages = list(DAMAGES)
    cases = [(snapshot_file, damages[n % len(damages)]) for n, snapshot_file in enumerate(files)]
    for relative, damage in [*cases, *((cache, damage) for damage in DAMAGES)]:
        snapshot = manager._current()
        path = cache if relative == cache else snapshot / relative
        path.write_bytes(DAMAGES[damage](path.read_bytes()))
        manager = IndexManager(home, embedder)
        retriever, in_step = manager.open(store)
        if relative == cache:  # a document's cache is read when an index is built: on the next write
            retriever = manager.sync(store)
        assert in_step, (relative, damage)
        assert [(hit.clause_id, hit.score) for hit in retriever.search(query)] == expected, (relative, damage)
        assert manager.repairs, (relative, damage)
        assert stored(home) == documents
    store.close()


def test_an_index_of_an_older_format_is_rebuilt_and_then_removed(
    sample_home: Path, tmp_path: Path, embedder
) -> None:
    from vnpolicy.index.persist import FORMAT_VERSION, IndexManager
    from vnpolicy.ingest.store import Store

    home = copy_home(sample_home, tmp_path / "home")
    manager = IndexManager(home, embedder)
    older = manager.root.with_name(manager.root.name.removesuffix(f"v{FORMAT_VERSION}") + f"v{FORMAT_VERSION - 1}")
    other_model = manager.root.with_name(f"another-model-v{FORMAT_VERSION}")
    shutil.copytree(manager.root, older)
    shutil.copytree(manager.root, other_model)
    shutil.rmtree(manager.root)  # as after an upgrade: only the older format is on disk
    store = Store.open(home)
    retriever, in_step = IndexManager(home, embedder).open(store)
    store.close()
    assert in_step and retriever.search("dự án điện gió ngoài khơi")
    assert manager.root.is_dir() and not older.exists()
    assert other_model.is_dir()  # another model's index is kept: the model may be switched back


def test_health_reports_a_repaired_index_file(sample_home: Path, tmp_path: Path, monkeypatch) -> None:
    from vnpolicy.api.app import create_app
    from vnpolicy.api.service import VnPolicy

    home = copy_home(sample_home, tmp_path / "home")
    snapshot = next((home / "index").glob("*/snapshot-*"))
    next(snapshot.glob("exact/*.npy")).write_bytes(b"")
    with threaded_server(create_app(VnPolicy(home))) as base_url:
        deadline = time.monotonic() + 120
        while (health := httpx.get(f"{base_url}/health")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        body = health.json()
        assert body["documents"] == len(stored(home)) and any("rebuilt from the store" in r for r in body["repairs"])


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_database_is_one_sentence_with_its_path(sample_home: Path, tmp_path: Path, damage: str) -> None:
    home = copy_home(sample_home, tmp_path / "home")
    database = home / "vnpolicy.db"
    for side in ("vnpolicy.db-wal", "vnpolicy.db-shm"):
        (home / side).unlink(missing_ok=True)
    data = database.read_bytes()
    database.write_bytes(b"not a database " * 100 if damage == "garbage" else data[: len(data) // 3])
    for command in (["documents"], ["search", "hydro xanh"]):
        result = cli(home, *command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        message = result.stderr.strip().splitlines()
        assert len(message) == 1 and str(database) in message[0] and "damaged" in message[0], message


# --- an unreadable file in a CLI batch -----------------------------------------------------------------


def test_an_unreadable_file_fails_alone_and_the_rest_of_the_batch_is_stored_and_indexed(
    tmp_path: Path, model_home: Path
) -> None:
    home = sharing_model(tmp_path / "home", model_home)
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(sample_file("001"), batch / "a.txt")
    (batch / "b-io-error.txt").symlink_to("/proc/self/mem")  # a real read that fails with EIO
    shutil.copy(sample_file("004"), batch / "c.txt")
    unreadable = []
    if os.geteuid() != 0:  # root reads any file whatever its mode: there, the EIO file stands for both
        locked = batch / "b-no-permission.txt"
        shutil.copy(sample_file("002"), locked)
        locked.chmod(0)
        unreadable.append(locked.name)
    result = cli(home, "ingest", str(batch))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "b-io-error.txt: " in result.stdout and "Input/output error" in result.stdout, result.stdout
    for name in unreadable:
        assert f"{name}: " in result.stdout and "Permission denied" in result.stdout
    assert "2 of " in result.stdout  # a.txt and c.txt
    names = {doc["source_name"] for doc in json.loads(cli(home, "documents", "--json").stdout)}
    assert names == {"a.txt", "c.txt"}
    search = cli(home, "search", "phát triển hạ tầng đô thị", "-k", "50", "--json")
    provinces = {hit["province"] for hit in json.loads(search.stdout)}
    assert provinces == {"Kon Tum", "Trà Vinh"}


# --- property: no input breaks ingest → index → search -----------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
DIGIT_RUNS = st.integers(1, 6000).map(lambda n: "9" * n)
INVISIBLE = st.text(st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u00ad\u0301\u0323\t\r\x0b\x0c"), min_size=1)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, DIGIT_RUNS, INVISIBLE, st.lists(st.one_of(TEXT, DIGIT_RUNS, INVISIBLE)).map("\n".join)))
def test_the_tokenizer_and_normaliser_are_total(text: str) -> None:
    from vnpolicy.index.tokenize import tokenize
    from vnpolicy.ingest.normalize import clean_span, folded_form, search_form

    tokens = tokenize(text)
    assert len(tokens.exact) == len(tokens.folded)
    assert all(token and not any(ch.isspace() for ch in token) for token in tokens.exact)
    search_form(text), folded_form(text), clean_span(text)  # noqa: B018 — they return, whatever the text


@pytest.fixture(scope="module")
def property_service(sample_home: Path, tmp_path_factory):
    from vnpolicy.api.service import VnPolicy

    service = VnPolicy(copy_home(sample_home, tmp_path_factory.mktemp("property") / "home"))
    service.open()
    return service


SAMPLE_TEXT = sorted(SAMPLE.glob("*.txt"))[1].read_text(encoding="utf-8")[:3000]


@st.composite
def mutated_sample(draw) -> str:
    """The start of a sample document with random text, digit runs and invisible characters spliced in."""
    text = SAMPLE_TEXT
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(TEXT, DIGIT_RUNS, INVISIBLE)) + text[at:]
    return text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.one_of(mutated_sample(), TEXT, DIGIT_RUNS.map(lambda run: f"I. MỤC TIÊU\n1. Vốn {run} đồng.")))
def test_any_upload_is_indexed_and_searchable_or_refused_with_the_store_unchanged(property_service, text: str) -> None:
    from vnpolicy.ingest.loaders import IngestError

    service = property_service
    before = [(document.id, len(document.clauses)) for document in service.store.documents()]
    try:
        report = service.add_upload("ngau-nhien.txt", text.encode("utf-8"))
    except IngestError as error:
        assert str(error)
        assert [(d.id, len(d.clauses)) for d in service.store.documents()] == before
        assert len(service.retriever.table.documents) == len(before)
        return
    try:
        service.search(text[:200])
    except InvalidRequest:  # a query with no word in it is refused with a sentence, like over HTTP
        assert not any(character.isalnum() for character in text[:200])
    service.search("hydro xanh")
    if report.status != "unchanged":
        service.delete(report.document_id)
    assert [(d.id, len(d.clauses)) for d in service.store.documents()] == before
    assert sorted(service.retriever.table.documents) == sorted(doc_id for doc_id, _ in before)
