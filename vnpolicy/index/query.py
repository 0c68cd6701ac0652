"""A query read once: its language, its tokens for BM25, the places it names.

Every leg and every later stage (the answer's support check) takes this record instead of reading
the text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vnpolicy.index.abbreviations import spelled_out
from vnpolicy.index.glossary import looks_english, translate_terms
from vnpolicy.index.tokenize import Tokens, tokenize
from vnpolicy.ingest.gazetteer import LOCALITIES, locality_spellings, province_spellings
from vnpolicy.ingest.normalize import folded_words, has_diacritics
from vnpolicy.ingest.restore import TYPED, restore_text

MAX_RESTORED_WORDS = 64  # a longer query without diacritics is searched as typed


@dataclass(frozen=True)
class Query:
    text: str
    english: bool
    accented: bool  # typed with diacritics
    restored: bool  # Vietnamese typed without diacritics, searched by its restored reading
    folded: str  # folded form, words separated by single spaces
    search_text: str  # what both legs search: see `parse_query`
    tokens: Tokens  # of search_text, for BM25
    places: tuple[str, ...]  # pre-2025 provinces named, directly or by one of their towns, in order
    read_as: str | None = None  # how a query typed without diacritics was read: its restored reading, searched

    @property
    def province(self) -> str | None:
        """The one province the query names, or None for none or several."""
        return self.places[0] if len(self.places) == 1 else None


def _places_and_rest(folded: str) -> tuple[tuple[str, ...], str]:
    """(the pre-2025 provinces a folded text names, the text without them). Names, aliases and towns count,
    longest spelling first so the "vinh" of "tra vinh" is not also the town of Vinh; post-2025 names count
    as the province of that name."""
    spellings = {**{s: LOCALITIES[n] for s, n in locality_spellings().items()}, **province_spellings()}
    padded = f" {folded} "
    found: list[tuple[int, str]] = []
    for spelling in sorted(spellings, key=len, reverse=True):
        needle = f" {spelling} "
        position = padded.find(needle)
        while position >= 0:
            found.append((position, spellings[spelling]))
            padded = padded[:position] + " " + "#" * (len(needle) - 2) + " " + padded[position + len(needle) :]
            position = padded.find(needle)
    rest = " ".join(word for word in padded.split() if not word.startswith("#"))
    return tuple(dict.fromkeys(name for _, name in sorted(found))), rest


@lru_cache(maxsize=4096)
def parse_query(text: str) -> Query:
    folded = " ".join(folded_words(text))
    places, rest = _places_and_rest(folded)
    # Place names ("Dak To", "Kon Plong") are not English words even when no Vietnamese syllable spells them.
    english = looks_english(text) and (rest == folded or looks_english(rest))
    # An English query carries its glossary's Vietnamese terms: BM25 then meets the clauses' own words, and
    # the embedded question lands nearer the clauses that use them (the multilingual model alone ranks them
    # low for policy terms such as "sludge", "state budget": on the more-documents' English tuning lookups
    # the gold clause's dense rank went from 11, 451, 41, 98 to 1, 31, 25, 4).
    search_text = " ".join([text, *translate_terms(text)]) if english else text
    # Typed without diacritics, a Vietnamese question embeds far from the accented clauses that answer it (as
    # unaccented clauses do, see retriever.LEGS) and word segmentation cannot group its syllables. Its restored
    # reading (ingest.restore: about 9 ms for a question), right for most syllables, is searched as if typed
    # so; BM25's folded field still matches every typed word where a guessed accent is wrong. Questions without
    # diacritics answered right: 28 → 31 of 44 (nested cross-validation on the tuning half). It is read as typed
    # text, marks lost and no letter misread: with OCR's letter confusions "von oda" was "vốn đã", "nq 34" "nợ 34".
    accented = has_diacritics(text)
    # A question, not a pasted page: restoring the longest query allowed (2,000 characters) takes up to 0.4 s.
    restored = not english and not accented and len(folded.split()) <= MAX_RESTORED_WORDS
    read_as = restore_text(text, TYPED).text if restored else None
    # "CCN Thống Nhất", "các KCN": the clauses spelling the words out are searched for too (see abbreviations.py).
    search_text = " ".join([read_as or search_text, *spelled_out(text)])
    return Query(
        text=text, english=english, accented=accented, restored=restored, folded=folded,
        search_text=search_text, tokens=tokenize(search_text), places=places, read_as=read_as,
    )
