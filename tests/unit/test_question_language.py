"""Which questions are read as English: unaccented Vietnamese with "do"/"to" is not; English naming an
accented province is."""

from __future__ import annotations

import pytest

from vnpolicy.index.query import parse_query


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("tinh nao dau tu he thong thoat nuoc do thi", False),  # "do" of "do thi", not English "do"
        ("to dan pho co song di dong", False),
        ("ke chong sat lo song dak to kan", False),  # one "to" beside the foreign-looking names of a river
        ("Tỉnh nào phát triển logistics và smart city?", False),
        ("What average occupancy rate does Lào Cai target for its industrial parks in 2026?", True),
        ("Which trucks are banned from Hà Nội's low-emission zone?", True),
        ("Is there a plan to do this", True),
        ("offshore wind projects", True),
    ],
)
def test_the_language_of_a_question(text: str, english: bool) -> None:
    assert parse_query(text).english is english


@pytest.mark.parametrize(
    ("text", "searched", "compound"),
    [
        ("tinh nao co ke hoach xay dung nha o xa hoi", "tỉnh nào có kế hoạch xây dựng nhà ở xã hội", "xã_hội"),
        ("tinh nao dau tu he thong thoat nuoc do thi", "tỉnh nào đầu tư hệ thống thoát nước đô thị", "đầu_tư"),
    ],
)
def test_a_vietnamese_question_typed_without_diacritics_is_searched_by_its_restored_reading(
    text: str, searched: str, compound: str
) -> None:
    query = parse_query(text)
    assert query.restored and not query.accented and query.search_text == searched
    # BM25 scores the exact field with the restored words, segmented into compounds, and the folded field with
    # the typed ones.
    assert compound in query.tokens.exact
    assert {syllable for token in query.tokens.folded for syllable in token.split("_")} == set(text.split())


@pytest.mark.parametrize("text", ["Tỉnh nào đầu tư nhà ở xã hội?", "Which provinces plan social housing?"])
def test_a_question_typed_with_diacritics_or_in_english_is_searched_as_typed(text: str) -> None:
    query = parse_query(text)
    assert not query.restored and query.search_text.startswith(text)


def test_a_long_text_without_diacritics_is_searched_as_typed() -> None:
    text = " ".join(["tinh nao dau tu nha o xa hoi"] * 60)  # 420 words: a pasted page, not a question
    query = parse_query(text)
    assert not query.restored and query.search_text == text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("nang cao chi so pci papi sipas", "pci papi sipas"),
        ("von oda ha tang ky thuat rach gia", "oda"),
        ("nq 34 lao cai thanh lap moi nhung cum cong nghiep nao", "nq 34"),
    ],
)
def test_a_typed_question_is_restored_without_the_ocr_misreadings(text: str, kept: str) -> None:
    """Typed, a letter lost its marks but was not misread: "oda" stays (read with OCR's letter confusions, it
    was "đã"), and so do "pci papi", "nq"."""
    query = parse_query(text)
    assert query.restored and kept in query.search_text, query.search_text
