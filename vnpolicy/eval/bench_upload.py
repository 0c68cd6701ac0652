"""Search latency while a large upload is parsed and indexed: `GET /api/search` p50/p95/max before and during it.

    python -m vnpolicy.eval.bench_upload [--model-home DIR] [--upload-mb 1] [--clients 2] [--seconds 10]

It starts `vnpolicy serve` on a temporary copy of the sample corpus (see bench_api), measures searches
from closed-loop clients for --seconds, then uploads one generated plan of --upload-mb MB (long
numbered items, as a large provincial plan has) and keeps searching until the upload is answered.
The searches during the upload are split at the time the parse alone takes (timed here, in this
process, on the same bytes): those while the file is parsed (in the server's parsing child) and those
while its clauses are embedded and indexed (in the server). Loopback only; it stops its server.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.support.server import prepare_home, spawned_server
from vnpolicy.eval.gold import dev_questions
from vnpolicy.eval.machine import describe_machine, percentile

KEY = "bench-upload"


def large_plan(megabytes: float) -> bytes:
    """A plan of numbered items, each a distinct sentence of a few hundred characters, of about `megabytes` MB."""
    lines = ["KẾ HOẠCH", "Phát triển hạ tầng thủy lợi giai đoạn 2026 - 2030", "I. NHIỆM VỤ, GIẢI PHÁP"]
    size, item = 0, 0
    while size < megabytes * 1024 * 1024:
        item += 1
        line = (f"{item}. Đầu tư xây dựng trạm bơm số {item} chống hạn mặn cho vùng trồng lúa, nạo vét kênh "
                f"cấp {item % 7 + 1}, gia cố bờ bao dài {item * 13 % 997} km và lắp đặt cảm biến quan trắc độ mặn "
                f"tự động kết nối trung tâm điều hành số {item % 31 + 1} của tỉnh.")
        lines.append(line)
        size += len(line.encode()) + 2
    return "\n\n".join(lines).encode()


def searches(base_url: str, clients: int, stop: threading.Event) -> list[tuple[float, float]]:
    """(start time, latency ms) of every search the clients sent until `stop` was set."""
    questions = dev_questions()
    results: list[tuple[float, float]] = []

    def client(number: int) -> None:
        turn = number
        with httpx.Client(base_url=base_url, timeout=120) as http:
            while not stop.is_set():
                began = time.perf_counter()
                response = http.get("/api/search", params={"q": f"{questions[turn % len(questions)]} ({turn})"})
                results.append((began, (time.perf_counter() - began) * 1000))
                if response.status_code != 200:
                    raise RuntimeError(f"search answered {response.status_code}: {response.text[:200]}")
                turn += clients

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join()
    return results


def row(label: str, latencies: list[float]) -> str:
    if not latencies:
        return f"{label:<34} {'(none)':>8}"
    return (f"{label:<34} {len(latencies):>8} {percentile(latencies, 0.5):>8.1f} {percentile(latencies, 0.95):>8.1f} "
            f"{max(latencies):>8.1f}")


def main(argv: list[str] | None = None) -> int:
    from vnpolicy.ingest.pipeline import parse_upload
    from vnpolicy.ingest.store import data_home

    parser = argparse.ArgumentParser(prog="python -m vnpolicy.eval.bench_upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-home", type=Path, default=None, help="data directory holding the built model")
    parser.add_argument("--upload-mb", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the baseline")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    data = large_plan(args.upload_mb)
    began = time.perf_counter()
    clauses = len(parse_upload("ke-hoach-lon.txt", data).clauses)
    parse_seconds = time.perf_counter() - began
    load_before = os.getloadavg()[0]
    env = {"VNPOLICY_API_KEY": KEY, "VNPOLICY_API_KEY_FILE": "", "VNPOLICY_MAX_FILE_MB": str(args.upload_mb + 1)}
    with tempfile.TemporaryDirectory(prefix="vnpolicy-bench-") as scratch:
        home = Path(scratch) / "home"
        prepare_home(home, args.model_home or data_home())
        with spawned_server(home, env) as server:
            idle = threading.Event()
            threading.Timer(args.seconds, idle.set).start()
            baseline = [ms for _, ms in searches(server.base_url, args.clients, idle)]
            done = threading.Event()
            during: list[tuple[float, float]] = []
            collector = threading.Thread(target=lambda: during.extend(searches(server.base_url, args.clients, done)))
            collector.start()
            time.sleep(0.5)  # the clients are searching
            upload_began = time.perf_counter()
            with httpx.Client(base_url=server.base_url, timeout=3600) as http:
                response = http.post("/api/documents", files={"file": ("ke-hoach-lon.txt", data)},
                                     headers={"X-API-Key": KEY})
            upload_seconds = time.perf_counter() - upload_began
            done.set()
            collector.join()
    if response.status_code != 201:
        raise RuntimeError(f"the upload answered {response.status_code}: {response.text[:300]}")
    parsing = [ms for start, ms in during if upload_began <= start < upload_began + parse_seconds]
    indexing = [ms for start, ms in during if start >= upload_began + parse_seconds]
    print(f"machine: {describe_machine()}; load average before the run: {load_before:.2f}")
    print(f"upload: {len(data) / 1048576:.1f} MB, {clauses} clauses; parse alone {parse_seconds:.1f} s; "
          f"upload answered 201 after {upload_seconds:.1f} s; {args.clients} searching clients")
    print(f"{'searches':<34} {'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(row("idle server", baseline))
    print(row("while the upload is parsed", parsing))
    print(row("while it is embedded and indexed", indexing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
