"""Whether a text spells a question's phrase: numbers in the tokenizer's one spelling on both sides."""

from __future__ import annotations

import pytest

from vnpolicy.answer.spelling import spelled, syllables
from vnpolicy.index.tokenize import segment_words


@pytest.mark.parametrize(
    ("question_number", "clause"),
    [
        ("1,372", "có 07 khu công nghiệp với diện tích 1.372 ha"),
        ("7", "có 07 khu công nghiệp"),
        ("1.372", "diện tích 1372 ha"),
        ("5G", "phủ sóng 5G toàn tỉnh"),
    ],
)
def test_a_number_of_the_question_is_spelled_by_the_clause_however_written(question_number: str, clause: str) -> None:
    (word,) = segment_words(question_number)
    assert spelled(clause).spells(word.lower())


def test_identifiers_and_codes_keep_their_syllables() -> None:
    assert syllables("110kV, 72-KL/TW, 1,5%") == ["110kv", "72", "kl", "tw", "1,5"]
