"""What a query says besides its words: the province it names."""

from __future__ import annotations

import re

from vnpolicy.ingest.gazetteer import LOCALITIES, locality_spellings, province_spellings
from vnpolicy.ingest.normalize import folded_form


def named_province(query: str) -> str | None:
    """The one pre-2025 province a query names, directly or by one of its towns; None for none or several."""
    folded = " " + " ".join(re.findall(r"\w+", folded_form(query))) + " "
    found = {name for spelling, name in province_spellings().items() if f" {spelling} " in folded}
    found |= {LOCALITIES[name] for spelling, name in locality_spellings().items() if f" {spelling} " in folded}
    return found.pop() if len(found) == 1 else None
