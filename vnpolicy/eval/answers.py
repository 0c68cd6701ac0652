"""Answer quality on the gold questions, tuning and test halves side by side.

Figures (each per half, and per question language):
- aggregate: the exact province set; province precision and recall over all aggregate questions;
- lookup (lookups, OCR and cross-lingual questions): answered with a quote from a gold clause;
- unanswerable: refused; answerable (every other kind): answered;
- quotes equal to the original text at their offsets (every citation of every answer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from vnpolicy.answer import Answer, answer_question
from vnpolicy.answer.provinces import ProvinceCut
from vnpolicy.answer.support import shipped_model
from vnpolicy.eval.gold import GoldQuestion, RetrievedUnit, contains_snippet, load_answer_set

LANGUAGES = ("vi", "vi-nodiac", "en")


@dataclass
class Outcome:
    question: GoldQuestion
    answer: Answer
    got: set[str] = field(default_factory=set)  # provinces answered
    cited: list[RetrievedUnit] = field(default_factory=list)  # the clauses its (not merely related) citations quote

    @property
    def answered(self) -> bool:
        return self.answer.supported

    @property
    def gold_quote(self) -> bool:
        return any(contains_snippet(unit, snippet) for unit in self.cited for snippet in self.question.relevant)


@dataclass
class AnswerReport:
    outcomes: dict[str, Outcome]
    quotes_checked: int
    quotes_matching: int
    thresholds: dict[str, float]
    cut: ProvinceCut | None  # the province cut of aggregate answers

    @property
    def answers(self) -> dict[str, Answer]:
        return {qid: outcome.answer for qid, outcome in self.outcomes.items()}

    def figures(self, split: str, lang: str | None = None) -> dict[str, tuple[float, int]]:
        """name → (rate, questions it is over), for one half (and one language)."""
        chosen = [o for o in self.outcomes.values() if o.question.split == split and lang in (None, o.question.lang)]
        aggregate = [o for o in chosen if o.question.kind == "aggregate"]
        lookups = [o for o in chosen if o.question.kind not in ("aggregate", "unanswerable")]
        unanswerable = [o for o in chosen if o.question.kind == "unanswerable"]
        answerable = [o for o in chosen if o.question.kind != "unanswerable"]
        got = sum(len(o.got) for o in aggregate)
        expected = sum(len(o.question.provinces) for o in aggregate)
        right = sum(len(o.got & set(o.question.provinces)) for o in aggregate)

        def rate(values: list[bool]) -> tuple[float, int]:
            return (sum(values) / len(values) if values else float("nan"), len(values))

        return {
            "aggregate exact province set": rate([o.got == set(o.question.provinces) for o in aggregate]),
            "province precision": (right / got if got else float("nan"), got),
            "province recall": (right / expected if expected else float("nan"), expected),
            "lookup quotes a gold clause": rate([o.gold_quote for o in lookups]),
            "unanswerable refused": rate([not o.answered for o in unanswerable]),
            "answerable answered": rate([o.answered for o in answerable]),
        }


def quote_matches(service, answer: Answer) -> tuple[int, int]:
    """(quotes, quotes equal to the stored original text at their offsets)."""
    matching = 0
    for citation in answer.citations:
        document = service.store.document(citation.document_id, with_clauses=False)
        matching += document is not None and document.text[citation.start : citation.end] == citation.quote
    return len(answer.citations), matching


def _clause_text(table, document_id: str, clause_id: str) -> str:
    """A cited clause's text: from the index, or from its document for a clause of the front matter."""
    if clause_id in table.row_of:
        return table.clauses[table.row_of[clause_id]].text
    return next(clause.text for clause in table.documents[document_id].clauses if clause.id == clause_id)


def evaluate_answers(service, questions: Sequence[GoldQuestion] | None = None) -> AnswerReport:
    outcomes = {}
    quotes = matching = 0
    for question in load_answer_set() if questions is None else questions:
        answer = answer_question(service, question.question)
        table = service.retriever.table
        cited = [
            RetrievedUnit(c.source_name, _clause_text(table, c.document_id, c.clause_id))
            for c in answer.citations if not c.related
        ]
        outcomes[question.id] = Outcome(question, answer, {p.name for p in answer.provinces}, cited)
        checked, ok = quote_matches(service, answer)
        quotes, matching = quotes + checked, matching + ok
    model = shipped_model()
    return AnswerReport(outcomes, quotes, matching, model.thresholds, model.provinces.cut if model.provinces else None)


def print_report(report: AnswerReport, out: Callable[[str], None] = print) -> None:
    thresholds = ", ".join(f"{kind} {value:.2f}" for kind, value in report.thresholds.items())
    out(f"support thresholds (5-fold cross-validation on the tuning half): {thresholds}")
    if report.cut:
        out(
            f"province cut (fitted on the tuning half): keeps the k best provinces that maximise "
            f"{report.cut.kept:.2f} p(k) {report.cut.next:+.2f} p(k+1)"
        )
    out(f"{'':<34}{'tune':>16}{'test':>16}")
    for lang in (None, *LANGUAGES):
        if lang:
            out(f"  {lang}")
        tune, test = report.figures("tune", lang), report.figures("test", lang)
        for name in tune:
            cells = "".join(f"{value:>10.3f} ({count:>3})" for value, count in (tune[name], test[name]))
            out(f"{'  ' if lang else ''}{name:<{34 if not lang else 32}}{cells}")
    out(f"quotes equal to the original text at their offsets: {report.quotes_matching}/{report.quotes_checked}")


def report_dict(report: AnswerReport) -> dict:
    return {
        "thresholds": report.thresholds,
        "province_cut": asdict(report.cut) if report.cut else None,
        **{
            split: {lang or "all": report.figures(split, lang) for lang in (None, *LANGUAGES)}
            for split in ("tune", "test")
        },
        "quotes_matching": [report.quotes_matching, report.quotes_checked],
    }
