"""What lookups about other issuers' documents need (issue 19), without the model: English policy terms and
city names read into Vietnamese, and a clause that speaks of "this resolution" read with its document."""

from __future__ import annotations

import pytest

from vnpolicy.index.glossary import translate_terms
from vnpolicy.index.query import parse_query
from vnpolicy.index.retriever import lexical_text, names_its_document, passage_text, subject
from vnpolicy.ingest.pipeline import parse_text

RESOLUTION = """HỘI ĐỒNG NHÂN DÂN
THÀNH PHỐ HÀ NỘI

Số: 57/2025/NQ-HĐND

Hà Nội, ngày 26 tháng 11 năm 2025

NGHỊ QUYẾT

QUY ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP TRÊN ĐỊA BÀN THÀNH PHỐ HÀ NỘI

HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ HÀ NỘI

QUYẾT NGHỊ:

Điều 1. Biện pháp áp dụng

Cấm lưu thông các xe tải trên 3.500 kg sử dụng nhiên liệu hóa thạch.

Điều 2. Hiệu lực thi hành

Nghị quyết này có hiệu lực thi hành từ ngày 10 tháng 12 năm 2025.
"""


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("Which trucks are banned from Hanoi's low-emission zone?", ["xe tải", "cấm", "vùng phát thải thấp"]),
        ("How much state budget capital is planned?", ["ngân sách nhà nước", "vốn"]),  # the longer term first
        ("What must vehicles that collect sludge display?", ["phương tiện", "thu gom", "bùn thải"]),  # plurals
        ("Which department reports to the people's committee?", ["sở", "báo cáo", "Ủy ban nhân dân"]),  # any case
        ("Which province has a port?", ["tỉnh", "cảng"]),  # "has" is not the plural of "ha"
    ],
)
def test_english_policy_terms_are_read_into_vietnamese(question: str, terms: list[str]) -> None:
    assert translate_terms(question) == terms


@pytest.mark.parametrize(
    ("question", "place"),
    [("Which trucks are banned from Hanoi's low-emission zone?", "Hà Nội"),
     ("How is sludge collected in Haiphong?", "Hải Phòng"), ("Does HCMC plan a metro?", "Hồ Chí Minh")],
)
def test_english_one_word_city_names_are_their_provinces(question: str, place: str) -> None:
    assert parse_query(question).places == (place,)


def test_an_english_question_is_embedded_with_its_vietnamese_terms() -> None:
    english = parse_query("What wording must be displayed on vehicles that collect sludge?")
    assert english.english
    assert english.search_text.startswith(english.text) and english.search_text.endswith("phương tiện thu gom bùn thải")
    vietnamese = parse_query("Xe thu gom bùn thải phải ghi dòng chữ gì?")
    assert not vietnamese.english and vietnamese.search_text == vietnamese.text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Nghị quyết này có hiệu lực thi hành từ ngày 10 tháng 12 năm 2025.", True),
        ("Quy định này áp dụng đối với các tổ chức, cá nhân.", True),
        ("Ban cán sự đảng triển khai thực hiện Kế hoạch này.", True),
        ("Quyet dinh nay co hieu luc ke tu ngay ky.", True),  # typed or scanned without diacritics
        ("Nghị quyết số 47/2024/NQ-HĐND hết hiệu lực.", False),  # another document, by its number
        ("Thực hiện kế hoạch năm nay của tỉnh.", False),  # "năm nay" (this year) is not "kế hoạch này"
    ],
)
def test_a_clause_naming_its_own_document(text: str, names: bool) -> None:
    assert names_its_document(text) is names


def test_a_clause_naming_its_own_document_is_indexed_with_the_documents_subject() -> None:
    document = parse_text(RESOLUTION, "resolution.txt")
    assert document.meta.title.value and "VÙNG PHÁT THẢI THẤP" in document.meta.title.value
    clauses = {clause.text.split()[0]: clause for clause in document.clauses if clause.kind == "paragraph"}
    effective, trucks = clauses["Nghị"], clauses["Cấm"]
    for text_of in (lexical_text, passage_text):
        assert "Nghị quyết QUY ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP" in text_of(effective, document)
        assert "VÙNG PHÁT THẢI THẤP" not in text_of(trucks, document)  # it does not speak of the resolution
    assert subject(document).count("Nghị quyết") == 1  # the title begins with the type: named once
