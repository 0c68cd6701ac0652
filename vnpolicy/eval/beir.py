"""BEIR-format retrieval sets (corpus.jsonl, queries.jsonl, qrels/<split>.jsonl), one passage = one clause.

The data is not shipped: point `load_beir` at a folder such as shared/eval/external/xquad_vi.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vnpolicy.eval.metrics import mean, mrr_at, ndcg_at, recall_at
from vnpolicy.index.retriever import HybridRetriever, index_document
from vnpolicy.ingest.models import Clause, Document, DocumentMeta

if TYPE_CHECKING:
    from vnpolicy.index.embedding import Embedder

K = 10


@dataclass
class BeirSet:
    name: str
    corpus: dict[str, tuple[str, str]]  # id → (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, float]]  # query id → {passage id: gain}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_beir(folder: Path, split: str | None = None) -> BeirSet:
    qrel_files = sorted((folder / "qrels").glob("*.jsonl"))
    if not qrel_files:
        raise FileNotFoundError(f"{folder} has no qrels/*.jsonl: is it a BEIR-format folder?")
    qrel_file = folder / "qrels" / f"{split}.jsonl" if split else qrel_files[0]
    qrels: dict[str, dict[str, float]] = defaultdict(dict)
    for row in _jsonl(qrel_file):
        if float(row["score"]) > 0:
            qrels[str(row["query-id"])][str(row["corpus-id"])] = float(row["score"])
    corpus = {str(row["_id"]): (row.get("title") or "", row["text"]) for row in _jsonl(folder / "corpus.jsonl")}
    queries = {str(row["_id"]): row["text"] for row in _jsonl(folder / "queries.jsonl") if str(row["_id"]) in qrels}
    return BeirSet(folder.name, corpus, queries, dict(qrels))


def passage_document(passage_id: str, title: str, text: str) -> Document:
    """A passage as a one-clause document, its title as the clause's heading trail."""
    clause = Clause(
        id=passage_id, document_id=passage_id, ordinal=0, path="", trail=(title,) if title else (),
        kind="paragraph", text=text, start=0, end=len(text),
    )
    return Document(passage_id, passage_id, passage_id, text, DocumentMeta(), [clause])


def build_retriever(beir: BeirSet, embedder: Embedder) -> HybridRetriever:
    documents = [passage_document(pid, title, text) for pid, (title, text) in beir.corpus.items()]
    return HybridRetriever.build(documents, [index_document(doc, embedder) for doc in documents], embedder)


def evaluate_beir(beir: BeirSet, search: Callable[[str], Sequence[str]]) -> dict[str, float]:
    """nDCG@10, Recall@10 and MRR@10 of a search function returning ranked passage ids."""
    ndcg, recall, mrr = [], [], []
    for query_id, query in beir.queries.items():
        ranked = list(dict.fromkeys(search(query)))[:K]
        gains = beir.qrels[query_id]
        ranks = [rank for rank, pid in enumerate(ranked, 1) if pid in gains]
        ndcg.append(ndcg_at(ranked, gains, K))
        recall.append(recall_at({pid: rank for rank, pid in enumerate(ranked, 1) if pid in gains}, len(gains), K))
        mrr.append(mrr_at(ranks, K))
    return {"nDCG@10": mean(ndcg), "Recall@10": mean(recall), "MRR@10": mean(mrr), "queries": len(beir.queries)}
