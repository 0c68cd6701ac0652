"""Build vnpolicy/ingest/data/syllable_counts.tsv.gz: syllable n-gram counts of accented Vietnamese.

Sources (never the questions of an eval set): the accented documents of data/sample (one section each,
so that bench_restore can leave one out), the ALQAC-2022 law articles and XQuAD-vi passages of
../shared/eval/external (their corpus.jsonl only), underthesea's Viet74K word list and the gazetteer's
place names. External n-grams seen once are dropped to keep the file small; sample sections are whole.

    python scripts/build_syllable_counts.py [--external /work/shared/eval/external]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import underthesea

from vnpolicy.ingest.gazetteer import LOCALITIES, PROVINCES_BEFORE_2025
from vnpolicy.ingest.restore import is_accented_text
from vnpolicy.ingest.syllables import COUNTS_FILE, count_ngrams, write_counts

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
MIN_EXTERNAL_COUNT = 2


def corpus_texts(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [f"{row.get('title', '')}\n{row['text']}" for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=ROOT.parent / "shared" / "eval" / "external")
    args = parser.parse_args()
    sections: dict[str, Counter] = {}
    external: Counter = Counter()
    for name in ("alqac2022", "xquad_vi"):
        external += count_ngrams(corpus_texts(args.external / name / "corpus.jsonl"))
    words = (Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt").read_text(encoding="utf-8")
    external += count_ngrams(words.splitlines())
    sections["external"] = Counter({g: c for g, c in external.items() if c >= MIN_EXTERNAL_COUNT or len(g) == 1})
    sections["gazetteer"] = count_ngrams([*PROVINCES_BEFORE_2025, *LOCALITIES])  # each name once: not pruned
    for path in sorted(SAMPLE.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if is_accented_text(text):
            sections[path.name] = count_ngrams([text])
    write_counts(COUNTS_FILE, sections)
    print(f"{COUNTS_FILE}: {COUNTS_FILE.stat().st_size / 1e6:.2f} MB, sections {', '.join(sections)}")


if __name__ == "__main__":
    main()
