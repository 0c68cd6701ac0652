"""The cut that decides how many ranked provinces an aggregate answer lists (answer/provinces.py)."""

from vnpolicy.answer.provinces import ProvinceCut
from vnpolicy.answer.support import shipped_model


def test_the_cut_falls_where_a_likely_province_is_followed_by_an_unlikely_one() -> None:
    cut = ProvinceCut(kept=1.0, next=-1.0)
    assert cut.count([0.9, 0.85, 0.2, 0.1]) == 2
    assert cut.count([0.3, 0.2]) == 0  # keeping none scores 1 - 0.3; keeping one 0.3 - 0.2
    assert cut.count([0.99]) == 1
    assert cut.count([]) == 0


def test_the_order_the_confidences_come_in_does_not_matter() -> None:
    cut = ProvinceCut(kept=7.0, next=-6.0)
    assert cut.count([0.1, 0.95, 0.2, 0.9]) == cut.count([0.95, 0.9, 0.2, 0.1]) == 2


def test_the_shipped_cut_keeps_clear_provinces_and_refuses_when_none_is_likely() -> None:
    cut = shipped_model().provinces.cut
    assert cut is not None and cut.kept > 0 > cut.next
    assert cut.count([0.97, 0.95, 0.1, 0.05, 0.03]) == 2
    assert cut.count([0.97, 0.04, 0.03]) == 1
    assert cut.count([0.08, 0.05, 0.03, 0.02, 0.01]) == 0
