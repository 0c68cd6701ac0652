"""The English glossary meets its terms in any inflection (stem for stem), and only as whole words."""

from __future__ import annotations

import pytest

from vnpolicy.index.glossary import translate_terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Which hospitals are prioritized for renovation?", ["bệnh viện"]),
        ("national highways, sluices and dykes", ["quốc lộ", "cống", "đê"]),
        ("Which provinces plan airports?", ["tỉnh", "cảng hàng không"]),  # a plural entry of its own still counts
        ("Which province has 5Gs?", ["tỉnh"]),  # "has" is no plural of "ha" (hectares), nor "5Gs" of "5G"
        ("1,372 ha of industrial parks", ["ha", "khu công nghiệp"]),
        ("Which ports and airports does it list?", ["cảng", "cảng hàng không"]),
        ("supporters of transportation", ["giao thông"]),  # "port" inside a word is no port; the stem is "transport"
        ("resettling households displaced by projects", ["tái định cư", "hộ", "dự án"]),  # stem for stem
        ("parking lots in parks", ["bãi đỗ xe", "công viên"]),  # two terms of one stem: the very words
        ("private or non-public investment", ["đầu tư"]),  # not "đầu tư công" (public investment)
        ("non-renewable energy", ["năng lượng"]),  # no term is read after "non-"
    ],
)
def test_glossary_terms_in_the_singular_and_plural(text: str, terms: list[str]) -> None:
    assert translate_terms(text) == terms
