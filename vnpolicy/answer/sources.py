"""How a cited clause is named for a reader: the one source line the answer text, the CLI and the page show,
and the parts of a quote that answer a "how much" question."""

from __future__ import annotations

import re

from vnpolicy.answer.asked import AskedFigure
from vnpolicy.ingest.gazetteer import CITIES_AFTER_2025, provinces_of

SHORT_TITLE_CHARS = 72

# A figure: a number with its decimal/thousands marks, or a range, and the unit that makes it a quantity.
# Numbers inside codes and dates ("16-NQ/TU", "23-8-2022") touch "-" or "/" and are not figures.
_FIGURE = re.compile(
    r"(?<![\w/-])\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?"
    r"\s*(?:%|‰|phần trăm|percent|tỷ đồng|triệu đồng|nghìn tỷ|tỷ(?!\s+lệ)|triệu|nghìn|ha|km2|km|MW|GW|kWh|USD|đồng)"
    r"(?![\w-]|/(?!năm))",
    re.IGNORECASE,
)


def short_title(title: str | None, limit: int = SHORT_TITLE_CHARS) -> str:
    """The title cut at a word boundary to about `limit` characters, with an ellipsis when cut."""
    title = " ".join((title or "").split())
    if len(title) <= limit:
        return title
    cut = title.rfind(" ", 0, limit)
    return title[: cut if cut > limit * 0.6 else limit].rstrip(" ,;:") + "…"


def display_date(iso: str | None, language: str) -> str:
    if not iso or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return iso or ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}" if language == "vi" else iso


def province_label(name: str | None, current: str | None, language: str) -> str:
    """A pre-2025 province with the unit it is now: "Bến Tre (nay thuộc tỉnh Vĩnh Long)", merged; "Thừa
    Thiên Huế (nay là thành phố Huế)", renamed."""
    if not name or not current or current == name:
        return name or ""
    renamed = provinces_of(current) == {name}
    if language == "en":
        unit = "city" if current in CITIES_AFTER_2025 else "province"
        return f"{name} (now {current} {unit})" if renamed else f"{name} (now part of {current} {unit})"
    unit = "thành phố" if current in CITIES_AFTER_2025 else "tỉnh"
    return f"{name} (nay là {unit} {current})" if renamed else f"{name} (nay thuộc {unit} {current})"


def source_line(
    *, number: str | None, title: str | None, source_name: str, date: str | None, province: str | None,
    province_current: str | None, path: str, language: str,
) -> str:
    """"179/KH-UBND · Kế hoạch thực hiện … · 12/03/2024 · Bến Tre (nay thuộc Vĩnh Long) · mục II › 1":
    the document by its number and short title (the file name only when it states neither)."""
    english = language == "en"
    document = [part for part in (number, short_title(title)) if part] or [source_name]
    where = f"{'section' if english else 'mục'} {path}" if path else ("preamble" if english else "phần mở đầu")
    parts = [*document, display_date(date, language), province_label(province, province_current, language), where]
    return " · ".join(part for part in parts if part)


def answer_figures(asked: AskedFigure | None, question: str, quote: str) -> list[tuple[int, int]]:
    """[start, end) of the figures in `quote` that answer a question asking for a figure (`asked`): the
    quantities (a number with its unit) it states that the question does not. None for other questions."""
    if asked is None:
        return []
    in_question = {match.group().strip() for match in _FIGURE.finditer(question)}
    return [(m.start(), m.end()) for m in _FIGURE.finditer(quote) if m.group().strip() not in in_question]
