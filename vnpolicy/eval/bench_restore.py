"""Syllable accuracy of accent restoration (`ingest.restore`): `python -m vnpolicy.eval.bench_restore`.

Three measurements, each leaving the measured text out of the language model:
- accent-stripped: every accented sample document without its diacritics (leave-one-document-out);
- noised: the same, with synthetic OCR noise drawn from the confusion table on a share of the syllables;
- sample 003: 300 syllables of the OCR document corrected by hand (eval/data/restore_003.json);
- tone marks misread: the accented documents with 2 % of their syllables given a tone misreading of the
  table OCR makes on accented text (`restore.TONE_CONFUSIONS`: hỏi read as sắc, huyền or no tone, sắc as
  huyền), read by the tone check: how many are put right, and how many other syllables it changes.
It also counts the syllables that the tone check changes in the accented documents as printed (each one a
false correction, since they are clean). A syllable counts when the reading of its word is the right syllable.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import unicodedata
from pathlib import Path

from vnpolicy.eval.gold import SAMPLE
from vnpolicy.eval.machine import describe_machine
from vnpolicy.ingest.normalize import fold_diacritics, search_form
from vnpolicy.ingest.restore import OCR, TONE_CONFUSIONS, TONES, is_accented_text, ocr_confusions, restore_text
from vnpolicy.ingest.syllables import is_syllable_shape

FIXTURE = Path(__file__).parent / "data" / "restore_003.json"
FIXTURE_SYLLABLES = 300
TONE_DAMAGE_SHARE = 0.02  # about the share of misread tone marks in a real OCR of accented text (more-documents 005)
EDGE = "\"“”‘’()[]{}.,;:!?…-"


def _core(token: str) -> str:
    return search_form(token.strip(EDGE))


def _is_counted(word: str) -> bool:
    return word.isalpha() and is_syllable_shape(word)


def score(truth_lines: list[str], restored_text: str, limit: int | None = None) -> tuple[int, int]:
    """(correct, counted) over whitespace tokens whose true form is one syllable."""
    truth = [_core(token) for line in truth_lines for token in line.split()]
    restored = [_core(token) for token in restored_text.split()]
    if len(truth) != len(restored):
        raise ValueError(f"{len(truth)} true words but {len(restored)} restored words")
    correct = counted = 0
    for want, got in zip(truth, restored, strict=True):
        if _is_counted(want):
            counted += 1
            correct += want == got
            if limit and counted >= limit:
                break
    return correct, counted


def noise_word(word: str, rng: random.Random, scale: float) -> str:
    """A word as OCR might print it: accents lost, and a letter replaced by each confusion of the table
    with probability `scale` · e^(−cost), so likely confusions are drawn more often than rare ones."""
    out = []
    for letter in word:
        draw = rng.random()
        printed = fold_diacritics(letter)
        for seen, cost in ocr_confusions(letter.lower()).items():
            draw -= scale * math.exp(-cost)
            if draw < 0:
                printed = seen
                break
        out.append(printed)
    return "".join(out)


def damaged_share(pairs: list[tuple[str, str]]) -> float:
    """Share of syllables whose printed word is not just the syllable without accents."""
    damaged = sum(fold_diacritics(_core(printed)) != fold_diacritics(truth) for printed, truth in pairs)
    return damaged / len(pairs)


def calibrated_scale(words: list[str], target: float, seed: int) -> float:
    """The noise scale at which the share of damaged words is `target` (bisection)."""
    low, high = 0.0, 1.0
    for _ in range(20):
        middle = (low + high) / 2
        rng = random.Random(seed)
        share = sum(noise_word(w, rng, middle) != fold_diacritics(w) for w in words) / len(words)
        low, high = (middle, high) if share < target else (low, middle)
    return (low + high) / 2


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _fixture() -> tuple[list[str], list[str]]:
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [ocr for ocr, _ in fixture["lines"]], [truth for _, truth in fixture["lines"]]


def _noised(lines: list[str], rng: random.Random, scale: float) -> list[str]:
    noisy = []
    for line in lines:
        words = []
        for token in line.split():
            core = token.strip(EDGE)
            if core and _is_counted(search_form(core)):
                token = token.replace(core, noise_word(core, rng, scale), 1)
            words.append(fold_diacritics(token))
        noisy.append(" ".join(words))
    return noisy


def misread_tone(word: str, rng: random.Random) -> str:
    """The word with its tone mark misread as in `TONE_CONFUSIONS` (unchanged when no entry applies)."""
    decomposed = unicodedata.normalize("NFD", word)
    options = [(true, seen) for true, seen, _ in TONE_CONFUSIONS if true in decomposed]
    if not options:
        return word
    true, seen = rng.choice(options)
    return unicodedata.normalize("NFC", decomposed.replace(true, seen, 1))


def tone_check_scores(lines: list[str], rng: random.Random, held_out: frozenset[str]) -> tuple[int, int, int, int]:
    """(misread syllables put right, misread syllables, other syllables changed, other syllables)."""
    truth = [token for line in lines for token in line.split()]
    printed = [
        token.replace(core, misread_tone(core, rng), 1)
        if (core := token.strip(EDGE)) and _is_counted(search_form(core)) and rng.random() < TONE_DAMAGE_SHARE
        else token
        for token in truth
    ]
    reading = restore_text(" ".join(printed), TONES, held_out).text.split()
    fixed = damaged = changed = clean = 0
    for want, seen, got in zip(truth, printed, reading, strict=True):
        if not _is_counted(_core(want)):
            continue
        if _core(seen) != _core(want):
            damaged += 1
            fixed += _core(got) == _core(want)
        else:
            clean += 1
            changed += _core(got) != _core(want)
    return fixed, damaged, changed, clean


def run(seed: int) -> None:
    print(f"machine: {describe_machine()}")
    ocr_lines, truth_lines = _fixture()
    pairs = [
        (printed, _core(truth))
        for ocr, correct in zip(ocr_lines, truth_lines, strict=True)
        for printed, truth in zip(ocr.split(), correct.split(), strict=True)
        if _is_counted(_core(truth))
    ]
    target = damaged_share(pairs)
    documents = sorted(p for p in SAMPLE.glob("*.txt") if is_accented_text(p.read_text(encoding="utf-8")))
    texts = {path: _lines(path.read_text(encoding="utf-8")) for path in documents}
    words = [core for lines in texts.values() for line in lines for t in line.split()
             if (core := t.strip(EDGE)) and _is_counted(search_form(core))]
    scale = calibrated_scale(words, target, seed)
    rng = random.Random(seed)
    totals = {"stripped": [0, 0], "noised": [0, 0], "tones": [0, 0]}
    misread = [0, 0, 0, 0]
    tone_rng = random.Random(seed + 1)  # its own draws: the other measurements stay as they were
    started = time.perf_counter()
    for path, lines in texts.items():
        held_out = frozenset({path.name})
        for name, observed in (("stripped", [fold_diacritics(line) for line in lines]),
                               ("noised", _noised(lines, rng, scale))):
            correct, counted = score(lines, restore_text("\n".join(observed), OCR, held_out).text)
            totals[name][0] += correct
            totals[name][1] += counted
            print(f"  {path.name} {name:<9} {correct / counted:.1%} of {counted} syllables")
        reading = restore_text("\n".join(lines), TONES, held_out)
        totals["tones"][0] += reading.changed
        totals["tones"][1] += reading.words
        for index, value in enumerate(tone_check_scores(lines, tone_rng, held_out)):
            misread[index] += value
    elapsed = time.perf_counter() - started
    fixture_reading = restore_text("\n".join(ocr_lines), OCR).text
    fixture_correct, fixture_counted = score(truth_lines, fixture_reading, FIXTURE_SYLLABLES)
    print(f"accent-stripped, leave-one-document-out: {totals['stripped'][0] / totals['stripped'][1]:.1%} "
          f"of {totals['stripped'][1]} syllables ({len(documents)} documents)")
    print(f"noised ({target:.1%} of words damaged besides their accents, the share in sample 003's fixture): "
          f"{totals['noised'][0] / totals['noised'][1]:.1%} of {totals['noised'][1]} syllables")
    print(f"sample 003 fixture (hand-corrected OCR): {fixture_correct / fixture_counted:.1%} "
          f"of {fixture_counted} syllables")
    print(f"tone check on clean accented text: {totals['tones'][0]} of {totals['tones'][1]} syllables changed "
          "(each a false correction, or a typo of the source put right)")
    print(f"tone marks misread ({TONE_DAMAGE_SHARE:.0%} of syllables), leave-one-document-out: {misread[0]} of "
          f"{misread[1]} put right ({misread[0] / misread[1]:.1%}); {misread[2]} of {misread[3]} other syllables "
          "changed")
    print(f"restoration speed: {sum(t[1] for t in totals.values()) / elapsed:.0f} syllables/s "
          "(stripped + noised + tone check, one core)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Accent restoration accuracy")
    parser.add_argument("--seed", type=int, default=13)
    run(parser.parse_args().seed)


if __name__ == "__main__":
    main()
