"""Abbreviations a clause uses, spelled out for the indexes.

Administrative texts abbreviate their own subject: "kho VLNCN", "cắt giảm 30% thời gian thực hiện TTHC",
"đầu tư hạ tầng CCN". A question asking about "vật liệu nổ công nghiệp" or "thủ tục" shares no word with
them, and the model does not know what VLNCN stands for. Each clause is indexed with the expansions of the
abbreviations it uses: the administrative ones every document may use (`STANDARD`), and those its own
document defines ("thủ tục hành chính (TTHC)", "hộ kinh doanh *(HKD)*"). The clause's text, offsets and
quotes are untouched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vnpolicy.ingest.normalize import fold_diacritics

# Abbreviations of the Vietnamese administrative vocabulary, as documents of every issuer use them undefined.
STANDARD: dict[str, str] = {
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQ": "Mặt trận Tổ quốc", "BCH": "Ban Chấp hành", "BTV": "Ban Thường vụ", "BQL": "Ban quản lý",
    "ĐBQH": "đại biểu Quốc hội", "VPCP": "Văn phòng Chính phủ", "QLNN": "quản lý nhà nước",
    "CBCCVC": "cán bộ, công chức, viên chức", "CHQS": "chỉ huy quân sự", "QPAN": "quốc phòng, an ninh",
    "ANTT": "an ninh trật tự", "TTHC": "thủ tục hành chính", "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến", "TTPVHCC": "Trung tâm Phục vụ hành chính công",
    "KTXH": "kinh tế - xã hội", "NSNN": "ngân sách nhà nước", "NSĐP": "ngân sách địa phương",
    "ĐTC": "đầu tư công", "XHH": "xã hội hóa", "KCN": "khu công nghiệp", "CCN": "cụm công nghiệp",
    "KKT": "khu kinh tế", "DN": "doanh nghiệp", "DNNVV": "doanh nghiệp nhỏ và vừa", "HTX": "hợp tác xã",
    "HKD": "hộ kinh doanh", "GPMB": "giải phóng mặt bằng", "CSHT": "cơ sở hạ tầng",
    "HTKT": "hạ tầng kỹ thuật", "GTVT": "giao thông vận tải", "GTNT": "giao thông nông thôn",
    "ATGT": "an toàn giao thông", "NTM": "nông thôn mới", "PTNT": "phát triển nông thôn",
    "CNTT": "công nghệ thông tin", "CĐS": "chuyển đổi số", "CSDL": "cơ sở dữ liệu",
    "KHCN": "khoa học và công nghệ", "ĐMST": "đổi mới sáng tạo", "NLTT": "năng lượng tái tạo",
    "BĐKH": "biến đổi khí hậu", "BVMT": "bảo vệ môi trường", "TNMT": "tài nguyên và môi trường",
    "ĐTM": "đánh giá tác động môi trường", "PCCC": "phòng cháy, chữa cháy", "VLNCN": "vật liệu nổ công nghiệp",
    "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế", "GDĐT": "giáo dục và đào tạo",
    "THCS": "trung học cơ sở", "THPT": "trung học phổ thông", "GDTX": "giáo dục thường xuyên",
    "TTHTCĐ": "trung tâm học tập cộng đồng",
}

# A capitalised word standing alone: not a part of a document code ("NĐ-CP", "72-KL/TW") or of a longer word.
_ABBREVIATION = re.compile(r"(?<![\w/&-])[A-ZĐ][A-ZĐ0-9]{1,9}(?![\w/&-])")
# "thủ tục hành chính (TTHC)", "doanh nghiệp nhỏ và vừa *(DNNVV)*": the words before a parenthesised abbreviation.
_DEFINITION = re.compile(r"((?:[^\W\d_]+\s+){1,12})\*?\((?:viết tắt là |gọi tắt là )?([A-ZĐ]{2,10})\)")
_LINKING_WORDS = {"va", "cua", "voi", "cho", "tai", "trong", "ve"}  # "doanh nghiệp nhỏ và vừa" is DNNVV


def _initial(word: str) -> str:
    return fold_diacritics(word[0]).upper()


def _expansion(words: list[str], abbreviation: str) -> str | None:
    """The shortest run of words, ending where the abbreviation stands, whose initials spell it (linking
    words such as "và" may or may not count)."""
    letters = fold_diacritics(abbreviation).upper()
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        initials = "".join(_initial(word) for word in run)
        content = "".join(_initial(word) for word in run if fold_diacritics(word).lower() not in _LINKING_WORDS)
        if letters in (initials, content):
            return " ".join(run)
        if len(content) > len(letters):
            return None
    return None


@lru_cache(maxsize=256)  # asked for every clause of a document, of the same text
def defined_in(text: str) -> dict[str, str]:
    """The abbreviations a text defines, with the words they stand for."""
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        abbreviation = match.group(2)
        if abbreviation in found:
            continue
        if (expansion := _expansion(match.group(1).split(), abbreviation)) is not None:
            found[abbreviation] = expansion
    return found


def spelled_out(text: str, defined: dict[str, str] | None = None) -> list[str]:
    """The expansions of the abbreviations a text uses, each once, in the order it uses them; where its
    document defines one (`defined`), that definition, else the standard one."""
    known = {**STANDARD, **(defined or {})}
    expansions = (known.get(word) for word in _ABBREVIATION.findall(text))
    return list(dict.fromkeys(expansion for expansion in expansions if expansion))
