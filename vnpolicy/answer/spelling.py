"""Texts as folded syllables, for asking whether a text spells a phrase: "nhà ở xã hội" is spelled by
"… phát triển nhà ở xã hội …" and by "nha o xa hoi" (OCR), not by "nhà ở … xã hội"."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from vnpolicy.index.tokenize import NUMBER, number_token
from vnpolicy.ingest.normalize import folded_form

# Function words a clause may put inside a phrase the question spells without them:
# "ứng phó với biến đổi khí hậu" spells "ứng phó biến đổi khí hậu".
_INSIDE_WORDS = frozenset("va cua voi cac nhung la".split())


_NUMBER_OR_SYLLABLE = re.compile(rf"{NUMBER}(?!\w)|\w+")  # "5G", "110kV": one word


def syllables(text: str) -> list[str]:
    """Folded syllables; a number in the tokenizer's one spelling ("1.372" and "1,372" → "1372", "07" → "7"),
    as the question's numbers are."""
    return [
        number_token(word) if word[0].isdigit() else word
        for word in _NUMBER_OR_SYLLABLE.findall(folded_form(text))
    ]


@dataclass(frozen=True)
class Spelled:
    words: str  # " w1 w2 … " folded syllables
    content_words: str  # the same without _INSIDE_WORDS

    def spells(self, phrase: str) -> bool:
        padded = f" {phrase} "
        return padded in self.words or padded in self.content_words


def _spelled(words: list[str]) -> Spelled:
    content = [w for w in words if w not in _INSIDE_WORDS]
    return Spelled(" " + " ".join(words) + " ", " " + " ".join(content) + " ")


@lru_cache(maxsize=16384)
def spelled(text: str) -> Spelled:
    return _spelled(syllables(text))


def with_heading(text: str, trail: list[str]) -> str:
    """A clause with its nearest heading: "Về thoát nước đô thị" says what its bullets are about."""
    return "\n".join([*trail[-1:], text])


class CorpusSpelling:
    """Every indexed clause (with its heading) as one folded text, to ask whether any clause spells a phrase."""

    def __init__(self, texts: list[str]) -> None:
        self.all = _spelled([w for text in texts for w in [*syllables(text), "|"]])

    def spells(self, phrase: str) -> bool:
        return self.all.spells(phrase)


_CORPUS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def corpus_spelling(retriever) -> CorpusSpelling:
    """The corpus of a retriever (immutable: a write builds a new one), spelled once."""
    found = _CORPUS.get(retriever)
    if found is None:
        table = retriever.table
        found = CorpusSpelling([
            "\n".join([with_heading(c.restored_text or c.text, c.trail), *table.spelled_out(c)]) for c in table.clauses
        ])
        _CORPUS[retriever] = found
    return found
