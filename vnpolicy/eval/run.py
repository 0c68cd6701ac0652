"""`vnpolicy eval`: vnpolicy against the LangChain-default baseline, side by side, on the gold questions
and on BEIR-format sets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vnpolicy.eval.answers import evaluate_answers, print_report, report_dict
from vnpolicy.eval.baseline import LangChainDefaultBaseline
from vnpolicy.eval.beir import K, build_retriever, evaluate_beir, load_beir
from vnpolicy.eval.documents import run_documents
from vnpolicy.eval.gold import SAMPLE, WEB_SET, QuestionResult, RetrievedUnit, evaluate, load_gold
from vnpolicy.eval.more import run_more

if TYPE_CHECKING:
    from vnpolicy.index.embedding import Embedder

GOLD_GROUPS = ("all", "lookup", "aggregate", "ocr", "crosslingual")


def _table(title: str, columns: dict[str, dict[str, dict[str, float]]], groups: Sequence[str]) -> list[str]:
    names = list(columns)
    metrics = list(next(iter(next(iter(columns.values())).values())))
    lines = [title, f"{'':<14}{'metric':<11}" + "".join(f"{name:>22}" for name in names)]
    for group in groups:
        if group not in columns[names[0]]:
            continue
        for metric in metrics:
            cells = "".join(f"{columns[name][group][metric]:>22.3f}" for name in names)
            lines.append(f"{group:<14}{metric:<11}{cells}")
    return lines


def run_gold(service) -> tuple[dict, dict, list[QuestionResult]]:
    """Gold-set metrics of vnpolicy and of the baseline over the same documents."""
    documents = service.store.documents()
    names = {doc.source_name for doc in documents}
    if not all((SAMPLE / name).name in names for name in (p.name for p in SAMPLE.glob("*.txt"))):
        service.ingest([SAMPLE])
        documents = service.store.documents()
    questions = load_gold()
    ours, results = evaluate(
        questions,
        lambda q: [RetrievedUnit(hit.source_name, hit.text) for hit in service.search(q, k=K)],
    )
    baseline = LangChainDefaultBaseline([(doc.source_name, doc.text) for doc in documents])
    theirs, _ = evaluate(questions, lambda q: [RetrievedUnit(n, t) for n, t in baseline.search(q, k=K)])
    return ours, theirs, results


def run_beir(folder: Path, embedder: Embedder) -> tuple[dict[str, float], dict[str, float]]:
    beir = load_beir(folder)
    retriever = build_retriever(beir, embedder)
    ours = evaluate_beir(beir, lambda q: [hit.clause_id for hit in retriever.search(q, k=K)])
    chunk_owner = LangChainDefaultBaseline([(pid, text) for pid, (_, text) in beir.corpus.items()])
    theirs = evaluate_beir(beir, lambda q: [pid for pid, _ in chunk_owner.search(q, k=3 * K)])
    return ours, theirs


def run(
    service, beir_folders: Sequence[Path], out: Callable[[str], None] = print, more: Path | None = None,
    web: Path | None = None,
) -> dict:
    documents = run_documents(out=out)
    out("")
    ours, theirs, results = run_gold(service)
    for line in _table("Gold questions (eval/data/dev.jsonl), clause-level", {
        "vnpolicy": ours, "langchain-default": theirs,
    }, GOLD_GROUPS):
        out(line)
    misses = [r.question.id for r in results if not r.relevant_ranks or min(r.relevant_ranks) > 5]
    out(f"questions without a relevant clause in the top 5: {', '.join(misses) or 'none'}")
    report = {"documents": documents, "gold": {"vnpolicy": ours, "langchain-default": theirs, "misses_at_5": misses}}
    answers = evaluate_answers(service)
    out("")
    out("Answers (POST /api/ask) on eval/data/gold.jsonl (+ dev.jsonl and unanswerable.jsonl in the tuning half)")
    print_report(answers, out)
    report["answers"] = report_dict(answers)
    if more is not None:
        out("")
        report["more"] = run_more(service.home, more, out)
    if web is not None:
        out("")
        report["web"] = run_more(service.home, web, out, WEB_SET)
    for folder in beir_folders:
        beir_ours, beir_theirs = run_beir(folder, service.retriever.embedder)
        out("")
        out(f"{folder.name} ({beir_ours['queries']} queries), one passage = one clause")
        for metric in ("nDCG@10", "Recall@10", "MRR@10"):
            out(f"  {metric:<10}{beir_ours[metric]:>12.3f} vnpolicy{beir_theirs[metric]:>12.3f} langchain-default")
        report[folder.name] = {"vnpolicy": beir_ours, "langchain-default": beir_theirs}
    return report
