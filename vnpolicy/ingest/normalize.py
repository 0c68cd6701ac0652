"""The one Vietnamese text normaliser of vnpolicy.

Three forms of any text:
- display form (`clean_span`): what a clause shows — NFC, OCR junk removed, page breaks and line wraps
  joined. It is always computed from the *original* span `document.text[start:end]`, so a citation can be
  checked against the source: `clean_span(original[start:end]) == clause.text`.
- search form (`search_form`): display form, lower-cased, with one canonical tone placement per syllable
  (the traditional one: "hóa", "thủy", "khỏe"), so "hoá"/"hóa" and "thuỷ"/"thủy" are one token.
- folded form (`folded_form`): search form without any diacritics, with đ → d mapped explicitly, so
  queries typed without accents find accented text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_WORD = re.compile(r"[^\W\d_]+")


def to_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold_diacritics(text: str) -> str:
    """Strip every diacritic; đ/Đ do not decompose in Unicode, so they are mapped explicitly."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _tone_position(base: str) -> int:
    """Index in the (toneless, lower-case) syllable `base` of the vowel that carries the tone mark."""
    start = 0
    if base.startswith("qu") or (base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS):
        start = 2
    while start < len(base) and base[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(base) and base[end] in _VOWELS:
        end += 1
    if start >= len(base):
        return -1
    nucleus = base[start:end]
    if len(nucleus) == 1:
        return start
    marked = [i for i, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        return start + marked[-1]  # ươ carries the tone on ơ
    if end < len(base):  # closed syllable: the last vowel (hoàn, toán, huỳnh)
        return end - 1
    if len(nucleus) == 3:  # hoài, khuỷu
        return start + 1
    return start  # open diphthong, traditional placement: hóa, khỏe, thủy, mía, túi


@lru_cache(maxsize=65536)
def _canonical_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if not tones:
        return word
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    position = _tone_position(base.lower())
    if position < 0:
        return word
    placed = base[: position + 1] + tones[0] + base[position + 1 :]
    return unicodedata.normalize("NFC", placed)


def canonical_tones(text: str) -> str:
    """Move every syllable's tone mark to its one canonical vowel (input must be NFC)."""
    return _WORD.sub(lambda m: _canonical_word(m.group()), text)


def search_form(text: str) -> str:
    return canonical_tones(to_nfc(text)).lower()


def folded_form(text: str) -> str:
    return fold_diacritics(search_form(text))


def folded_words(text: str) -> list[str]:
    """The words of the folded form, punctuation dropped: what rules over folded text match against."""
    return re.findall(r"\w+", folded_form(text))


def has_diacritics(text: str) -> bool:
    return fold_diacritics(text) != text


# --- OCR junk ---------------------------------------------------------------------------------------

_JUNK_SYMBOLS = set("\\/^~'?{}<>|`•")
_STRONG_JUNK_SYMBOLS = _JUNK_SYMBOLS - set("/'?")  # "/" and "'" also occur in codes and "T/M"
BULLET_CHARS = "-–—+*•●▪◦∙·"  # the marks a bullet item starts with
_BULLET_MARKS = frozenset(BULLET_CHARS)
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
_MARKER_START = re.compile(r"\d{1,2}\.")
_COMPARISON = re.compile(r"[<>]=?\s*\d")
_DOUBLED_JUNK = re.compile(r"([rftxXyFV79])\1")
# Junk glued to a line start is a few characters ("xrrxxx"); trying cuts beyond this made a line of one
# long token (a 6,000-digit number) cost seconds, as every cut rescans its prefix.
_MAX_JUNK_PREFIX = 32


def _is_junk(prefix: str) -> bool:
    if prefix in _BULLET_MARKS:
        return False
    return (
        any(ch in _JUNK_SYMBOLS for ch in prefix)
        or bool(_DOUBLED_JUNK.search(prefix))
        or (any(ch.isdigit() for ch in prefix) and any(ch.isalpha() for ch in prefix))
        or (len(prefix) > 1 and prefix.isdigit())
    )


def _are_words_and_slashes(token: str) -> bool:
    """"đồng/lượt/khách", "xã/phường": syllables and their alternatives, not junk before a word."""
    parts = token.rstrip(",.;:").split("/")
    return len(parts) > 1 and all(_SYLLABLE.fullmatch(fold_diacritics(part).lower()) for part in parts)


def _starts_like_text(rest: str) -> bool:
    if _MARKER_START.match(rest):
        return True
    word = re.match(r"[^\W\d_]+", rest)
    return bool(word) and bool(_SYLLABLE.fullmatch(fold_diacritics(word.group()).lower()))


def strip_ocr_junk(line: str) -> str:
    """Remove a run of OCR junk glued to the start of a line (`xrrxxxChinh` → `Chinh`).

    The cut is the shortest junk-looking prefix after which a plausible Vietnamese syllable (or a
    numbered marker) begins; a run of symbols with no such cut is dropped up to its last symbol.
    """
    indent = len(line) - len(line.lstrip())
    body = line[indent:]
    run = re.match(r"\S+", body)
    if not run:
        return line
    token = run.group()
    if _MARKER_START.match(token) or token in _BULLET_MARKS:  # "1.Muc dich", "• Kinh phí": markers, not junk
        return line
    if _COMPARISON.match(body) or _are_words_and_slashes(token):  # a bound ("<10"), units ("đồng/lượt/khách")
        return line
    for cut in range(1, min(len(token), _MAX_JUNK_PREFIX + 1)):
        if _is_junk(token[:cut]) and _starts_like_text(token[cut:]):
            return line[:indent] + body[cut:]
    symbol_positions = [i for i, ch in enumerate(token) if ch in _STRONG_JUNK_SYMBOLS]
    if symbol_positions and not set(token[: symbol_positions[-1]].lower()) & set("aeiou"):
        return line[:indent] + body[symbol_positions[-1] + 1 :].lstrip()
    return line


# --- display text ------------------------------------------------------------------------------------

# A lone page number ("3", "- 3 -") or an OCR page marker ("===== Trang 2 =====").
_PAGE_NUMBER = re.compile(r"\s*(?:(?:-\s*)?\d{1,3}(?:\s*-)?|=*\s*(?:Trang|Page)\s+\d{1,4}\s*=*)\s*", re.I)
_SPACES = re.compile(r"\s+")


# "-------", "*": rules under a header; "|", "** **": the cell borders and empty emphasis of a web page's
# layout table. Not text: each stands where a blank line would.
_LAYOUT_LINE = re.compile(r"[-–—_=*~.]+|[|*\s]*[|*][|*\s]*")


def is_layout_line(line: str) -> bool:
    return bool(_LAYOUT_LINE.fullmatch(line.strip()))


def is_cell_border(line: str) -> bool:
    """A "|" line: the border between two cells of a web page's table flattened to one cell per line."""
    return line.strip() == "|"


def beside_cell_border(lines: list[str], index: int) -> bool:
    """Whether a line stands beside a cell border: a lone number there is a cell's value ("190" thousand
    đồng), not a page number."""
    return any(0 <= other < len(lines) and is_cell_border(lines[other]) for other in (index - 1, index + 1))


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(line)) and line.strip() != ""


# Markdown emphasis of text copied from web pages: "**Điều 1. **", "*Căn cứ …; *", "*(DN)*", "(*nhất là …*)".
# A star that opens (before a word, after a space, "(" or the line's start) or closes (after a word, before a
# space, punctuation or the line's end); not "* " of a bullet, nor "(*)" of a footnote.
_EMPHASIS = re.compile(r"\*\*|(?<![^\s*(])\*(?=[^\s*)])|(?<=[^\s(])\*(?=[\s).,;:!?]|$)|(?<=\s)\*\s*$")


def strip_markup(line: str) -> str:
    return _EMPHASIS.sub("", line)


def clean_line(line: str) -> str:
    """The display form of one source line (no joining): NFC, OCR junk, markup and U+FFFD removed."""
    return strip_ocr_junk(strip_markup(to_nfc(line).replace("\ufffd", "")))


def clean_span(raw: str) -> str:
    """Display text of an original span: each line cleaned, lone page numbers dropped, lines joined.

    This is the documented derivation `clause.text == clean_span(document.text[clause.start:clause.end])`.
    """
    lines = raw.splitlines()
    kept = (
        clean_line(line) for index, line in enumerate(lines)
        if not is_page_number(line) or beside_cell_border(lines, index)
    )
    return _SPACES.sub(" ", " ".join(kept)).strip()
