"""CSV and JSON-lines export of hits (pure: no model, no server)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from vnpolicy.api.export import EXPORT_COLUMNS, export_hits, spreadsheet_safe
from vnpolicy.index.models import Hit


def hit(text: str, source_name: str = "ke-hoach.txt") -> Hit:
    return Hit(
        clause_id="d-0001", document_id="d", document_title="=1+2", document_number="22-CTr/TU",
        source_name=source_name, province="Bến Tre", province_current="Vĩnh Long", doc_type="Kế hoạch",
        date="2024-06-13", path="II › 1", trail=["II. NHIỆM VỤ", "1. Giao thông"], kind="bullet", text=text,
        start=10, end=20, score=0.5, legs={"lexical": 1},
    )


@pytest.mark.parametrize("value", ["=SUM(A1)", "+84 912", "-  Đầu tư", "@cmd", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_quoted(value: str) -> None:
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Đầu tư - công", "1.5", 3, -1.5, None, ""])
def test_other_cells_are_left_as_they_are(value) -> None:
    assert spreadsheet_safe(value) == value


def test_csv_has_a_bom_the_columns_and_no_formula_cell() -> None:
    content = export_hits([hit("- Nâng cấp cảng", source_name="=cmd.txt")], "csv")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["text"] == "'- Nâng cấp cảng" and row["source_name"] == "'=cmd.txt" and row["document_title"] == "'=1+2"
    assert row["trail"] == "II. NHIỆM VỤ › 1. Giao thông" and row["rank"] == "1"


def test_jsonl_keeps_the_exact_text() -> None:
    (line,) = export_hits([hit("=exact")], "jsonl").splitlines()
    assert json.loads(line)["text"] == "=exact" and json.loads(line)["rank"] == 1


def test_an_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="csv, jsonl"):
        export_hits([], "xlsx")
