"""What readers see, computed once in Python: source lines, the quote's display span, the figures that answer
a quantity question, the one clause count; and the CLI's global options and progress lines."""

from __future__ import annotations

import io
import time

import pytest

from vnpolicy.answer.asked import asked_figure
from vnpolicy.answer.quotes import display_span
from vnpolicy.answer.sources import answer_figures, province_label, short_title, source_line
from vnpolicy.api.cli import build_parser
from vnpolicy.api.progress import Progress
from vnpolicy.index.retriever import ClauseCounts
from vnpolicy.ingest.models import Clause, Document, DocumentMeta
from vnpolicy.ingest.normalize import clean_span

TITLE = ("Kế hoạch thực hiện Kết luận số 72-KL/TW ngày 23/02/2024 của Bộ Chính trị về tiếp tục thực hiện "
         "Nghị quyết số 13-NQ/TW")


def test_the_source_line_names_the_document_by_number_and_short_title_in_the_answers_language() -> None:
    common = {"number": "179/KH-UBND", "title": TITLE, "source_name": "000_43ca579e2f883a62.txt",
              "date": "2024-03-12", "province": "Bến Tre", "province_current": "Vĩnh Long", "path": "II › 1"}
    vi = source_line(**common, language="vi")
    assert vi.startswith("179/KH-UBND · Kế hoạch thực hiện Kết luận số 72-KL/TW")
    assert vi.endswith("· 12/03/2024 · Bến Tre (nay thuộc tỉnh Vĩnh Long) · mục II › 1")
    assert ".txt" not in vi
    en = source_line(**common, language="en")
    assert en.endswith("· 2024-03-12 · Bến Tre (now part of Vĩnh Long province) · section II › 1")
    # the file name only when the text states neither number nor title; no path is the preamble
    bare = {**common, "number": None, "title": None, "path": ""}
    assert source_line(**bare, language="vi").startswith("000_43ca579e2f883a62.txt")
    assert source_line(**bare, language="en").endswith("preamble")


def test_a_province_is_labelled_with_the_unit_it_is_now_part_of_or_became() -> None:
    assert province_label("Bến Tre", "Vĩnh Long", "vi") == "Bến Tre (nay thuộc tỉnh Vĩnh Long)"
    assert province_label("Bình Dương", "Hồ Chí Minh", "en") == "Bình Dương (now part of Hồ Chí Minh city)"
    # renamed, not merged: Thừa Thiên Huế is the centrally-run city of Huế
    assert province_label("Thừa Thiên Huế", "Huế", "vi") == "Thừa Thiên Huế (nay là thành phố Huế)"
    assert province_label("Thừa Thiên Huế", "Huế", "en") == "Thừa Thiên Huế (now Huế city)"
    assert province_label("Lào Cai", "Lào Cai", "vi") == "Lào Cai" and province_label(None, None, "vi") == ""


def test_short_titles_cut_at_a_word_with_an_ellipsis() -> None:
    short = short_title(TITLE, 40)
    assert short.endswith("…") and len(short) <= 41 and TITLE.startswith(short[:-1])
    assert short_title("Kế hoạch", 40) == "Kế hoạch"


def test_the_display_span_is_the_quote_inside_the_clauses_display_text() -> None:
    raw = "- Phát triển  dự án\n12\nhydro xanh tại Bến Tre.\n- Việc khác."
    clause_text = clean_span(raw)
    quote = raw[raw.index("dự án") : raw.index(".") + 1]  # across a page number line
    shown, start, end = display_span(clause_text, quote)
    assert shown == "dự án hydro xanh tại Bến Tre." and clause_text[start:end] == shown
    # not found (cannot happen for a verified quote): the whole clause
    assert display_span(clause_text, "khác hẳn")[1:] == (0, len(clause_text))


@pytest.mark.parametrize(
    ("question", "quote", "figures"),
    [
        ("Mục tiêu tỷ lệ đô thị hóa của Kon Tum đến năm 2030 là bao nhiêu?",
         "đến năm 2030 tỷ lệ đô thị hóa khoảng 52%; GRDP tăng 8,5 - 9%/năm, vốn 1.200 tỷ đồng",
         ["52%", "8,5 - 9%", "1.200 tỷ đồng"]),
        # codes and dates are not figures
        ("How much will the province invest?", "Nghị quyết số 16-NQ/TU, ngày 23-8-2022: 3 triệu lượt", ["3 triệu"]),
        # a question that asks no quantity marks nothing
        ("Tỉnh nào phát triển hydro xanh?", "đạt 52% vào năm 2030", []),
    ],
)
def test_figures_answer_quantity_questions_only(question: str, quote: str, figures: list[str]) -> None:
    assert [quote[a:b] for a, b in answer_figures(asked_figure(question), question, quote)] == figures


def _clause(kind: str, n: int) -> Clause:
    return Clause(id=f"d-{n}", document_id="d", ordinal=n, path="", trail=(), kind=kind, text="x", start=0, end=1)


def test_one_clause_count_explains_what_search_leaves_out() -> None:
    kinds = ["heading", "paragraph", "bullet", "recipients", "recipients", "signature"]
    clauses = [_clause(kind, n) for n, kind in enumerate(kinds)]
    document = Document(id="d", source_name="d.txt", content_hash="", text="x", meta=DocumentMeta(), clauses=clauses)
    counts = ClauseCounts.of([document])
    assert (counts.total, counts.indexed, counts.not_indexed) == (6, 3, {"recipients": 2, "signature": 1})
    assert counts.sentence() == (
        "6 clauses, 3 indexed: 2 recipient-list lines (Nơi nhận) and 1 signature block are not searched"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--home", "/data/x", "ingest", "a.txt"],
        ["ingest", "a.txt", "--home", "/data/x"],
        ["--home", "/elsewhere", "ingest", "--home", "/data/x", "a.txt"],  # the one after the command wins
        ["model", "build", "--home", "/data/x"],
    ],
)
def test_global_options_go_before_or_after_the_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).home == "/data/x"


def test_without_a_terminal_progress_is_lines_and_silence_is_filled() -> None:
    out = io.StringIO()
    progress = Progress(stream=out, quiet_limit=0.3)
    progress.step("building the tokenizer")
    time.sleep(0.45)  # a step that reports nothing for longer than the quiet limit
    bar = progress.bar("indexing", 10, "clause")
    for _ in range(10):
        bar.update()
    bar.close()
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "vnpolicy: building the tokenizer…"
    assert lines[1].startswith("vnpolicy: still building the tokenizer (")
    assert lines[2] == "indexing: 1/10 clauses (0 s)" and lines[-1] == "indexing: 10/10 clauses (0 s)"
