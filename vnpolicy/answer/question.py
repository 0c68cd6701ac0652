"""Reading a question: its intent, and what it is about as folded phrases weighted by rarity.

A clause supports a question when it contains the question's key concepts (see `key_concepts`); a
question asking about a word the corpus does not have at all (`absent_words`) is about something
the documents do not cover.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from vnpolicy.index.glossary import looks_english, translate_terms
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.index.tokenize import segment_words
from vnpolicy.ingest.normalize import fold_diacritics, folded_form, has_diacritics

Intent = Literal["aggregate", "lookup"]

SPECIFIC_IDF = 1.5  # words more common than this (phát triển, đầu tư, dự án) make no phrase
# Words in more than ~30% of clauses (phát triển, đầu tư, xây dựng, hạ tầng: the plans' boilerplate)
# never begin or end a term; "xã hội" (in ~25%, as in "kinh tế - xã hội") may end "nhà ở xã hội".
EDGE_IDF = 1.2
MAX_TERM_SYLLABLES = 4

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
