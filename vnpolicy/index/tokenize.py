"""The one tokenizer of vnpolicy: Vietnamese word segmentation (underthesea) on the search form.

Document codes (72-KL/TW), dates (23/02/2024), grouped numbers (1.372, 30.000) and identifiers
(JICA3, CT.33, 5G, 110kV) are single tokens. Each multi-syllable word gives its compound
("phát_triển") and its syllables, so a query segmented differently — typically one typed without
diacritics — still meets the document on syllables. Tokens come in two forms: the search form
(canonical tone placement, lower case) and the folded form (no diacritics).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vnpolicy.ingest.normalize import canonical_tones, fold_diacritics, to_nfc

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # underthesea must never try to reach a hub

NUMBER = r"\d+(?:[.,]\d+)*"  # digits with decimal or thousands marks: "1.372", "1,5", "07"
_PROTECTED = re.compile(
    r"(?P<code>\d{1,4}\s?[-–]\s?[^\W\d_]{1,5}\s?/\s?[^\W\d_]{1,6})"
    r"|(?P<date>\d{1,2}[/-]\d{1,2}[/-]\d{2,4})"
    r"|(?P<ident>[^\W\d_]+\.?\d+[^\W\d_]*|\d+[^\W\d_]+\d*)"
    rf"|(?P<number>{NUMBER}%?)"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_DIGITS = re.compile(r"\d+")
_WORD_CHAR = re.compile(r"[^\W_]")
_SYLLABLE_BREAK = re.compile(r"[\s_]+")
_LOADING = threading.Lock()
_LOADED: dict[str, Callable] = {}
# Parts of speech (the VLSP 2013 tags of underthesea's tagger) that say nothing of a topic: pronouns
# ("nào"), determiners ("những"), conjunctions ("hoặc"), prepositions ("với"), adverbs ("đã", "rất"),
# particles and interjections.
_FUNCTION_TAGS = frozenset({"P", "L", "C", "CC", "E", "R", "T", "I"})
# underthesea's __init__ imports these pipelines when present and takes a failed import as "absent".
# vnpolicy uses none of them, and the translate pipeline alone imports transformers: 3 s at the start
# of every CLI command and server, for nothing.
_UNUSED_UNDERTHESEA = (
    "underthesea.pipeline.classification", "underthesea.pipeline.sentiment", "underthesea.pipeline.lang_detect",
    "underthesea.pipeline.dependency_parse", "underthesea.pipeline.translate", "underthesea.agent",
    "underthesea.address",
)


@dataclass(frozen=True, slots=True)
class Tokens:
    exact: list[str]  # search form
    folded: list[str]  # without diacritics


def number_token(raw: str) -> str:
    """One spelling per number: "1.372" and "1,372" → "1372"; "07" → "7"."""
    percent = raw.endswith("%")
    digits = raw.rstrip("%")
    if _THOUSANDS.fullmatch(digits):
        digits = re.sub(r"[.,]", "", digits)
    if _DIGITS.fullmatch(digits):
        # Decimal digits of any script as ASCII, leading zeros dropped, by hand: int() would do it but
        # refuses strings of more than 4,300 digits.
        digits = "".join(str(unicodedata.decimal(ch)) for ch in digits).lstrip("0") or "0"
    return digits + ("%" if percent else "")


def _protected_token(match: re.Match[str]) -> str:
    if match["number"]:
        return number_token(match["number"])
    return re.sub(r"\s", "", match.group()).replace("–", "-").lower()


def _underthesea(name: str) -> Callable:
    """underthesea's `word_tokenize` or `pos_tag` with its model loaded, once, under a lock: its own lazy
    loading is not thread-safe (concurrent first searches on a new server met a half-loaded model)."""
    found = _LOADED.get(name)
    if found is None:
        with _LOADING:
            found = _LOADED.get(name)
            if found is None:
                found = _import_underthesea(name)
                found("khởi động")  # loads the model
                _LOADED[name] = found
    return found


def _import_underthesea(name: str) -> Callable:
    """One of underthesea's functions, imported with its unused pipelines declined (a None entry in
    sys.modules makes their import fail); the entries are removed afterwards, so a later explicit
    import of one of them still works."""
    declined = [module for module in _UNUSED_UNDERTHESEA if module not in sys.modules]
    sys.modules.update(dict.fromkeys(declined))
    try:
        return getattr(importlib.import_module("underthesea"), name)
    finally:
        for module in declined:
            if sys.modules.get(module, "") is None:
                del sys.modules[module]


def _segment(chunk: str) -> list[str]:
    words = []
    for word in _underthesea("word_tokenize")(chunk):
        # "_" joins a compound's syllables, so an underscore in the text separates them like a space.
        syllables = [s for s in _SYLLABLE_BREAK.split(word.lower()) if _WORD_CHAR.search(s)]
        if syllables:
            words.append("_".join(syllables))
    return words


def function_words(text: str) -> frozenset[str]:
    """The words of a text (search form, compounds joined by "_") that underthesea's part-of-speech tagger
    reads as function words where they stand: "ở" of "nhà ở xã hội" is a preposition, "nhà" a noun."""
    return frozenset(
        "_".join(canonical_tones(to_nfc(word)).lower().split())
        for word, tag in _underthesea("pos_tag")(text) if tag in _FUNCTION_TAGS
    )


def segment_words(text: str) -> list[str]:
    """Words in search form, in order: compounds joined by "_", protected codes and numbers whole."""
    text = canonical_tones(to_nfc(text))
    words: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        if match.start() > position:
            words.extend(_segment(text[position : match.start()]))
        words.append(_protected_token(match))
        position = match.end()
    if position < len(text):
        words.extend(_segment(text[position:]))
    return words


@lru_cache(maxsize=1)
def dictionary_compounds() -> frozenset[str]:
    """The words of two to four syllables of the Vietnamese dictionary underthesea ships (Hồ Ngọc Đức's
    Viet74K), folded, their syllables joined by "_": "nghia_trang", "tang_le", "duong_sat"."""
    spec = importlib.util.find_spec("underthesea")
    assert spec is not None and spec.origin is not None
    entries = (Path(spec.origin).parent / "corpus" / "data" / "Viet74K.txt").read_text("utf-8").splitlines()
    folded = (fold_diacritics(to_nfc(entry)).lower().split() for entry in entries)
    return frozenset("_".join(syllables) for syllables in folded if 2 <= len(syllables) <= 4
                     and all(syllable.isalpha() for syllable in syllables))


def tokenize(text: str) -> Tokens:
    """Search-form and folded tokens of a text (a clause, a heading or a query)."""
    tokens: list[str] = []
    for word in segment_words(text):
        if "_" in word:
            tokens.append(word)
            tokens.extend(word.split("_"))
        else:
            tokens.append(word)
    return Tokens(exact=tokens, folded=[fold_diacritics(token) for token in tokens])
