"""Grounded answers: which clauses support a question, composed deterministically with verbatim quotes.

No language model writes anything here. The question is analysed once (`question.analyse`); every
indexed province brings its best candidate clauses (`evidence.gather`); a fitted model gives each a
confidence (`support`); the answer is assembled from the clauses that reach the threshold, each quoted
verbatim from the original text at its offsets (checked before sending). When none does, the answer
says so and lists the nearest clauses as possibly related; a question about a province of which no
document is indexed says exactly that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Literal

from vnpolicy.answer.evidence import Evidence, effective_filters, gather, list_heads, list_items
from vnpolicy.answer.front_matter import front_matter_evidence
from vnpolicy.answer.provisions import provision_evidence
from vnpolicy.answer.question import Intent, Question, analyse
from vnpolicy.answer.quotes import best_quote_span, display_span, verified
from vnpolicy.answer.sources import answer_figures, province_label, source_line
from vnpolicy.answer.support import SupportModel, shipped_model, supporting, supporting_provinces
from vnpolicy.index.models import ClauseSource, SearchFilters
from vnpolicy.ingest.gazetteer import current_province

MAX_CLAUSES_PER_PROVINCE = 3
MAX_LOOKUP_CLAUSES = 3
MAX_RELATED = 3


@dataclass
class Citation(ClauseSource):
    n: int
    quote: str  # verbatim original text: document.text[start:end]
    start: int
    end: int
    related: bool = False  # a nearest clause shown when nothing supports the question
    confidence: float | None = None  # the support model's probability that the clause supports the question
    # What readers see, computed here once for the answer text, the CLI and the page:
    quote_display: str = ""  # the quote as displayed: clean_span(quote), the clause text's own derivation
    display_start: int = 0  # [display_start, display_end) of quote_display in the clause's display text
    display_end: int = 0
    figures: list[tuple[int, int]] = field(default_factory=list)  # spans of quote_display answering "how much"
    source_line: str = ""  # number · short title · date · province · section, in the answer's language
    province_label: str = ""  # "Bến Tre (nay thuộc tỉnh Vĩnh Long)", in the answer's language
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
    provinces_checked: int = 0  # indexed provinces whose clauses were searched and weighed
    unindexed_provinces: list[str] = field(default_factory=list)  # named in the question, no document indexed
    # How a question typed without diacritics was read (its restored reading, which was searched), so that a
    # reader sees a misread word ("du an" read as "đủ ăn") instead of wondering why the answer is off.
    read_as: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def compose(
    question: Question, supported: list[Evidence], related: list[Evidence], texts: dict[str, str],
    provinces_checked: int, items_of: dict[str, list[Evidence]] | None = None,
    head_of: dict[str, Evidence] | None = None, figure_unstated: bool = False,
) -> tuple[str, list[Citation], list[ProvinceAnswer]]:
    """The answer's text, citations and provinces; a lookup's clause that introduces a list is followed by
    the list's items (`items_of`, see `evidence.list_items`), one that is an item of a list is preceded by
    the clause introducing it (`head_of`, see `evidence.list_heads`). `figure_unstated`: a clause would have
    answered but states no figure of what is asked (see asked.py), which the refusal says."""
    citations: list[Citation] = []
    language = question.language

    def cite(item: Evidence, is_related: bool = False) -> Citation | None:
        hit = item.hit
        text = texts.get(hit.document_id)
        if text is None:
            return None
        start, end = best_quote_span(text, hit, question.concepts)
        if not verified(text, hit, start, end):
            return None
        quote = text[start:end]
        shown, display_start, display_end = display_span(hit.text, quote)
        citation = Citation(
            **{source.name: getattr(hit, source.name) for source in fields(ClauseSource)},
            n=len(citations) + 1, quote=quote, start=start, end=end, related=is_related, confidence=item.confidence,
            quote_display=shown, display_start=display_start, display_end=display_end,
            figures=answer_figures(question.asks_figure, question.text, shown), source_line=source_line(
                number=hit.document_number, title=hit.document_title, source_name=hit.source_name, date=hit.date,
                province=hit.province, province_current=hit.province_current, path=hit.path, language=language,
            ),
            province_label=province_label(hit.province, hit.province_current, language),
            restored_text=hit.restored_text, page=hit.page,
        )
        citations.append(citation)
        return citation

    english = language == "en"
    if not supported:
        if figure_unstated:
            lines = [
                "The ingested documents speak of this but state no such figure." if english
                else "Các văn bản đã nạp có nói đến nội dung này nhưng không nêu con số được hỏi."
            ]
        else:
            lines = [
                "No clause in the ingested documents answers this question." if english
                else "Không tìm thấy nội dung nào trong các văn bản đã nạp trả lời câu hỏi này."
            ]
        if related:
            lines.append("Possibly related:" if english else "Các điều khoản có thể liên quan:")
        for item in related:
            citation = cite(item, is_related=True)
            if citation:
                lines.append(f"- {citation.source_line}: “{citation.quote_display}” [{citation.n}]")
        return "\n".join(lines), citations, []

    by_province: dict[str, list[Evidence]] = {}
    for item in supported:  # most confident first, so provinces come in order of their best clause
        by_province.setdefault(item.hit.province or "?", []).append(item)
    provinces: list[ProvinceAnswer] = []
    if question.intent == "aggregate" or len(by_province) > 1:
        count = len(by_province)
        lines = [
            (f"{count} of the {provinces_checked} provinces checked have clauses on this:" if count > 1
             else f"1 of the {provinces_checked} provinces checked has clauses on this:") if english
            else f"Có {count}/{provinces_checked} tỉnh đã kiểm tra có nội dung về vấn đề này:"
        ]
        for name, items in by_province.items():
            numbers = []
            quotes = []
            for item in items[:MAX_CLAUSES_PER_PROVINCE]:
                citation = cite(item)
                if citation:
                    numbers.append(citation.n)
                    quotes.append(f"“{citation.quote_display}” [{citation.n}]")
            if not numbers:
                continue
            current = items[0].hit.province_current or current_province(name)
            provinces.append(ProvinceAnswer(name=name, current=current, citations=numbers))
            lines.append(f"- {province_label(name, current, language)}: " + " … ".join(quotes))
        return "\n".join(lines), citations, provinces

    lines = ["According to the documents:" if english else "Theo các văn bản đã nạp:"]
    for item in supported[:MAX_LOOKUP_CLAUSES]:
        head = (head_of or {}).get(item.hit.clause_id)
        for shown in [*([head] if head else []), item, *(items_of or {}).get(item.hit.clause_id, [])]:
            if any(citation.clause_id == shown.hit.clause_id for citation in citations):
                continue  # a list's head or item that another cited clause brought already
            citation = cite(shown)
            if citation:
                lines.append(f"- {citation.source_line}: “{citation.quote_display}” [{citation.n}]")
    name = supported[0].hit.province
    if name:
        current = supported[0].hit.province_current
        numbers = [c.n for c in citations if c.province == name]
        provinces.append(ProvinceAnswer(name=name, current=current, citations=numbers))
    return "\n".join(lines), citations, provinces


def _unindexed(question: Question, filters: SearchFilters) -> list[str]:
    """The provinces a question names when none of them has an indexed document (and no filter overrides)."""
    return [] if filters.province else list(question.about_unindexed_places)


def _not_indexed_answer(question: Question, places: list[str], filters: SearchFilters) -> Answer:
    names = ", ".join(places)
    text = (
        f"No document of {names} is indexed." if question.language == "en"
        else f"Không có văn bản nào của {names} được nạp."
    )
    return Answer(
        question=question.text, answer=text, citations=[], provinces=[], intent=question.intent, supported=False,
        language=question.language, filters=_filter_dict(filters), unindexed_provinces=places,
        read_as=question.query.read_as,
    )


def _filter_dict(filters: SearchFilters) -> dict:
    return {k: v for k, v in asdict(filters).items() if v not in (None, "")}


def answer_question(
    service, question: str, filters: SearchFilters | None = None, model: SupportModel | None = None
) -> Answer:
    """The grounded answer to a question, over the service's current index."""
    retriever = service.retriever
    analysed = analyse(question, retriever)
    unindexed = _unindexed(analysed, filters or SearchFilters())
    if unindexed:
        return _not_indexed_answer(analysed, unindexed, filters or SearchFilters())
    filters = effective_filters(analysed, filters)
    model = model or shipped_model()
    evidence = gather(analysed, retriever, filters)
    model.score(evidence)
    threshold = model.threshold(analysed.intent, analysed.language)
    supported = (
        front_matter_evidence(analysed, retriever, filters)
        or supporting(provision_evidence(analysed, evidence, retriever), threshold)
        or (
            supporting_provinces(evidence, model, analysed.language) if analysed.intent == "aggregate"
            else supporting(evidence, threshold)
        )
    )
    figure_unstated = any(item.confidence >= threshold and not item.states_asked for item in evidence)
    related = sorted(evidence, key=lambda item: -item.confidence)[:MAX_RELATED] if not supported else []
    lookup = analysed.intent == "lookup"
    items_of = list_items(supported[:MAX_LOOKUP_CLAUSES], retriever.table) if lookup else {}
    head_of = list_heads(supported[:MAX_LOOKUP_CLAUSES], retriever.table) if lookup else {}
    texts = {
        doc_id: doc.text
        for doc_id in {item.hit.document_id for item in supported + related}
        if (doc := service.store.document(doc_id, with_clauses=False)) is not None
    }
    checked = len({item.hit.province for item in evidence})
    text, citations, provinces = compose(
        analysed, supported, related, texts, checked, items_of, head_of, figure_unstated
    )
    return Answer(
        question=analysed.text, answer=text, citations=citations, provinces=provinces, intent=analysed.intent,
        supported=bool(supported) and any(not c.related for c in citations), language=analysed.language,
        filters=_filter_dict(filters), provinces_checked=checked, read_as=analysed.query.read_as,
    )
