"""Answer latency per kind of question on the sample corpus.

Run: `python -m vnpolicy.eval.bench_answers [--home DIR] [--rounds 1]`. Prints figures; asserts nothing.

Every gold question (both halves, and dev/unanswerable) is answered once to warm up, then timed with the
query caches (its reading and its vector) emptied before each, so each answer reads and embeds its question
as a new one would.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from vnpolicy.answer import answer_question
from vnpolicy.api.service import VnPolicy
from vnpolicy.eval.gold import SAMPLE, load_answer_set
from vnpolicy.eval.machine import describe_machine, percentile
from vnpolicy.index.query import parse_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="data directory (default: VNPOLICY_HOME)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    service = VnPolicy(args.home)
    service.ingest([SAMPLE])
    questions = load_answer_set()
    for question in questions:
        answer_question(service, question.question)  # warm-up: segmenter, corpus spelling, caches
    timings: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for question in questions:
            parse_query.cache_clear()
            service.retriever.query_vector.cache_clear()
            started = time.perf_counter()
            answer = answer_question(service, question.question)
            elapsed = (time.perf_counter() - started) * 1000
            timings.setdefault(answer.intent, []).append(elapsed)
            timings.setdefault(f"gold kind {question.kind}", []).append(elapsed)
    print(describe_machine())
    print(f"{'kind':<28}{'answers':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in sorted(timings.items()):
        print(f"{kind:<28}{len(values):>8}{percentile(values, 0.5):>10.1f}{percentile(values, 0.95):>10.1f}")


if __name__ == "__main__":
    main()
