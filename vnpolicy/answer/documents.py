"""The documents a question names: by their number ("Nghị quyết 34", "nq 34", "Kế hoạch số 134/KH-UBND",
"Decision 223"), by what they implement ("the plan implementing Resolution 34-NQ/TU", "Kế hoạch thực hiện
Kết luận 72 của Kon Tum"), or by their type and province ("Lào Cai's industrial park plan", "theo Nghị
quyết của Tỉnh ủy Lào Cai") when the province has one indexed document of that type. A lookup naming one
indexed document is searched within it (`evidence.effective_filters`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from vnpolicy.ingest.clauses import DOC_TYPES
from vnpolicy.ingest.gazetteer import provinces_of
from vnpolicy.ingest.metadata import CODE, CODE_TYPES, code_type, normalise_code
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.normalize import fold_diacritics, folded_form, folded_words

# The types a question names a document by, and each one's words, folded: the type word and its
# abbreviation in a code, as the ingest reads them, and English.
_NAMED_TYPES = ("Nghị quyết", "Kế hoạch", "Quyết định", "Chương trình", "Chỉ thị", "Kết luận", "Thông báo", "Công văn")
_ENGLISH_TYPE_WORDS = {
    "resolution": "Nghị quyết", "plan": "Kế hoạch", "decision": "Quyết định", "programme": "Chương trình",
    "program": "Chương trình", "directive": "Chỉ thị", "conclusion": "Kết luận", "notice": "Thông báo",
}
_TYPE_WORDS = {
    **{word.lower(): kind for word, kind in {**DOC_TYPES, **CODE_TYPES}.items() if kind in _NAMED_TYPES},
    **_ENGLISH_TYPE_WORDS,
}
# What names no subject in a title or a question about it (folded): the type words, "tỉnh", "thành phố", "địa bàn".
_TYPE_WORDS_FOLDED = {
    fold_diacritics(word).lower() for name in [*_NAMED_TYPES, *_ENGLISH_TYPE_WORDS] for word in name.split()
}
_UNIT_PAIRS = {("thanh", "pho"), ("tren", "dia"), ("dia", "ban"), ("ban", "thanh")}
# "kế hoạch 5 năm" is a five-year plan, not plan number 5.
_TYPE_AND_NUMBER = re.compile(
    rf"\b({'|'.join(_TYPE_WORDS)})\.?\s+(?:so\s+|no\.?\s*|number\s+)?(\d{{1,5}})\b(?!\s+(?:nam|years?)\b)"
)
_LEADING_NUMBER = re.compile(r"\d+")  # of a code: "34" of 34-NQ/TU (a sidecar's number may have none)
# A type word used as the name of a document (folded): "nghị quyết", "công văn", "resolution", "notice" always;
# "kế hoạch", "quyết định", "chương trình", "thông báo" (also "to plan", "to decide", any programme, "to
# notify") opening the question ("Kế hoạch
# phát triển kinh tế số … được ban hành theo đề nghị của ai?"), after "theo", "trong", "tại", "của", "ký" or
# "ban hành" ("Ai ký kế hoạch …?"), or before "này", "số", "của"; "plan" after "the", "its" or a possessive,
# and not "plan to".
_NAMING_TYPE = re.compile(
    r"\b(nghi quyet|cong van|resolution|decision|directive|programme|program|notice)\b"
    r"|^\s*(ke hoach|quyet dinh|chuong trinh|thong bao)\b"
    r"|\b(?:theo|trong|tai|cua|ky|ban hanh)\s+(ke hoach|quyet dinh|chuong trinh|thong bao)\b"
    r"|\b(ke hoach|quyet dinh|chuong trinh|thong bao)\s+(?:nay|so|cua)\b"
    r"|(?:\bthe|\bits|'s)\s+(?:[\w-]+\s+){0,6}?(plan)\b(?!\s+to\b)"
)

# A plan or programme named by what it implements (folded): the document after the verb is the one it
# cites.
_IMPLEMENTING = re.compile(
    r"\b(ke hoach|chuong trinh|plan|programme|program)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:thuc hien|trien khai|implementing|to implement|implementation of)\s"
)


def named_documents(text: str, documents: Iterable[Document], province: str | None = None) -> list[str]:
    """Ids of the documents the text names: by a full code ("134/KH-UBND", "34-nq/tu", "57/2025/nq-hdnd"),
    or by a type word and the number its code begins with ("Nghị quyết 34", "nq 34", "plan 134"). A full
    code names only the document with that code: "Nghị quyết 57-NQ/TW" (the Politburo's) is not Hà Nội's
    57/2025/NQ-HĐND. "The plan implementing Resolution 34" names the indexed plan that cites it (in
    `province`, when given) as well as the resolution: a question about it may be answered by either ("By
    when must the People's Committee issue its plan implementing …" by the resolution). Naming none by
    number, a text about one `province` names its one document of a type it names."""
    documents = list(documents)
    folded = folded_form(text)
    by_number = _named_by_number(folded, documents)
    if implementing := _IMPLEMENTING.search(folded):
        kind = _TYPE_WORDS[implementing[1]]
        by_number += _implementing(folded[implementing.end() :], kind, documents, province)
    return list(dict.fromkeys(by_number)) or (_named_by_type(text, documents, province) if province else [])


def _implementing(referred: str, kind: str, documents: list[Document], province: str | None) -> list[str]:
    """The documents of `kind` (in `province`) that cite a document the folded text refers to, by its code or
    by its type and number ("Kết luận 72" is cited as 72-KL/TW)."""
    typed = referred.upper()
    codes = {normalise_code(m[0]) for m in CODE.finditer(typed)}
    numbered = {(_TYPE_WORDS[m[1]], m[2]) for m in _TYPE_AND_NUMBER.finditer(CODE.sub(" ", typed).lower())}

    def refers_to(code: str) -> bool:
        folded = fold_diacritics(code).upper()
        return folded in codes or (code_type(code), _leading_number(code)) in numbered

    places = provinces_of(province) | {province} if province else None
    return [
        d.id for d in documents
        if d.meta.doc_type.value == kind and (places is None or d.meta.province.value in places)
        and any(refers_to(code) for code in d.meta.cites.value or ())
    ]


def _named_by_type(text: str, documents: list[Document], province: str) -> list[str]:
    if CODE.search(text.upper()):
        return []  # its type words go with the codes it cites, of documents not indexed
    names = provinces_of(province) | {province}
    named_types = (next(word for word in match.groups() if word) for match in _NAMING_TYPE.finditer(folded_form(text)))
    kinds = {_TYPE_WORDS[word] for word in named_types}
    found = []
    for kind in kinds:
        of_kind = [d for d in documents if d.meta.province.value in names and d.meta.doc_type.value == kind]
        if len(of_kind) == 1:
            found.append(of_kind[0].id)
        elif of_kind:
            found += _named_by_subject(text, of_kind, names)
    return found


def _named_by_subject(text: str, candidates: list[Document], places: set[str]) -> list[str]:
    """Of a province's several documents of one type, the one whose title shares more pairs of words with the
    text than any other's, counting the pairs no other title has ("nghị quyết học phí của Huế": "… QUY ĐỊNH
    CHÍNH SÁCH HỌC PHÍ …", not the resolution amending another) and leaving aside those naming the place, the
    type or an administrative unit; else none."""
    generic = {word for name in places for word in folded_words(name)} | _TYPE_WORDS_FOLDED | {"tinh"}
    asked = _word_pairs(text, generic)
    titles = {d.id: _word_pairs(d.meta.title.value or "", generic) & asked for d in candidates}
    own = {
        doc_id: len(pairs - set().union(*(other for other_id, other in titles.items() if other_id != doc_id)))
        for doc_id, pairs in titles.items()
    }
    ranked = sorted(own.items(), key=lambda item: -item[1])
    return [ranked[0][0]] if ranked[0][1] > ranked[1][1] else []


def _word_pairs(text: str, generic: set[str]) -> set[tuple[str, str]]:
    words = folded_words(text)
    return {pair for pair in zip(words, words[1:], strict=False) if not generic.intersection(pair)} - _UNIT_PAIRS


def _named_by_number(folded: str, documents: list[Document]) -> list[str]:
    numbers = {d.id: d.meta.number.value for d in documents if d.meta.number.value}
    by_code = {fold_diacritics(number).upper(): doc_id for doc_id, number in numbers.items()}
    typed = folded.upper()  # a code typed in lower case is still a code; without diacritics, "NQ-HDND"
    named = [by_code[code] for m in CODE.finditer(typed) if (code := normalise_code(m[0])) in by_code]
    for match in _TYPE_AND_NUMBER.finditer(CODE.sub(" ", typed).lower()):
        kind, number = _TYPE_WORDS[match[1]], match[2]
        named += [
            d.id for d in documents
            if d.id in numbers and d.meta.doc_type.value == kind and _leading_number(numbers[d.id]) == number
        ]
    return list(dict.fromkeys(named))


def _leading_number(code: str) -> str | None:
    match = _LEADING_NUMBER.match(code)
    return match[0] if match else None
