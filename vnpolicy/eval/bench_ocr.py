"""OCR throughput and accuracy on scanned pages: `python -m vnpolicy.eval.bench_ocr`.

A sample document is rendered to page images (`eval.scanned`: A4, 200 dpi, 12-point DejaVu Sans) and saved
as a PDF with no text layer; its pages are then read two ways:
- as vnpolicy does (`ingest.ocr.ocr_pages`): one single-threaded Tesseract process per core;
- one page at a time, Tesseract using its own threads (its default).
Each prints pages per minute (wall clock, rendering included) and the share of printed words that the OCR
text holds in order (search form: case and tone placement ignored). Other processes on the machine slow
both; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import difflib
import os
import time

from vnpolicy.eval.machine import describe_machine
from vnpolicy.eval.scanned import scanned_pdf
from vnpolicy.ingest.normalize import search_form
from vnpolicy.ingest.ocr import check_available, ocr_pages, page_pngs, read_page, tidy

DOCUMENT = "002"  # the longest accented sample: enough text for several pages


def word_accuracy(printed: list[str], read: str) -> tuple[int, int]:
    """(printed words found in order in the OCR text, printed words)."""
    truth = search_form(" ".join(printed)).split()
    seen = search_form(read).split()
    matcher = difflib.SequenceMatcher(a=truth, b=seen, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()), len(truth)


def _report(label: str, pages: int, seconds: float, texts: list[str], printed: list[list[str]]) -> None:
    correct = total = 0
    for lines, text in zip(printed, texts, strict=True):
        found, count = word_accuracy(lines, text)
        correct += found
        total += count
    print(f"{label}: {pages / seconds * 60:.1f} pages/min ({seconds / pages:.1f} s/page), "
          f"words read right {correct / total:.1%} of {total}")


def run(pages: int) -> None:
    from vnpolicy.eval.bench_restore import SAMPLE

    check_available()
    print(f"machine: {describe_machine()}; load average before: {os.getloadavg()[0]:.1f}")
    text = next(SAMPLE.glob(f"{DOCUMENT}_*.txt")).read_text(encoding="utf-8")
    pdf, printed = scanned_pdf(text, max_pages=pages)
    indexes = list(range(len(printed)))

    started = time.perf_counter()
    texts = ocr_pages(pdf, indexes, len(indexes))
    parallel = time.perf_counter() - started
    _report(f"vnpolicy ({os.cpu_count()} single-threaded Tesseract processes)", len(indexes), parallel,
            [texts[i] for i in indexes], printed)

    started = time.perf_counter()
    sequential = [tidy(read_page(png, threads=None)) for png in page_pngs(pdf, indexes)]
    _report("one page at a time, Tesseract's own threads", len(indexes), time.perf_counter() - started,
            sequential, printed)

    print(f"load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="OCR throughput on rendered scanned pages")
    parser.add_argument("--pages", type=int, default=6)
    run(parser.parse_args().pages)


if __name__ == "__main__":
    main()
