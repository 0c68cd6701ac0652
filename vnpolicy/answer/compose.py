"""Grounded answers: which clauses support a question, composed deterministically with verbatim quotes.

No language model writes anything here. The answer is assembled from the clauses that pass the
support check, each quoted verbatim from the original text at its offsets (checked before sending);
when none passes, the answer says so and lists the nearest clauses as possibly related.

Support combines three kinds of evidence (see `support_score`): how much of the question's key terms
(weighted by rarity in the corpus) the clause contains, as compound words and as syllables; the dense
similarity relative to the best candidate; and whether the lexical leg found the clause at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from vnpolicy.answer.question import Intent, absent_words, detect_intent, key_concepts, spelled
from vnpolicy.answer.quotes import best_quote_span, verified
from vnpolicy.answer.support import Scored, score_candidates, supporting, with_heading
from vnpolicy.index.glossary import looks_english
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.query import named_province
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.ingest.gazetteer import current_province

CANDIDATES = 40
CANDIDATES_PER_PROVINCE = 5
MAX_CLAUSES_PER_PROVINCE = 3
MAX_LOOKUP_CLAUSES = 3
MAX_RELATED = 3


@dataclass
class Citation:
    n: int
    clause_id: str
    document_id: str
    document_title: str | None
    document_number: str | None
    source_name: str
    province: str | None
    province_current: str | None
    date: str | None
    path: str
    trail: list[str]
    quote: str  # verbatim original text: document.text[start:end]
    start: int
    end: int
    related: bool = False  # a nearest clause shown when nothing supports the question
    # The restored reading of the whole clause when its text is OCR-damaged or unaccented (shown beside the
    # verbatim quote as "OCR text, restored reading: …"); None for clean text.
    restored_text: str | None = None
    page: int | None = None  # the page of a paged source (PDF) the clause starts on


@dataclass
class ProvinceAnswer:
    name: str
    current: str | None
    citations: list[int]


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    provinces: list[ProvinceAnswer]
    intent: Intent
    supported: bool
    language: Literal["vi", "en"]
    filters: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _province_label(name: str, current: str | None, language: str) -> str:
    if not current or current == name:
        return name
    return f"{name} (now part of {current} province)" if language == "en" else f"{name} (nay thuộc tỉnh {current})"


def _quote_text(quote: str) -> str:
    return " ".join(quote.split())


def compose(
    question: str, intent: Intent, language: str, supported: list[Scored], related: list[Hit], texts: dict[str, str],
    concepts: dict[str, float],
) -> tuple[str, list[Citation], list[ProvinceAnswer]]:
    citations: list[Citation] = []

    def cite(hit: Hit, is_related: bool = False) -> Citation | None:
        text = texts.get(hit.document_id)
        if text is None:
            return None
        start, end = best_quote_span(text, hit, concepts)
        if not verified(text, hit, start, end):
            return None
        quote = text[start:end]
        citation = Citation(
            n=len(citations) + 1, clause_id=hit.clause_id, document_id=hit.document_id,
            document_title=hit.document_title, document_number=hit.document_number, source_name=hit.source_name,
            province=hit.province, province_current=hit.province_current, date=hit.date, path=hit.path,
            trail=hit.trail, quote=quote, start=start, end=end, related=is_related,
            restored_text=hit.restored_text, page=hit.page,
        )
        citations.append(citation)
        return citation

    english = language == "en"
    if not supported:
        lines = [
            "No clause in the ingested documents answers this question." if english
            else "Không tìm thấy nội dung nào trong các văn bản đã nạp trả lời câu hỏi này."
        ]
        if related:
            lines.append("Possibly related:" if english else "Các điều khoản có thể liên quan:")
        for hit in related:
            citation = cite(hit, is_related=True)
            if citation:
                lines.append(f"- {_source(citation, language)}: “{_quote_text(citation.quote)}” [{citation.n}]")
        return "\n".join(lines), citations, []

    by_province: dict[str, list[Scored]] = {}
    for item in supported:
        by_province.setdefault(item.hit.province or "?", []).append(item)
    provinces: list[ProvinceAnswer] = []
    per_province = intent == "aggregate" or len(by_province) > 1
    if per_province:
        count = len(by_province)
        lines = [
            f"{count} province(s) have clauses on this:" if english
            else f"Có {count} tỉnh có nội dung về vấn đề này:"
        ]
        for name, items in by_province.items():  # already ordered by the best clause's support
            numbers = []
            quotes = []
            for item in items[:MAX_CLAUSES_PER_PROVINCE]:
                citation = cite(item.hit)
                if citation:
                    numbers.append(citation.n)
                    quotes.append(f"“{_quote_text(citation.quote)}” [{citation.n}]")
            if not numbers:
                continue
            current = items[0].hit.province_current or current_province(name)
            provinces.append(ProvinceAnswer(name=name, current=current, citations=numbers))
            lines.append(f"- {_province_label(name, current, language)}: " + " … ".join(quotes))
        return "\n".join(lines), citations, provinces

    lines = ["According to the documents:" if english else "Theo các văn bản đã nạp:"]
    for item in supported[:MAX_LOOKUP_CLAUSES]:
        citation = cite(item.hit)
        if citation:
            lines.append(f"- {_source(citation, language)}: “{_quote_text(citation.quote)}” [{citation.n}]")
    name = supported[0].hit.province
    if name:
        current = supported[0].hit.province_current
        numbers = [c.n for c in citations if c.province == name]
        provinces.append(ProvinceAnswer(name=name, current=current, citations=numbers))
    return "\n".join(lines), citations, provinces


def _source(citation: Citation, language: str) -> str:
    document = citation.document_number or citation.document_title or citation.source_name
    where = f"{citation.path}" if citation.path else ("preamble" if language == "en" else "phần mở đầu")
    province = citation.province or "?"
    return f"{province}, {document}, {where}" if language == "en" else f"{province}, {document}, mục {where}"


def answer_question(service, question: str, filters: SearchFilters | None = None) -> Answer:
    """The grounded answer to a question, over the service's current index."""
    question = question.strip()
    language = "en" if looks_english(question) else "vi"
    intent = detect_intent(question)
    filters = filters or SearchFilters()
    if not filters.province and intent == "lookup":
        province = named_province(question)
        if province:
            filters = SearchFilters(**{**asdict(filters), "province": province})
    retriever: HybridRetriever = service.retriever
    hits = retriever.search(question, k=CANDIDATES, filters=filters)
    if intent == "aggregate":  # complete across provinces: every province brings its own best clauses
        seen = {hit.clause_id for hit in hits}
        for province_hits in retriever.search_per_province(question, CANDIDATES_PER_PROVINCE, filters).values():
            hits.extend(hit for hit in province_hits if hit.clause_id not in seen)
    candidates = [spelled(with_heading(hit)) for hit in hits]
    concepts = key_concepts(question, retriever, candidates)
    scored = score_candidates(hits, concepts)
    supported = [] if absent_words(question, concepts, retriever, candidates) else supporting(scored)
    related = [item.hit for item in scored[:MAX_RELATED]] if not supported else []
    texts = {
        doc_id: doc.text
        for doc_id in {item.hit.document_id for item in supported} | {hit.document_id for hit in related}
        if (doc := service.store.document(doc_id, with_clauses=False)) is not None
    }
    text, citations, provinces = compose(question, intent, language, supported, related, texts, concepts)
    return Answer(
        question=question, answer=text, citations=citations, provinces=provinces, intent=intent,
        supported=bool(supported) and any(not c.related for c in citations), language=language,
        filters={k: v for k, v in asdict(filters).items() if v not in (None, "")},
    )
