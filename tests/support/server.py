"""The server harness of the API, UI and reliability tests (and of eval/bench_api.py): a data directory
holding the sample corpus, `vnpolicy serve` in a child process, or an app under uvicorn in a thread."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 600.0  # a fresh model home builds the model and embeds the corpus first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sharing_model(home: Path, model_home: Path, vectors: bool = False) -> Path:
    """`home` as a data directory sharing the built model of `model_home` (linked, not copied), and its
    cached vectors if asked (checked against each document's digest, so a stale one is only ignored)."""
    home.mkdir(parents=True, exist_ok=True)
    (model_home / "models").mkdir(parents=True, exist_ok=True)
    (home / "models").symlink_to((model_home / "models").resolve(), target_is_directory=True)
    if vectors and (model_home / "index").is_dir():
        shutil.copytree(model_home / "index", home / "index")
    return home


def prepare_home(home: Path, model_home: Path) -> None:
    """A data directory with the sample corpus stored, sharing `model_home`'s model and vector cache.

    The model directory is linked, not copied; the index directory is copied so that the server's
    first sync finds the sample clauses' vectors instead of embedding them again (the index checks
    every cached vector file against its document's content hash, so a stale one is only ignored).
    """
    from vnpolicy.ingest.pipeline import ingest_paths
    from vnpolicy.ingest.store import Store

    sharing_model(home, model_home, vectors=True)
    store = Store.open(home)
    try:
        failed = [report for report in ingest_paths([SAMPLE], store) if report.status == "failed"]
    finally:
        store.close()
    if failed:
        raise RuntimeError(f"the sample corpus did not ingest: {failed}")


def wait_until_healthy(base_url: str, timeout: float, process: subprocess.Popen | None = None) -> list[dict]:
    """Poll /health until 200; returns every answer seen (a 503 'loading' first, usually)."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before it was ready")
        try:
            response = httpx.get(f"{base_url}/health", timeout=5)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        seen.append({"status_code": response.status_code, **response.json()})
        if response.status_code == 200:
            return seen
        time.sleep(0.05)
    raise TimeoutError(f"{base_url} was not healthy after {timeout:.0f} s")


@dataclass
class SpawnedServer:
    base_url: str
    process: subprocess.Popen
    log: Path
    startup: list[dict]  # the /health answers seen while it started


@contextmanager
def spawned_server(
    home: Path, env: dict[str, str] | None = None, options: Sequence[str] = ()
) -> Iterator[SpawnedServer]:
    """`vnpolicy serve [options]` on `home` in a child process, on a free loopback port, ready when yielded."""
    port = free_port()
    log = home / "server.log"
    command = [
        sys.executable, "-m", "vnpolicy", "--home", str(home), "serve", "--port", str(port), "--log-level", "warning",
        *options,
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=output, stderr=output, cwd=ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        startup = wait_until_healthy(base_url, STARTUP_TIMEOUT_S, process)
        yield SpawnedServer(base_url, process, log, startup)
    except BaseException:
        sys.stderr.write(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def threaded_server(app) -> Iterator[str]:
    """An ASGI app under uvicorn in a thread of this process, on a free loopback port; yields its URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
