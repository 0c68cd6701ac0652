"""Load benchmark of `GET /api/search`: throughput and latency at 1, 4 and 16 concurrent clients.

    python -m vnpolicy.eval.bench_api [--model-home DIR] [--seconds 10] [--clients 1 4 16]

It makes a temporary data directory holding the sample corpus (the embedding model shared from
--model-home, default $VNPOLICY_HOME), starts `vnpolicy serve` on a free loopback port, and runs
closed-loop clients (each sends its next search when the last is answered) for a fixed time per
level. It runs every level twice: with the dev-set questions repeated (what a cache of query
embeddings or results would serve) and with every query made unique by a request number (what
no cache can serve), so both figures are reported. Then, with the server stopped, it times the new
queries' embeddings alone at the same levels, in-process: the floor under the unique figures.
Loopback only, bounded in time and in requests; it stops the server it started.

It starts its server with the tests' harness (tests/support/server.py), so it runs from a checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import prepare_home, spawned_server
from vnpolicy.eval.gold import dev_questions
from vnpolicy.eval.machine import describe_machine, percentile

TARGET_THROUGHPUT = 50.0  # req/s at 16 clients
TARGET_P95_MS = 200.0
MAX_REQUESTS_PER_LEVEL = 20_000


# ----------------------------------------------------------------------------- load


@dataclass
class Level:
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)

    def row(self) -> dict[str, float | int]:
        return {
            "clients": self.clients, "requests": self.requests, "errors": self.errors,
            "throughput_rps": round(self.throughput, 1), "p50_ms": round(self.percentile(0.50), 1),
            "p95_ms": round(self.percentile(0.95), 1), "max_ms": round(max(self.latencies_ms, default=0.0), 1),
        }


def new_query(query: str, number: int) -> str:
    """`query` with a request number: a text new to any cache, searched for much as `query` is."""
    return f"{query} ({number})"


async def _load(base_url: str, clients: int, seconds: float, queries: list[str], k: int, unique: bool) -> Level:
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.perf_counter() + seconds

    async def client(number: int, http: httpx.AsyncClient) -> None:
        nonlocal errors, sent
        turn = number
        while time.perf_counter() < stop_at and sent < MAX_REQUESTS_PER_LEVEL:
            sent += 1
            query = queries[turn % len(queries)]
            if unique:
                query = new_query(query, sent)
            turn += clients
            began = time.perf_counter()
            response = await http.get("/api/search", params={"q": query, "k": k})
            latencies.append((time.perf_counter() - began) * 1000)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(number, http) for number in range(clients)))
        elapsed = time.perf_counter() - began
    return Level(clients, len(latencies), errors, elapsed, latencies)


def run_levels(base_url: str, levels: list[int], seconds: float, k: int = 10, unique: bool = False) -> list[Level]:
    queries = dev_questions()
    # Warm-up, so that first-call costs stay out of the figures (and, when repeating, a cache is full).
    asyncio.run(_load(base_url, 1, max(2.0, seconds / 2), queries, k, unique))
    return [asyncio.run(_load(base_url, clients, seconds, queries, k, unique)) for clients in levels]


def embedding_only_levels(model_home: Path, levels: list[int], seconds: float) -> list[Level]:
    """The new queries' embeddings alone, called as the server calls them, without HTTP or search.

    At each level `clients` threads each embed a new query as soon as their last one is done: the
    API cannot answer new queries faster than this, since each of its searches embeds its query.
    """
    from vnpolicy.index.embedding import load_embedder

    embedder = load_embedder(model_home)
    queries = dev_questions()

    def level(clients: int, duration: float) -> Level:
        latencies: list[float] = []
        numbers = itertools.count()
        stop_at = time.perf_counter() + duration

        def client(number: int) -> None:
            turn = number  # the questions in the order _load's clients send them
            while time.perf_counter() < stop_at:
                query = new_query(queries[turn % len(queries)], next(numbers))
                turn += clients
                began = time.perf_counter()
                embedder.embed_queries([query])
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(client, range(clients)))
        return Level(clients, len(latencies), 0, time.perf_counter() - began, latencies)

    level(1, max(2.0, seconds / 2))  # warm-up
    return [level(clients, seconds) for clients in levels]


def report(levels: list[Level]) -> str:
    lines = [f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"]
    for level in levels:
        row = level.row()
        lines.append(
            f"{row['clients']:>7} {row['requests']:>8} {row['errors']:>6} {row['throughput_rps']:>7} "
            f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['max_ms']:>7}"
        )
    top = levels[-1]
    met = top.throughput >= TARGET_THROUGHPUT and top.percentile(0.95) <= TARGET_P95_MS
    lines.append(
        f"target at {top.clients} clients: ≥ {TARGET_THROUGHPUT:g} req/s and p95 ≤ {TARGET_P95_MS:g} ms — "
        f"{'met' if met else 'MISSED'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from vnpolicy.ingest.store import data_home

    parser = argparse.ArgumentParser(prog="python -m vnpolicy.eval.bench_api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-home", type=Path, default=None, help="data directory holding the built model")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each concurrency level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()[0]
    model_home = args.model_home or data_home()
    with tempfile.TemporaryDirectory(prefix="vnpolicy-bench-") as scratch:
        home = Path(scratch) / "home"
        prepare_home(home, model_home)
        with spawned_server(home) as server:
            runs = {
                mode: run_levels(server.base_url, args.clients, args.seconds, args.k, unique=mode == "unique")
                for mode in ("repeated", "unique")
            }
    # after the server has stopped, so that the two do not share the cores
    runs["embedding_only"] = embedding_only_levels(model_home, args.clients, args.seconds)
    if args.json:
        print(json.dumps({mode: [level.row() for level in levels] for mode, levels in runs.items()}))
    else:
        # Other work on the machine takes cores from the server and the clients: say how busy it was.
        print(f"machine: {describe_machine()}; load average before the run: {load_before:.2f}")
        titles = {
            "repeated": "repeated queries (dev questions cycled)",
            "unique": "unique queries (each one new)",
            "embedding_only": "new queries' embeddings alone, in this process (no HTTP, no search): "
                              "the floor under the unique figures",
        }
        for mode, levels in runs.items():
            print(f"\n{titles[mode]}:")
            print(report(levels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
