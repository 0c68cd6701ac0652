"""A scanned plan made from a text: its lines rendered to page images and saved as a PDF with no text layer.

Used by the OCR test and by `bench_ocr` to stand in for a scan: A4 pages at 200 dpi, 12-point DejaVu Sans
(a font with every Vietnamese letter), the text wrapped at the page width, paragraphs kept apart.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian fonts-dejavu-core
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
DPI = 200
PAGE_SIZE = (1654, 2339)  # A4 at 200 dpi
MARGIN = 150
FONT_POINTS = 12
LINE_SPACING = 1.45
WRAP_CHARS = 82  # what fits between the margins at this size


def font_path() -> Path:
    found = next((path for path in FONT_PATHS if path.exists()), None)
    if found is None:
        raise FileNotFoundError("DejaVuSans.ttf not found: install fonts-dejavu-core (scripts/setup.sh does)")
    return found


def page_lines(text: str) -> list[str]:
    """The lines of the text as printed: each paragraph wrapped, one empty line between paragraphs."""
    lines: list[str] = []
    for paragraph in text.replace("**", "").split("\n"):
        if paragraph.strip():
            lines.extend(textwrap.wrap(paragraph.strip(), WRAP_CHARS))
        elif lines and lines[-1]:
            lines.append("")
    return lines


def render_pages(text: str, max_pages: int) -> tuple[list, list[list[str]]]:
    """Page images (PIL, greyscale) of the first `max_pages` pages, and the lines printed on each."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), round(FONT_POINTS * DPI / 72))
    step = round(FONT_POINTS * DPI / 72 * LINE_SPACING)
    per_page = (PAGE_SIZE[1] - 2 * MARGIN) // step
    lines = page_lines(text)
    images, printed = [], []
    for first in range(0, min(len(lines), per_page * max_pages), per_page):
        image = Image.new("L", PAGE_SIZE, 255)
        draw = ImageDraw.Draw(image)
        chunk = lines[first : first + per_page]
        for row, line in enumerate(chunk):
            draw.text((MARGIN, MARGIN + row * step), line, font=font, fill=0)
        images.append(image)
        printed.append(chunk)
    return images, printed


def scanned_pdf(text: str, max_pages: int = 2) -> tuple[bytes, list[list[str]]]:
    """A PDF of page images only (no text layer), and the lines printed on each page."""
    images, printed = render_pages(text, max_pages)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return buffer.getvalue(), printed
