"""Abbreviations spelled out for the indexes, without the model: those a document defines, the standard
administrative ones, never a document code, and the clause's own text untouched."""

from __future__ import annotations

from vnpolicy.index.abbreviations import defined_in, spelled_out
from vnpolicy.index.query import parse_query
from vnpolicy.index.retriever import clause_hit, lexical_text, passage_text
from vnpolicy.ingest.pipeline import parse_text

DIRECTIVE = """ỦY BAN NHÂN DÂN
TỈNH ĐẮK LẮK

Số: 12/CT-UBND

Đắk Lắk, ngày 05 tháng 11 năm 2025

CHỈ THỊ

VỀ ĐẨY MẠNH CẢI CÁCH THỦ TỤC HÀNH CHÍNH

Thời gian qua, việc giải quyết thủ tục hành chính (TTHC) cho hộ kinh
doanh *(HKD)* đã có chuyển biến.

1. Cắt giảm tối thiểu 30% thời gian thực hiện TTHC gắn với sản xuất, kinh doanh.

2. Kiểm tra kho VLNCN theo Nghị định số 71/2018/NĐ-CP và Kết luận số 72-KL/TW.
"""


def test_a_definition_is_read_where_the_initials_spell_the_abbreviation() -> None:
    assert defined_in(DIRECTIVE) == {"TTHC": "thủ tục hành chính", "HKD": "hộ kinh doanh"}
    assert defined_in("doanh nghiệp nhỏ và vừa (DNNVV), hợp tác xã (HTX)") == {
        "DNNVV": "doanh nghiệp nhỏ và vừa", "HTX": "hợp tác xã",
    }
    # Parentheses that do not spell the words before them define nothing.
    assert defined_in("tổng sản phẩm trên địa bàn (GRDP) tăng 8%") == {}


def test_abbreviations_are_spelled_out_but_document_codes_are_not() -> None:
    assert spelled_out("Kiểm tra kho VLNCN theo Nghị định số 71/2018/NĐ-CP và Kết luận số 72-KL/TW") == [
        "vật liệu nổ công nghiệp"
    ]
    assert spelled_out("hồ sơ của HKD", {"HKD": "hộ kinh doanh"}) == ["hộ kinh doanh"]
    assert spelled_out("không có chữ viết tắt") == []


def test_a_clause_is_indexed_with_what_its_abbreviations_stand_for_and_quoted_as_written() -> None:
    document = parse_text(DIRECTIVE, source_name="daklak-12-ct-ubnd.txt")
    clause = next(c for c in document.clauses if "30%" in c.text)
    assert "thủ tục hành chính" in lexical_text(clause, document)
    assert "thủ tục hành chính" in passage_text(clause, document)
    hit = clause_hit(clause, document, 1.0, {})
    assert hit.spelled_out == ["thủ tục hành chính"]
    assert hit.text == DIRECTIVE[hit.start : hit.end] and "thủ tục hành chính" not in hit.text


def test_a_question_using_an_abbreviation_searches_its_words_too() -> None:
    query = parse_query("Tổng vốn hạ tầng các KCN là bao nhiêu?")
    assert "khu công nghiệp" in query.search_text and query.read_as is None
    typed = parse_query("von ha tang cac KCN")
    assert typed.read_as is not None and "khu công nghiệp" not in typed.read_as
    assert "khu công nghiệp" in typed.search_text
