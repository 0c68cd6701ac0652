"""Hits as files for analysts: CSV (UTF-8 with BOM, for Excel) and JSON lines; the HTTP export and the CLI share it."""

from __future__ import annotations

import csv
import io
import json

from vnpolicy.index.models import Hit
from vnpolicy.ingest.models import PATH_SEPARATOR

EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_COLUMNS = (
    "rank", "score", "province", "province_current", "doc_type", "document_number", "date", "document_title",
    "source_name", "path", "trail", "kind", "text", "clause_id", "document_id", "start", "end",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, quoted with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def hits_csv(hits: list[Hit]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM makes Excel read the file as UTF-8 and show Vietnamese correctly
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for rank, hit in enumerate(hits, start=1):
        row = {**hit.to_dict(), "rank": rank, "trail": PATH_SEPARATOR.join(hit.trail)}
        writer.writerow([spreadsheet_safe(row[column]) for column in EXPORT_COLUMNS])
    return buffer.getvalue()


def hits_jsonl(hits: list[Hit]) -> str:
    return "".join(
        json.dumps({"rank": rank, **hit.to_dict()}, ensure_ascii=False) + "\n"
        for rank, hit in enumerate(hits, start=1)
    )


def export_hits(hits: list[Hit], export_format: str) -> str:
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {export_format!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    return hits_csv(hits) if export_format == "csv" else hits_jsonl(hits)
