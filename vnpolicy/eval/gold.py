"""The gold questions over the sample corpus and their matching rule (see shared eval/README.md).

A retrieved unit (a clause, or a baseline chunk) counts as relevant when it is from the snippet's
document and contains the snippet, compared without diacritics, case or punctuation — or, for OCR
noise, when the fuzzy partial match of the two reaches 90.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from vnpolicy.eval.metrics import mean, mrr_at, recall_at, success_at
from vnpolicy.ingest.normalize import folded_form

DATA = Path(__file__).parent / "data"


def _checkout() -> Path:
    """The checkout holding the bundled sample corpus: this module's own when it runs from the source tree,
    else the working directory (setup.sh installs vnpolicy into .venv, not in place, and `vnpolicy eval` is
    run from the checkout)."""
    return next(
        (root for root in (Path(__file__).resolve().parents[2], Path.cwd()) if (root / "data" / "sample").is_dir()),
        Path.cwd(),
    )


CHECKOUT = _checkout()
SAMPLE = CHECKOUT / "data" / "sample"  # the bundled sample corpus
DEV_SET = DATA / "dev.jsonl"
GOLD_SET = DATA / "gold.jsonl"  # ≥ 200 questions written from the documents, each in the tuning or the test half
UNANSWERABLE = DATA / "unanswerable.jsonl"
MORE_SET = DATA / "more.jsonl"  # questions on the five documents of ../shared/more-documents
WEB_SET = DATA / "web.jsonl"  # lookups on the eighteen documents of data/web-documents
FUZZY_THRESHOLD = 90


@dataclass(frozen=True)
class Snippet:
    document: str  # the source file name
    text: str


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    kind: str
    lang: str
    relevant: tuple[Snippet, ...]
    provinces: tuple[str, ...]
    split: str = "tune"  # "tune": weights and thresholds may be fitted on it; "test": only measured
    family: str = ""  # one question asked in several languages: its rows stay in one fold

    @property
    def group(self) -> str:
        return self.family or self.id


@dataclass(frozen=True)
class RetrievedUnit:
    source_name: str
    text: str


def load_gold(path: Path = DEV_SET, kind: str | None = None) -> list[GoldQuestion]:
    """Questions of a JSON-lines file; `kind` for files of one kind without the field (unanswerable.jsonl)."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        questions.append(
            GoldQuestion(
                id=row["id"], question=row["question"], kind=row.get("kind", kind or ""), lang=row.get("lang", ""),
                relevant=tuple(Snippet(r["document"], r["snippet"]) for r in row.get("relevant", [])),
                provinces=tuple(row.get("provinces", [])), split=row.get("split", "tune"),
                family=row.get("family", ""),
            )
        )
    return questions


def load_answer_set() -> list[GoldQuestion]:
    """The answer questions over the sample corpus: gold.jsonl (both halves), and dev.jsonl and
    unanswerable.jsonl, which joined the tuning half."""
    return [*load_gold(GOLD_SET), *load_gold(DEV_SET), *load_gold(UNANSWERABLE, kind="unanswerable")]


def dev_questions(path: Path = DEV_SET) -> list[str]:
    """The questions alone, in file order (what the benchmarks send)."""
    return [gold.question for gold in load_gold(path)]


@lru_cache(maxsize=65536)
def comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", folded_form(text)).split())


def contains_snippet(unit: RetrievedUnit, snippet: Snippet) -> bool:
    if unit.source_name != snippet.document:
        return False
    haystack, needle = comparable(unit.text), comparable(snippet.text)
    return needle in haystack or fuzz.partial_ratio(needle, haystack) >= FUZZY_THRESHOLD


@dataclass
class QuestionResult:
    question: GoldQuestion
    relevant_ranks: list[int]
    snippet_ranks: dict[str, int] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        return {
            "Success@1": success_at(self.relevant_ranks, 1),
            "Success@5": success_at(self.relevant_ranks, 5),
            "Recall@5": recall_at(self.snippet_ranks, len(self.question.relevant), 5),
            "MRR@10": mrr_at(self.relevant_ranks, 10),
        }


def judge(question: GoldQuestion, ranked: Sequence[RetrievedUnit]) -> QuestionResult:
    result = QuestionResult(question, [])
    for rank, unit in enumerate(ranked, start=1):
        matched = [s for s in question.relevant if contains_snippet(unit, s)]
        if matched:
            result.relevant_ranks.append(rank)
        for snippet in matched:
            result.snippet_ranks.setdefault(snippet.text, rank)
    return result


def evaluate(
    questions: Sequence[GoldQuestion], search: Callable[[str], Sequence[RetrievedUnit]]
) -> tuple[dict[str, dict[str, float]], list[QuestionResult]]:
    """Mean metrics overall and per kind, and the per-question results."""
    results = [judge(question, search(question.question)) for question in questions]
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        groups["all"].append(result)
        groups[result.question.kind].append(result)
    table = {
        group: {name: mean([r.metrics()[name] for r in members]) for name in members[0].metrics()}
        for group, members in groups.items()
    }
    return table, results
