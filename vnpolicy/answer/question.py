"""A question read once: language, forms, words, places, years, intent and key concepts.

`analyse` makes the one record every later step (retrieval, evidence, support, composition) reads.
The key concepts are what the question is about, as folded phrases weighted by their rarity (IDF) in
the corpus; a clause's coverage of them is one piece of evidence among several (see `support`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from vnpolicy.answer.asked import AskedFigure, asked_figure
from vnpolicy.answer.documents import named_documents
from vnpolicy.answer.spelling import corpus_spelling
from vnpolicy.index.glossary import translate_terms
from vnpolicy.index.query import Query, parse_query
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.index.tokenize import dictionary_compounds, function_words, segment_words
from vnpolicy.ingest.gazetteer import provinces_of
from vnpolicy.ingest.normalize import fold_diacritics

Intent = Literal["aggregate", "lookup"]

SPECIFIC_IDF = 1.5  # words more common than this (phát triển, đầu tư, dự án) make no phrase
# Words in more than ~30% of clauses (phát triển, đầu tư, xây dựng, hạ tầng: the plans' boilerplate)
# never begin or end a term; "xã hội" (in ~25%, as in "kinh tế - xã hội") may end "nhà ở xã hội".
EDGE_IDF = 1.2
MAX_TERM_SYLLABLES = 4

# "Which provinces / localities / places …" (folded). Asked of provinces, it is always across them; asked of
# localities or places while naming one province or town ("Tỉnh lộ 676 nối huyện Kon Plông với những địa
# phương nào?"), it asks for places inside that one, which is a lookup.
_ACROSS_PROVINCES = re.compile(
    r"\b(?:(?:nhung|cac)\s+)?(?:tinh|tinh thanh)\s+nao\b|\b(?:nhung|cac)\s+tinh\b"
    r"|\b(?:which|what)\s+provinces?\b|\b(?:list|name)\s+(?:all\s+)?(?:the\s+)?provinces\b",
)
_ACROSS_PLACES = re.compile(
    r"\b(?:(?:nhung|cac)\s+)?(?:dia phuong|thanh pho|noi|vung)\s+nao\b|\b(?:nhung|cac)\s+dia phuong\b"
    r"|\b(?:which|what)\s+(?:localit(?:y|ies)|cities|places|areas|regions)\b",
)
# Words that frame a question rather than say what it is about (folded). Compounds whole: their syllables
# alone are content words ("kè" embankment, "cấm" ban, "phường" ward, "bão" storm, "tiêu" drainage).
_FRAME_WORDS = frozenset(
    "tinh nao nhung cac co khong la nhieu gi the nhu o tai cua va cho den ve voi duoc mot "
    "ke_hoach cam_ket dia_phuong bao_nhieu nhu_the_nao hay nhu_nao "
    "tinh_thanh thanh_pho_nao muc_tieu chi_tieu dat".split()
)
# Punctuation that ends a phrase (not the dots and slashes inside "1.372" or "72-KL/TW").
_PUNCTUATION = re.compile(r"[,;:.?!…]+(?=\s|$)|[()\[\]\"“”]")
_BREAK = "|"  # stands for it among the segmented words
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Question:
    query: Query  # text, language, folded form, BM25 tokens, places named
    intent: Intent
    words: tuple[str | None, ...]  # folded words, compounds joined by "_", None where punctuation breaks it
    years: tuple[str, ...]
    concepts: dict[str, float] = field(hash=False)  # folded phrase → weight (IDF)
    absent: tuple[str, ...]  # words it asks about that no indexed clause has
    unindexed_places: tuple[str, ...]  # provinces it names of which no document is indexed
    documents: tuple[str, ...]  # ids of the indexed documents it names (see documents.py)
    asks_figure: AskedFigure | None = None  # the figure it asks for (see asked.py)

    @property
    def text(self) -> str:
        return self.query.text

    @property
    def about_unindexed_places(self) -> tuple[str, ...]:
        """The places it names when none of them has an indexed document: nothing indexed can answer it."""
        return self.unindexed_places if len(self.unindexed_places) == len(self.query.places) else ()

    @property
    def language(self) -> Literal["vi", "en"]:
        return "en" if self.query.english else "vi"


def detect_intent(query: Query) -> Intent:
    if _ACROSS_PROVINCES.search(query.folded):
        return "aggregate"
    return "aggregate" if _ACROSS_PLACES.search(query.folded) and not query.places else "lookup"


def _asking_words(query: Query, words: tuple[str | None, ...]) -> frozenset[str]:
    """The words that ask "which provinces / places" ("những nơi nào", "các địa phương"): they frame it."""
    asking = {
        syllable
        for pattern in (_ACROSS_PROVINCES, _ACROSS_PLACES)
        for match in pattern.finditer(query.folded)
        for syllable in match.group().split()
    }
    return frozenset(word for word in words if word and set(word.split("_")) <= asking)


def analyse(text: str, retriever: HybridRetriever) -> Question:
    query = parse_query(text.strip())
    function = _function_words_in(query)
    words = () if query.english else tuple(_question_words(query, retriever, _FRAME_WORDS | function))
    frame = _FRAME_WORDS | function | _asking_words(query, words)
    concepts = (
        _english_concepts(query, retriever) if query.english else _vietnamese_concepts(words, frame, retriever)
    )
    indexed = set(retriever.provinces())
    documents = tuple(named_documents(query.text, retriever.table.documents.values(), query.province))
    naming = _years_naming(documents, retriever)
    return Question(
        query=query, intent=detect_intent(query), words=words,
        years=tuple(year for year in _YEAR.findall(query.text) if year not in naming),
        concepts={concept: weight for concept, weight in concepts.items() if concept not in naming},
        absent=tuple(_absent_words(query, words, frame, concepts, retriever)),
        unindexed_places=tuple(place for place in query.places if not (provinces_of(place) | {place}) & indexed),
        documents=documents, asks_figure=asked_figure(query.read_as or query.text),
    )


def _years_naming(documents: tuple[str, ...], retriever: HybridRetriever) -> frozenset[str]:
    """The years that tell which of the documents the question names it means ("per the December 2025 Party
    resolution", "57/2025/NQ-HĐND"): the years of their dates and numbers. They say which document, not what
    is asked, so a clause that answers need not state them. (Not the years of its title: "giai đoạn 2021 -
    2025, tầm nhìn đến năm 2030" are the years its targets are set for, which a question may ask about.)"""
    found: set[str] = set()
    for document_id in documents:
        meta = retriever.table.documents[document_id].meta
        found.update(_YEAR.findall(" ".join(filter(None, (meta.date.value, meta.number.value)))))
    return frozenset(found)


def _phrase(word: str) -> str:
    return fold_diacritics(word).replace("_", " ")


def _function_words_in(query: Query) -> frozenset[str]:
    """The question's words (folded) that are function words where they stand, as it spells them or, typed
    without diacritics, as its restored reading does: the tagger reads accented Vietnamese."""
    return frozenset() if query.english else frozenset(map(fold_diacritics, function_words(query.search_text)))


def _question_words(query: Query, retriever: HybridRetriever, loose: frozenset[str]) -> list[str | None]:
    """The question's words, folded, None where punctuation breaks it ("cảng hàng không, sân bay" is two
    things, not the phrase "cảng hàng không sân bay"). Typed without diacritics, underthesea cannot segment
    it, so its syllables are grouped greedily into the longest compounds the corpus has ("nha may dien hat
    nhan" → nha_may, dien, hat_nhan), then those left into the dictionary's (see `_segmented_part`). A long
    compound the corpus never has (a segmentation slip such as "định_an_đón") counts as its syllables."""
    segmented: list[str] = []
    for part in _PUNCTUATION.split(query.text):
        segmented += [_BREAK] if segmented else []
        segmented += _segmented_part(part, query.accented, retriever, loose)
    words: list[str | None] = []
    for word in segmented:
        if not re.search(r"\w", word):
            words.append(None)
        elif word.count("_") >= 2 and not retriever.lexical.document_frequency(word):
            words.extend(word.split("_"))
        else:
            words.append(word)
    return words


def _segmented_part(text: str, accented: bool, retriever: HybridRetriever, loose: frozenset[str]) -> list[str]:
    """The folded words of a stretch of the question between punctuation marks; typed without diacritics, none
    of the `loose` words (frame and function words) joins a compound the corpus lacks."""
    segmented = [fold_diacritics(w) for w in segment_words(text)]
    if accented:
        return segmented
    syllables = [s for w in segmented for s in w.split("_")]
    words: list[str] = []
    for compound, run in groupby(_grouped(syllables, retriever.lexical.document_frequency), key=lambda w: "_" in w):
        # Among syllables the corpus has no compound for, the dictionary's: "nghia trang" is one word the corpus
        # lacks, as the accented question's segmentation says, not two syllables it has ("nghĩa vụ", "trang bị").
        # Not with a frame or function word: "tinh nao de ra" is "nào" + "đề ra", "tien de thuc hien" "tiền" + "để"
        # + "thực hiện", though a folded "nao de" and "tien de" (tiền đề) are in it.
        run_words = list(run)
        words += run_words if compound else _grouped(
            run_words, lambda word: word in dictionary_compounds() and not set(word.split("_")) & loose
        )
    return words


def _grouped(syllables: list[str], known: Callable[[str], object]) -> list[str]:
    """The syllables grouped greedily, left to right, into the longest compounds (of up to four) `known` knows."""
    grouped, position = [], 0
    while position < len(syllables):
        for size in range(min(4, len(syllables) - position), 0, -1):
            candidate = "_".join(syllables[position : position + size])
            if size == 1 or known(candidate):
                grouped.append(candidate)
                position += size
                break
    return grouped


def _english_concepts(query: Query, retriever: HybridRetriever) -> dict[str, float]:
    """An English question's concepts: the Vietnamese glossary terms it contains, each one phrase, and its
    numbers and codes. Without a glossary term the dense leg alone carries it across languages."""
    numbers_and_codes = " ".join(re.findall(r"\d[\d.,]*%?|\b[A-Z][A-Za-z]*\d\w*", query.text))
    asked = query.folded  # without the words that ask "which provinces / cities": they are no concept
    for pattern in (_ACROSS_PROVINCES, _ACROSS_PLACES):
        asked = pattern.sub(" ", asked)
    phrases = [_phrase("_".join(segment_words(term))) for term in translate_terms(asked)]
    words = phrases + [_phrase(w) for w in segment_words(numbers_and_codes)]
    return {w: _idf(retriever, w) for w in dict.fromkeys(words) if w not in _FRAME_WORDS}


def _vietnamese_concepts(
    words: tuple[str | None, ...], frame: frozenset[str], retriever: HybridRetriever
) -> dict[str, float]:
    """Its content words (neither frame nor function words); its multi-word terms (see `_terms`), each weighing as
    much as its words together, so a clause with "cảng" here and "biển" there does not pass for "cảng biển"; and
    each remaining pair of adjacent specific words as a phrase weighing as much as its two words (so "điện hạt
    nhân", which no clause spells, asks for the phrase, not "điện" here and "hạt nhân" there; weighing only as
    much as its commoner word, the phrase was outweighed by "hạt nhân" alone, which "đô thị hạt nhân" spells)."""
    content = [w if w and w not in frame else None for w in words]
    concepts = {_phrase(w): _idf(retriever, _phrase(w)) for w in content if w}
    in_terms: set[int] = set()
    for start, end in _terms(words, concepts, retriever):
        members = [_phrase(w) for w in content[start:end] if w]
        concepts[" ".join(_phrase(w) for w in words[start:end] if w)] = sum(concepts[m] for m in members)
        in_terms.update(range(start, end))
    for position, (first, second) in enumerate(zip(content, content[1:], strict=False)):
        if first and second and not {position, position + 1} <= in_terms:
            weights = (concepts[_phrase(first)], concepts[_phrase(second)])
            if min(weights) >= SPECIFIC_IDF:
                concepts[f"{_phrase(first)} {_phrase(second)}"] = sum(weights)
    return concepts


def _terms(
    words: tuple[str | None, ...], concepts: dict[str, float], retriever: HybridRetriever
) -> list[tuple[int, int]]:
    """The question's multi-word terms that word segmentation left in pieces ("cảng biển", "hydro xanh", "nhà ở xã
    hội"), as (start, end) positions in `words`: runs of at most MAX_TERM_SYLLABLES syllables with a
    one-syllable word among them, that some indexed clause spells, and that begin with a content word no more
    common than EDGE_IDF allows. They may end with any word: the modifier follows its head, and "số" (digital)
    of "chính quyền số" is as common as "số" (number). A frame word may sit inside ("ở"). Runs of whole
    compounds ("thủy lợi" + "ứng phó") are two concepts, not a term. Longest first, without overlaps."""
    corpus = corpus_spelling(retriever)
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
            if concepts.get(_phrase(window[0]), 0.0) < EDGE_IDF:
                continue
            if corpus.spells(" ".join(_phrase(w) for w in window)):
                found.append((start, start + size))
                taken.update(range(start, start + size))
    return found


def _absent_words(
    query: Query, words: tuple[str | None, ...], frame: frozenset[str], concepts: dict[str, float],
    retriever: HybridRetriever,
) -> list[str]:
    """What the question asks about that the corpus does not have: a word of it (a syllable, or a
    compound such as "đường sắt") that no indexed clause contains or spells."""
    if query.english:
        candidates = [concept for concept in concepts if " " not in concept]
    else:
        candidates = [_phrase(w) for w in words if w and w not in frame]
    corpus = corpus_spelling(retriever)
    return [
        word for word in dict.fromkeys(candidates)
        if word.replace(" ", "").isalpha()
        and not retriever.lexical.document_frequency(word.replace(" ", "_"))
        and not corpus.spells(word)
    ]


def _idf(retriever: HybridRetriever, phrase: str) -> float:
    """BM25's IDF of a word or glossary phrase (a phrase: of its compound, or else of its rarest word)."""
    size = max(retriever.lexical.size, 1)
    frequency = retriever.lexical.document_frequency(phrase.replace(" ", "_"))
    if not frequency and " " in phrase:
        frequency = min(retriever.lexical.document_frequency(word) for word in phrase.split())
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))


def concept_coverage(concepts: dict[str, float], spelled_text) -> float:
    """Share of the concepts' weight that a text (`spelled`) contains, each concept as a contiguous phrase."""
    total = sum(concepts.values())
    if not total:
        return 0.0
    return sum(weight for concept, weight in concepts.items() if spelled_text.spells(concept)) / total
