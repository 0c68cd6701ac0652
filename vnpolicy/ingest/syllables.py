"""The closed set of Vietnamese syllables and a syllable trigram language model over them.

A syllable is a lower-case word in search form (NFC, canonical tone placement) whose letters, without
diacritics, have the shape onset + rhyme of Vietnamese (`ngh` + `iê` + `ng`). The language model counts
syllable n-grams inside runs of syllables (punctuation, numbers and foreign words cut a run) and scores
with interpolated Witten-Bell smoothing, which needs only the counts and each context's number of distinct
followers. The counts ship as `data/syllable_counts.tsv.gz`, built by `scripts/build_syllable_counts.py`
from accented text available offline, one section per source so that a benchmark can leave one out.
"""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from vnpolicy.ingest.normalize import fold_diacritics, search_form

COUNTS_FILE = Path(__file__).parent / "data" / "syllable_counts.tsv.gz"
BOUNDARY = "<s>"
_SHAPE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(?:[aeiouy]{1,3})(?:ng|nh|ch|[cmnpt]|[iouy])?"
)
_WORD_OR_BREAK = re.compile(r"[^\W\d_]+|[^\s]")


def is_syllable_shape(word: str) -> bool:
    """Whether a lower-case word, without its diacritics, is shaped like one Vietnamese syllable."""
    folded = fold_diacritics(word)
    return len(folded) <= 7 and bool(_SHAPE.fullmatch(folded))


def syllable_runs(text: str) -> Iterator[list[str]]:
    """Runs of consecutive syllables (search form) of a text; anything else ends a run."""
    run: list[str] = []
    for match in _WORD_OR_BREAK.finditer(search_form(text)):
        token = match.group()
        if token[0].isalpha() and is_syllable_shape(token):
            run.append(token)
        else:
            if run:
                yield run
            run = []
    if run:
        yield run


def count_ngrams(texts: Iterable[str]) -> Counter[tuple[str, ...]]:
    """Unigram, bigram and trigram counts, with the run boundary as a pseudo-syllable."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for run in syllable_runs(text):
            padded = [BOUNDARY, BOUNDARY, *run, BOUNDARY]
            for i in range(2, len(padded)):
                counts[(padded[i],)] += 1
                counts[(padded[i - 1], padded[i])] += 1
                counts[(padded[i - 2], padded[i - 1], padded[i])] += 1
    return counts


def write_counts(path: Path, sections: dict[str, Counter[tuple[str, ...]]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        for name, counts in sections.items():
            out.write(f"#\t{name}\n")
            for gram, count in sorted(counts.items(), key=lambda item: (len(item[0]), item[0])):
                out.write(f"{' '.join(gram)}\t{count}\n")


def read_counts(path: Path = COUNTS_FILE, exclude: frozenset[str] = frozenset()) -> Counter[tuple[str, ...]]:
    """The summed counts of every section of the counts file but the excluded ones."""
    counts: Counter[tuple[str, ...]] = Counter()
    skipping = False
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            gram, count = line.rstrip("\n").split("\t")
            if gram == "#":
                skipping = count in exclude
            elif not skipping:
                counts[tuple(gram.split(" "))] += int(count)
    return counts


class SyllableModel:
    """Syllable inventory (by folded form) and an interpolated Witten-Bell trigram model."""

    def __init__(self, counts: Counter[tuple[str, ...]]) -> None:
        self.unigrams: dict[str, int] = {g[0]: c for g, c in counts.items() if len(g) == 1}
        self.ngrams: dict[tuple[str, ...], int] = {g: c for g, c in counts.items() if len(g) > 1}
        self.context_total: dict[tuple[str, ...], int] = defaultdict(int)
        self.context_types: dict[tuple[str, ...], int] = defaultdict(int)
        for gram, count in self.ngrams.items():
            self.context_total[gram[:-1]] += count
            self.context_types[gram[:-1]] += 1
        self.total = sum(self.unigrams.values())
        self.by_folded: dict[str, list[str]] = defaultdict(list)
        for syllable in self.unigrams:
            if syllable != BOUNDARY:
                self.by_folded[fold_diacritics(syllable)].append(syllable)
        self._cache: dict[tuple[str, ...], float] = {}
        self._bigram_cache: dict[tuple[str, ...], float] = {}

    def unigram_logprob(self, syllable: str) -> float:
        # add-one over the inventory plus one unseen class: an unseen syllable is possible, but rare
        return math.log((self.unigrams.get(syllable, 0) + 0.5) / (self.total + 0.5 * (len(self.unigrams) + 1)))

    def _prob(self, gram: tuple[str, ...]) -> float:
        if len(gram) == 1:
            return math.exp(self.unigram_logprob(gram[0]))
        if len(gram) == 2:
            cached = self._bigram_cache.get(gram)
            if cached is None:
                cached = self._bigram_cache[gram] = self._interpolated(gram, self._prob(gram[1:]))
            return cached
        return self._interpolated(gram, self._prob(gram[1:]))

    def _interpolated(self, gram: tuple[str, ...], lower: float) -> float:
        context = gram[:-1]
        total = self.context_total.get(context, 0)
        if not total:
            return lower
        types = self.context_types[context]
        return (self.ngrams.get(gram, 0) + types * lower) / (total + types)

    def logprob(self, previous2: str, previous: str, syllable: str) -> float:
        """log P(syllable | the two syllables before it)."""
        key = (previous2, previous, syllable)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = math.log(self._prob(key))
            if len(self._cache) > 2_000_000:
                self._cache.clear()
        return cached


@lru_cache(maxsize=4)
def load_model(exclude: frozenset[str] = frozenset()) -> SyllableModel:
    return SyllableModel(read_counts(COUNTS_FILE, exclude))
