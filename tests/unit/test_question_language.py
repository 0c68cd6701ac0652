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
