"""Grounded answers: which clauses support a question, composed deterministically with verbatim quotes.

No language model writes anything here. The answer is assembled from the clauses that pass the
support check, each quoted verbatim from the original text at its offsets (checked before sending);
when none passes, the answer says so and lists the nearest clauses as possibly related.

Support combines three kinds of evidence (see `support_score`): how much of the question's key terms
(weighted by rarity in the corpus) the clause contains, as compound words and as syllables; the dense
similarity relative to the best candidate; and whether the lexical leg found the clause at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal

from index.glossary import looks_english, translate_terms
from index.models import Hit, SearchFilters
from index.query import named_province
from index.retriever import HybridRetriever
from index.tokenize import segment_words
from ingest.gazetteer import current_province
from ingest.normalize import clean_span, fold_diacritics, folded_form, has_diacritics

Intent = Literal["aggregate", "lookup"]

CANDIDATES = 40
CANDIDATES_PER_PROVINCE = 5
# A clause supports the question when it holds at least this share of the question's concept weight,
# and at least RELATIVE_TO_BEST of the best candidate's share (eval/answers.py shows the margins).
SUPPORT_THRESHOLD = 0.6
RELATIVE_TO_BEST = 0.6
SPECIFIC_IDF = 1.5  # words more common than this (phát triển, đầu tư, dự án) make no phrase
# Words in more than ~30% of clauses (phát triển, đầu tư, xây dựng, hạ tầng: the plans' boilerplate)
# never begin or end a term; "xã hội" (in ~25%, as in "kinh tế - xã hội") may end "nhà ở xã hội".
EDGE_IDF = 1.2
MAX_TERM_SYLLABLES = 4
MAX_CLAUSES_PER_PROVINCE = 3
MAX_LOOKUP_CLAUSES = 3
MAX_RELATED = 3
QUOTE_TARGET_CHARS = 320

_AGGREGATE = re.compile(
    r"\b(?:(?:nhung|cac)\s+)?(?:tinh|tinh thanh|dia phuong|thanh pho)\s+nao\b"
    r"|\b(?:nhung|cac)\s+(?:tinh|dia phuong)\b"
    r"|\bwhich\s+(?:provinces?|localit(?:y|ies)|cities)\b|\bwhat\s+provinces\b",
)
# Words that frame a question rather than say what it is about (folded).
_FRAME_WORDS = frozenset(
    "tinh nao nhung cac co khong la bao nhieu gi the nhu o tai cua va cho den ve voi duoc mot "
    "cam ket ke hoach ke_hoach cam_ket dia phuong dia_phuong bao_nhieu nhu_the_nao hay nhu_nao "
    "tinh_thanh thanh_pho_nao muc tieu muc_tieu chi_tieu dat".split()
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n\s*\n")


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


# --- understanding the question --------------------------------------------------------------------

def detect_intent(question: str) -> Intent:
    return "aggregate" if _AGGREGATE.search(folded_form(question)) else "lookup"


def _phrase(word: str) -> str:
    return fold_diacritics(word).replace("_", " ")


def _question_words(question: str, retriever: HybridRetriever) -> list[str | None]:
    """The question's words, folded, None where punctuation breaks it. Typed without diacritics,
    underthesea cannot segment it, so its syllables are grouped greedily into the longest compounds
    the corpus has ("nha may dien hat nhan" → nha_may, dien, hat_nhan). A long compound the corpus
    never has (a segmentation slip such as "định_an_đón") counts as its syllables."""
    if has_diacritics(question):
        segmented = [fold_diacritics(w) for w in segment_words(question)]
    else:
        syllables = [s for w in segment_words(question) for s in fold_diacritics(w).split("_")]
        segmented, position = [], 0
        while position < len(syllables):
            for size in range(min(4, len(syllables) - position), 0, -1):
                candidate = "_".join(syllables[position : position + size])
                if size == 1 or retriever.lexical.document_frequency(candidate):
                    segmented.append(candidate)
                    position += size
                    break
    words: list[str | None] = []
    for word in segmented:
        if not re.search(r"\w", word):
            words.append(None)
        elif word.count("_") >= 2 and not retriever.lexical.document_frequency(word):
            words.extend(word.split("_"))
        else:
            words.append(word)
    return words


def key_concepts(question: str, retriever: HybridRetriever, candidates: list[Spelled]) -> dict[str, float]:
    """What the question is about, as folded phrases weighted by their rarity (IDF) in the corpus.

    Vietnamese: its content words; its multi-word terms (see `_terms`), each weighing as much as its
    words together, so a clause with "cảng" here and "biển" there does not pass for "cảng biển"; and
    each remaining pair of adjacent specific words as a phrase (so "điện hạt nhân", which no clause
    spells, asks for the phrase, not "điện" here and "hạt nhân" there). English: the Vietnamese glossary
    terms it contains, each one phrase, and its numbers and codes. `candidates` are the retrieved
    clauses, `spelled`.
    """
    if looks_english(question):
        numbers_and_codes = " ".join(re.findall(r"\d[\d.,]*%?|\b[A-Z][A-Za-z]*\d\w*", question))
        phrases = [" ".join(segment_words(term)) for term in translate_terms(question)]
        words = [_phrase(p.replace(" ", "_")) for p in phrases] + [_phrase(w) for w in segment_words(numbers_and_codes)]
        return {w: _idf(retriever, w) for w in dict.fromkeys(words) if w not in _FRAME_WORDS}
    words = _question_words(question, retriever)
    content = [w if w and w not in _FRAME_WORDS else None for w in words]
    concepts = {_phrase(w): _idf(retriever, _phrase(w)) for w in content if w}
    in_terms: set[int] = set()
    for start, end in _terms(words, concepts, candidates):
        members = [_phrase(w) for w in content[start:end] if w]
        concepts[" ".join(_phrase(w) for w in words[start:end] if w)] = sum(concepts[m] for m in members)
        in_terms.update(range(start, end))
    for position, (first, second) in enumerate(zip(content, content[1:], strict=False)):
        if first and second and not {position, position + 1} <= in_terms:
            weights = (concepts[_phrase(first)], concepts[_phrase(second)])
            if min(weights) >= SPECIFIC_IDF:
                concepts[f"{_phrase(first)} {_phrase(second)}"] = min(weights)
    return concepts


def _terms(words: list[str | None], concepts: dict[str, float], candidates: list[Spelled]) -> list[tuple[int, int]]:
    """The question's multi-word terms that word segmentation left in pieces ("cảng biển", "hydro xanh",
    "nhà ở xã hội"), as (start, end) positions in `words`: runs of at most MAX_TERM_SYLLABLES syllables
    with a one-syllable word among them, that some candidate clause spells, and that begin and end with
    a content word no more common than EDGE_IDF allows. A frame word may sit
    inside ("ở"). Runs of whole compounds ("thủy lợi" + "ứng phó") are two concepts, not a term.
    Longest first, without overlaps."""
    taken: set[int] = set()
    found = []
    for size in range(min(MAX_TERM_SYLLABLES, len(words)), 1, -1):
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if None in window or taken & set(range(start, start + size)):
                continue
            syllables = [len(w.split("_")) for w in window]
            if sum(syllables) > MAX_TERM_SYLLABLES or min(syllables) > 1:
                continue
            if min(concepts.get(_phrase(w), 0.0) for w in (window[0], window[-1])) < EDGE_IDF:
                continue
            if any(candidate.spells(" ".join(_phrase(w) for w in window)) for candidate in candidates):
                found.append((start, start + size))
                taken.update(range(start, start + size))
    return found


def absent_words(
    question: str, concepts: dict[str, float], retriever: HybridRetriever, candidates: list[Spelled]
) -> list[str]:
    """What the question asks about that the corpus does not have: a word of it (a syllable, or a
    compound such as "đường sắt") that no indexed clause contains and no candidate spells."""
    if looks_english(question):
        words = [concept for concept in concepts if " " not in concept]
    else:
        words = [_phrase(w) for w in _question_words(question, retriever) if w and w not in _FRAME_WORDS]
    return [
        word for word in dict.fromkeys(words)
        if word.replace(" ", "").isalpha()
        and not retriever.lexical.document_frequency(word.replace(" ", "_"))
        and not any(candidate.spells(word) for candidate in candidates)
    ]


def _idf(retriever: HybridRetriever, phrase: str) -> float:
    """BM25's IDF of a word or glossary phrase (a phrase: of its compound, or else of its rarest word)."""
    size = max(retriever.lexical.size, 1)
    frequency = retriever.lexical.document_frequency(phrase.replace(" ", "_"))
    if not frequency and " " in phrase:
        frequency = min(retriever.lexical.document_frequency(word) for word in phrase.split())
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))


@dataclass(frozen=True)
class Spelled:
    """A text as its folded words, for matching whole phrases: as written, and without frame words,
    so "ứng phó với biến đổi khí hậu" spells "ứng phó biến đổi khí hậu"."""

    words: str
    content_words: str

    def spells(self, phrase: str) -> bool:
        padded = f" {phrase} "
        return padded in self.words or padded in self.content_words


@lru_cache(maxsize=4096)
def spelled(text: str) -> Spelled:
    words = [_phrase(w) for w in segment_words(text)]
    content = [w for w in words if w.replace(" ", "_") not in _FRAME_WORDS]
    return Spelled(" " + " ".join(words) + " ", " " + " ".join(content) + " ")


def concept_coverage(concepts: dict[str, float], text: str) -> float:
    """Share of the concepts' weight that a text contains, each concept as a contiguous phrase."""
    total = sum(concepts.values())
    if not total:
        return 0.0
    text_spelled = spelled(text)
    return sum(weight for concept, weight in concepts.items() if text_spelled.spells(concept)) / total


# --- support ---------------------------------------------------------------------------------------

@dataclass
class _Scored:
    hit: Hit
    coverage: float  # share of the question's concept weight the clause (with its heading) contains


def _with_heading(hit: Hit) -> str:
    return "\n".join([*hit.trail[-1:], hit.text])


def score_candidates(hits: list[Hit], concepts: dict[str, float]) -> list[_Scored]:
    """Candidates by concept coverage; the fused retrieval order (both legs' evidence) breaks ties."""
    scored = [_Scored(hit, concept_coverage(concepts, _with_heading(hit))) for hit in hits]
    return sorted(scored, key=lambda s: -s.coverage)  # stable: ties keep the hybrid ranking


def supporting(scored: list[_Scored]) -> list[_Scored]:
    """The clauses that support the question: enough of its concepts, and not far below the best.

    e5 cosines bunch together (0.75–0.91 for everything), so no fixed cosine threshold can tell an
    answer from a near miss; the question's own rare words and phrases can.
    """
    if not scored:
        return []
    floor = max(SUPPORT_THRESHOLD, RELATIVE_TO_BEST * scored[0].coverage)
    return [item for item in scored if item.coverage >= floor]


# --- quoting ---------------------------------------------------------------------------------------

def best_quote_span(text: str, hit: Hit, concepts: dict[str, float]) -> tuple[int, int]:
    """The sentence(s) of the clause's original span that best cover the key terms."""
    start, end = hit.start, hit.end
    if end - start <= QUOTE_TARGET_CHARS:
        return start, end
    cuts = [start, *(start + m.end() for m in _SENTENCE_END.finditer(text[start:end])), end]
    sentences = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]
    best = max(sentences, key=lambda span: (concept_coverage(concepts, text[span[0] : span[1]]), -span[0]))
    a, b = best
    while b - a < QUOTE_TARGET_CHARS // 3 and (a, b) != (start, end):  # a too short sentence: add the next
        following = [s for s in sentences if s[0] >= b]
        if not following:
            break
        b = following[0][1]
    text_span = text[a:b]
    trimmed = len(text_span) - len(text_span.rstrip())
    leading = len(text_span) - len(text_span.lstrip())
    return a + leading, b - trimmed


# --- composing -------------------------------------------------------------------------------------

def _verified(text: str, hit: Hit, start: int, end: int) -> bool:
    """Does the quote stand on the original text? The document as stored must still give the clause
    the index holds at its offsets (else the index is stale for it), and the quote must lie inside that
    clause and say something."""
    if not 0 <= hit.start <= start < end <= hit.end <= len(text):
        return False
    return clean_span(text[hit.start : hit.end]) == hit.text and bool(text[start:end].strip())


def _province_label(name: str, current: str | None, language: str) -> str:
    if not current or current == name:
        return name
    return f"{name} (now part of {current} province)" if language == "en" else f"{name} (nay thuộc tỉnh {current})"


def _quote_text(quote: str) -> str:
    return " ".join(quote.split())


def compose(
    question: str, intent: Intent, language: str, supported: list[_Scored], related: list[Hit], texts: dict[str, str],
    concepts: dict[str, float],
) -> tuple[str, list[Citation], list[ProvinceAnswer]]:
    citations: list[Citation] = []

    def cite(hit: Hit, is_related: bool = False) -> Citation | None:
        text = texts.get(hit.document_id)
        if text is None:
            return None
        start, end = best_quote_span(text, hit, concepts)
        if not _verified(text, hit, start, end):
            return None
        quote = text[start:end]
        citation = Citation(
            n=len(citations) + 1, clause_id=hit.clause_id, document_id=hit.document_id,
            document_title=hit.document_title, document_number=hit.document_number, source_name=hit.source_name,
            province=hit.province, province_current=hit.province_current, date=hit.date, path=hit.path,
            trail=hit.trail, quote=quote, start=start, end=end, related=is_related,
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

    by_province: dict[str, list[_Scored]] = {}
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


# --- the entry points --------------------------------------------------------------------------------

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
    candidates = [spelled(_with_heading(hit)) for hit in hits]
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


def stream_events(answer: Answer) -> Iterator[tuple[str, dict]]:
    """Server-sent events of an answer: its frame, then every citation, then the text, then done."""
    yield "meta", {
        "intent": answer.intent, "supported": answer.supported, "language": answer.language,
        "provinces": [asdict(p) for p in answer.provinces],
    }
    for citation in answer.citations:
        yield "citation", asdict(citation)
    for line in answer.answer.splitlines(keepends=True):
        yield "delta", {"text": line}
    yield "done", {"answer": answer.answer, "supported": answer.supported}
