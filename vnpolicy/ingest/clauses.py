"""Split a document's original text into clauses that follow its own structure.

Structure, outermost first: Roman-numeral parts (`I.`, `II-`, `III -`), numbered items (`1.`, `1.2.`,
`2.1.3.`, `1.Muc dich`), lettered points (`a)`, `đ)`), bullets (`-`, `*`, `•`, `+`) and plain paragraphs.
Every clause keeps `start`/`end` offsets into the original text; its text is `clean_span` of that span.

Parts: a paragraph, item or bullet longer than `MAX_CLAUSE_CHARS` is cut at sentence boundaries into
consecutive clauses sharing one parent, numbered `part` 1..`part_count`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from vnpolicy.ingest.models import PAGE_BREAK, PATH_SEPARATOR, Clause, ClauseKind
from vnpolicy.ingest.normalize import (
    BULLET_CHARS,
    canonical_tones,
    clean_span,
    fold_diacritics,
    has_diacritics,
    is_cell_border,
    is_layout_line,
    is_page_number,
    strip_markup,
)

MAX_CLAUSE_CHARS = 1200
TRAIL_ENTRY_CHARS = 160

_ROMAN = re.compile(r"(?P<label>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))\s*[.\-–:]\s*(?=[^\W\d_a-z])")
# "1.1.", "1." and, before a capital, "1)" or "1 - " (a dash: "5 - 7 tỷ" is no item).
_NUMBER = re.compile(
    r"(?P<label>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s*(?=[^\W\d_]|[\"“(])"
    r"|(?P<single>\d{1,2})\.\s*(?=[^\W\d_]|[\"“(])"
    r"|(?P<other>\d{1,2})(?:\)|\s+[-–])\s*(?=[^\W\d_a-z])"
)
_LETTER = re.compile(r"(?P<label>[a-zđ])(?:\)|\.(?=\s+[^\W\d_a-z]))\s*")  # "a)", or "a." before a capital
# "A. MỤC TIÊU", "B. NHIỆM VỤ VÀ GIẢI PHÁP": parts above the roman numerals, their titles in capitals.
_SECTION = re.compile(r"(?P<label>[A-ZĐ])\s*[.:]\s+")
_PAREN = re.compile(r"\((?P<label>\d{1,2})\)\s*(?=[^\W\d_])")  # "(1) Tập trung …": an item under "2."
_BULLET = re.compile(rf"[{re.escape(BULLET_CHARS)}]\s*(?=\S)")
# Legal units, matched on the folded line: "Điều 5." (the full stop tells an article from a reference
# such as "Điều 28 Luật Thủ đô"), "Chương II", "Mục 1", "Phần thứ nhất" — a heading word in title or
# upper case, followed by nothing or by an upper-case title.
# "Điều 5." or "Điều 5:" or "Điều 5 - Phạm vi …" (a dash before a capital: "Điều 5 - 7" is a reference).
_ARTICLE = re.compile(r"(?:DIEU|Dieu)\s+(?P<label>\d{1,3}[a-z]?)\s*(?:[.:]|[-–]\s+(?=[A-Z]))")
_DIVISION = re.compile(
    r"(?P<word>PHAN|Phan|CHUONG|Chuong|MUC|Muc)\s+(?P<label>(?:THU|thu)\s+[A-Za-z]+|[IVXLC]+|\d{1,2})\b\s*[.:\-–]?"
)
_DIVISION_LEVELS = {"phan": (1, "Phần"), "chuong": (2, "Chương"), "muc": (3, "Mục")}
_ARTICLE_LEVEL = 4
_SECTION_LEVEL, _ROMAN_LEVEL, _NUMBER_LEVEL, _PAREN_LEVEL, _LETTER_LEVEL, _BULLET_LEVEL = 4, 5, 6, 9, 10, 11
_STRUCTURAL = frozenset({"section", "roman", "number", "letter", "legal"})
# A heading word (or the number label "Số:") that a hard-wrapped copy left alone on its line.
_LONE_HEAD_WORD = re.compile(
    r"(?:PHAN|Phan|CHUONG|Chuong|MUC|Muc|DIEU|Dieu|So|SO)\s*:?|\d{1,2}(?:\.\d{1,2}){0,3}\.|[a-zđ]\)|[IVX]{1,4}\s*[.\-–]"
)
# The heading words with their marks: folded, "Mức" (a level, a table's column) is "Muc" as "Mục" is.
_HEAD_WORDS = frozenset({"PHẦN", "CHƯƠNG", "MỤC", "ĐIỀU", "SỐ"})
_LONE_NUMBER = re.compile(r"\d{1,3}\.?")
_ENDS_ON_HEAD_WORD = re.compile(r"\b(?:dieu|khoan|diem|chuong|muc|phan)\s*$", re.I)
# Two columns side by side on one line (a wide gap, or the one tab between the two cells of a header or
# signature table copied from a web page as text; a row of three cells or more is a table's data, kept whole),
# or a signature set into the distribution list of an OCR page ("Nơi nhận: T/M BAN THƯỜNG VỤ"): each column
# is a line of its own.
_COLUMN_GAP = re.compile(r"(?<=\S)[ \t]{6,}(?=\S)")
_CELL_GAP = re.compile(r"(?<=\S)[ \t]*\t[ \t]*(?=\S)")
_TABLE_ROW = re.compile(r"\s*\|.*\|\s*")
# A heading in capitals that a web copy ran into the next heading's label ("**B. PHƯƠNG ÁN TÁI CẤU TRÚC I. Lưu
# đồ"): the label, a roman numeral or a number, then a word in lower case after its capital.
_RUN_ON_LABEL = re.compile(r"\s+(?=(?:[IVX]{1,4}|\d{1,2})\.\s+[^\W\d_a-z][^\W\d_A-Z])")
_INLINE_SIGNATURE = re.compile(r"(?<=\S)\s+(?=(?:T\s*/\s*[ML]|T[ML]\s*\.|KT\s*\.)\s*[A-ZĐ])")
# The types of document by their folded type word.
DOC_TYPES: dict[str, str] = {
    "KE HOACH": "Kế hoạch", "NGHI QUYET": "Nghị quyết", "CHUONG TRINH": "Chương trình",
    "KET LUAN": "Kết luận", "QUYET DINH": "Quyết định", "CHI THI": "Chỉ thị", "BAO CAO": "Báo cáo",
    "DE AN": "Đề án", "THONG BAO": "Thông báo", "QUY DINH": "Quy định", "QUY CHE": "Quy chế",
    "HUONG DAN": "Hướng dẫn", "CONG VAN": "Công văn", "TO TRINH": "Tờ trình", "DIEU LE": "Điều lệ",
}
# A type line, folded: the type word, maybe with the qualifier of an action programme, a joint plan or a
# notice of conclusions ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "KẾ HOẠCH LIÊN TỊCH", "THÔNG BÁO KẾT LUẬN").
DOC_TYPE_LINE = re.compile(
    rf"({'|'.join(DOC_TYPES)})(?:\s+(HANH DONG|LIEN TICH|CHUYEN DE|KET LUAN))?",
    re.I,
)
# The body that enacts a decision or resolution, on its own line under the title ("ỦY BAN NHÂN DÂN TỈNH
# THÁI NGUYÊN", "HỘI ĐỒNG NHÂN DÂN TỈNH … KHÓA X", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …"): the title has ended.
_ENACTING_BODY = re.compile(
    r"(?:CHU TICH\s+)?(?:UY BAN NHAN DAN|HOI DONG NHAN DAN|BAN THUONG VU|BAN CHAP HANH)\b", re.I
)
_APPENDIX = re.compile(r"PHU LUC\b.*|Phu luc(?:\s+(?:[IVX]+|\d{1,2}))?\s*[.:]?")
_NUMBER_LINE = re.compile(r"(?:S[o6]|SO)\s*[:.]?\s*\d+\s*(?:/\s*\d{4}\s*)?[-–/]\s*[A-Z]")  # "Số:", not "số"
_DATE_LINE = re.compile(
    r"(?:[^\W\d_][^\d,]{0,30},\s*)?ngay\s+\d{1,2}\s*(?:thang|[/.-])\s*\d{1,2}\s*(?:nam|[/.-])\s*\d{4}\.?",
    re.I,
)
_RECITAL_START = re.compile(
    r"(?:Can cu|CAN CU|Thuc hien|Theo de nghi|Xet|Tren co so|Theo|QUYET NGHI|QUYET DINH)\b", re.I
)
# A line that opens a recital: capitalised, as a continuation line ("… căn cứ vào") is not.
_RECITAL_LINE = re.compile(r"(?:Can cu|CAN CU|Xet|XET|QUYET NGHI|QUYET DINH)\b")
_RECITAL_END = re.compile(r"(?:nhu sau|quyet nghi|quyet dinh)\s*:\s*$", re.I)
_FOOTNOTE = re.compile(r"\(\s*(?:\*|\ufffd)?\s*\)\s")  # "(*) …", "(�) …": a bullet
_RECIPIENTS = re.compile(r"n[oa]i nh[ao]n\b", re.I)
_RECIPIENTS_FIRST_WORD = re.compile(r"\W*n[oa]i", re.I)
_RECIPIENTS_LABEL = re.compile(r"\W*n[oa]i\s+nh[ao]n\s*:?\W*", re.I)
_ADDRESSEES = re.compile(r"kinh gui\b", re.I)  # "Kính gửi: - Sở Xây dựng; …" heads an official letter
# The national name and motto above the dateline, however the header's columns came out.
_NATIONAL_HEADING = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]\s*tu do\s*[-–]\s*hanh phuc", re.I)
# The subject line of an official letter (công văn), under its number: "V/v đẩy nhanh tiến độ …" (về việc), or
# right under the number line, "Về hướng dẫn đánh giá …".
_SUBJECT_LINE = re.compile(r"V/v\b\s*", re.I)
_SUBJECT_UNDER_NUMBER = re.compile(r"Về\s+\S")
_SIGNATURE_ROLE = re.compile(r"(?:PHO )?(?:BI THU|CHU TICH|GIAM DOC|TRUONG BAN)\b")  # in capitals only
# T/M, TM. (on behalf of), KT. (for the head; "KT GIÁM ĐỐC" without its dot too), T/L, TL. (by order of), Q. (acting)
_SIGNATURE_MARK = re.compile(
    rf"(?:t\s*/\s*[ml]|t[ml]\s*\.|kt\s*\.|q\s*\.|KT\s+(?={_SIGNATURE_ROLE.pattern}))", re.I
)
_PERSON_NAME = re.compile(r"(?:[A-ZĐ][^\W\d_]*\s+){1,4}[A-ZĐ][^\W\d_]*")
_NAME_CHARS = 40
_TERMINAL = tuple(".!?:;…")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[^\W\d_a-zđ]|[\d\"“(\-–+•])")
_CONTINUING_WORDS = frozenset(
    ["va", "cua", "cac", "voi", "cho", "tai", "theo", "ve", "de", "la", "nhu", "tu", "den", "nhung", "mot"]
    + ["hoac", "thuoc", "tinh", "huyen", "xa"]
)
_TITLE_CHARS = 400


@dataclass
class _Unit:
    """A run of source lines that forms one clause before page-break repair and splitting."""

    start: int
    end: int
    first_line: str  # cleaned text of its first (logical) line
    marker: str = "none"  # roman | number | letter | legal | bullet | none
    label: str = ""
    level: int = 0
    role: str = "body"  # body | title | header | recital | recipients | signature | footnote | appendix
    after_blank: bool = True  # a blank line (or the document's start) comes before it
    joined: list[tuple[int, int]] = field(default_factory=list)


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((position, position + len(body)))
        position += len(line)
    return spans


def _columns(text: str) -> list[tuple[int, int]]:
    """Line spans, a line set in two columns cut into one span per column."""
    spans = []
    for start, end in _line_spans(text):
        line = text[start:end]
        folded = fold_diacritics(line.strip())
        if cells := _two_cells(line):  # "|ỦY BAN NHÂN DÂN    |CỘNG HÒA XÃ HỘI …    |": a Word table, by antiword
            spans += [(start + cell_start, start + cell_end) for cell_start, cell_end in cells]
            continue
        gap = _COLUMN_GAP.search(line)
        if gap is None and len(cell_gaps := list(_CELL_GAP.finditer(line))) == 1:
            gap = cell_gaps[0]
        if gap is None and (_RECIPIENTS.match(folded) or folded.startswith("-")):
            gap = _INLINE_SIGNATURE.search(line)
        if gap is None:
            gap = _run_on_label(line)
        if gap is None:
            spans.append((start, end))
        else:
            spans += [(start, start + gap.start()), (start + gap.end(), end)]
    return spans


def _run_on_label(line: str) -> re.Match[str] | None:
    """The gap before a second heading's label that a lettered or roman heading in capitals runs into, or None."""
    for gap in _RUN_ON_LABEL.finditer(line):
        head = strip_markup(line[: gap.start()]).strip()
        label = _SECTION.match(head) or _ROMAN.match(head)
        if label and len(head[label.end() :].split()) >= 2 and _is_caps(head[label.end() :]):
            return gap
    return None


def _two_cells(line: str) -> list[tuple[int, int]] | None:
    """The (start, end) of the text in each cell of a table row of two cells drawn with "|", or None; a row of
    three cells or more is a table's data, kept whole."""
    if not _TABLE_ROW.fullmatch(line) or line.count("|") != 3:
        return None
    cells = []
    for cell in re.finditer(r"(?<=\|)[^|]*(?=\|)", line):
        text = cell.group()
        if text.strip():
            leading = len(text) - len(text.lstrip())
            cells.append((cell.start() + leading, cell.start() + len(text.rstrip())))
    return cells


def _right_column_starts(text: str) -> set[int]:
    """Where a second column starts: such a line never continues the unit of the column beside it."""
    spans = _columns(text)
    lines = {start for start, _ in _line_spans(text)}
    return {start for start, _ in spans if start not in lines}


def _logical_lines(text: str) -> list[tuple[int, int]]:
    """Source lines (columns apart), with a heading word or a label left alone on its line ("Điều⏎7. …",
    "Chương⏎II", "Số:⏎27/…", "3.3.⏎Năng lượng") rejoined to the next non-blank line, and a label a narrow
    column wrapped (`_wrapped_label`) to the line after it. A span keeps its
    original offsets; its display form (`clean_span`) joins the lines with a space."""
    spans = _columns(text)
    logical: list[tuple[int, int]] = []
    index = 0
    while index < len(spans):
        start, end = spans[index]
        lone = fold_diacritics(strip_markup(text[start:end]).strip())
        if logical and _LONE_NUMBER.fullmatch(lone) and _ENDS_ON_HEAD_WORD.search(
            fold_diacritics(text[logical[-1][0] : logical[-1][1]])
        ) and text.count("\n", logical[-1][1], start) == 1:
            # "c) Bãi bỏ Điều⏎12.": the number of a reference wrapped onto its own line, not a label.
            logical[-1] = (logical[-1][0], end)
            index += 1
            continue
        if index + 1 < len(spans) and _wrapped_label(lone, text[slice(*spans[index + 1])]):
            logical.append((start, spans[index + 1][1]))
            index += 2
            continue
        if _LONE_HEAD_WORD.fullmatch(lone) and _spells_head_word(strip_markup(text[start:end]).strip()):
            following = index + 1
            while following < len(spans) and following <= index + 2 and not text[slice(*spans[following])].strip():
                following += 1
            if following < len(spans) and text[slice(*spans[following])].strip() and not is_cell_border(
                text[slice(*spans[following])]
            ):
                logical.append((start, spans[following][1]))
                index = following + 1
                continue
        logical.append((start, end))
        index += 1
    return logical


def _spells_head_word(line: str) -> bool:
    """A line `_LONE_HEAD_WORD` matches (folded) that, printed with diacritics, spells a heading word with them."""
    return not has_diacritics(line) or canonical_tones(line).upper().rstrip(" :") in _HEAD_WORDS


def _wrapped_label(lone: str, following: str) -> bool:
    """Whether a line (folded, without markup) and the line after it are one label a narrow column wrapped:
    a signer's role ("CHỦ⏎TỊCH"), which opens the signature block, or "Nơi⏎nhận:", which opens the list."""
    joined = f"{lone} {fold_diacritics(strip_markup(following).strip())}"
    if _RECIPIENTS_FIRST_WORD.fullmatch(lone):
        return bool(_RECIPIENTS_LABEL.fullmatch(joined))
    return bool(_SIGNATURE_ROLE.fullmatch(joined)) and not _SIGNATURE_ROLE.fullmatch(lone)


def _legal_head(folded: str) -> tuple[str, int] | None:
    """(label, level) of a Phần / Chương / Mục / Điều heading line, or None."""
    if match := _ARTICLE.match(folded):
        return f"Điều {match['label']}", _ARTICLE_LEVEL
    if match := _DIVISION.match(folded):
        rest = folded[match.end() :].strip()
        if rest and not _is_caps(rest):
            return None  # "Chương IV Nghị quyết này": a reference wrapped onto the line's start
        level, word = _DIVISION_LEVELS[match["word"].lower()]
        return f"{word} {match['label'].replace('thu', 'thứ').replace('THU', 'thứ')}", level
    return None


def is_legal_text(text: str) -> bool:
    """A text organised in articles ("Điều 1.", "Điều 2.", …) follows the legal grammar."""
    articles = 0
    for start, end in _logical_lines(text):
        if _ARTICLE.match(fold_diacritics(clean_span(text[start:end]))):
            articles += 1
            if articles >= 2:
                return True
    return False


def article_headings(text: str) -> list[tuple[int, str]]:
    """(offset, "Điều N") of every article heading of a legal text (none for other texts)."""
    if not is_legal_text(text):
        return []
    headings = []
    for start, end in _logical_lines(text):
        raw = text[start:end]
        if match := _ARTICLE.match(fold_diacritics(clean_span(raw))):
            headings.append((start + len(raw) - len(raw.lstrip()), f"Điều {match['label']}"))
    return headings


def _classify(line: str, legal: bool) -> tuple[str, str, int]:
    head = _legal_head(fold_diacritics(line)) if legal or line.startswith("PHẦN ") else None
    if head:  # plans and resolutions too come in parts: "PHẦN I", "PHẦN THỨ HAI"
        return "legal", head[0], head[1]
    if match := _ROMAN.match(line):
        return "roman", match["label"], _ROMAN_LEVEL
    if (match := _SECTION.match(line)) and _is_caps(line[match.end() :]):
        return "section", match["label"], _SECTION_LEVEL
    if match := _NUMBER.match(line):
        label = match["label"] or match["single"] or match["other"]
        return "number", label, _NUMBER_LEVEL + label.count(".")
    if match := _PAREN.match(line):
        return "number", match["label"], _PAREN_LEVEL
    if match := _LETTER.match(line):
        return "letter", match["label"], _LETTER_LEVEL
    if _BULLET.match(line) or _FOOTNOTE.match(line):
        return "bullet", "", _BULLET_LEVEL
    return "none", "", 0


def type_word_and_title(line: str) -> re.Match[str] | None:
    """The type word of "KẾ HOẠCH Triển khai thực hiện …", a line that gives the type in capitals and the title
    after it, or None."""
    match = DOC_TYPE_LINE.match(fold_diacritics(line))
    if not match or not _is_caps(line[: match.end()]) or line[match.end() : match.end() + 1] != " ":
        return None
    return match if line[match.end() :].lstrip()[:1].isupper() else None


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


_APPENDIX_NUMBER = re.compile(r"phu luc\s+(?:so\s+)?([IVX]+|\d{1,2})\b", re.I)


def _appendix_label(display: str) -> str:
    """An appendix's place in paths: "Phụ lục II" of "PHỤ LỤC II: DANH MỤC …", "Phụ lục" of one without a number."""
    match = _APPENDIX_NUMBER.match(fold_diacritics(display))
    return f"Phụ lục {match[1].upper()}" if match else "Phụ lục"


def letter_subject(line: str, after_number: bool) -> str | None:
    """What an official letter is about, from its subject line: "về việc đẩy nhanh …" of "V/v đẩy nhanh …",
    and, `after_number` (the line right under the number line), "về hướng dẫn …" of "Về hướng dẫn …"."""
    if match := _SUBJECT_LINE.match(line):
        return f"về việc {line[match.end() :]}"
    if after_number and _SUBJECT_UNDER_NUMBER.match(line):
        return "v" + line[1:]
    return None


def _is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _is_signature_start(cleaned: str, folded: str) -> bool:
    """T/M, KT. … or a role in capitals ("CHỦ TỊCH"), but not the enacting authority under a decision's
    title ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK")."""
    if _SIGNATURE_MARK.match(folded):
        return True
    return _is_caps(cleaned) and bool(_SIGNATURE_ROLE.match(folded)) and not _ENACTING_BODY.match(folded)


def is_number_line(folded: str) -> bool:
    """A document's number label at a line's start: "So: 134/KH-UBND", "So 22-CTr/TU" (folded; not "số")."""
    return bool(_NUMBER_LINE.match(folded))


def is_date_line(folded: str) -> bool:
    """A dateline standing alone: "Trà Vinh, ngày 11 tháng 11 năm 2021", "Ngày 16/06/2024"."""
    return bool(_DATE_LINE.fullmatch(folded.strip()))


_TABLE_ROW_CELLS = 3
_TABLE_CELL_LINES = 3


def _table_rows(text: str, spans: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
    """(starts of every line of a cell, starts of the lines of a row after its first) of a web page's table
    flattened to one cell per line or few lines between "|" lines, a row ending with two of them ("Đô
    thị⏎|⏎190⏎|⏎190⏎|⏎110⏎|⏎|", "Dưới 30 biên chế⏎|⏎Đồng/biên chế⏎/năm⏎|⏎95.000.000⏎|⏎|"). A row of three or
    more such cells is read as one unit, as a row of a tab-separated table is; the two cells of the layout
    table of a header or signature are read apart."""
    lines = [text[start:end] for start, end in spans]
    pipes = [index for index, line in enumerate(lines) if is_cell_border(line)]
    border = set(pipes)
    # A cell: the lines between two "|" lines, none of them blank or layout, at most _TABLE_CELL_LINES of them.
    cells = [
        (after + 1, before)
        for after, before in zip(pipes, pipes[1:], strict=False)
        if 0 < before - after - 1 <= _TABLE_CELL_LINES
        and not any(is_layout_line(line) or not line.strip() for line in lines[after + 1 : before])
    ]
    in_cell = {index for first, end in cells for index in range(first, end)}
    continuing: set[int] = set()
    position = 0
    while position < len(cells):
        row = [cells[position]]
        while position + len(row) < len(cells) and cells[position + len(row)][0] == row[-1][1] + 1:
            row.append(cells[position + len(row)])  # the next cell after a single "|"
        # A cell of several lines only in a row closed by two "|" lines: the layout table of a header chains its
        # cells ("CỘNG HÒA …⏎Độc lập …", "Số: …⏎Về …", the dateline) without closing rows.
        several = any(end - first > 1 for first, end in row)
        if len(row) >= _TABLE_ROW_CELLS and (not several or row[-1][1] + 1 in border):
            continuing.update(spans[index][0] for index in range(row[0][0] + 1, row[-1][1]) if index in in_cell)
        position += len(row)
    return {spans[index][0] for index in in_cell}, continuing


def _gather_units(text: str, legal: bool) -> list[_Unit]:
    """Group lines into units: a blank line, a structural marker or the end of a caps heading starts one."""
    units: list[_Unit] = []
    previous_blank = True
    previous_caps = False
    in_front = True  # before the first numbered or lettered part: the header, title and recitals
    previous_ends_sentence = previous_name = previous_number = False
    right_columns = _right_column_starts(text)
    spans = _logical_lines(text)
    cells, row_continuations = _table_rows(text, spans)
    for start, end in spans:
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped or (is_page_number(raw) and start not in cells) or is_layout_line(raw):
            previous_blank = True
            continue
        cleaned = clean_span(raw)
        marker, label, level = _classify(cleaned, legal)
        folded = fold_diacritics(cleaned)
        caps = _is_caps(cleaned)
        role = "body"
        # A type word alone on its line opens a title after a blank line, in the front matter (not inside a title
        # in capitals wrapped over lines), or right after a signer's name (a regulation attached to a decision);
        # in the front matter the title may follow it on its line.
        opens_part = previous_blank or (in_front and not previous_caps) or previous_name
        alone = caps and DOC_TYPE_LINE.fullmatch(folded.rstrip(" .")) is not None
        if opens_part and (alone or (in_front and type_word_and_title(cleaned) is not None)):
            role = "title"
        elif (previous_blank or previous_name) and _APPENDIX.fullmatch(folded):
            role = "appendix"
        elif is_number_line(folded) or is_date_line(folded) or _NATIONAL_HEADING.match(folded):
            role = "header"
        elif in_front and letter_subject(cleaned, previous_number) is not None:
            role = "title"
        elif _RECIPIENTS.match(folded) or _ADDRESSEES.match(folded):
            role = "recipients"
        elif _is_signature_start(cleaned, folded):
            role = "signature"
        starts_block = start not in row_continuations and (
            previous_blank
            or start in right_columns
            or marker != "none"
            or role != "body"
            or (units and units[-1].role in ("title", "header", "appendix"))
            or (previous_caps and not caps)
            # Front matter typed without blank lines: the enacting body ("HỘI ĐỒNG NHÂN DÂN TỈNH …") under a
            # title, each recital ("Căn cứ …", "Xét …") and a line after one that ends a sentence start a part.
            or (in_front and caps and not previous_caps)
            or (in_front and _RECITAL_LINE.match(folded) is not None)
            or (in_front and previous_ends_sentence and cleaned[:1].isupper())
            or (in_front and cleaned[:1].isupper() and cleaned.rstrip().endswith("."))  # a sentence of its own
        )
        offset = start + (len(raw) - len(raw.lstrip()))
        if starts_block or not units:
            units.append(_Unit(
                start=offset, end=end, first_line=cleaned, marker=marker, label=label, level=level, role=role,
                after_blank=previous_blank,
            ))
        else:
            units[-1].end = end
        previous_blank = False
        previous_caps = caps and (starts_block or previous_caps)
        in_front = in_front and marker not in _STRUCTURAL
        previous_ends_sentence = cleaned.rstrip().endswith((".", ";", ":"))
        previous_name = bool(_PERSON_NAME.fullmatch(cleaned)) and len(cleaned) <= _NAME_CHARS
        previous_number = is_number_line(folded)
    return units


def _display(unit: _Unit, text: str) -> str:
    return clean_span(text[unit.start : unit.end])


def _join_division_titles(units: list[_Unit], text: str) -> list[_Unit]:
    """"Chương I" and its title in capitals on the next line(s) are one heading."""
    joined: list[_Unit] = []
    for unit in units:
        previous = joined[-1] if joined else None
        if (
            previous is not None and previous.marker == "legal" and previous.level < _ARTICLE_LEVEL
            and unit.marker == "none" and unit.role == "body" and _is_caps(_display(unit, text))
            and _legal_head(fold_diacritics(_display(previous, text))) is not None
            and fold_diacritics(_display(previous, text)).count(" ") <= 2
        ):
            previous.end = unit.end
            continue
        joined.append(unit)
    return joined


def _wrap_width(text: str) -> int:
    """The width at which a hard-wrapped (OCR) text wraps its lines, or 0 for one-line paragraphs."""
    lengths = sorted(len(line) for line in text.splitlines() if line.strip())
    if not lengths:
        return 0
    p95 = lengths[int(len(lengths) * 0.95) - 1]
    return p95 if p95 <= 120 else 0


def _continues(previous: _Unit, unit: _Unit, text: str, wrap_width: int) -> bool:
    """Whether `unit` is the rest of `previous`, cut by a page break or a blank line."""
    if unit.marker != "none" or unit.role != "body" or previous.role not in ("body", "footnote"):
        return False
    first = unit.first_line
    before = clean_span(text[previous.start : previous.end])
    if not first or not before or _is_caps(before):
        return False
    if first[0].islower():
        return True
    if before.endswith(_TERMINAL):
        return False
    if first[0].isdigit() or first[0] in "(,;":
        return True
    if previous.marker not in ("none", "bullet") and len(before) <= 200:
        return False  # a heading ends without a full stop; the capital after it starts the body
    # A sentence does not end on a function word, nor a wrapped line at full width: a capital
    # after either is a proper noun continuing the sentence.
    last_word = fold_diacritics(before.rsplit(maxsplit=1)[-1]).lower()
    last_line = text[previous.start : previous.end].splitlines()[-1]
    return last_word in _CONTINUING_WORDS or (wrap_width > 0 and len(last_line) >= 0.75 * wrap_width)


def _repair_page_breaks(units: list[_Unit], text: str) -> list[_Unit]:
    repaired: list[_Unit] = []
    wrap_width = _wrap_width(text)
    for unit in units:
        if repaired and _continues(repaired[-1], unit, text, wrap_width):
            repaired[-1].end = unit.end
        else:
            repaired.append(unit)
    return repaired


def _assign_tail_roles(units: list[_Unit], text: str) -> list[_Unit]:
    """Mark the distribution list and the signature block (with the signer's name) apart from the body."""
    in_recipients = signed = False  # signed: a signature set beside the list (in its other column)
    for index, unit in enumerate(units):
        cleaned = clean_span(text[unit.start : unit.end])
        is_name = unit.role == "body" and bool(_PERSON_NAME.fullmatch(cleaned)) and len(cleaned) <= _NAME_CHARS
        if unit.role == "recipients":
            in_recipients, signed = True, False
            continue
        if in_recipients and (unit.role == "signature" or signed and is_name):
            unit.role = "signature"
            signed = True
            continue
        # A "(*) …" footnote printed after the list is body text the list's bullets do not take in.
        if in_recipients and unit.marker == "bullet" and not _FOOTNOTE.match(cleaned):
            unit.role = "recipients"
            continue
        if in_recipients and unit.first_line[:1].islower():
            unit.role = "continuation"
            continue
        in_recipients = False
        if is_name:
            neighbours = units[max(index - 1, 0) : index] + units[index + 1 : index + 2]
            if any(n.role == "signature" for n in neighbours) or index == len(units) - 1:
                unit.role = "signature"
    merged: list[_Unit] = []
    for unit in units:
        if unit.role == "continuation" or merged and unit.role == "signature" and merged[-1].role == unit.role:
            merged[-1].end = unit.end
        else:
            merged.append(unit)
    return merged


def _sentence_cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut [start, end) into spans of at most MAX_CLAUSE_CHARS display characters at sentence ends."""
    if len(clean_span(text[start:end])) <= MAX_CLAUSE_CHARS:
        return [(start, end)]
    boundaries = [m.start() for m in _SENTENCE_END.finditer(text, start, end)]
    if not boundaries:
        boundaries = [start + m.end() for m in re.finditer(r"[,;]\s", text[start:end])]
    spans: list[tuple[int, int]] = []
    part_start = start
    last_cut = None
    for cut in [*boundaries, end]:
        if len(clean_span(text[part_start:cut])) > MAX_CLAUSE_CHARS and last_cut and last_cut > part_start:
            spans.append((part_start, last_cut))
            part_start = last_cut
            while part_start < end and text[part_start].isspace():
                part_start += 1
        last_cut = cut
    spans.append((part_start, end))
    return [(s, e) for s, e in spans if _has_words(text[s:e])]


def _continues_title(unit: _Unit, text: str) -> bool:
    """Whether `unit` still belongs to the title block that a type line ("KẾ HOẠCH") opened: lines right
    under it, lines in capitals, lines starting in lower case or "(" or "CỦA …"; not a recital, a dateline
    or a paragraph separated by a blank line."""
    if unit.marker != "none" or unit.role != "body":
        return False
    display = _display(unit, text)
    folded = fold_diacritics(display)
    if len(display) > _TITLE_CHARS or _ENACTING_BODY.match(folded) or _RECITAL_LINE.match(folded):
        return False
    if _RECITAL_END.search(folded) or display.rstrip().endswith((".", ";")):  # a title ends no sentence
        return False  # "…, Ban Thường vụ Tỉnh ủy ban hành Chương trình hành động như sau:", "Năm 2025, …."
    if not unit.after_blank or _is_caps(display) or display[:1].islower() or display.startswith("("):
        return True
    return folded[:4].lower() == "cua "


def _opens_title(unit: _Unit, text: str) -> bool:
    """Whether `unit`, the first after a type line, is its title even when a blank line separates them
    ("NGHỊ QUYẾT⏎⏎Quy định mức hỗ trợ …"): a short line that is no recital and ends no sentence."""
    if _continues_title(unit, text):
        return True
    if unit.marker != "none" or unit.role != "body":
        return False
    display = _display(unit, text)
    folded = fold_diacritics(display)
    return (
        len(display) <= _TITLE_CHARS and not display.rstrip().endswith((".", ":", ";"))
        and not _ENACTING_BODY.match(folded) and not re.match(r"can cu\b", folded, re.I)
    )


def _mark_titles(units: list[_Unit], text: str) -> None:
    """Extend each type line's role to the title lines under it (before page-break repair, which would
    otherwise join a title that does not end in a full stop to the recital after it)."""
    marked: set[int] = set()  # units marked as a title's lines (each is then read on from, too)
    for index, unit in enumerate(units):
        if unit.role != "title":
            continue
        # A title in capitals ends where a line in sentence case begins ("Thực hiện Quyết định …" under it).
        in_capitals = index in marked and _is_caps(_display(unit, text))
        for position, following in enumerate(units[index + 1 :], start=index + 1):
            display = _display(following, text)
            if in_capitals and display[:1].isupper() and not _is_caps(display):
                break
            if not (_opens_title if position == index + 1 else _continues_title)(following, text):
                break
            following.role = "title"
            marked.add(position)
            in_capitals = _is_caps(display) if position == index + 1 else in_capitals and _is_caps(display)


def _assign_front_roles(units: list[_Unit], text: str, legal: bool) -> None:
    """Mark the header (issuer, number, dateline, type word and title) and the recitals ("Căn cứ …",
    "Thực hiện …, … như sau:") apart from the body."""
    for unit in units:
        if unit.role == "body" and unit.marker == "none" and is_date_line(fold_diacritics(_display(unit, text))):
            unit.role = "header"  # a dateline wrapped over two lines
    first_body = next(
        (i for i, u in enumerate(units) if u.role == "body" and u.marker in _STRUCTURAL), len(units)
    )
    first_title = next((i for i, u in enumerate(units) if u.role == "title"), len(units))
    for index, unit in enumerate(units[:first_body]):
        if unit.role != "body":
            continue
        display = _display(unit, text)
        folded = fold_diacritics(display)
        if index < first_title:
            # Above the type word: the issuer, the national motto and the like.
            unit.role = "header" if first_title < first_body or _is_caps(display) else unit.role
        if unit.role == "body" and (
            (legal and index > first_title) or _RECITAL_START.match(folded) or _RECITAL_END.search(folded)
        ):
            unit.role = "recital"


def _kind(unit: _Unit, display: str, in_appendix: bool) -> ClauseKind:
    if unit.role in ("recipients", "signature", "header", "recital"):
        return unit.role  # type: ignore[return-value]
    if unit.role == "title":
        return "header"
    if in_appendix or unit.role == "appendix":
        return "appendix"
    if unit.marker == "bullet":
        return "bullet"
    short = len(display) <= 200 and not display.rstrip().endswith((".", ";"))
    if unit.marker in _STRUCTURAL:
        return "heading" if short or display.isupper() else "item"
    letters = [ch for ch in display if ch.isalpha()]
    if letters and display.upper() == display and len(display) <= 120:
        return "heading"
    return "paragraph"


def _trail_entry(text: str) -> str:
    return text if len(text) <= TRAIL_ENTRY_CHARS else text[: TRAIL_ENTRY_CHARS - 1].rstrip() + "…"


def _units(text: str) -> list[_Unit]:
    legal = is_legal_text(text)
    units = _gather_units(text, legal)
    _mark_titles(units, text)
    units = _join_division_titles(units, text)
    units = _assign_tail_roles(_repair_page_breaks(units, text), text)
    _assign_front_roles(units, text, legal)
    return units


def split_clauses(document_id: str, text: str) -> list[Clause]:
    """All clauses of one document, in reading order, with path, heading trail, offsets and, when the text
    has page breaks, the page each clause starts on."""
    clauses: list[Clause] = []
    page_breaks = [index for index, ch in enumerate(text) if ch == PAGE_BREAK]
    stack: list[tuple[int, str, str, str]] = []  # (level, label, trail text, clause id)
    in_appendix = False

    def emit(unit: _Unit, spans: list[tuple[int, int]], path: str) -> Clause:
        """Append the clause(s) of a unit, one per span, numbered as parts when there are several;
        return the first."""
        kind = _kind(unit, clean_span(text[unit.start : unit.end]), in_appendix)
        first = len(clauses)
        for index, (start, end) in enumerate(spans, start=1):
            clauses.append(Clause(
                id=f"{document_id}-{len(clauses):04d}",
                document_id=document_id,
                ordinal=len(clauses),
                path=path,
                trail=tuple(entry for _, _, entry, _ in stack),
                kind=kind,
                text=clean_span(text[start:end]),
                start=start,
                end=end,
                parent_id=stack[-1][3] if stack else None,
                part=index if len(spans) > 1 else 0,
                part_count=len(spans) if len(spans) > 1 else 0,
                page=bisect_right(page_breaks, start) + 1 if page_breaks else None,
            ))
        return clauses[first]

    for unit in _units(text):
        display = clean_span(text[unit.start : unit.end])
        if not _has_words(display):
            continue
        if unit.role == "title" and fold_diacritics(display).isupper() and DOC_TYPE_LINE.fullmatch(
            fold_diacritics(display).rstrip(" .")
        ):
            stack.clear()  # a new document part (the regulation a decision issues) starts afresh
            in_appendix = False
        if unit.role == "appendix":
            stack.clear()
            in_appendix = True
            label = _appendix_label(display)
            first = emit(unit, [(unit.start, unit.end)], label)
            stack.append((0, label, _trail_entry(display), first.id))
            continue
        if unit.role in ("recipients", "signature", "footnote", "header", "title", "recital"):
            # Outside the body's structure, but the stack is kept: OCR pages out of order may put
            # the rest of the last section after the signature.
            saved, stack[:] = list(stack), []
            whole = unit.role in ("recipients", "signature", "header", "title")
            emit(unit, [(unit.start, unit.end)] if whole else _sentence_cuts(text, unit.start, unit.end), "")
            stack[:] = saved
            continue
        if unit.marker in _STRUCTURAL:
            while stack and stack[-1][0] >= unit.level:
                stack.pop()
            path = PATH_SEPARATOR.join([*(label for _, label, _, _ in stack), unit.label])
            first = emit(unit, _sentence_cuts(text, unit.start, unit.end), path)
            stack.append((unit.level, unit.label, _trail_entry(display), first.id))
            continue
        emit(unit, _sentence_cuts(text, unit.start, unit.end), PATH_SEPARATOR.join(label for _, label, _, _ in stack))
    return clauses
