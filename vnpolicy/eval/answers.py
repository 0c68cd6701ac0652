"""Answer quality: support decisions, province lists and quote fidelity on the gold and unanswerable sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vnpolicy.answer import Answer, answer_question
from vnpolicy.eval.gold import load_gold

UNANSWERABLE = Path(__file__).parent / "data" / "unanswerable.jsonl"


def load_unanswerable(path: Path = UNANSWERABLE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class AnswerReport:
    supported_gold: int
    gold: int
    unsupported_unanswerable: int
    unanswerable: int
    province_results: dict[str, tuple[float, float, list[str], list[str]]]  # id → (P, R, got, expected)
    quotes_checked: int
    quotes_matching: int
    answers: dict[str, Answer]


def quote_matches(service, answer: Answer) -> tuple[int, int]:
    """(quotes, quotes equal to the stored original text at their offsets)."""
    matching = 0
    for citation in answer.citations:
        document = service.store.document(citation.document_id, with_clauses=False)
        matching += document is not None and document.text[citation.start : citation.end] == citation.quote
    return len(answer.citations), matching


def evaluate_answers(service) -> AnswerReport:
    answers: dict[str, Answer] = {}
    province_results = {}
    supported = quotes = matching = 0
    gold = load_gold()
    for question in gold:
        answer = answer_question(service, question.question)
        answers[question.id] = answer
        supported += answer.supported
        checked, ok = quote_matches(service, answer)
        quotes, matching = quotes + checked, matching + ok
        if question.kind == "aggregate":
            got = sorted(p.name for p in answer.provinces)
            expected = sorted(question.provinces)
            hits = len(set(got) & set(expected))
            precision = hits / len(got) if got else 0.0
            province_results[question.id] = (precision, hits / len(expected), got, expected)
    unanswerable = load_unanswerable()
    refused = 0
    for row in unanswerable:
        answer = answer_question(service, row["question"])
        answers[row["id"]] = answer
        refused += not answer.supported
        checked, ok = quote_matches(service, answer)
        quotes, matching = quotes + checked, matching + ok
    return AnswerReport(supported, len(gold), refused, len(unanswerable), province_results, quotes, matching, answers)


def print_report(report: AnswerReport, out: Callable[[str], None] = print) -> None:
    out(f"gold questions answered as supported: {report.supported_gold}/{report.gold}")
    out(f"unanswerable questions answered as not supported: {report.unsupported_unanswerable}/{report.unanswerable}")
    for question_id, (precision, recall, got, expected) in report.province_results.items():
        out(f"  {question_id:<22} P={precision:.2f} R={recall:.2f} got={got} expected={expected}")
    out(f"quotes equal to the original text at their offsets: {report.quotes_matching}/{report.quotes_checked}")
