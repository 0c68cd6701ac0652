"""Restore the accents of unaccented or OCR-damaged Vietnamese: a noisy channel over syllables.

For each observed word `o` the restored syllable `s` maximises log P_LM(s | two before) − cost(o | s):
- the language model is the syllable trigram model of `ingest.syllables` (accented text only);
- the channel cost is a weighted edit distance between the letters of `s` and the observed string, where a
  letter may come out as its bare base letter (accents lost), as a confusion of the OCR table below (ơ → d,
  ô → 6, ộ → q, ư → ir, â/ê → i, c → e, m → rn, l → 1, đ → b, …), with junk (' ^ -) inserted, or, at a high
  price, as anything else. Costs are in nats, tabled from the issue's examples and the confusions one sees
  in OCR of Vietnamese (they are measured by `vnpolicy.eval.bench_restore`).
Decoding is a beam search over runs of words (punctuation, numbers and codes cut a run).

Two modes: `OCR` (the text lost its accents: a bare letter costs nothing) for text detected as unaccented
or OCR-damaged, and `TONES` for accented text, where only the tone or the hat of a syllable may change, at
a price high enough that only a clear language-model gain pays for it: lower for the tone misreadings OCR
makes on accented text (`TONE_CONFUSIONS`: "TÍNH ỦY" → "TỈNH ỦY", "thúc đầy" → "thúc đẩy"). A word in a
proper name (title case beside another: "Pì Lèng") is left as printed.

In OCR mode a run of capitalised words that a place name of the gazetteer (provinces, towns, districts,
wards) or the start of a personal name explains is pushed towards that name ("Kien Giang" → Kiên Giang,
not the commoner "kiện"), and the word before it towards an administrative unit ("phudng" → phường).
Acronyms in running text (ODA, PPP), roman numerals and list numbers ("1.Muc") are not read as syllables.

The restored reading is never a source of quotes: clauses keep their original text and offsets, and the
reading is what the indexes see (`Clause.restored_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from vnpolicy.ingest.gazetteer import place_names
from vnpolicy.ingest.models import Clause
from vnpolicy.ingest.normalize import fold_diacritics, search_form, to_nfc
from vnpolicy.ingest.syllables import BOUNDARY, SyllableModel, is_syllable_shape, load_model

# --- the channel ---------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_OCR_CONFUSIONS: dict[tuple[str, str], float] = {
    # (letter of the syllable — exact, tone-less, or a class: "dot" = under-dot tone, "marked" = any
    # diacritic; what the OCR printed): cost
    ("ơ", "d"): 1.0, ("ơ", "o'"): 0.5, ("ơ", "a"): 3.0, ("ơ", "g"): 3.0, ("ơ", "ff"): 3.0, ("ơ", "gr"): 3.0,
    ("ờ", "a"): 2.5, ("ô", "d"): 1.5, ("ô", "6"): 1.5, ("ô", "0"): 3.0, ("ô", "i"): 3.5,
    ("ư", "ir"): 2.0, ("ư", "i"): 3.0, ("ư", "y"): 2.5, ("ư", "u'"): 0.5, ("ư", "ü"): 1.5,
    ("ê", "i"): 2.5, ("ê", "s"): 3.5, ("ê", "l"): 3.5, ("â", "i"): 2.5, ("â", "5"): 3.5, ("ă", "5"): 3.0,
    ("ĩ", "t"): 3.0, ("ố", "i"): 2.5, ("o", "d"): 4.0, ("u", "ii"): 3.0,
    ("dot", "q"): 2.0, ("dot", "p"): 2.0, ("dot", "g"): 2.5, ("marked", "d"): 2.0,
    ("đ", "b"): 2.0, ("c", "e"): 2.0, ("m", "rn"): 1.0, ("l", "1"): 1.5, ("i", "1"): 2.5,
    ("i", "l"): 3.0, ("l", "i"): 3.5, ("n", "ri"): 3.0, ("h", "li"): 3.0, ("e", "c"): 3.0,
}
_MAX_OBSERVED = max(len(observed) for _, observed in _OCR_CONFUSIONS)
_JUNK = set("'^`~-.,*\"")
JUNK_COST = 1.0
OTHER_COST = 6.5  # any other substitution, deletion or insertion
CANDIDATE_MARGIN = 6.0  # candidates costlier than the cheapest by more than this are not considered
MAX_CHANNEL_COST = 7.0  # a word no syllable explains for less is left as it is (a name, an acronym)


# OCR of accented text misreads tone marks, the small hook of the hỏi tone most: read as an acute or a
# grave, or lost ("TÍNH ỦY" for TỈNH, "thúc đầy" for đẩy, "phát triên" for triển); an acute is also read
# as a grave ("cơ cầu" for cấu). (tone of the syllable, tone printed): cost in nats. The costs were set on
# the OCR of more-documents 005 and the clean sample documents (the lowest that change at most one clean
# syllable that was right); bench_restore measures them on synthetic misreadings.
_HOOK, _ACUTE, _GRAVE = "\u0309", "\u0301", "\u0300"
TONE_CONFUSIONS: tuple[tuple[str, str, float], ...] = (
    (_HOOK, _ACUTE, 5.0), (_HOOK, _GRAVE, 5.0), (_HOOK, "", 5.0), (_ACUTE, _GRAVE, 6.0),
)


@dataclass(frozen=True)
class Mode:
    name: str
    strip_cost: float  # a letter printed bare (ố → o)
    accent_cost: float  # a letter printed with other diacritics (ố → ó)
    confusions: bool  # whether the OCR table applies
    tone_confusions: tuple[tuple[str, str, float], ...] = ()  # cheaper tone misreadings (same letter shape)


OCR = Mode("ocr", strip_cost=0.0, accent_cost=2.0, confusions=True)
TONES = Mode("tones", strip_cost=9.0, accent_cost=8.0, confusions=False, tone_confusions=TONE_CONFUSIONS)
# Typed without diacritics (a question): letters stripped of their marks, none misread.
TYPED = Mode("typed", strip_cost=0.0, accent_cost=2.0, confusions=False)


@lru_cache(maxsize=256)
def _toneless(ch: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONES))


@lru_cache(maxsize=256)
def _confusion_keys(letter: str) -> tuple[str, ...]:
    keys = [letter, _toneless(letter)]
    if "\u0323" in unicodedata.normalize("NFD", letter):
        keys.append("dot")
    if fold_diacritics(letter) != letter and letter != "đ":
        keys.append("marked")
    return tuple(keys)


def ocr_confusions(letter: str) -> dict[str, float]:
    """What OCR may print for a (lower-case) letter besides its bare form, with the cost of each."""
    found: dict[str, float] = {}
    for (key, observed), cost in _OCR_CONFUSIONS.items():
        if key in _confusion_keys(letter):
            found[observed] = min(cost, found.get(observed, cost))
    return found


def _tone_of(letter: str) -> str:
    return next((mark for mark in unicodedata.normalize("NFD", letter) if mark in _TONES), "")


@lru_cache(maxsize=100_000)
def _substitution(letter: str, observed: str, mode: Mode) -> float | None:
    if observed == letter:
        return 0.0
    if mode.tone_confusions and len(observed) == 1 and _toneless(observed) == _toneless(letter):
        pair = (_tone_of(letter), _tone_of(observed))
        known = [cost for true, seen, cost in mode.tone_confusions if (true, seen) == pair]
        if known:
            return known[0]
    base = fold_diacritics(letter)
    if observed == base:
        return mode.strip_cost
    if len(observed) == 1 and fold_diacritics(observed) == base:
        return mode.accent_cost
    if mode.confusions:
        costs = [_OCR_CONFUSIONS.get((key, observed)) for key in _confusion_keys(letter)]
        known = [cost for cost in costs if cost is not None]
        if known:
            return min(known)
    return None


_ACCENTED_LETTERS: dict[str, tuple[str, ...]] = {}
for _letter in "aăâeêioôơuưyđ":
    for _tone in ("", *_TONES):
        _accented = unicodedata.normalize("NFC", _letter + _tone)
        _ACCENTED_LETTERS.setdefault(fold_diacritics(_accented), ())
        _ACCENTED_LETTERS[fold_diacritics(_accented)] += (_accented,)


@lru_cache(maxsize=100_000)
def _bare_substitution(base: str, observed: str, mode: Mode) -> float | None:
    """The cheapest substitution of any accented letter on the bare letter `base`: a lower bound."""
    costs = [_substitution(letter, observed, mode) for letter in _ACCENTED_LETTERS.get(base, (base,))]
    known = [cost for cost in costs if cost is not None]
    return min(known) if known else None


def _edit_cost(observed: str, syllable: str, mode: Mode, substitution) -> float:
    n, m = len(syllable), len(observed)
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    insertion = [JUNK_COST if ch in _JUNK and mode.confusions else OTHER_COST for ch in observed]
    for i in range(n + 1):
        row, below = best[i], best[i + 1] if i < n else None
        for j in range(m + 1):
            here = row[j]
            if here == inf:
                continue
            if j < m and here + insertion[j] < row[j + 1]:  # an extra printed character
                row[j + 1] = here + insertion[j]
            if below is not None:
                if here + OTHER_COST < below[j]:  # a letter lost
                    below[j] = here + OTHER_COST
                for length in range(1, min(_MAX_OBSERVED, m - j) + 1):
                    cost = substitution(syllable[i], observed[j : j + length], mode)
                    if cost is None and length == 1:
                        cost = OTHER_COST
                    if cost is not None and here + cost < below[j + length]:
                        below[j + length] = here + cost
    return best[n][m]


@lru_cache(maxsize=500_000)
def channel_cost(observed: str, syllable: str, mode: Mode) -> float:
    """Cost (nats) of the OCR printing `syllable` as `observed` (both lower case)."""
    return _edit_cost(observed, syllable, mode, _substitution)


def folded_channel_cost(observed: str, folded: str, mode: Mode) -> float:
    """A lower bound of `channel_cost` over every syllable with this folded form."""
    return _edit_cost(observed, folded, mode, _bare_substitution)


# --- candidates ----------------------------------------------------------------------------------------

# multi-letter confusions undone before looking a word up (single-letter ones are one edit away)
_REWRITES = (
    ("ri", "n"), ("li", "h"), ("rn", "m"), ("ir", "u"), ("ff", "o"), ("1", "l"), ("6", "o"), ("5", "a"), ("0", "o"),
    ("ii", "u"),
)


class _Candidates:
    """Syllables that may have been printed as a given word, found through their folded forms."""

    def __init__(self, model: SyllableModel) -> None:
        self.model = model
        self.deletes: dict[str, set[str]] = {}
        for folded in model.by_folded:
            for variant in self._deletions(folded, 1):
                self.deletes.setdefault(variant, set()).add(folded)

    @staticmethod
    def _deletions(word: str, depth: int) -> set[str]:
        found = {word}
        frontier = {word}
        for _ in range(depth):
            frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
            found |= frontier
        return found

    def _variants(self, observed: str) -> set[str]:
        stripped = "".join(ch for ch in observed if ch not in _JUNK)
        variants = {fold_diacritics(observed), fold_diacritics(stripped)}
        for source, target in _REWRITES:
            variants |= {v.replace(source, target) for v in variants if source in v}
        if stripped.startswith("q") and not stripped.startswith("qu"):
            variants.add("o" + stripped[1:])
        variants |= {v[:-1] + "c" for v in variants if v.endswith("e") and len(v) > 2}  # "toe" is "tốc"
        return {v for v in variants if v}

    def folded_forms(self, observed: str) -> set[str]:
        forms: set[str] = set()
        for variant in self._variants(observed):
            if variant in self.model.by_folded:
                forms.add(variant)
            for deleted in self._deletions(variant, 1):
                forms |= self.deletes.get(deleted, set())
        return forms

    @lru_cache(maxsize=200_000)  # noqa: B019 - one instance per model, kept for the process
    def of(self, observed: str, mode: Mode, limit: int = 10) -> tuple[tuple[str, float], ...]:
        forms = self.folded_forms(observed) if mode.confusions else {fold_diacritics(observed)}
        bounds = {form: folded_channel_cost(observed, form, mode) for form in forms} if len(forms) > 1 else {}
        cutoff = min(min(bounds.values(), default=0.0) + CANDIDATE_MARGIN, MAX_CHANNEL_COST)
        scored = [
            (syllable, cost)
            for form in forms
            if bounds.get(form, 0.0) <= cutoff
            for syllable in self.model.by_folded.get(form, ())
            if (cost := channel_cost(observed, syllable, mode)) <= cutoff
        ]
        scored.sort(key=lambda item: (item[1], -self.model.unigrams.get(item[0], 0)))
        return tuple(scored[:limit])


@lru_cache(maxsize=4)
def _candidates(exclude: frozenset[str] = frozenset()) -> _Candidates:
    return _Candidates(load_model(exclude))


def load_restorer() -> None:
    """Load the syllable model and the place names now (about a second), so that the first question typed
    without diacritics, which is searched by its restored reading, does not wait for them."""
    restore_text("Tinh uy Kon Tum", OCR)


# --- decoding ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"“”‘’()[]{}.,;:!?…"
_CORE = re.compile(r"[^\W_]+(?:['^`~*\-][^\W_]*)*['^`~]?|[^\W_]*['^`~][^\W_]+")
BEAM_WIDTH = 12
_ENUMERATOR = re.compile(r"(?:\d{1,3}|[IVX]{1,4})(?:[.)]|-(?=[^\W\d_]{2}))+(?=[^\W\d_])")
_ROMAN = re.compile(r"[IVX]{1,4}-?")


@dataclass
class _Slot:
    prefix: str
    core: str
    suffix: str
    candidates: tuple[tuple[str, float], ...] = ()
    breaks_after: bool = False


def _candidate_core(core: str) -> bool:
    letters = sum(ch.isalpha() for ch in core)
    return letters >= 1 and len(core) <= 9 and "/" not in core and not core.isdigit()


def _slots(text: str, table: _Candidates, mode: Mode) -> list[_Slot]:
    slots: list[_Slot] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        core_start = len(token) - len(token.lstrip(_EDGE_PUNCTUATION))
        core_end = len(token.rstrip(_EDGE_PUNCTUATION))
        if core_end <= core_start:
            slots.append(_Slot(token, "", "", breaks_after=True))
            continue
        prefix, core, suffix = token[:core_start], token[core_start:core_end], token[core_end:]
        enumerator = _ENUMERATOR.match(core)
        if enumerator:  # "1.Muc", "II-MUC": the number is not part of the word
            prefix, core = prefix + enumerator.group(), core[enumerator.end() :]
        parts = core.split("-")
        if len(parts) > 1 and all(len(p) >= 2 for p in parts) and all(_candidate_core(p) for p in parts):
            # "te-xa" is two syllables joined by a dash; "thu-c" is one with a stray mark
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                slots.append(_Slot(prefix if index == 0 else "", part, suffix if last else "-"))
        else:
            parts = [core]
            slots.append(_Slot(prefix, core, suffix))
        if prefix or suffix:
            slots[-1].breaks_after = bool(suffix.strip("\"”’)"))
            if prefix.strip("\"“‘("):
                slots[-len(parts)].breaks_after = slots[-1].breaks_after  # the token's first slot
    lower_case_block = _mostly_lower_case(slots)
    for index, slot in enumerate(slots):
        if slot.core and _candidate_core(slot.core) and not _as_printed(slot.core, lower_case_block):
            lowered = to_nfc(slot.core).lower()
            if not mode.confusions and not is_syllable_shape(search_form(lowered)):
                continue
            if not mode.confusions and _in_name(slots, index):
                continue  # "Ia Tun", "Pì Lèng": a place or person is spelled as printed
            slot.candidates = table.of(lowered if mode.confusions else search_form(lowered), mode)
    if mode.confusions:
        _read_names(slots, table, mode)
    return slots


MAX_NAME_WORDS = 4
NAME_BONUS = 3.0  # nats per syllable for reading a capitalised run as a name


# The commonest Vietnamese family names and the two commonest middle names: streets, sites and signatories
# are named after people ("đường Võ Văn Kiệt", "đình Nguyễn Trung Trực").
_FAMILY_NAMES = "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý".split()
_PERSONAL_NAMES = [(family,) for family in _FAMILY_NAMES] + [
    (family, middle) for family in _FAMILY_NAMES for middle in ("văn", "thị")
]


# What a place or personal name follows: its administrative unit or the kind of thing named after it
# ("phường Vĩnh Hiệp", "đường Võ Văn Kiệt", "kênh Ông Hiển").
_NAMED_THINGS = "tỉnh huyện xã phường quận thị phố đường cầu chợ sông kênh cảng đảo núi hồ".split()


@lru_cache(maxsize=1)
def _names_by_first() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The gazetteer's place names and the commonest beginnings of personal names as syllables (search
    form), by the folded form of their first one."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for syllables in [*(tuple(search_form(name).split()) for name in place_names()), *_PERSONAL_NAMES]:
        if len(syllables) <= MAX_NAME_WORDS and all(is_syllable_shape(syllable) for syllable in syllables):
            found.setdefault(fold_diacritics(syllables[0]), set()).add(syllables)
    return {first: tuple(sorted(names)) for first, names in found.items()}


def _capitalised(core: str) -> bool:
    return core[:1].isupper() and not any(ch.isupper() for ch in core[1:])


def _name_cost(slot: _Slot, syllable: str, table: _Candidates, mode: Mode) -> float | None:
    """The channel cost of a name's syllable for a word, when it is as cheap as the word's own candidates allow."""
    if not slot.candidates:
        return None
    observed = to_nfc(slot.core).lower()
    if fold_diacritics(syllable) not in table.folded_forms(observed):
        return None
    cost = channel_cost(observed, syllable, mode)
    return cost if cost <= min(slot.candidates[0][1] + CANDIDATE_MARGIN, MAX_CHANNEL_COST) else None


def _read_names(slots: list[_Slot], table: _Candidates, mode: Mode) -> None:
    """Read a run of capitalised words that a place name of the gazetteer (or a personal name) explains as that name.

    Every syllable of a Vietnamese proper name is capitalised, so "Kien Giang", "Ha Tien", "Hdn Dat" are
    likely names, but the language model knows "kiện" and "tiện" far better than the names: the names'
    syllables become candidates at NAME_BONUS nats less ("Kiên Giang", "Hà Tiên", "Hòn Đất"). The language
    model still chooses: between names that fit ("Vĩnh Thanh", "Vĩnh Thạnh"), and for a capitalised phrase
    that is no place ("Ban Thường vụ", though a ward is called Đan Thượng).
    """
    names = _names_by_first()
    index = 0
    while index < len(slots):
        run = 0  # capitalised words from here on, in one phrase
        while (
            index + run < len(slots) and run < MAX_NAME_WORDS and slots[index + run].candidates
            and _capitalised(slots[index + run].core) and (run == 0 or not slots[index + run - 1].breaks_after)
        ):
            run += 1
        if run < 2:
            index += 1
            continue
        firsts = {fold_diacritics(syllable) for syllable, _ in slots[index].candidates}
        firsts |= table.folded_forms(to_nfc(slots[index].core).lower())
        fitting: list[tuple[tuple[str, ...], list[float]]] = []
        for first in firsts:
            for name in names.get(first, ()):
                if len(name) > run:
                    continue
                costs = [_name_cost(slots[index + i], syllable, table, mode) for i, syllable in enumerate(name)]
                if all(cost is not None for cost in costs):
                    fitting.append((name, costs))
        longest = max((len(name) for name, _ in fitting), default=0)
        if not longest:
            index += 1
            continue
        for offset in range(longest):
            readings = {name[offset]: costs[offset] for name, costs in fitting if len(name) > offset}
            _favour(slots[index + offset], readings)
        before = slots[index - 1] if index and not slots[index - 1].breaks_after else None
        if before is not None and before.candidates and before.core.islower():
            units = {unit: _name_cost(before, unit, table, mode) for unit in _NAMED_THINGS}
            _favour(before, {unit: cost for unit, cost in units.items() if cost is not None})
        index += longest


def _favour(slot: _Slot, readings: dict[str, float]) -> None:
    """Make these readings of a word (with their channel costs) NAME_BONUS nats cheaper than they were."""
    merged = dict(slot.candidates)
    for syllable, cost in readings.items():
        merged[syllable] = min(merged.get(syllable, cost), cost) - NAME_BONUS
    slot.candidates = tuple(sorted(merged.items(), key=lambda item: item[1]))


def _all_caps(core: str) -> bool:
    letters = [ch for ch in core if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _mostly_lower_case(slots: list[_Slot]) -> bool:
    words = [slot.core for slot in slots if any(ch.isalpha() for ch in slot.core)]
    return sum(_all_caps(word) for word in words) * 2 < len(words)


def _as_printed(core: str, lower_case_block: bool) -> bool:
    """Words that are not Vietnamese syllables to restore: a roman numeral ("IV"), and in running text an
    acronym (ODA, PPP, MTTQ), which a heading in capitals ("MUC TIEU") is not."""
    return bool(_ROMAN.fullmatch(core)) or (lower_case_block and _all_caps(core))


def _title_case(core: str) -> bool:
    return len(core) > 1 and core[0].isupper() and core[1:].islower()


def _in_name(slots: list[_Slot], index: int) -> bool:
    """Whether a word is part of a proper name: title case, beside another title-case word."""
    if not _title_case(slots[index].core):
        return False
    before = slots[index - 1] if index > 0 and not slots[index - 1].breaks_after else None
    after = slots[index + 1] if index + 1 < len(slots) and not slots[index].breaks_after else None
    return any(neighbour is not None and _title_case(neighbour.core) for neighbour in (before, after))


def _with_case(original: str, syllable: str) -> str:
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return syllable.upper()
    if letters and letters[0].isupper():
        return syllable[:1].upper() + syllable[1:]
    return syllable


def _decode_run(run: list[_Slot], model: SyllableModel) -> list[str]:
    """The best syllable for each slot of a run (all slots have candidates)."""
    beam: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {(BOUNDARY, BOUNDARY): (0.0, ())}
    for slot in run:
        grown: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
        for (before, last), (score, path) in beam.items():
            for syllable, cost in slot.candidates:
                total = score + model.logprob(before, last, syllable) - cost
                key = (last, syllable)
                if key not in grown or grown[key][0] < total:
                    grown[key] = (total, (*path, syllable))
        beam = dict(sorted(grown.items(), key=lambda item: -item[1][0])[:BEAM_WIDTH])
    best = max(beam.items(), key=lambda item: item[1][0] + model.logprob(item[0][0], item[0][1], BOUNDARY))
    return list(best[1][1])


@dataclass(frozen=True)
class Restoration:
    text: str
    changed: int  # words whose reading differs from the printed word (ignoring case)
    words: int  # words read as syllables


def restore_text(text: str, mode: Mode = OCR, exclude: frozenset[str] = frozenset()) -> Restoration:
    """The restored reading of a text (spacing normalised to single spaces).

    `exclude` leaves sections of the counts file out of the language model (for leave-one-out benchmarks).
    """
    table = _candidates(exclude)
    slots = _slots(text, table, mode)
    readings: list[str | None] = [None] * len(slots)
    run: list[int] = []

    def flush() -> None:
        if run:
            for index, syllable in zip(run, _decode_run([slots[i] for i in run], table.model), strict=True):
                readings[index] = syllable
            run.clear()

    for index, slot in enumerate(slots):
        if slot.candidates:
            run.append(index)
        else:
            flush()
        if slot.breaks_after:
            flush()
    flush()
    out: list[str] = []
    changed = words = 0
    for index, (slot, reading) in enumerate(zip(slots, readings, strict=True)):
        core = slot.core
        if reading is not None:
            words += 1
            if reading != search_form(slot.core):
                changed += 1
                core = _with_case(slot.core, reading)
        piece = slot.prefix + core + slot.suffix
        if out and not (slot.prefix == "" and index > 0 and slots[index - 1].suffix == "-"):
            out.append(" ")
        out.append(piece)
    return Restoration("".join(out), changed, words)


# --- detection -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['^`~][^\W_]*)?")
ACCENTED_SHARE = 0.3  # Vietnamese prose has diacritics on about 3 of 4 syllables
OCR_DAMAGED_SHARE = 0.04
MIN_BLOCK_WORDS = 4


@dataclass(frozen=True)
class Assessment:
    state: str  # accented | unaccented | ocr
    words: int
    accented_share: float
    damaged_share: float

    def describe(self) -> str:
        return (
            f"{self.state} ({self.accented_share:.0%} of {self.words} words with diacritics, "
            f"{self.damaged_share:.0%} not Vietnamese syllables)"
        )


def assess(text: str) -> Assessment:
    """Whether a text is accented Vietnamese, unaccented, or OCR-damaged (words that are no syllable:
    digits or symbols inside words, impossible letter sequences like "trd", "hudng")."""
    words = [w for w in _WORD.findall(to_nfc(text)) if any(ch.isalpha() for ch in w)]
    if not words:
        return Assessment("accented", 0, 0.0, 0.0)
    accented = sum(fold_diacritics(w) != w for w in words) / len(words)
    damaged = sum(not is_syllable_shape(w.lower()) for w in words) / len(words)
    state = "ocr" if damaged >= OCR_DAMAGED_SHARE else "unaccented"
    if accented >= ACCENTED_SHARE:
        state = "accented"
    return Assessment(state, len(words), accented, damaged)


def is_accented_text(text: str) -> bool:
    return assess(text).state == "accented"


@lru_cache(maxsize=65536)  # every index rebuild asks again for each restored clause, unchanged since ingestion
def is_fully_read(reading: str) -> bool:
    """Whether a restored reading is Vietnamese throughout: no more words that no syllable spells
    ("TÔ CHLTC THlTC HIẾN") than OCR damage is detected by."""
    return assess(reading).damaged_share < OCR_DAMAGED_SHARE


@dataclass(frozen=True)
class DocumentRestoration:
    clauses: list[Clause]
    notes: list[str]  # how the document and its blocks were read, for the ingest report


def restore_clauses(text: str, clauses: list[Clause]) -> DocumentRestoration:
    """Clauses with `restored_text` set where a restored reading differs from the printed text.

    The document is assessed as a whole; a block (clause) long enough is assessed on its own, so an
    unaccented block inside an accented document is restored too, and a short one follows its document.
    Accented blocks only get their tone marks checked.
    """
    document = assess(text)
    states: Counter[str] = Counter()
    restored: list[Clause] = []
    for clause in clauses:
        block = assess(clause.text)
        state = block.state if block.words >= MIN_BLOCK_WORDS else document.state
        if state == "accented" and block.words and block.accented_share < ACCENTED_SHARE:
            state = "accented"  # a short unaccented heading of an accented document ("Noi nhan") stays
        reading = restore_text(clause.text, TONES if state == "accented" else OCR)
        if reading.changed:
            states["accented, tone marks misread" if state == "accented" else state] += 1
            restored.append(replace(clause, restored_text=reading.text))
        else:
            restored.append(clause)
    notes = []
    if states:
        detail = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
        notes.append(f"document read as {document.describe()}; restored reading for {sum(states.values())} "
                     f"block(s) by block state: {detail}")
    return DocumentRestoration(restored, notes)
