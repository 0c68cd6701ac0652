"""Vietnam's provinces before and after the 2025 merger (Nghị quyết 202/2025/QH15), and the cities and
towns that locate a document in its province.

MERGED_INTO maps each of the 63 pre-2025 provinces to the one of the 34 post-2025 provinces it now
belongs to (11 were unchanged and map to themselves).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from vnpolicy.ingest.normalize import folded_form, to_nfc

# Districts and wards before the 2025 merger, built by scripts/build_place_names.py.
PLACE_NAMES_FILE = Path(__file__).parent / "data" / "place_names.txt.gz"
# Communes, wards and special zones after it, with their provinces, built by scripts/build_communes.py.
COMMUNES_FILE = Path(__file__).parent / "data" / "communes_2025.tsv.gz"

_NEW_TO_OLD: dict[str, tuple[str, ...]] = {
    # unchanged
    "Hà Nội": ("Hà Nội",),
    "Huế": ("Thừa Thiên Huế",),
    "Lai Châu": ("Lai Châu",),
    "Điện Biên": ("Điện Biên",),
    "Sơn La": ("Sơn La",),
    "Lạng Sơn": ("Lạng Sơn",),
    "Quảng Ninh": ("Quảng Ninh",),
    "Thanh Hóa": ("Thanh Hóa",),
    "Nghệ An": ("Nghệ An",),
    "Hà Tĩnh": ("Hà Tĩnh",),
    "Cao Bằng": ("Cao Bằng",),
    # merged
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "An Giang": ("An Giang", "Kiên Giang"),
}

MERGED_INTO: dict[str, str] = {old: new for new, olds in _NEW_TO_OLD.items() for old in olds}
# The centrally-run cities after 2025; the other units are provinces.
CITIES_AFTER_2025 = frozenset({"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"})
PROVINCES_BEFORE_2025: tuple[str, ...] = tuple(sorted(MERGED_INTO))
PROVINCES_AFTER_2025: tuple[str, ...] = tuple(sorted(_NEW_TO_OLD))

# Spellings seen in documents besides the canonical name.
_ALIASES: dict[str, tuple[str, ...]] = {
    "Hồ Chí Minh": ("Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "TP Hồ Chí Minh", "TPHCM", "HCMC", "Saigon"),
    "Bà Rịa - Vũng Tàu": ("Bà Rịa-Vũng Tàu", "Bà Rịa – Vũng Tàu"),
    "Thừa Thiên Huế": ("Thừa Thiên - Huế",),
    "Đắk Lắk": ("Đăk Lăk", "Đắc Lắc"),
    "Đắk Nông": ("Đăk Nông",),
    "Kon Tum": ("Kontum",),
    # English spellings, one word (the two-word ones are the names without diacritics).
    "Hà Nội": ("Hanoi",), "Hải Phòng": ("Haiphong",), "Đà Nẵng": ("Danang",),
}

# City, town or district → pre-2025 province: the seat of a document's issuer.
LOCALITIES: dict[str, str] = {
    "Rạch Giá": "Kiên Giang", "Phú Quốc": "Kiên Giang", "Hà Tiên": "Kiên Giang",
    "Long Xuyên": "An Giang", "Châu Đốc": "An Giang",
    "Mỹ Tho": "Tiền Giang", "Gò Công": "Tiền Giang", "Cao Lãnh": "Đồng Tháp", "Sa Đéc": "Đồng Tháp",
    "Vị Thanh": "Hậu Giang", "Ngã Bảy": "Hậu Giang", "Tân An": "Long An",
    "Duyên Hải": "Trà Vinh", "Măng Đen": "Kon Tum", "Kon Plông": "Kon Tum", "Ngọc Hồi": "Kon Tum",
    "Pleiku": "Gia Lai", "Quy Nhơn": "Bình Định", "Buôn Ma Thuột": "Đắk Lắk", "Tuy Hòa": "Phú Yên",
    "Gia Nghĩa": "Đắk Nông", "Đà Lạt": "Lâm Đồng", "Bảo Lộc": "Lâm Đồng", "Phan Thiết": "Bình Thuận",
    "Nha Trang": "Khánh Hòa", "Cam Ranh": "Khánh Hòa", "Phan Rang - Tháp Chàm": "Ninh Thuận",
    "Tam Kỳ": "Quảng Nam", "Hội An": "Quảng Nam", "Đông Hà": "Quảng Trị", "Đồng Hới": "Quảng Bình",
    "Vinh": "Nghệ An", "Sầm Sơn": "Thanh Hóa", "Hạ Long": "Quảng Ninh", "Móng Cái": "Quảng Ninh",
    "Cẩm Phả": "Quảng Ninh", "Uông Bí": "Quảng Ninh", "Việt Trì": "Phú Thọ", "Vĩnh Yên": "Vĩnh Phúc",
    "Phúc Yên": "Vĩnh Phúc", "Sa Pa": "Lào Cai", "Điện Biên Phủ": "Điện Biên", "Phủ Lý": "Hà Nam",
    "Biên Hòa": "Đồng Nai", "Long Khánh": "Đồng Nai", "Thủ Dầu Một": "Bình Dương", "Dĩ An": "Bình Dương",
    "Thuận An": "Bình Dương", "Vũng Tàu": "Bà Rịa - Vũng Tàu", "Đồng Xoài": "Bình Phước",
    "Nà Hang": "Tuyên Quang", "Mỏ Cày Nam": "Bến Tre", "Ba Tri": "Bến Tre", "Chợ Lách": "Bến Tre",
}


def current_province(old_name: str) -> str | None:
    """The post-2025 province a pre-2025 province belongs to."""
    return MERGED_INTO.get(old_name)


@lru_cache(maxsize=1)
def province_spellings() -> dict[str, str]:
    """Folded spelling → pre-2025 province name, for matching text with or without diacritics."""
    spellings = {folded_form(name): name for name in PROVINCES_BEFORE_2025}
    for name, aliases in _ALIASES.items():
        spellings.update({folded_form(alias): name for alias in aliases})
    for new, olds in _NEW_TO_OLD.items():
        if len(olds) == 1:  # renamed, not merged: "Huế" is Thừa Thiên Huế before 2025
            spellings.setdefault(folded_form(new), olds[0])
    return spellings


@lru_cache(maxsize=1)
def locality_spellings() -> dict[str, str]:
    return {folded_form(name): name for name in LOCALITIES}


def resolve_province(name: str) -> tuple[str, str] | None:
    """(pre-2025 province, post-2025 province) for a province named old or new, with or without accents.

    A post-2025 name that merged several provinces resolves to itself as both.
    """
    folded = folded_form(name).removeprefix("tinh ").removeprefix("thanh pho ").strip()
    old = province_spellings().get(folded)
    if old:
        return old, MERGED_INTO[old]
    for new in _NEW_TO_OLD:
        if folded_form(new) == folded:
            return new, new
    return None


def provinces_of(name: str) -> set[str]:
    """Every pre-2025 province a filter value covers: one old name, or all members of a new one."""
    folded = folded_form(name).removeprefix("tinh ").removeprefix("thanh pho ").strip()
    covered: set[str] = set()
    for new, olds in _NEW_TO_OLD.items():
        if folded_form(new) == folded:
            covered.update(olds)
    old = province_spellings().get(folded)
    if old:
        covered.add(old)
    return covered


@lru_cache(maxsize=1)
def place_names() -> tuple[str, ...]:
    """Every place name of two or more syllables the gazetteer knows: provinces (before and after 2025),
    cities and towns, and the districts and wards of PLACE_NAMES_FILE."""
    with gzip.open(PLACE_NAMES_FILE, "rt", encoding="utf-8") as lines:
        listed = [to_nfc(line.strip()) for line in lines if line.strip()]
    names = {*PROVINCES_BEFORE_2025, *PROVINCES_AFTER_2025, *LOCALITIES, *listed}
    return tuple(sorted(name for name in names if len(name.split()) >= 2))


@lru_cache(maxsize=1)
def _communes() -> dict[str, frozenset[str]]:
    """Folded "unit name" ("xa ba na") and folded name alone ("ba na") → the provinces that have it."""
    found: dict[str, set[str]] = {}
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            unit, name, province = to_nfc(line.rstrip("\n")).split("\t")
            for key in (f"{unit} {name}", name):
                found.setdefault(folded_form(key), set()).add(province)
    return {key: frozenset(provinces) for key, provinces in found.items()}


def provinces_of_commune(name: str) -> frozenset[str]:
    """The provinces (after 2025) that have a commune, ward or special zone of this name, with its unit
    ("Xã Bà Nà") or without ("Bà Nà"): one for most, several for the common names ("Tân Phú")."""
    return _communes().get(folded_form(name), frozenset())
