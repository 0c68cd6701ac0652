"""Split a document's original text into clauses that follow its own structure.

Structure, outermost first: Roman-numeral parts (`I.`, `II-`, `III -`), numbered items (`1.`, `1.2.`,
`2.1.3.`, `1.Muc dich`), lettered points (`a)`, `đ)`), bullets (`-`, `*`, `•`, `+`) and plain paragraphs.
Every clause keeps `start`/`end` offsets into the original text; its text is `clean_span` of that span.

Parts: a paragraph, item or bullet longer than `MAX_CLAUSE_CHARS` is cut at sentence boundaries into
consecutive clauses sharing one parent, numbered `part` 1..`part_count`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vnpolicy.ingest.models import PATH_SEPARATOR, Clause, ClauseKind
from vnpolicy.ingest.normalize import clean_line, clean_span, fold_diacritics, is_page_number

MAX_CLAUSE_CHARS = 1200
TRAIL_ENTRY_CHARS = 160

_ROMAN = re.compile(r"(?P<label>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))\s*[.\-–:]\s*(?=[^\W\d_a-z])")
_NUMBER = re.compile(
    r"(?P<label>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s*(?=[^\W\d_]|[\"“(])"
    r"|(?P<single>\d{1,2})\.\s*(?=[^\W\d_]|[\"“(])"
)
_LETTER = re.compile(r"(?P<label>[a-zđ])\)\s*")
_BULLET = re.compile(r"[-–+*•]\s*(?=\S)")
_DOC_TYPE_LINE = re.compile(
    r"(KE HOACH|NGHI QUYET|CHUONG TRINH|KET LUAN|QUYET DINH|CHI THI|BAO CAO|DE AN|THONG BAO)", re.I
)
_NUMBER_LINE = re.compile(r"S[oô6ố]\s*[:.]?\s*\d+\s*[-–]", re.I)
_FOOTNOTE = re.compile(r"\(\s*(?:\d{1,2}|\*|\ufffd)?\s*\)\s")  # "(1) …", "(*) …", "(�) …" as a line's start
_RECIPIENTS = re.compile(r"n[oa]i nh[ao]n\b", re.I)
_SIGNATURE = re.compile(r"(?:t/m|tm\.|kt\.|tl\.|q\.)\s|(?:pho )?bi thu\b|chu tich\b", re.I)
_PERSON_NAME = re.compile(r"(?:[A-ZĐ][^\W\d_]*\s+){1,4}[A-ZĐ][^\W\d_]*")
_TERMINAL = tuple(".!?:;…")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[^\W\d_a-zđ]|[\d\"“(\-–+•])")
_CONTINUING_WORDS = frozenset(
    ["va", "cua", "cac", "voi", "cho", "tai", "theo", "ve", "de", "la", "nhu", "tu", "den", "nhung", "mot"]
    + ["hoac", "thuoc", "tinh", "huyen", "xa"]
)
_ROMAN_LEVEL, _LETTER_LEVEL, _BULLET_LEVEL = 1, 10, 11


@dataclass
class _Unit:
    """A run of source lines that forms one clause before page-break repair and splitting."""

    start: int
    end: int
    first_line: str  # cleaned text of its first line
    marker: str = "none"  # roman | number | letter | bullet | none
    label: str = ""
    level: int = 0
    role: str = "body"  # body | title | recipients | signature | footnote
    joined: list[tuple[int, int]] = field(default_factory=list)


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((position, position + len(body)))
        position += len(line)
    return spans


def _classify(line: str) -> tuple[str, str, int]:
    if match := _ROMAN.match(line):
        return "roman", match["label"], _ROMAN_LEVEL
    if match := _NUMBER.match(line):
        label = match["label"] or match["single"]
        return "number", label, 1 + label.count(".") + 1
    if match := _LETTER.match(line):
        return "letter", match["label"], _LETTER_LEVEL
    if _BULLET.match(line):
        return "bullet", "", _BULLET_LEVEL
    return "none", "", 0


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _gather_units(text: str) -> list[_Unit]:
    """Group lines into units: a blank line, a structural marker or the end of a caps heading starts one."""
    units: list[_Unit] = []
    previous_blank = True
    previous_caps = False
    for start, end in _line_spans(text):
        raw = text[start:end]
        if not raw.strip() or is_page_number(raw):
            previous_blank = True
            continue
        cleaned = clean_line(raw).strip()
        marker, label, level = _classify(cleaned)
        folded = fold_diacritics(cleaned)
        starts_block = (
            previous_blank
            or marker != "none"
            or _DOC_TYPE_LINE.fullmatch(folded)
            or _RECIPIENTS.match(folded)
            or _SIGNATURE.match(folded)
            or _NUMBER_LINE.match(folded)
            or _FOOTNOTE.match(raw.strip())
            or (units and units[-1].role == "title")
            or (previous_caps and not _is_caps(cleaned))
        )
        offset = start + (len(raw) - len(raw.lstrip()))
        if starts_block or not units:
            unit = _Unit(start=offset, end=end, first_line=cleaned, marker=marker, label=label, level=level)
            if _DOC_TYPE_LINE.fullmatch(folded):
                unit.role = "title"
            elif _RECIPIENTS.match(folded):
                unit.role = "recipients"
            elif _SIGNATURE.match(folded):
                unit.role = "signature"
            elif _FOOTNOTE.match(raw.strip()):
                unit.role = "footnote"
            units.append(unit)
        else:
            units[-1].end = end
        previous_blank = False
        previous_caps = _is_caps(cleaned) and (starts_block or previous_caps)
    return units


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
    if not first or _is_caps(before):
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
    in_recipients = False
    for index, unit in enumerate(units):
        if unit.role == "recipients":
            in_recipients = True
            continue
        if in_recipients and unit.marker == "bullet":
            unit.role = "recipients"
            continue
        if in_recipients and unit.first_line[:1].islower():
            unit.role = "continuation"
            continue
        in_recipients = False
        cleaned = clean_span(text[unit.start : unit.end])
        if unit.role == "body" and _PERSON_NAME.fullmatch(cleaned) and len(cleaned) <= 40:
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


def _kind(unit: _Unit, display: str) -> ClauseKind:
    if unit.role in ("recipients", "signature"):
        return unit.role  # type: ignore[return-value]
    if unit.role == "title":
        return "heading"
    if unit.marker == "bullet":
        return "bullet"
    short = len(display) <= 200 and not display.rstrip().endswith((".", ";"))
    if unit.marker in ("roman", "number", "letter"):
        return "heading" if short or display.isupper() else "item"
    letters = [ch for ch in display if ch.isalpha()]
    if letters and display.upper() == display and len(display) <= 120:
        return "heading"
    return "paragraph"


def _trail_entry(text: str) -> str:
    return text if len(text) <= TRAIL_ENTRY_CHARS else text[: TRAIL_ENTRY_CHARS - 1].rstrip() + "…"


def split_clauses(document_id: str, text: str) -> list[Clause]:
    """All clauses of one document, in reading order, with path, heading trail and offsets."""
    units = _assign_tail_roles(_repair_page_breaks(_gather_units(text), text), text)
    clauses: list[Clause] = []
    stack: list[tuple[int, str, str, str]] = []  # (level, label, trail text, clause id)

    def emit(unit: _Unit, spans: list[tuple[int, int]], path: str) -> Clause:
        """Append the clause(s) of a unit, one per span, numbered as parts when there are several;
        return the first."""
        kind = _kind(unit, clean_span(text[unit.start : unit.end]))
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
            ))
        return clauses[first]

    for unit in units:
        display = clean_span(text[unit.start : unit.end])
        if not _has_words(display):
            continue
        if unit.role == "title":
            stack.clear()
        if unit.role in ("recipients", "signature", "footnote"):
            # Outside the body's structure, but the stack is kept: OCR pages out of order may put
            # the rest of the last section after the signature.
            saved, stack[:] = list(stack), []
            whole = unit.role != "footnote"
            emit(unit, [(unit.start, unit.end)] if whole else _sentence_cuts(text, unit.start, unit.end), "")
            stack[:] = saved
            continue
        if unit.marker in ("roman", "number", "letter") and unit.role == "body":
            while stack and stack[-1][0] >= unit.level:
                stack.pop()
            path = PATH_SEPARATOR.join([*(label for _, label, _, _ in stack), unit.label])
            first = emit(unit, _sentence_cuts(text, unit.start, unit.end), path)
            stack.append((unit.level, unit.label, _trail_entry(display), first.id))
            continue
        emit(unit, _sentence_cuts(text, unit.start, unit.end), PATH_SEPARATOR.join(label for _, label, _, _ in stack))
    return clauses
