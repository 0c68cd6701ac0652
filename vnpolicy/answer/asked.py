"""Whether a question asks for a figure, and whether a clause states one.

"Cao tốc Tuyên Quang - Hà Giang dài bao nhiêu km?", "How many industrial clusters …?": a clause on the right
topic that states no such figure does not answer the lookup, however close it is — the honest answer is
that the documents do not say. The check is on the form of the question, not on words fitted to questions:
a figure is a number, carrying the unit the question names (km, ha, tỷ đồng, tấn, %, MW, m3, months …). (A year
asked for — "khi nào", "năm nào" — is left to the support model: "Hoàn thiện đưa vào vận hành Bệnh viện Đa
khoa tỉnh" answers "when" with the plan's own period.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vnpolicy.ingest.normalize import fold_diacritics, search_form

# On the folded, lower-cased question ("how large / far" may be answered by a comparison, not a figure).
_ASKS_FIGURE = re.compile(
    r"\b(?:bao nhieu|ty le|how (?:many|much|long)|what (?:percentage|share|rate|proportion))\b"
)
# "mấy" (how many) only with its marks: folded, it is also "máy" (machine) and "may" (to sew).
_MAY = re.compile(r"\bmấy\b")
# A unit right after the asking words (folded) → how a clause writes it after its number (folded).
_UNITS = (
    (r"km|kilomet\w*|ki lo met", r"km\b|ki lo met"),
    (r"ha|hec ta|hecta\w*", r"ha\b|hec ta"),
    (r"ty dong|ty|trieu dong|billion|million|vnd|dong", r"ty\b|trieu\b|dong\b"),
    (r"tan|tons?|tonnes?", r"tan\b"),
    (r"phan tram|percent\w*|%", r"%|phan tram"),
    (r"mw|megawatt\w*", r"mw\b"),
    (r"m3|met khoi|cubic", r"m3\b|met khoi"),
    # Durations: "tối đa mấy tháng" is answered by "không quá 9 tháng/năm học", not by any number, nor by a
    # date ("ngày 16 tháng 7 năm 2024": a number after the unit makes it a date).
    (r"thang|months?", r"thang\b(?!\s*\d)"),
    (r"tuan|weeks?", r"tuan\b"),
    (r"ngay|days?", r"ngay\b"),
    (r"nam|years?", r"nam\b(?!\s*\d)"),
)


@dataclass(frozen=True)
class AskedFigure:
    unit: str | None = None  # the pattern its unit must match (folded), when the question names one

    def stated_in(self, text: str) -> bool:
        pattern = rf"\d[\d.,]*\s*(?:{self.unit})" if self.unit else r"\d"
        return re.search(pattern, fold_diacritics(text).lower()) is not None


def asked_figure(question: str) -> AskedFigure | None:
    """The figure the question asks for, or None when it asks for none."""
    marked = search_form(question)
    folded = fold_diacritics(marked)  # letter for letter: offsets in one are offsets in the other
    if (asking := _ASKS_FIGURE.search(folded) or _MAY.search(marked)) is None:
        return None
    following = folded[asking.end() :]
    unit = next((stated for named, stated in _UNITS if re.match(rf"\s*(?:{named})(?!\w)", following)), None)
    return AskedFigure(unit)
