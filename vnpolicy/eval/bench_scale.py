"""Beyond one machine: what Ray workers, server replicas and a larger index cost and give.

    python -m vnpolicy.eval.bench_scale [--model-home DIR] [--sizes 100000] [--seconds 10] [--files PATH...]

1. Ingest on Ray: the files (default: the sample corpus) ingested on a local cluster of two node
   processes of one CPU each (tests/support/ray_cluster.py), with 1 and then 2 embedding workers, and
   locally without Ray; clauses per second, per-worker efficiency, the writer's share.
2. The API with 1 and 2 replicas (`vnpolicy serve --replicas N`): throughput and p95 at 16 clients of
   new queries (eval/bench_api.py's load generator).
3. Memory per 100k clauses of each index part, on synthetic corpora of `--sizes` clauses
   (eval/bench_search.py's generator): BM25 (bm25s, both token fields), FAISS flat and HNSW, the store
   (SQLite on disk) and the clause table in memory.
4. A projection, from 1-3, of the hours to ingest 1M and 10M clauses on N machines.

It prints figures and asserts nothing. It runs from a checkout (it starts servers and clusters with the
tests' harness) and stops every process it started. Other work on the machine takes cores from it: the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from tests.support.ray_cluster import local_ray_cluster
from tests.support.server import prepare_home, spawned_server
from vnpolicy.api.service import VnPolicy
from vnpolicy.eval.bench_api import _load
from vnpolicy.eval.bench_search import CLAUSES_PER_DOCUMENT, _synthetic
from vnpolicy.eval.gold import SAMPLE, dev_questions
from vnpolicy.eval.machine import describe_machine, percentile
from vnpolicy.index.dense import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M
from vnpolicy.index.lexical import LexicalIndex
from vnpolicy.index.retriever import ClauseTable
from vnpolicy.ingest.pipeline import PARSER_VERSION, expand_paths
from vnpolicy.ingest.store import Store

PER = 100_000  # memory is reported per this many clauses
API_CLIENTS = 16
PARTS = ("ingest", "api", "memory")
PROJECTED_CLAUSES = (1_000_000, 10_000_000)
PROJECTED_MACHINES = (1, 4, 16, 64)
CORES_PER_MACHINE = 16  # the projection's machine: 16 cores (16 one-CPU workers), 32 GiB


def _rss_mb() -> float:
    """Resident memory of this process now (not its peak)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1048576


def _home(path: Path, model_home: Path) -> Path:
    path.mkdir(parents=True)
    (path / "models").symlink_to((model_home / "models").resolve(), target_is_directory=True)
    return path


# ----------------------------------------------------------------------------- 1. ingest on Ray


@dataclass
class IngestRun:
    label: str
    workers: int
    clauses: int
    start_s: float  # workers up, model loaded in each
    ingest_s: float  # first file sent to last document stored
    writer_s: float  # of which the writer's own work (cache, store) and the final snapshot build

    @property
    def rate(self) -> float:
        return self.clauses / self.ingest_s


def _ray_run(address: str, files: list[Path], model_home: Path, scratch: Path, workers: int) -> IngestRun:
    import ray

    from vnpolicy.index.distributed import RayIngest, connect

    class TimedIngest(RayIngest):
        writer_s = 0.0

        def _accept(self, item):
            began = time.perf_counter()
            try:
                return super()._accept(item)
            finally:
                self.writer_s += time.perf_counter() - began

    service = VnPolicy(_home(scratch / f"ray{workers}", model_home))
    service.indexes  # noqa: B018 — the writer's model, loaded before the clock starts
    connect(address)
    try:
        job = TimedIngest(service.store, service.indexes, service.home, workers)
        try:
            began = time.perf_counter()
            job.pool  # noqa: B018 — starts the actors and waits for their models
            start_s = time.perf_counter() - began
            began = time.perf_counter()
            job.run(files)
            synced = time.perf_counter()
            with service._write_lock:  # the one write: store and snapshot, from the vectors the workers sent
                service._store_accepted(job.accepted)
            job.writer_s += time.perf_counter() - synced
            ingest_s = time.perf_counter() - began
        finally:
            job.close()
    finally:
        ray.shutdown()
    clauses = len(service.retriever.table)
    return IngestRun(f"Ray, {workers} worker(s)", workers, clauses, start_s, ingest_s, job.writer_s)


def ingest_figures(files: list[Path], model_home: Path) -> list[IngestRun]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="vnpolicy-scale-") as scratch:
        local = VnPolicy(_home(Path(scratch) / "local", model_home))
        local.indexes  # noqa: B018
        began = time.perf_counter()
        local.ingest(files)
        runs.append(IngestRun("local, no Ray", 1, len(local.retriever.table), 0.0, time.perf_counter() - began, 0.0))
        with local_ray_cluster(nodes=2, cpus_per_node=1, object_store_mb=200) as address:
            for workers in (1, 2):
                runs.append(_ray_run(address, files, model_home, Path(scratch), workers))
    return runs


# ----------------------------------------------------------------------------- 2. replicas


def api_figures(model_home: Path, seconds: float) -> list[dict]:
    rows = []
    queries = dev_questions()
    for replicas in (1, 2):
        with tempfile.TemporaryDirectory(prefix="vnpolicy-scale-") as scratch:
            home = Path(scratch) / "home"
            prepare_home(home, model_home)
            with spawned_server(home, options=["--replicas", str(replicas)]) as server:
                asyncio.run(_load(server.base_url, 2, max(2.0, seconds / 2), queries, 10, True))  # warm-up
                level = asyncio.run(_load(server.base_url, API_CLIENTS, seconds, queries, 10, True))
        rows.append({"replicas": replicas, **level.row()})
    return rows


# ----------------------------------------------------------------------------- 3. memory


def _disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1048576


def _dense_p95_ms(index: faiss.Index, queries: np.ndarray) -> float:
    timings = []
    for query in queries:
        began = time.perf_counter()
        index.search(query.reshape(1, -1), 100)
        timings.append((time.perf_counter() - began) * 1000)
    return percentile(timings, 0.95)


def memory_figures(service: VnPolicy, total: int) -> dict[str, float]:
    """Per PER clauses: MB in memory (resident growth while the part is built) and on disk."""
    _synthetic(service, CLAUSES_PER_DOCUMENT)  # the model, the sample index and the tokenizer loaded first
    gc.collect()
    base = _rss_mb()
    documents, indexed = _synthetic(service, total)
    for document in documents:  # a stored document holds its full text besides its clauses
        document.text = "\n".join(clause.text for clause in document.clauses)
    table = ClauseTable(documents)
    figures = {"clauses": len(table), "table_ram": _rss_mb() - base}  # documents, clauses, tokens, vectors held

    scale = PER / len(table)
    with tempfile.TemporaryDirectory(prefix="vnpolicy-scale-") as scratch:
        before, began = _rss_mb(), time.perf_counter()
        lexical = LexicalIndex.build([t for item in indexed for t in item.tokens], np.zeros(len(table), dtype=bool))
        figures["bm25_build_s"] = time.perf_counter() - began
        figures["bm25_ram"] = _rss_mb() - before
        lexical.save(Path(scratch))
        figures["bm25_disk"] = _disk_mb(Path(scratch))
        del lexical

        vectors = np.concatenate([item.vectors for item in indexed])
        del indexed
        figures["vectors_ram"] = vectors.nbytes / 1048576  # DenseIndex keeps them beside its FAISS index
        queries = service.retriever.embedder.embed_queries(dev_questions())
        for kind in ("flat", "hnsw"):
            gc.collect()
            before, began = _rss_mb(), time.perf_counter()
            if kind == "flat":
                index = faiss.IndexFlatIP(vectors.shape[1])
            else:
                index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.add(vectors)
            figures[f"{kind}_build_s"] = time.perf_counter() - began
            figures[f"{kind}_ram"] = _rss_mb() - before
            figures[f"{kind}_disk"] = faiss.serialize_index(index).nbytes / 1048576
            if kind == "hnsw":
                index.hnsw.efSearch = HNSW_EF_SEARCH
                exact = faiss.IndexFlatIP(vectors.shape[1])
                exact.add(vectors)
                _, truth = exact.search(queries, 10)
                _, found = index.search(queries, 10)
                overlap = [len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)]
                figures["hnsw_recall10"] = float(np.mean(overlap))
                del exact
            figures[f"{kind}_p95_ms"] = _dense_p95_ms(index, queries)
            del index

        began = time.perf_counter()
        store = Store(Path(scratch) / "store.db")
        for document in documents:
            store.put_document(document, PARSER_VERSION)
        store.close()
        figures["store_write_s"] = time.perf_counter() - began
        with sqlite3.connect(Path(scratch) / "store.db") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        figures["store_disk"] = (Path(scratch) / "store.db").stat().st_size / 1048576
    for key in list(figures):
        if key.endswith(("_ram", "_disk")):
            figures[key] *= scale
    return figures


# ----------------------------------------------------------------------------- 4. projection


def projection(runs: list[IngestRun], memory: dict[str, float]) -> list[str]:
    one = next(run for run in runs if run.workers == 1 and run.label.startswith("Ray"))
    two = next(run for run in runs if run.workers == 2 and run.label.startswith("Ray"))
    worker_rate = one.clauses / max(one.ingest_s - one.writer_s, 1e-9)  # one worker, the writer's time aside
    efficiency = two.rate / (2 * one.rate)
    writer_rate = two.clauses / max(two.writer_s, 1e-9)  # the one writer's ceiling, clauses/s
    build_rate = memory["clauses"] / (memory["bm25_build_s"] + memory["hnsw_build_s"])
    lines = [
        f"assumptions: a machine = {CORES_PER_MACHINE} cores → {CORES_PER_MACHINE} one-CPU workers at "
        f"{worker_rate:.1f} clauses/s each (measured here, 1 worker) × {efficiency:.2f} per-worker efficiency "
        f"(measured here, 2 workers); the one writer stores {writer_rate:,.0f} clauses/s; the final BM25 + HNSW "
        f"build runs at {build_rate:,.0f} clauses/s (measured at {memory['clauses']:,} clauses).",
        f"{'clauses':>11} " + " ".join(f"{n:>4} machine(s)" for n in PROJECTED_MACHINES),
    ]
    for clauses in PROJECTED_CLAUSES:
        cells = []
        for machines in PROJECTED_MACHINES:
            embed = clauses / (machines * CORES_PER_MACHINE * worker_rate * efficiency)
            hours = (max(embed, clauses / writer_rate) + clauses / build_rate) / 3600
            cells.append(f"{hours:>13.1f}h")
        lines.append(f"{clauses:>11,} " + " ".join(cells))
    lines.append("(hours = max(embedding on the workers, the writer) + the final index build; the writer and the "
                 "build stay on one machine, so they bound the gain from more machines)")
    return lines


def print_memory(memory: dict[str, float]) -> None:
    print(f"\n3. memory per {PER:,} clauses, measured at {memory['clauses']:,} synthetic clauses "
          f"(MB; RAM = resident growth while built):")
    print(f"  clause table (documents, clauses, tokens, vectors in Python): {memory['table_ram']:,.0f} RAM")
    print(f"  BM25, bm25s, 2 fields: {memory['bm25_ram']:,.0f} RAM, {memory['bm25_disk']:,.0f} disk; "
          f"built in {memory['bm25_build_s']:.1f} s")
    print(f"  vectors (float32, kept beside FAISS): {memory['vectors_ram']:,.0f} RAM")
    for kind, name in (("flat", "FAISS flat (exact)"), ("hnsw", f"FAISS HNSW (M={HNSW_M})")):
        print(f"  {name}: {memory[f'{kind}_ram']:,.0f} RAM, {memory[f'{kind}_disk']:,.0f} disk; built in "
              f"{memory[f'{kind}_build_s']:.1f} s; dense top-100 p95 {memory[f'{kind}_p95_ms']:.2f} ms")
    print(f"  HNSW recall@10 against exact: {memory['hnsw_recall10']:.3f}")
    print(f"  store, SQLite: {memory['store_disk']:,.0f} disk; written in {memory['store_write_s']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    from vnpolicy.ingest.store import data_home

    parser = argparse.ArgumentParser(prog="python -m vnpolicy.eval.bench_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-home", type=Path, default=None, help="data directory holding the built model")
    parser.add_argument("--sizes", type=int, nargs="+", default=[PER], help="synthetic corpus sizes (clauses)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each API load level")
    parser.add_argument("--files", type=Path, nargs="+", default=[SAMPLE], help="files or folders to ingest")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to measure (default: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model_home = args.model_home or data_home()
    print(f"machine: {describe_machine()}")
    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared with other work)")

    if "ingest" in args.parts:
        runs = print_ingest(list(expand_paths(args.files)), model_home)
    if "api" in args.parts:
        print(f"\n2. API, {API_CLIENTS} clients of new queries, {args.seconds:g} s per level "
              f"(load average {os.getloadavg()[0]:.2f}):")
        for row in api_figures(model_home, args.seconds):
            print(f"{row['replicas']} replica(s): {row['throughput_rps']:>6} req/s, p50 {row['p50_ms']} ms, "
                  f"p95 {row['p95_ms']} ms, errors {row['errors']} of {row['requests']}")
    if "memory" in args.parts:
        with tempfile.TemporaryDirectory(prefix="vnpolicy-scale-") as scratch:
            home = Path(scratch) / "home"
            prepare_home(home, model_home)  # the sample corpus, its vectors reused from model_home when there
            service = VnPolicy(home)
            for size in args.sizes:
                memory = memory_figures(service, size)
                print_memory(memory)
    if "ingest" in args.parts and "memory" in args.parts:
        print("\n4. projected hours to ingest:")
        for line in projection(runs, memory):
            print(line)
    print(f"\nload average after the run: {os.getloadavg()[0]:.2f}")
    return 0


def print_ingest(files: list[Path], model_home: Path) -> list[IngestRun]:
    runs = ingest_figures(files, model_home)
    print(f"\n1. ingest of {len(files)} file(s), {runs[0].clauses} searchable clauses "
          "(Ray: a local cluster of 2 node processes × 1 CPU; each worker 1 CPU, 1 embedding thread):")
    print(f"{'':<22} {'start s':>8} {'ingest s':>9} {'clauses/s':>10} {'writer s':>9}")
    for run in runs:
        print(f"{run.label:<22} {run.start_s:>8.1f} {run.ingest_s:>9.1f} {run.rate:>10.1f} {run.writer_s:>9.2f}")
    one, two = runs[1], runs[2]
    print(f"per-worker efficiency with 2 workers: {two.rate / (2 * one.rate):.2f} "
          f"(speed-up {two.rate / one.rate:.2f}× on {os.cpu_count()} shared cores)")
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
