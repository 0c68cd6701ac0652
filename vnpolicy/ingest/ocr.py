"""OCR of PDF pages that have no text layer: Tesseract's Vietnamese model, one page at a time.

Pages are rendered with PDFium at 300 dpi (what Tesseract is trained for) and read by the `tesseract`
program (Debian `tesseract-ocr` + `tesseract-ocr-vie`) through a subprocess: pytesseract would only wrap
the same call with temporary files. Each Tesseract runs on one thread (OMP_THREAD_LIMIT=1) and pages are
read by as many processes as there are cores — on a busy 2-core machine Tesseract's own threads made a
page four times slower, not faster (see `vnpolicy.eval.bench_ocr`).

`VNPOLICY_OCR=0` turns OCR off: a PDF without a text layer is then refused (HTTP 422);
`VNPOLICY_OCR_MAX_PAGES` (default 200) bounds the scanned pages read for one file (more: HTTP 413).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

RENDER_DPI = 300
LANGUAGE = "vie"
PAGE_TIMEOUT_SECONDS = 300

# Progress of one file: (page number, page count), called as each OCR page is done.
PageProgress = Callable[[int, int], None]


class OcrUnavailable(Exception):
    """OCR is turned off or not installed; the message is one sentence for the user."""


DEFAULT_MAX_PAGES = 200  # about 20 minutes of OCR on two cores


def max_ocr_pages() -> int:
    """The most scanned pages OCR reads for one file ($VNPOLICY_OCR_MAX_PAGES)."""
    return int(os.environ.get("VNPOLICY_OCR_MAX_PAGES", DEFAULT_MAX_PAGES))


def ocr_enabled() -> bool:
    return os.environ.get("VNPOLICY_OCR", "1").strip().lower() not in ("0", "false", "no", "off")


def check_available() -> None:
    if not ocr_enabled():
        raise OcrUnavailable("OCR is turned off (VNPOLICY_OCR=0)")
    if shutil.which("tesseract") is None:
        raise OcrUnavailable("the tesseract program is not installed (scripts/setup.sh installs tesseract-ocr)")
    languages = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if LANGUAGE not in languages:
        raise OcrUnavailable("Tesseract's Vietnamese model is not installed (Debian package tesseract-ocr-vie)")


def page_pngs(pdf: bytes, indexes: Sequence[int]) -> Iterator[bytes]:
    """The pages rendered one after the other (PDFium must not be called from several threads)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        for index in indexes:
            image = document[index].render(scale=RENDER_DPI / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            yield buffer.getvalue()
    finally:
        document.close()


def read_page(png: bytes, threads: int | None = 1) -> str:
    """Tesseract's text of one page image; `threads=None` lets Tesseract use as many as it likes."""
    environment = {**os.environ, "OMP_THREAD_LIMIT": str(threads)} if threads else dict(os.environ)
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(RENDER_DPI)],
        input=png, capture_output=True, timeout=PAGE_TIMEOUT_SECONDS, env=environment,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "tesseract failed")
    return result.stdout.decode("utf-8")


# Tesseract reads the Roman numeral I at the start of a heading as a bar ("|. MỤC ĐÍCH").
_BAR_NUMERAL = re.compile(r"^\|(?=\s*[.\-–])", re.M)


def tidy(text: str) -> str:
    """Tesseract's page text: its page-end form feed dropped, a bar read for the numeral I put right."""
    return _BAR_NUMERAL.sub("I", text.replace("\f", "")).strip("\n")


def ocr_pages(
    pdf: bytes, indexes: Sequence[int], page_count: int, on_page: PageProgress | None = None
) -> dict[int, str]:
    """The text of the given pages (0-based indexes) of a PDF, read by Tesseract, one process per core."""
    check_available()
    workers = max(1, min(len(indexes), os.cpu_count() or 1))
    texts: dict[int, str] = {}
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[tuple[int, Future[str]]] = deque()

        def finish_oldest() -> None:
            index, future = pending.popleft()
            texts[index] = tidy(future.result())
            if on_page:
                on_page(index + 1, page_count)

        for index, png in zip(indexes, page_pngs(pdf, indexes), strict=True):
            pending.append((index, pool.submit(read_page, png)))
            if len(pending) > workers:  # render ahead of the readers by one page each, no more
                finish_oldest()
        while pending:
            finish_oldest()
    return texts
