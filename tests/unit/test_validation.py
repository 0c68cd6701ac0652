"""The service's request checks, shared by HTTP (422) and the CLI (exit 2): pure, no model."""

from __future__ import annotations

import pytest

from vnpolicy.api.validation import InvalidRequest, check_filters, check_k, check_province, check_query
from vnpolicy.index.models import SearchFilters


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\u200d", "?!…", "\t\n"])
def test_a_query_without_a_word_is_refused(text: str) -> None:
    with pytest.raises(InvalidRequest, match="empty"):
        check_query(text)


def test_a_query_is_trimmed_and_bounded() -> None:
    assert check_query("  hydro xanh ") == "hydro xanh"
    with pytest.raises(InvalidRequest, match="at most 2,000"):
        check_query("a" * 2001)


@pytest.mark.parametrize("k", [0, -1, 101])
def test_k_out_of_range_is_refused(k: int) -> None:
    with pytest.raises(InvalidRequest, match="between 1 and 100"):
        check_k(k)


@pytest.mark.parametrize("name", ["Bến Tre", "ben tre", "Vĩnh Long", "tỉnh Kon Tum", "Thành phố Hồ Chí Minh", None, ""])
def test_provinces_old_and_new_are_accepted(name) -> None:
    assert check_province(name) == (name or None)


def test_an_unknown_province_names_the_nearest_and_the_indexed_ones() -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_province("Ben Tree", indexed=["Kon Tum", "Bến Tre"])
    message = str(refused.value)
    assert "unknown province 'Ben Tree'" in message and "did you mean 'Bến Tre'?" in message
    assert "the indexed documents are from: Bến Tre, Kon Tum" in message


def test_filters_with_years_the_wrong_way_round_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="after year_to"):
        check_filters(SearchFilters(year_from=2030, year_to=2020))
    assert check_filters(None) == SearchFilters()
