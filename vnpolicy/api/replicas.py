"""`vnpolicy serve --replicas N`: N server processes behind one port, all serving one index snapshot.

Why uvicorn's workers and not Ray Serve: the replicas share one listening socket, the kernel hands
each new connection to whichever replica accepts it first, and uvicorn's supervisor starts a new
process when one dies; nothing else runs, no Ray cluster is needed to serve, and each request costs
what it costs with one process. Ray Serve would put a proxy actor in front (one more hop per request
on the same two cores) and start a Ray instance beside the server; its gain, replicas spread over
machines, needs a shared data directory there too. eval/bench_scale.py measures 1 against 2 replicas.

Each replica is a `ReplicaService`, which adds to `VnPolicy`:
- one writer across processes: a write takes an exclusive lock on `<home>/.write.lock` for its whole
  length (store, vectors, snapshot), so the writer's sync sees every other replica's completed writes
  and embeds only its own new documents; the first load takes it too, so N replicas starting on an
  unindexed store build the snapshot once;
- following the snapshot: before each read a replica reads `CURRENT` (one small file, microseconds);
  when another replica has installed a new snapshot it loads it read-only (`IndexManager.load_current`:
  no embedding, no write), so a write through any replica is visible through all of them at the
  replica's next request, without a restart. A replica that cannot read it whole yet (a writer is
  replacing it) keeps answering from the snapshot it has and tries again at its next request.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI, Request

from vnpolicy.api.app import create_app
from vnpolicy.api.service import T, VnPolicy
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.pipeline import FileReport

logger = logging.getLogger("vnpolicy.api")
REPLICA_HEADER = "X-Replica"  # the pid of the process that answered: which replica served a request


class ReplicaService(VnPolicy):
    """A `VnPolicy` that shares its data directory with other processes serving it."""

    def __init__(self, home: Path | None = None, embedder_backend: str | None = None) -> None:
        super().__init__(home, embedder_backend)
        self._lock_path = self.home / ".write.lock"
        self._snapshot: str | None = None  # the name of the snapshot this replica's retriever came from

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Held by one process at a time: the writer of the store and the indexes."""
        with open(self._lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or the process dies
            yield

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            with self.exclusive():
                retriever = super().retriever  # loads, and catches up with the store, under the lock
            self._snapshot = self.indexes.current_name()
            return retriever
        self._follow()
        return self._retriever

    # Every write holds the lock across processes for its whole length.

    def ingest(self, *args, **kwargs) -> list[FileReport]:
        with self.exclusive():
            return super().ingest(*args, **kwargs)

    def ingest_on_ray(self, *args, **kwargs) -> list[FileReport]:
        with self.exclusive():
            return super().ingest_on_ray(*args, **kwargs)

    def add_upload(self, name: str, data: bytes) -> FileReport:
        with self.exclusive():
            return super().add_upload(name, data)

    def delete(self, document_id: str) -> None:
        with self.exclusive():
            super().delete(document_id)

    def _commit(self, documents: list[Document], commit: Callable[[], T]) -> T:
        result = super()._commit(documents, commit)
        self._snapshot = self.indexes.current_name()
        return result

    def _follow(self) -> None:
        """Load the snapshot another replica installed, if there is a new one."""
        if self.indexes.current_name() == self._snapshot:
            return
        if not self._write_lock.acquire(blocking=False):
            return  # this replica is loading or writing right now; it installs the newest itself
        try:
            loaded = self.indexes.load_current()
            if loaded is not None:
                self._snapshot, self._retriever = loaded
        finally:
            self._write_lock.release()


def replica_app() -> FastAPI:
    """The app of one replica, on $VNPOLICY_HOME (set by `serve`): uvicorn calls it in each worker."""
    service = ReplicaService()
    app = create_app(service)
    try:
        # Loaded before this process accepts connections (uvicorn calls the factory first), so the other
        # replicas take the traffic meanwhile: a replica restarted after a crash never answers 503.
        service.retriever  # noqa: B018 — the property loads the index, under the lock across replicas
    except Exception:
        logger.exception("loading the index failed; the app retries in the background and /health reports it")
    else:
        app.state.runtime.load()  # the rest (the accent restorer) here too, so the app starts ready

    @app.middleware("http")
    async def name_the_replica(request: Request, call_next):
        response = await call_next(request)
        response.headers[REPLICA_HEADER] = str(os.getpid())
        return response

    return app


def serve(home: Path, replicas: int, host: str, port: int, log_level: str) -> None:
    """`replicas` worker processes on `host:port`, each a `replica_app` on `home`; uvicorn's supervisor
    restarts one that dies."""
    import uvicorn

    os.environ["VNPOLICY_HOME"] = str(home.resolve())  # the workers are spawned: they read it from the env
    uvicorn.run(
        f"{__name__}:replica_app", factory=True, workers=replicas, host=host, port=port, log_level=log_level,
    )
