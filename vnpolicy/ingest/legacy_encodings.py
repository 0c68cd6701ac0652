"""Vietnamese typed in the pre-Unicode encodings, TCVN3 (ABC, ".VnTime"), VNI ("VNI-Times") and VISCII
(RFC 1456), to Unicode.

Such text reaches vnpolicy in two ways: a file of 8-bit bytes (which is not UTF-8; read by `read_8bit`:
Windows-1252, and Latin-1 for the five bytes Windows-1252 leaves undefined), or Unicode text whose
characters are the font's code points read as Windows-1252 — what a .docx typed in a legacy font holds
("B¸o c¸o" for "Báo cáo" in TCVN3, "Baùo caùo" in VNI). Detection counts the characters or pairs only
that encoding uses, among words of letters; the text is converted when they are frequent and Unicode
Vietnamese letters are absent, by the encoding whose conversion reads best as Vietnamese syllables.

The TCVN3 table agrees with glibc's TCVN5712-1 charmap on every byte it maps (TCVN3 is that standard's
VN3 subset: lower-case letters and the plain capitals Ă Â Ê Ô Ơ Ư Đ); the VISCII table is glibc's VISCII.
"""

from __future__ import annotations

import re
import unicodedata

from vnpolicy.ingest.normalize import search_form
from vnpolicy.ingest.syllables import is_syllable_shape

# TCVN3 (TCVN 5712:1993, VN3): one byte per lower-case letter; capitals are the same codes in a capitals
# font, so a converted letter takes the case of its word.
_TCVN3 = dict(zip(
    "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®§ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ¡¢£¤¥¦",
    "áàảãạăắằẳẵặâấầẩẫậđĐéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵĂÂÊÔƠƯ",
    strict=True,
))
# VNI: a base letter followed by one or two mark characters; đ, ơ, ư, ỉ, ĩ, ị and ỵ are single characters
# (as in the VNI tables of xvnkb's vni.h and of the vietnamese-conversion package, which agree).
_VNI_MARKS = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT_TONE = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}  # after â/ê/ô
_VNI_BREVE_TONE = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}  # after ă
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ",
               "ò": "ị", "Ò": "Ị",
               "î": "ỵ", "Î": "Ỵ"}
_VNI_PAIR = re.compile(r"([aAeEoOyYuUöÖôÔ])([âÂêÊùøûõïÙØÛÕÏáàåãäÁÀÅÃÄéèúüëÉÈÚÜË])?|[ñÑæÆóÓòÒîÎ]")
_TCVN3_SIGNS = set("¸µ¶·¹¾»¼½ÆÊÇÈÉË®§ÐÌÎÏÑÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ")
_VNI_SIGNS = re.compile(r"[aeoyuöô](?:[ùøûõï]|[âê][áàåãä]?)|ñ|ö", re.I)
# VISCII: all 134 precomposed letters, one byte each: bytes 0x80–0xFF, and six C0 control codes.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
)
_VISCII_BYTES = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"} | {
    0x80 + index: letter for index, letter in enumerate(_VISCII_HIGH)
}


def read_8bit(data: bytes) -> str:
    """Bytes as Windows-1252 shows them (Latin-1 for its five undefined bytes): the one reading of 8-bit
    text from which the bytes, and so any legacy encoding, can be recovered."""
    return "".join(chr(byte) if 0x80 <= byte <= 0x9F and byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                   else bytes([byte]).decode("cp1252") for byte in data)


def _byte_readings(byte: int) -> set[str]:
    readings = {chr(byte)}
    if 0x80 <= byte <= 0x9F and byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        readings.add(bytes([byte]).decode("cp1252"))
    return readings


# Keyed by both readings of a byte 0x80–0x9F: a .docx in a VISCII font may hold either.
_VISCII = {reading: letter for byte, letter in _VISCII_BYTES.items() for reading in _byte_readings(byte)}
_VISCII_SIGNS = {reading for reading, letter in _VISCII.items() if reading != letter and reading.isprintable()}
_VIETNAMESE_LETTERS = re.compile("[ăđĩũơưạ-ỹ]", re.I)  # letters no legacy font's Windows-1252 reading has
_WORD = re.compile(r"\S+")
MIN_SHARE = 0.15  # of words carrying a sign of the encoding


def _share(text: str, signs) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    if isinstance(signs, set):
        return sum(any(ch in signs for ch in word) for word in words) / len(words)
    return sum(bool(signs.search(word)) for word in words) / len(words)


def _syllable_share(text: str) -> float:
    """Share of the words of letters that read as Vietnamese syllables."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    return sum(is_syllable_shape(search_form(w)) for w in words) / len(words) if words else 0.0


def detect(text: str) -> str | None:
    """"tcvn3", "vni", "viscii" or None (Unicode, or not Vietnamese): the encoding whose conversion reads best."""
    if len(_VIETNAMESE_LETTERS.findall(text)) > len(text) / 200:
        return None  # already Unicode Vietnamese
    signs = (("tcvn3", _TCVN3_SIGNS), ("vni", _VNI_SIGNS), ("viscii", _VISCII_SIGNS))
    candidates = [name for name, found in signs if _share(text, found) >= MIN_SHARE]
    if not candidates:
        return None
    sample = text[:20000]
    best = max(candidates, key=lambda name: _syllable_share(to_unicode(sample, name)))
    # French or German text in Windows-1252 has signs too; only a conversion that reads better is one
    return best if _syllable_share(to_unicode(sample, best)) > _syllable_share(sample) else None


def _tcvn3_line(line: str) -> str:
    converted = "".join(_TCVN3.get(ch, ch) for ch in line)
    plain = [ch for ch in line if ch.isalpha() and ch not in _TCVN3]
    if len(plain) >= 3 and all(ch.isupper() for ch in plain):
        return converted.upper()  # a line in the capitals font: its toned letters were typed lower-case
    return _WORD.sub(lambda m: _tcvn3_word(m.group()), converted) if plain else converted


def _tcvn3_word(word: str) -> str:
    """A word in capitals whose toned letters came out lower-case ("HOá", "TRÞ") in capitals."""
    letters = [ch for ch in word if ch.isalpha()]
    plain = [ch for ch in letters if ch.isascii()]  # letters TCVN3 left as they were: their case is true
    if len(letters) >= 2 and len(plain) >= 2 and all(ch.isupper() for ch in plain):
        return word.upper()
    if len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= len(letters) - 1 and letters[-1].isupper():
        return word.upper()
    return word


def _vni_vowel(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return _VNI_SINGLE[match.group()]
    base, mark = _VNI_SINGLE.get(match.group(1), match.group(1)), (match.group(2) or "").lower()
    if not mark:
        return base
    if mark == "â":
        combining = "\u0302"
    elif mark == "ê":
        combining = "\u0306"
    elif mark in _VNI_HAT_TONE:
        combining = "\u0302" + _VNI_HAT_TONE[mark]
    elif mark in _VNI_BREVE_TONE:
        combining = "\u0306" + _VNI_BREVE_TONE[mark]
    else:
        combining = _VNI_MARKS[mark]
    return unicodedata.normalize("NFC", base + combining)


def _vni_word(word: str) -> str:
    return _VNI_PAIR.sub(_vni_vowel, word)


def to_unicode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return "".join(_tcvn3_line(line) for line in text.splitlines(keepends=True))
    if encoding == "viscii":
        return "".join(_VISCII.get(ch, ch) for ch in text)
    return _WORD.sub(lambda m: _vni_word(m.group()), text)


def to_tcvn3(text: str) -> str:
    """Unicode as a TCVN3 font types it (a capital with a tone mark has the lower-case code)."""
    reverse = {v: k for k, v in _TCVN3.items()}
    return "".join(reverse.get(ch, reverse.get(ch.lower(), ch)) for ch in unicodedata.normalize("NFC", text))


_VNI_TONE_OUT = {v: k for k, v in _VNI_MARKS.items()}
_VNI_HAT_TONE_OUT = {v: k for k, v in _VNI_HAT_TONE.items()}
_VNI_BREVE_TONE_OUT = {v: k for k, v in _VNI_BREVE_TONE.items()}
_VNI_SINGLE_OUT = {"đ": "ñ", "ơ": "ô", "ư": "ö", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def to_vni(text: str) -> str:
    """Unicode as a VNI font types it (capitals take capital mark characters)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        upper = ch.isupper()
        lower = ch.lower()
        parts = unicodedata.normalize("NFD", lower)
        base, marks = parts[0], parts[1:]
        tone = next((m for m in marks if m in _VNI_TONE_OUT), "")
        shape = "".join(m for m in marks if m not in _VNI_TONE_OUT)
        if lower in _VNI_SINGLE_OUT:
            piece = _VNI_SINGLE_OUT[lower]
        elif not marks or base not in "aeiouy":
            piece = lower
        elif shape == "\u0302":
            piece = base + _VNI_HAT_TONE_OUT.get(tone, "â")
        elif shape == "\u0306":
            piece = base + _VNI_BREVE_TONE_OUT.get(tone, "ê")
        elif shape == "\u031b":
            piece = {"o": "ô", "u": "ö"}[base] + _VNI_TONE_OUT.get(tone, "")
        else:
            piece = base + _VNI_TONE_OUT.get(tone, "")
        out.append(piece.upper() if upper else piece)
    return "".join(out)


def to_viscii(text: str) -> str:
    """Unicode as 8-bit VISCII text reads (`read_8bit`)."""
    reverse = {letter: chr(byte) for byte, letter in _VISCII_BYTES.items()}
    return "".join(reverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def convert_legacy(text: str) -> tuple[str, str | None]:
    """The Unicode text and the legacy encoding it was in (None when it was not)."""
    encoding = detect(text)
    return (to_unicode(text, encoding), encoding) if encoding else (text, None)
