"""Search latency, index build throughput and memory, on the sample corpus and a synthetic 100k-clause one.

Run: `python -m vnpolicy.eval.bench_search [--clauses 100000] [--queries 200]`. Prints figures; asserts nothing.

The synthetic corpus recombines the sample corpus's sentences into new clauses spread over many
provinces, with vectors that are the real vectors of their sentences' clauses averaged and perturbed,
so the indexes have the size and shape of a 100k-clause archive without embedding 100k passages
(embedding throughput is measured by eval/bench_embedding.py).
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from vnpolicy.api.service import VnPolicy
from vnpolicy.eval.gold import SAMPLE, dev_questions
from vnpolicy.eval.machine import describe_machine, peak_rss_mb, percentile
from vnpolicy.index.dense import ClauseWindows, DenseIndex
from vnpolicy.index.lexical import LexicalIndex
from vnpolicy.index.retriever import ClauseTable, HybridRetriever, IndexedDocument, searchable
from vnpolicy.index.tokenize import tokenize
from vnpolicy.ingest.gazetteer import PROVINCES_BEFORE_2025, current_province
from vnpolicy.ingest.models import Clause, Document, DocumentMeta, MetaField

CLAUSES_PER_DOCUMENT = 100


def _latencies(retriever: HybridRetriever, queries: list[str]) -> tuple[float, float]:
    """p50 and p95 in ms of a top-10 search; the query-vector cache is emptied first, so each search embeds."""
    for query in queries[:3]:
        retriever.search(query, k=10)  # warm-up
    timings = []
    for query in queries:
        retriever.query_vector.cache_clear()
        started = time.perf_counter()
        retriever.search(query, k=10)
        timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 0.5), percentile(timings, 0.95)


def _queries(count: int) -> list[str]:
    questions = dev_questions()
    return [questions[i % len(questions)] for i in range(count)]


def _synthetic(service: VnPolicy, total: int, seed: int = 7) -> tuple[list[Document], list[IndexedDocument]]:
    """`total` clauses in documents of CLAUSES_PER_DOCUMENT, recombined from the sample's sentences."""
    rng = random.Random(seed)
    retriever = service.retriever
    sentences: list[tuple[str, int]] = []  # (sentence, row of its clause)
    for row, clause in enumerate(retriever.table.clauses):
        for sentence in re.split(r"(?<=[.;])\s+", clause.text):
            if len(sentence) > 30:
                sentences.append((sentence, row))
    sentence_tokens = [tokenize(sentence) for sentence, _ in sentences]
    vectors = retriever.dense.vectors
    np_rng = np.random.default_rng(seed)
    documents, indexed = [], []
    provinces = list(PROVINCES_BEFORE_2025)
    for number in range(total // CLAUSES_PER_DOCUMENT):
        document_id = f"synthetic-{number:05d}"
        province = provinces[number % len(provinces)]
        clauses, tokens, rows = [], [], []
        for ordinal in range(CLAUSES_PER_DOCUMENT):
            picks = rng.sample(range(len(sentences)), rng.randint(1, 3))
            text = " ".join(sentences[i][0] for i in picks)
            clauses.append(Clause(
                id=f"{document_id}-{ordinal:04d}", document_id=document_id, ordinal=ordinal,
                path=f"{1 + ordinal // 20}", trail=(), kind="paragraph", text=text, start=0, end=len(text),
            ))
            exact = [t for i in picks for t in sentence_tokens[i].exact]
            folded = [t for i in picks for t in sentence_tokens[i].folded]
            tokens.append(type(sentence_tokens[0])(exact, folded + [province.lower()]))
            rows.append([sentences[i][1] for i in picks])
        noise = np_rng.normal(0, 0.02, (len(rows), vectors.shape[1]))
        block = np.stack([vectors[r].mean(axis=0) for r in rows]) + noise
        block = (block / np.linalg.norm(block, axis=1, keepdims=True)).astype(np.float32)
        meta = DocumentMeta(
            province=MetaField(province, True, "text"),
            province_current=MetaField(current_province(province), True, "text"),
            doc_type=MetaField("Kế hoạch", True, "text"), date=MetaField(f"{2020 + number % 6}-01-01", True, "text"),
        )
        documents.append(Document(document_id, f"{document_id}.txt", document_id, "", meta, clauses))
        # a synthetic clause's windows are its sentences, as the vectors of the clauses they come from
        windows = np.concatenate([vectors[r] for r in rows]).astype(np.float32)
        counts = np.array([len(r) for r in rows], dtype=np.int64)
        indexed.append(IndexedDocument(document_id, document_id, tokens, block, windows, counts))
    return documents, indexed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clauses", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--home", help="data directory holding the built model (default: a temporary one)")
    args = parser.parse_args()
    print(f"machine: {describe_machine()}")
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="vnpolicy-bench-"))
    service = VnPolicy(home)
    started = time.perf_counter()
    service.ingest([SAMPLE])
    documents = service.store.documents()
    clauses = sum(len(searchable(doc.clauses)) for doc in documents)
    print(f"sample corpus: {len(documents)} documents, {clauses} searchable clauses; "
          f"ingest + index (model build on first use included) {time.perf_counter() - started:.1f} s")
    queries = _queries(args.queries)
    p50, p95 = _latencies(service.retriever, queries)
    print(f"sample corpus search (query embedding included): p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(queries)}")

    documents, indexed = _synthetic(service, args.clauses)
    started = time.perf_counter()
    table = ClauseTable(documents)
    accentless = np.zeros(len(table), dtype=bool)
    lexical = LexicalIndex.build([t for item in indexed for t in item.tokens], accentless)
    lexical_seconds = time.perf_counter() - started
    started = time.perf_counter()
    dense = DenseIndex(np.concatenate([item.vectors for item in indexed]))
    dense_seconds = time.perf_counter() - started
    windows = ClauseWindows.of(
        np.concatenate([item.window_vectors for item in indexed]), [n for item in indexed for n in item.window_counts]
    )
    retriever = HybridRetriever(table, lexical, dense, windows, service.retriever.embedder)
    print(f"synthetic corpus: {len(table)} clauses; BM25 build {lexical_seconds:.1f} s "
          f"({len(table) / lexical_seconds:,.0f} clauses/s), FAISS {type(dense.index).__name__} build "
          f"{dense_seconds:.1f} s ({len(table) / dense_seconds:,.0f} vectors/s)")
    p50, p95 = _latencies(retriever, queries)
    print(f"synthetic corpus search (query embedding included): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"peak memory (RSS): {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
