"""Infer a document's metadata from its own text, with or without diacritics.

Every field records whether the text stated it; nothing is made up. Matching runs on the folded text
(`fold_diacritics` of the NFC text), whose characters align one-to-one with the NFC text, so a value
can be reported in its original spelling.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from vnpolicy.ingest.gazetteer import LOCALITIES, PROVINCES_BEFORE_2025, current_province, province_spellings
from vnpolicy.ingest.models import Clause, DocumentMeta, MetaField
from vnpolicy.ingest.normalize import clean_line, fold_diacritics, folded_form, to_nfc

DOC_TYPES: dict[str, str] = {
    "KE HOACH": "Kế hoạch", "NGHI QUYET": "Nghị quyết", "CHUONG TRINH": "Chương trình",
    "KET LUAN": "Kết luận", "QUYET DINH": "Quyết định", "CHI THI": "Chỉ thị", "BAO CAO": "Báo cáo",
    "DE AN": "Đề án", "THONG BAO": "Thông báo",
}
_CODE_TYPES: dict[str, str] = {
    "KH": "Kế hoạch", "NQ": "Nghị quyết", "CTR": "Chương trình", "KL": "Kết luận", "QD": "Quyết định",
    "CT": "Chỉ thị", "BC": "Báo cáo", "DA": "Đề án", "TB": "Thông báo",
}
CODE = re.compile(r"\b(\d{1,4})\s?[-–]\s?([A-ZĐ][A-Za-zĐđ]{0,4})\s?/\s?([A-ZĐ]{1,6})\b")
_NUMBER_LINE = re.compile(r"^S[oô6ố]\s*[:.]?\s*", re.I)
# A dateline stands alone: "Trà Vinh, ngày 11 tháng 11 năm 2021" or "Ngày 16/06/2024".
_DATELINE = re.compile(
    r"(?:[^\W\d_][^\d,]{0,30},\s*)?ngay\s+(\d{1,2})\s*(?:thang|[/.-])\s*(\d{1,2})\s*(?:nam|[/.-])\s*(\d{4})\.?",
    re.I,
)
_ISSUER = re.compile(
    r"(Ban Th\w{2,5}ng v[uụ] (?:T[iỉ]nh|Th[aà]nh|Huy[eệ]n|Th[iị]) [uủ]y"
    r"|Ban Ch[aấ]p h[aà]nh [DĐ][aả]ng b[oộ] (?:t[iỉ]nh|th[aà]nh ph[oố]|huy[eệ]n)"
    r"|[UỦ]y ban nh[aâ]n d[aâ]n (?:t[iỉ]nh|th[aà]nh ph[oố]|huy[eệ]n)"
    r"|H[oộ]i [dđ][oồ]ng nh[aâ]n d[aâ]n (?:t[iỉ]nh|th[aà]nh ph[oố]))"
    r"\s+(?:xay dung|ban hanh|de ra|quyet nghi|thong nhat)",
    re.I,
)
_SIGNATURE_WORDS = {"T", "M", "TM", "BAN", "PHO", "BI", "THU", "CHU", "TICH", "KT", "TL", "TINH", "UY"}
_HEADER_LINES = 14
_PREAMBLE_CHARS = 4000


def _field(value: Any) -> MetaField:
    return MetaField.from_text(value)


def normalise_code(raw: str) -> str:
    match = CODE.search(raw)
    return f"{match[1]}-{match[2]}/{match[3]}" if match else raw.strip()


def _header_lines(text: str) -> list[str]:
    lines = [clean_line(line).strip() for line in text.splitlines()]
    return [line for line in lines if line][:_HEADER_LINES]


def _count_places(folded: str, names: list[str]) -> Counter[str]:
    """Mentions of each name (case-sensitive title or upper case), longest names first so that
    "Trà Vinh" is not also counted as the city "Vinh"."""
    counts: Counter[str] = Counter()
    for name in sorted(names, key=len, reverse=True):
        plain = fold_diacritics(name)
        pattern = re.compile(rf"\b(?:{re.escape(plain)}|{re.escape(plain.upper())})\b")
        folded, hits = pattern.subn("#" * len(plain), folded)
        counts[name] += hits
    return counts


def _province(text: str, header: list[str]) -> tuple[str | None, str | None]:
    folded = fold_diacritics(to_nfc(text))
    names = list(PROVINCES_BEFORE_2025) + list(LOCALITIES)
    mentions = _count_places(folded, names)
    header_mentions = _count_places(fold_diacritics(" \n ".join(header)), names)
    scores: Counter[str] = Counter()
    for name, hits in mentions.items():
        province = LOCALITIES.get(name, name)
        scores[province] += hits + 4 * header_mentions[name]
    for match in re.finditer(r"\b(?:tinh|TINH|Tinh)\s+([A-Z][\w ]{2,20})", folded):
        province = province_spellings().get(folded_form(match[1]).strip())
        if province:
            scores[province] += 2
    if not scores or scores.most_common(1)[0][1] < 2:
        return None, None
    ranked = scores.most_common()
    best = ranked[0][0]
    if len(ranked) > 1:
        runner, runner_score = ranked[1]
        merged = current_province(best)
        # A post-2025 document of a merged province names its members about equally: it belongs to
        # the province whose name the merged one kept.
        if runner_score >= 0.7 * ranked[0][1] and merged == current_province(runner) and merged in (
            best, runner,
        ):
            best = merged
    locality_counts = [(name, mentions[name]) for name in LOCALITIES if LOCALITIES[name] == best]
    locality = max(locality_counts, key=lambda item: item[1], default=(None, 0))
    has_locality = locality[0] and locality[1] > mentions[best]
    return best, locality[0] if has_locality else None


def _doc_type(header: list[str], number: str | None) -> str | None:
    for line in header:
        doc_type = DOC_TYPES.get(fold_diacritics(line).upper().strip(" *"))
        if doc_type:
            return doc_type
    if number:
        return _CODE_TYPES.get(fold_diacritics(number.split("-", 1)[1].split("/")[0]).upper())
    return None


def _number(text: str) -> str | None:
    for line in text.splitlines():
        cleaned = clean_line(line).strip()
        if _NUMBER_LINE.match(fold_diacritics(cleaned)) and CODE.search(cleaned):
            return normalise_code(cleaned)
    return None


def _date(text: str) -> str | None:
    for line in text.splitlines():
        match = _DATELINE.fullmatch(fold_diacritics(clean_line(line).strip()))
        if match:
            day, month, year = (int(group) for group in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                continue
    return None


def _title(clauses: list[Clause], doc_type: str | None) -> str | None:
    if not doc_type:
        return None
    for index, clause in enumerate(clauses):
        if clause.kind == "heading" and DOC_TYPES.get(fold_diacritics(clause.text).upper()) == doc_type:
            for following in clauses[index + 1 : index + 4]:
                if following.text[:1].islower():
                    subtitle = following.text.removesuffix(".")
                    title = f"{doc_type} {subtitle}"
                    return title if len(title) <= 300 else title[:299].rstrip() + "…"
            return doc_type
    return None


def _issuer(text: str, header: list[str]) -> str | None:
    for line in header:
        if line.isupper() and fold_diacritics(line).startswith("CUA BAN"):
            return line[4:].strip().capitalize()
    preamble = to_nfc(text[:_PREAMBLE_CHARS])
    match = _ISSUER.search(fold_diacritics(preamble))
    return preamble[match.start(1) : match.end(1)] if match else None


def _signer(clauses: list[Clause]) -> str | None:
    for clause in clauses:
        if clause.kind != "signature":
            continue
        name: list[str] = []
        for word in [*re.findall(r"[^\W\d_]+", clause.text), ""]:
            if word[:1].isupper() and word[1:].islower() and fold_diacritics(word).upper() not in _SIGNATURE_WORDS:
                name.append(word)
                continue
            if 2 <= len(name) <= 5:
                return " ".join(name)
            name = []
    return None


def extract_metadata(text: str, clauses: list[Clause]) -> DocumentMeta:
    header = _header_lines(text)
    number = _number(text)
    province, locality = _province(text, header)
    doc_type = _doc_type(header, number)
    cites = list(dict.fromkeys(normalise_code(m[0]) for m in CODE.finditer(to_nfc(text))))
    cites = [code for code in cites if code != number]
    return DocumentMeta(
        title=_field(_title(clauses, doc_type)),
        doc_type=_field(doc_type),
        number=_field(number),
        date=_field(_date(text)),
        province=_field(province),
        province_current=_field(current_province(province) if province else None),
        locality=_field(locality),
        issuer=_field(_issuer(text, header)),
        signer=_field(_signer(clauses)),
        cites=_field(cites),
    )


def apply_sidecar(meta: DocumentMeta, overrides: dict[str, Any]) -> DocumentMeta:
    """Fields given in a `<file>.meta.json` sidecar replace inferred ones; unknown keys are an error."""
    unknown = set(overrides) - set(DocumentMeta.FIELDS)
    if unknown:
        raise ValueError(f"unknown metadata field(s) {sorted(unknown)}; known: {', '.join(DocumentMeta.FIELDS)}")
    for name, value in overrides.items():
        setattr(meta, name, MetaField(value=value, found=True, source="sidecar"))
    if "province" in overrides and "province_current" not in overrides:
        meta.province_current = MetaField(
            value=current_province(overrides["province"]), found=True, source="sidecar"
        )
    return meta
