"""Syllable accuracy of accent restoration (`ingest.restore`): `python -m vnpolicy.eval.bench_restore`.

Three measurements, each leaving the measured text out of the language model:
- accent-stripped: every accented sample document without its diacritics (leave-one-document-out);
- noised: the same, with synthetic OCR noise drawn from the confusion table on a share of the syllables;
- sample 003: 300 syllables of the OCR document corrected by hand (eval/data/restore_003.json).
It also counts the syllables that the tone check changes in the accented documents as printed (each one a
false correction, since they are clean). A syllable counts when the reading of its word is the right syllable.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from vnpolicy.eval.machine import describe_machine
from vnpolicy.ingest.normalize import fold_diacritics, search_form
from vnpolicy.ingest.restore import _OCR_CONFUSIONS, OCR, TONES, _toneless, is_accented_text, restore_text
from vnpolicy.ingest.syllables import is_syllable_shape

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FIXTURE = Path(__file__).parent / "data" / "restore_003.json"
FIXTURE_SYLLABLES = 300
EDGE = "\"“”‘’()[]{}.,;:!?…-"


def _core(token: str) -> str:
    return search_form(token.strip(EDGE))


def _is_counted(word: str) -> bool:
    return word.isalpha() and is_syllable_shape(word)


def score(observed_lines: list[str], truth_lines: list[str], restored_text: str, limit: int | None = None) -> tuple[int, int]:
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


def noise_word(word: str, rng: random.Random, rate: float) -> str:
    """A word as OCR might print it: accents lost, and each letter with a table confusion replaced by one
    of them (weighted by how likely the table says it is) with probability `rate`."""
    out = []
    for letter in word:
        lower = letter.lower()
        options = [(seen, cost) for (source, seen), cost in _OCR_CONFUSIONS.items() if source in (lower, _toneless(lower))]
        if options and rng.random() < rate:
            weights = [2.718 ** -cost for _, cost in options]
            out.append(rng.choices([seen for seen, _ in options], weights)[0])
        else:
            out.append(fold_diacritics(letter))
    return "".join(out)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def run(rate: float, seed: int) -> None:
    rng = random.Random(seed)
    print(describe_machine())
    documents = sorted(p for p in SAMPLE.glob("*.txt") if is_accented_text(p.read_text(encoding="utf-8")))
    totals = {"stripped": [0, 0], "noised": [0, 0], "tones": [0, 0]}
    noised_words = 0
    started = time.perf_counter()
    for path in documents:
        lines = _lines(path.read_text(encoding="utf-8"))
        held_out = frozenset({path.name})
        stripped = [fold_diacritics(line) for line in lines]
        noisy = []
        for line in lines:
            words = []
            for token in line.split():
                core = token.strip(EDGE)
                if _is_counted(search_form(core)) and core:
                    changed = noise_word(core, rng, rate)
                    noised_words += changed != fold_diacritics(core)
                    token = token.replace(core, changed, 1)
                else:
                    token = fold_diacritics(token)
                words.append(token)
            noisy.append(" ".join(words))
        for name, observed in (("stripped", stripped), ("noised", noisy)):
            correct, counted = score(lines, lines, restore_text("\n".join(observed), OCR, held_out).text)
            totals[name][0] += correct
            totals[name][1] += counted
            print(f"  {path.name} {name:<9} {correct / counted:.3%} of {counted} syllables")
        reading = restore_text("\n".join(lines), TONES, held_out)
        totals["tones"][0] += reading.changed
        totals["tones"][1] += reading.words
    elapsed = time.perf_counter() - started
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    ocr_lines = [ocr for ocr, _ in fixture["lines"]]
    truth_lines = [truth for _, truth in fixture["lines"]]
    fixture_correct, fixture_counted = score(
        ocr_lines, truth_lines, restore_text("\n".join(ocr_lines), OCR).text, FIXTURE_SYLLABLES
    )
    print(f"accent-stripped, leave-one-document-out: {totals['stripped'][0] / totals['stripped'][1]:.1%} "
          f"of {totals['stripped'][1]} syllables ({len(documents)} documents)")
    print(f"noised (rate {rate}, {noised_words} words with a confusion): "
          f"{totals['noised'][0] / totals['noised'][1]:.1%} of {totals['noised'][1]} syllables")
    print(f"sample 003 fixture (hand-corrected OCR): {fixture_correct / fixture_counted:.1%} "
          f"of {fixture_counted} syllables")
    print(f"tone check on clean accented text: {totals['tones'][0]} of {totals['tones'][1]} syllables changed "
          "(each a false correction)")
    print(f"restoration speed: {sum(totals[k][1] for k in ('stripped', 'noised', 'tones')) / elapsed:.0f} "
          "syllables/s (stripped + noised + tone check, one core)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Accent restoration accuracy")
    parser.add_argument("--rate", type=float, default=0.12, help="chance that a confusable letter is confused")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    run(args.rate, args.seed)


if __name__ == "__main__":
    main()
