"""Infer a document's metadata from its own text, with or without diacritics.

Every field records whether the text stated it; nothing is made up. Matching runs on the folded text
(`fold_diacritics` of the NFC text), whose characters align one-to-one with the NFC text, so a value
can be reported in its original spelling.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date
from typing import Any

from vnpolicy.ingest.clauses import DOC_TYPE_LINE, DOC_TYPES, is_number_line, letter_subject, type_word_and_title
from vnpolicy.ingest.gazetteer import (
    LOCALITIES,
    PROVINCES_BEFORE_2025,
    current_province,
    province_spellings,
    provinces_of_commune,
)
from vnpolicy.ingest.models import Clause, DocumentMeta, MetaField
from vnpolicy.ingest.normalize import clean_line, fold_diacritics, folded_form, has_diacritics, to_nfc

# The types of document by the abbreviation in their code ("KH" of 179/KH-UBND).
CODE_TYPES: dict[str, str] = {
    "KH": "Kế hoạch", "NQ": "Nghị quyết", "CTR": "Chương trình", "KL": "Kết luận", "QD": "Quyết định",
    "CT": "Chỉ thị", "BC": "Báo cáo", "DA": "Đề án", "TB": "Thông báo", "HD": "Hướng dẫn", "TTR": "Tờ trình",
}
# Document numbers in both conventions: the Party's "72-KL/TW", "22-CTr/TU" and the State's
# "179/KH-UBND", "57/2025/NQ-HĐND", "39/2024/QH15", "6266/UBND-NNMT" (a State code has a year or a dash).
_AGENCY = r"[A-ZĐ][A-Za-zĐđ]{0,5}\d{0,2}"
CODE = re.compile(
    r"(?<![\w/:.,-])(?:"
    r"\d{1,4}\s?[-–]\s?[A-ZĐ][A-Za-zĐđ]{0,4}\s?/\s?[A-ZĐ]{1,6}"
    rf"|\d{{1,5}}\s?/\s?\d{{4}}\s?/\s?{_AGENCY}(?:\s?[-–]\s?[A-ZĐ][A-ZĐa-z0-9&]{{0,9}})*"
    rf"|\d{{1,5}}\s?/\s?{_AGENCY}(?:\s?[-–]\s?[A-ZĐ][A-ZĐa-z0-9&]{{0,9}})+"
    r")(?![\w/])"
)
# "Số:" at a line's start (or a table cell's: "|Số: 301/KH-UBND   |"), not "số" in a sentence.
_NUMBER_LABEL = re.compile(r"(?:^|\n)[ \t|]*(?:S[oôố6]|SỐ|SO)[ \t]*[:.]?\s*")
# A dateline: "Trà Vinh, ngày 11 tháng 11 năm 2021" (its place and comma tell it from a date cited in a
# sentence), or a date standing alone on its line ("Ngày 16/06/2024").
_PLACE_DATE = re.compile(
    r"(?<![\w/-])[A-Z][A-Za-z]*(?:[ -][A-Za-z]+){0,4},\s*ngay\s+(\d{1,2})\s*(?:thang|[/.-])\s*(\d{1,2})\s*"
    r"(?:nam|[/.-])\s*(\d{4})",
    re.I,
)
_DATE = re.compile(r"ngay\s+(\d{1,2})\s*(?:thang|[/.-])\s*(\d{1,2})\s*(?:nam|[/.-])\s*(\d{4})\.?", re.I)
# Issuers, matched on the folded lower-case text; each gives its canonical name.
_ISSUERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ban th\w{2,5}ng v[uy] (tinh|thanh|huyen|thi|dang) ?u[yi]"), "Ban Thường vụ {} ủy"),
    (re.compile(r"ban chap hanh dang bo (tinh|thanh pho|huyen)"), "Ban Chấp hành Đảng bộ {}"),
    (re.compile(r"(?:uy ban nhan dan|ubnd) (tinh|thanh pho|huyen|xa|phuong)"), "UBND {}"),
    (re.compile(r"(?:hoi dong nhan dan|hdnd) (tinh|thanh pho|huyen|xa|phuong)"), "HĐND {}"),
    (re.compile(r"^(tinh|thanh) uy\b"), "{} ủy"),
    (re.compile(r"^dang uy ((?:\w+ ?){1,6})"), "Đảng ủy {}"),
    (re.compile(r"^so ((?:\w+ ?){1,8})"), "Sở {}"),
)
_ISSUER_WORDS = {
    "tinh": "tỉnh", "thanh pho": "thành phố", "huyen": "huyện", "xa": "xã", "phuong": "phường", "thanh": "thành",
    "thi": "thị", "dang": "đảng",
}
# The sentence in which the issuer enacts the document: "Ban Thường vụ Tỉnh ủy xây dựng kế hoạch …".
_ENACTS = re.compile(r"\s+(?:xay dung|ban hanh|de ra|quyet nghi|thong nhat)\b")
# The words of a signature block's role lines as printed, and folded for a block printed without diacritics:
# folded, "Bi", "Thu", "Chu" or "Tịnh" would also be the end of a signer's name ("Lâm Văn Bi", "Nguyễn Thị Thu").
_SIGNATURE_WORDS = {"T", "M", "TM", "BAN", "PHÓ", "BÍ", "THƯ", "CHỦ", "TỊCH", "KT", "TL", "TỈNH", "ỦY", "UỶ"}
_FOLDED_SIGNATURE_WORDS = {fold_diacritics(word) for word in _SIGNATURE_WORDS}
_SIGNATURE_ROLE_LINE = re.compile(r"(?:T\s*/\s*M|TM|KT|TL|Q)\s*[./]?\s*\S.*|(?:PHO )?(?:BI THU|CHU TICH).*")
_HEADER_LINES = 30
_LETTER = DOC_TYPES["CONG VAN"]
_TITLE_CHARS = 600


def _field(value: Any) -> MetaField:
    return MetaField.from_text(value)


def normalise_code(raw: str) -> str:
    match = CODE.search(raw)
    code = match[0] if match else raw.strip()
    return re.sub(r"\s+", "", code).replace("–", "-")


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


_HEADER_UNIT = re.compile(r"\b(?:TINH|THANH PHO|TP\.?)(?: UY)? ", re.I)
_ISSUER_BLOCK_LINES = 8


def _left_column(line: str) -> str:
    """The issuer's column of a header line set beside the national motto ("ỦY BAN NHÂN DÂN      CỘNG HÒA …")."""
    return re.split(r"\s{3,}|\t", line.strip())[0]


def _header_province(header: list[str]) -> str | None:
    """The province the issuer block names ("ỦY BAN NHÂN DÂN TỈNH AN GIANG", "TỈNH ỦY LÀO CAI"): it is
    the document's, however often the text names the places of another (a merged province's plan for
    the islands of former Kiên Giang is An Giang's)."""
    spellings = sorted(province_spellings().items(), key=lambda item: -len(item[0]))
    for line in header[:_ISSUER_BLOCK_LINES]:
        left = _left_column(line)
        if left.upper() != left:
            continue
        folded = re.sub(r"\s+", " ", fold_diacritics(left).lower())
        for unit in _HEADER_UNIT.finditer(folded):
            rest = folded[unit.end() :] + " "
            for spelling, name in spellings:
                if rest.startswith(spelling + " "):
                    return name
    return None


_COMMUNE_LINE = re.compile(r"(?:XA|PHUONG|DAC KHU)\s+[A-Z][A-Z0-9 ]+")  # "XÃ BÀ NÀ" in the issuer block, folded


def _commune_province(header: list[str]) -> str | None:
    """The province of a commune's or ward's own document, which names no province: the one province that has
    the commune its issuer block names ("ỦY BAN NHÂN DÂN⏎XÃ BÀ NÀ"), or else the one its dateline names
    ("Bà Nà, ngày 3 tháng 9 năm 2025"). A name that several provinces' communes share tells none."""
    for line in header[:_ISSUER_BLOCK_LINES]:
        folded = re.sub(r"\s+", " ", fold_diacritics(_left_column(line)).strip())
        if (match := _COMMUNE_LINE.fullmatch(folded)) and len(provinces := provinces_of_commune(match[0])) == 1:
            return next(iter(provinces))
    for line in header:
        if _PLACE_DATE.match(fold_diacritics(line.strip())):
            place = line.strip().split(",", 1)[0]
            if len(provinces := provinces_of_commune(place)) == 1:
                return next(iter(provinces))
            break
    return None


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
    named = _header_province(header)
    if named is None and (not scores or scores.most_common(1)[0][1] < 2):
        return _commune_province(header), None
    ranked = scores.most_common()
    best = named or ranked[0][0]
    if named is None and len(ranked) > 1:
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


def _type_line(line: str) -> tuple[str, str] | None:
    """(type, qualifier) of a type line in capitals: ("Chương trình", "hành động") for "CHƯƠNG TRÌNH HÀNH
    ĐỘNG", ("Kế hoạch", "") for "KẾ HOẠCH"; of one with its title after it, the title is the qualifier:
    ("Kế hoạch", "Triển khai thực hiện …") for "KẾ HOẠCH Triển khai thực hiện …"."""
    if line.upper() != line:
        stripped = line.strip(" *")
        match = type_word_and_title(stripped)
        typed = _type_line(stripped[: match.end()]) if match else None
        return (typed[0], f"{typed[1]} {stripped[match.end() :].strip()}".strip()) if typed else None
    match = DOC_TYPE_LINE.fullmatch(fold_diacritics(line).strip(" *."))
    if not match:
        return None
    qualifier = line.strip(" *.")[match.start(2) : match.end(2)].lower() if match[2] else ""
    return DOC_TYPES[match[1].upper()], qualifier


def code_type(code: str) -> str | None:
    """The type a document's code names: "KH" of 179/KH-UBND and of 222-KH/TU, "NQ" of 57/2025/NQ-HĐND."""
    agency = code.split("-", 1)[1].split("/")[0] if re.match(r"\d+-", code) else code.split("/")[-1]
    return CODE_TYPES.get(fold_diacritics(agency.split("-")[0]).upper())


def _doc_type(header: list[str], number: str | None) -> str | None:
    """The type line's type, else the type its code names ("KH" of 179/KH-UBND), else an official letter's
    (its code names no type, "6266/UBND-KT", but it has a subject line "V/v …")."""
    for line in header:
        if typed := _type_line(line):
            return typed[0]
    if number and (coded := code_type(number)):
        return coded
    return _LETTER if _subject(header) else None


def _subject(lines: list[str]) -> str | None:
    """An official letter's subject, from its front lines (see `clauses.letter_subject`), with the lines it
    wraps onto (they begin in lower case)."""
    for index, (previous, line) in enumerate(zip(["", *lines], lines, strict=False)):
        if subject := letter_subject(line.strip(), is_number_line(fold_diacritics(previous))):
            wrapped = itertools.takewhile(lambda following: following[:1].islower(), lines[index + 1 :])
            return " ".join([subject, *wrapped])
    return None


def _number(text: str) -> str | None:
    """The code after "Số" at a line's start, also when it is wrapped onto the next line."""
    for label in _NUMBER_LABEL.finditer(text):
        code = CODE.match(text, label.end())
        if code:
            return normalise_code(code[0])
    return None


def _valid_date(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date(clauses: list[Clause]) -> str | None:
    """The dateline among the header clauses, also when hard-wrapped ("Bắc Ninh, ngày 24⏎tháng 11 năm
    2025"): first a place and a date, then a date standing alone."""
    header = [fold_diacritics(c.text) for c in clauses if c.kind == "header"]
    joined = " ".join(header)
    for match in _PLACE_DATE.finditer(joined):
        if found := _valid_date(*match.groups()):
            return found
    for line in header:
        match = _DATE.fullmatch(line)
        if match and (found := _valid_date(*match.groups())):
            return found
    return None


def _is_dateline(folded: str) -> bool:
    return bool(_DATE.fullmatch(folded) or _PLACE_DATE.match(folded))


def _title_blocks(clauses: list[Clause]) -> list[tuple[str, list[str]]]:
    """(type, title lines) of each type line ("KẾ HOẠCH", "QUY ĐỊNH") among the header clauses, with the
    header clauses right after it that are neither a number nor a dateline."""
    blocks: list[tuple[str, list[str]]] = []
    for index, clause in enumerate(clauses):
        typed = _type_line(clause.text)
        if clause.kind != "header" or not typed:
            continue
        doc_type, qualifier = typed
        lines: list[str] = [qualifier] if qualifier else []
        for following in clauses[index + 1 :]:
            folded = fold_diacritics(following.text)
            if following.kind != "header" or _NUMBER_LABEL.match(following.text) or _is_dateline(folded):
                break
            if _type_line(following.text):
                break
            lines.append(following.text)
        blocks.append((doc_type, lines))
    return blocks


def _shorten(title: str) -> str:
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1].rstrip() + "…"


def _title(blocks: list[tuple[str, list[str]]], doc_type: str | None, clauses: list[Clause]) -> str | None:
    """The type and the full title under it: "Kế hoạch Phát triển kinh tế số … giai đoạn 2026 - 2030"; for an
    official letter, its subject: "Công văn về việc đẩy nhanh tiến độ …"."""
    for block_type, lines in blocks:
        if doc_type and block_type != doc_type:
            continue
        return _shorten(" ".join([block_type, *lines]).removesuffix("."))
    if doc_type == _LETTER and (subject := _subject([c.text for c in clauses if c.kind == "header"])):
        return _shorten(f"{_LETTER} {subject}".removesuffix("."))
    return doc_type


def _regulation(blocks: list[tuple[str, list[str]]], title: str | None, doc_type: str | None) -> str | None:
    """For a decision, the regulation it issues: the attached "QUY ĐỊNH …" block, or what its title
    says it issues ("Ban hành Quy chế …")."""
    if doc_type != "Quyết định":
        return None
    for block_type, lines in blocks:
        if block_type in ("Quy định", "Quy chế", "Điều lệ", "Hướng dẫn"):
            words = " ".join([block_type, *(line for line in lines if not line.startswith("("))])
            attached = re.search(r"\s*\((?:ban hanh )?kem theo\b", fold_diacritics(words), re.I)  # "(Kèm theo …)"
            return _shorten(words[: attached.start()] if attached else words)
    if title:
        match = re.search(r"\bban hanh\s+(?=quy dinh|quy che|dieu le|huong dan)", fold_diacritics(title), re.I)
        if match:
            return title[match.end() :]
    return None


def _canonical_issuer(folded: str) -> str | None:
    for pattern, template in _ISSUERS:
        match = pattern.search(folded)
        if not match:
            continue
        part = match[1].strip()
        if template.startswith(("Sở", "Đảng ủy")):
            original = part  # the folded words; the issuer is given in its original spelling by the caller
            return template.format(original)
        word = _ISSUER_WORDS.get(part, part)
        return template.format(word.capitalize() if template.startswith(("Ban Thường vụ", "{}")) else word)
    return None


def _issuer(text: str, clauses: list[Clause], header: list[str]) -> str | None:
    """Who issues the document, in a canonical form ("UBND tỉnh", "Ban Thường vụ Tỉnh ủy"): the
    sentence that enacts it, else the "CỦA …" line of its title, else the issuer block of its header."""
    front = [c for c in clauses if c.kind in ("recital", "header")] or clauses[:6]
    for clause in front:
        folded = fold_diacritics(clause.text).lower()
        for pattern, _ in _ISSUERS[:4]:
            for match in pattern.finditer(folded):
                if _ENACTS.match(folded, match.end()):
                    return _canonical_issuer(match[0])
    for clause in front:
        folded = fold_diacritics(clause.text).lower()
        if folded.startswith("cua ") and (issuer := _canonical_issuer(folded[4:])):
            return issuer
    left_column = [_left_column(clean_line(line)) for line in text.splitlines()[:_HEADER_LINES]]
    if department := _department(left_column):
        return department
    block = fold_diacritics(" ".join(line for line in left_column if line)).lower()
    block = re.sub(r"\s+", " ", block)
    # The first body named, not the first kind of body: "HỘI ĐỒNG NHÂN DÂN TỈNH" heads a resolution whose
    # recitals go on to cite "Tờ trình … của Ủy ban nhân dân tỉnh".
    named = [match for pattern, _ in _ISSUERS[:4] if (match := pattern.search(block))]
    if named:
        return _canonical_issuer(min(named, key=lambda match: match.start())[0])
    for line in header[:4]:
        folded = fold_diacritics(line).lower()
        if (issuer := _canonical_issuer(folded)) and not folded.startswith(("so ", "so:")):
            return issuer
    return None


_DEPARTMENT = re.compile(r"(SỞ|BAN QUẢN LÝ|BAN|TRUNG TÂM|VĂN PHÒNG|CHI CỤC|THANH TRA) (.{3,60})")
# A commune's or ward's Party committee under its province's ("ĐẢNG BỘ TỈNH THÁI NGUYÊN⏎ĐẢNG ỦY PHƯỜNG PHAN
# ĐÌNH PHÙNG"), the usual issuer since the 2025 reorganisation.
_LOCAL_PARTY_COMMITTEE = re.compile(r"ĐẢNG ỦY (XÃ|PHƯỜNG|ĐẶC KHU|THỊ TRẤN|HUYỆN|THỊ XÃ|THÀNH PHỐ) (.{2,50})")


def _department(left_column: list[str]) -> str | None:
    """A body that issues under its parent, named on the line in capitals right under the parent's in the
    issuer block: a department, board, centre or office ("UBND TỈNH NGHỆ AN⏎SỞ XÂY DỰNG" → "Sở Xây dựng",
    "UBND THÀNH PHỐ HÀ NỘI⏎TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"), a local Party
    committee ("ĐẢNG BỘ TỈNH THÁI NGUYÊN⏎ĐẢNG ỦY PHƯỜNG PHAN ĐÌNH PHÙNG" → "Đảng ủy phường Phan Đình Phùng"),
    or the province's Party executive ("ĐẢNG BỘ TỈNH HÀ TĨNH⏎BAN CHẤP HÀNH" → "Ban Chấp hành Đảng bộ tỉnh")."""
    lines = [to_nfc(line).strip() for line in left_column if line.strip()][:_ISSUER_BLOCK_LINES]
    for position, (parent, line) in enumerate(zip(lines, lines[1:], strict=False)):
        if line.upper() != line:
            continue
        # The parent may be wrapped over the lines above ("ỦY BAN NHÂN DÂN⏎THÀNH PHỐ HỒ CHÍ MINH⏎SỞ …").
        above = fold_diacritics(" ".join(lines[: position + 1])).lower()
        parent_folded = fold_diacritics(parent).lower()
        match = _DEPARTMENT.fullmatch(line)
        if (
            match and not fold_diacritics(line).startswith(("BAN THUONG VU", "BAN CHAP HANH"))
            and re.search(r"\b(?:uy ban nhan dan|ubnd|tinh uy|thanh uy)\b", above)
        ):
            return f"{match[1].capitalize()} {match[2].capitalize()}"
        match = _LOCAL_PARTY_COMMITTEE.fullmatch(line)
        if match and parent_folded.startswith("dang bo"):
            return f"Đảng ủy {match[1].lower()} {match[2].title()}"
        unit = re.match(r"dang bo (tinh|thanh pho)\b", parent_folded)
        if unit and fold_diacritics(line) == "BAN CHAP HANH":  # "ĐẢNG BỘ TỈNH HÀ TĨNH⏎BAN CHẤP HÀNH"
            return f"Ban Chấp hành Đảng bộ {_ISSUER_WORDS[unit[1]]}"
    return None


def _signature(clauses: list[Clause]) -> tuple[str | None, str | None]:
    """(signer, role) from the signature block: "Trần Thanh Lâm", "T/M BAN THƯỜNG VỤ" / "KT. CHỦ TỊCH"."""
    block = " ".join(clause.text for clause in clauses if clause.kind == "signature")
    return _signer_name(block), _signer_role(block)


def _signer_name(text: str) -> str | None:
    accented = has_diacritics(text)
    role_words = _SIGNATURE_WORDS if accented else _FOLDED_SIGNATURE_WORDS
    name: list[str] = []
    for word in [*re.findall(r"[^\W\d_]+", text), ""]:
        capitalised = word[:1].isupper() and (len(word) == 1 or word[1:].islower())  # "Hầu A Lệnh"
        spelled = (word if accented else fold_diacritics(word)).upper()
        if capitalised and spelled not in role_words:
            name.append(word)
            continue
        if 2 <= len(name) <= 5:
            return " ".join(name)
        name = []
    return None


_OFFICE = r"(?:PHO\s+)?(?:CHU TICH|BI THU|GIAM DOC|TRUONG BAN|THU TRUONG|CHANH VAN PHONG)"
_ROLE_FOR = re.compile(rf"KT\s*\.\s*(?:{_OFFICE}|[A-Z]+)|KT\s+{_OFFICE}")  # for the head: "KT. CHỦ TỊCH"
_ROLE_ON_BEHALF = re.compile(rf"(?:T\s*/\s*[ML]|T[ML]\s*\.)\s*(?:(?!{_OFFICE}\b|KT\b)[A-Z]{{2,}}\b\s*){{1,5}}")
_ROLE_OFFICE = re.compile(rf"{_OFFICE}\b")


def _signer_role(text: str) -> str | None:
    """The capacity the signer signs in: "KT. CHỦ TỊCH" when signing for the head, else "T/M BAN THƯỜNG
    VỤ" on behalf of a body, else the office in capitals ("CHỦ TỊCH")."""
    folded = fold_diacritics(text)
    for pattern in (_ROLE_FOR, _ROLE_ON_BEHALF, _ROLE_OFFICE):
        if match := pattern.search(folded):
            role = re.sub(r"\s+", " ", text[match.start() : match.end()]).strip()
            return re.sub(r"^T([ML])\s*\.\s*", r"T/\1 ", role)
    return None


def _cites(clauses: list[Clause], number: str | None) -> list[str]:
    """The documents the text cites in its title and recitals ("Căn cứ …", "Thực hiện …")."""
    front = " ".join(c.text for c in clauses if c.kind in ("header", "recital"))
    cites = list(dict.fromkeys(normalise_code(m[0]) for m in CODE.finditer(front)))
    return [code for code in cites if code != number]


def extract_metadata(text: str, clauses: list[Clause]) -> DocumentMeta:
    header = _header_lines(text)
    number = _number(to_nfc(text))
    province, locality = _province(text, header)
    doc_type = _doc_type(header, number)
    blocks = _title_blocks(clauses)
    title = _title(blocks, doc_type, clauses)
    signer, role = _signature(clauses)
    return DocumentMeta(
        title=_field(title),
        doc_type=_field(doc_type),
        number=_field(number),
        date=_field(_date(clauses)),
        province=_field(province),
        province_current=_field(current_province(province) if province else None),
        locality=_field(locality),
        issuer=_field(_issuer(text, clauses, header)),
        signer=_field(signer),
        signer_role=_field(role),
        cites=_field(_cites(clauses, number)),
        regulation=_field(_regulation(blocks, title, doc_type)),
    )


def apply_sidecar(meta: DocumentMeta, overrides: dict[str, Any]) -> DocumentMeta:
    """Fields given in a `<file>.meta.json` sidecar (checked by `pipeline.read_sidecar`) replace inferred ones."""
    for name, value in overrides.items():
        setattr(meta, name, MetaField(value=value, found=True, source="sidecar"))
    if "province" in overrides and "province_current" not in overrides:
        meta.province_current = MetaField(
            value=current_province(overrides["province"]), found=True, source="sidecar"
        )
    return meta
