"""What the service accepts, checked once: every refusal is an `InvalidRequest` with a sentence that says
what to do. HTTP answers it with 422, the CLI with exit status 2; pydantic's request models call the same
checks, so /docs and the answers agree."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import process

from vnpolicy.index.models import SearchFilters
from vnpolicy.ingest.gazetteer import PROVINCES_BEFORE_2025, provinces_of
from vnpolicy.ingest.normalize import folded_form

MAX_K = 100
MAX_QUERY_CHARS = 2000


class InvalidRequest(ValueError):
    """A request the service refuses; the message is one sentence for the user."""


class NotFound(LookupError):
    """No document or clause with that id; the message says how to find one."""


def check_query(text: str, what: str = "query") -> str:
    text = text.strip()
    if not re.search(r"\w", text):
        raise InvalidRequest(f"the {what} is empty; type a few words")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"the {what} has {len(text):,} characters; at most {MAX_QUERY_CHARS:,} are read")
    return text


def check_question(text: str) -> str:
    return check_query(text, "question")


def check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidRequest(f"k (how many clauses to return) must be between 1 and {MAX_K}, not {k}")
    return k


def check_province(name: str | None, indexed: Iterable[str] = ()) -> str | None:
    """The name, if it names a province before or after the 2025 merger; else a refusal that names the
    nearest known province and the provinces that have documents, so a typo is not taken for "no such policy"."""
    if not name or not name.strip():
        return None
    if provinces_of(name):
        return name
    known = sorted(set(indexed)) or sorted(PROVINCES_BEFORE_2025)
    nearest = process.extractOne(folded_form(name), {p: folded_form(p) for p in PROVINCES_BEFORE_2025})
    guess = f"did you mean {nearest[2]!r}? " if nearest and nearest[1] >= 80 else ""
    raise InvalidRequest(
        f"unknown province {name!r}; {guess}use a province name from before or after the 2025 merger, with or "
        f"without diacritics (the indexed documents are from: {', '.join(known)})"
    )


def check_filters(filters: SearchFilters | None, indexed_provinces: Iterable[str] = ()) -> SearchFilters:
    filters = filters or SearchFilters()
    check_province(filters.province, indexed_provinces)
    if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
        raise InvalidRequest(f"year_from {filters.year_from} is after year_to {filters.year_to}")
    return filters
