"""The pure parts of retrieval and answering: score scaling, filter masks, tokens, quote spans (no model)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from vnpolicy.answer.quotes import QUOTE_TARGET_CHARS, best_quote_span, verified
from vnpolicy.index.dense import ClauseWindows, DenseIndex
from vnpolicy.index.lexical import LexicalIndex
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.retriever import LEGS, ClauseTable, HybridRetriever, reading, searchable, windows
from vnpolicy.index.tokenize import function_words, tokenize
from vnpolicy.ingest.models import Clause
from vnpolicy.ingest.normalize import has_diacritics
from vnpolicy.ingest.pipeline import parse_text

PLAN = """TỈNH ỦY {province}
Số 12-KH/TU
{province}, ngày 05 tháng 3 năm {year}

KẾ HOẠCH
Phát triển hạ tầng giao thông

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cấp tuyến đường tỉnh {road} đạt tiêu chuẩn cấp III đồng bằng.

II. NHIỆM VỤ, GIẢI PHÁP

1. Giao thông

- Đầu tư cầu {bridge} qua sông lớn, hoàn thành trước năm 2030.

2. Thủy lợi

- Xây dựng kè chống sạt lở bờ sông dài 12 km.
"""


@pytest.fixture(scope="module")
def table() -> ClauseTable:
    documents = [
        parse_text(PLAN.format(province="Bến Tre", year=2024, road="ĐT.885", bridge="Rạch Miễu 2"), "a.txt"),
        parse_text(PLAN.format(province="Kon Tum", year=2022, road="ĐT.671", bridge="Đăk Bla"), "b.txt"),
    ]
    return ClauseTable(documents)


def test_lexical_scores_scale_by_the_best_and_dense_by_min_max() -> None:
    assert np.allclose(LEGS["lexical"].scale(np.array([0.0, 2.0, 4.0])), [0.0, 0.5, 1.0])
    assert np.allclose(LEGS["dense"].scale(np.array([0.8, 0.85, 0.9])), [0.0, 0.5, 1.0])
    assert np.allclose(LEGS["dense"].scale(np.array([0.8, 0.8])), [0.0, 0.0])  # all equal: no division by 0
    assert LEGS["dense"].scale(np.array([])).size == 0 and LEGS["lexical"].scale(np.array([])).size == 0
    assert LEGS["dense"].accentless_weight < LEGS["lexical"].accentless_weight == 1.0


def test_a_restored_clause_counts_its_cosine_between_printed_and_unaccented_text() -> None:
    printed = parse_text(PLAN.format(province="Bến Tre", year=2024, road="ĐT.885", bridge="Rạch Miễu 2"), "a.txt")
    ocr_text = (
        PLAN.format(province="Kon Tum", year=2022, road="ĐT.671", bridge="Đăk Bla")
        .replace("Đầu tư cầu", "Dau tu cau")
        .replace("qua sông lớn, hoàn thành trước năm", "qua song lon, hoan thanh truoc nam")
        .replace("Xây dựng kè chống sạt lở bờ sông dài", "Xay dung ke CHLTC THlTC sat lo bo song dai")
    )
    ocr = parse_text(ocr_text, "b.txt")
    table = ClauseTable([printed, ocr])
    clauses = table.clauses
    lexical = LexicalIndex.build(
        [tokenize(reading(c)) for c in clauses], np.array([not has_diacritics(reading(c)) for c in clauses])
    )
    vectors = np.eye(len(clauses), dtype=np.float32)
    retriever = HybridRetriever(
        table, lexical, DenseIndex(vectors), ClauseWindows.of(vectors, [1] * len(clauses)), embedder=None
    )
    accented = next(row for row, c in enumerate(clauses) if c.document_id == printed.id and "cầu" in c.text)
    restored = next(row for row, c in enumerate(clauses) if c.restored_text and "cau" in c.text)
    half_read = next(row for row, c in enumerate(clauses) if c.restored_text and "CHLTC" in c.text)
    assert "cầu" in clauses[restored].restored_text and "CHLTC" in clauses[half_read].restored_text
    hits = retriever._fuse({"dense": [(accented, 0.9), (restored, 0.9), (half_read, 0.9), (0, 0.1)]}, k=3)
    score = {hit.clause_id: hit.score for hit in hits}
    top = score[clauses[accented].id]
    assert score[clauses[restored].id] / top == pytest.approx(LEGS["dense"].restored_weight)
    assert score[clauses[half_read].id] / top == pytest.approx(LEGS["dense"].accentless_weight)
    assert LEGS["dense"].accentless_weight < LEGS["dense"].restored_weight < 1.0


def _clause(text: str, restored: str | None = None) -> Clause:
    return Clause("d-1", "d", 1, "1", (), "paragraph", text, 0, len(text), restored_text=restored)


def test_a_clauses_windows_are_its_sentences_long_ones_cut_with_an_overlap() -> None:
    long_sentence = " ".join(f"từ{i}" for i in range(70))
    found = windows(_clause(f"Nâng cấp cảng Trà Cú; hoàn thành năm 2028. {long_sentence}"))
    assert found[:2] == ["Nâng cấp cảng Trà Cú;", "hoàn thành năm 2028."]
    assert [len(w.split()) for w in found[2:]] == [30, 35, 15]  # 30 words, then 5 repeated before each next
    assert found[3].split()[:5] == [f"từ{i}" for i in range(25, 30)]
    assert windows(_clause("Thuỷ lợi")) == ["Thủy lợi"]  # one tone placement, as the clause's own vector
    assert windows(_clause("Dau tu cang", restored="Đầu tư cảng")) == ["Đầu tư cảng"]  # the restored reading


def test_clause_windows_give_each_row_its_nearest_window() -> None:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8], [-1, 0]], dtype=np.float32)
    kept = ClauseWindows.of(vectors, [2, 1, 1])  # row 0 has two windows
    assert kept.rows == 3
    best = kept.best_cosines(np.array([0, 1], dtype=np.float32), [0, 2, 1])
    assert best.tolist() == pytest.approx([1.0, 0.0, 0.8], abs=1e-3)  # kept in half precision
    with pytest.raises(ValueError):
        ClauseWindows.of(vectors, [2, 1])  # a window without its clause
    with pytest.raises(ValueError):
        ClauseWindows.of(vectors, [4, 0])  # a clause without a window


@pytest.mark.parametrize(
    ("filters", "provinces"),
    [
        (SearchFilters(province="Bến Tre"), {"Bến Tre"}),
        (SearchFilters(province="ben tre"), {"Bến Tre"}),
        (SearchFilters(province="Vĩnh Long"), {"Bến Tre"}),  # the 2025 province covers its members
        (SearchFilters(province="Quảng Ngãi"), {"Kon Tum"}),
        (SearchFilters(year_from=2023), {"Bến Tre"}),
        (SearchFilters(year_to=2022), {"Kon Tum"}),
        (SearchFilters(doc_type="ke hoach"), {"Bến Tre", "Kon Tum"}),
        (SearchFilters(province="Đà Nẵng"), set()),
    ],
)
def test_filter_masks_keep_exactly_the_matching_rows(table: ClauseTable, filters, provinces) -> None:
    allowed = table.mask(filters)
    assert allowed is not None
    assert set(table.province[allowed]) == provinces


def test_a_section_filter_takes_the_path_and_everything_below_it(table: ClauseTable) -> None:
    allowed = table.mask(SearchFilters(section="II > 1"))
    assert allowed is not None and allowed.any()
    assert all(path == "II › 1" or path.startswith("II › 1 › ") for path in table.path[allowed])
    assert table.mask(SearchFilters()) is None


def test_codes_dates_and_numbers_are_single_tokens() -> None:
    tokens = tokenize("Kết luận 72 - KL / TW ngày 23/02/2024, vốn 1.372 tỷ, lưới 110kV và 5G")
    assert {"72-kl/tw", "23/02/2024", "1372", "110kv", "5g"} <= set(tokens.exact)
    assert tokenize("1,372").exact == tokenize("1.372").exact


def test_both_tone_placements_and_no_diacritics_meet_on_the_folded_form() -> None:
    assert tokenize("thuỷ lợi hoá").exact == tokenize("thủy lợi hóa").exact
    assert tokenize("Thủy lợi").folded == tokenize("thuy loi").folded
    assert "dien" in tokenize("Điện gió").folded  # đ → d


@pytest.mark.parametrize("text", ["9" * 5000, "\u200b" * 100, "\x00\x01\x7f", "a\u0301" * 50, "🚀" * 10, ""])
def test_the_tokenizer_is_total(text: str) -> None:
    tokens = tokenize(text)
    assert len(tokens.exact) == len(tokens.folded)


def test_segmenting_imports_no_unused_underthesea_pipeline_and_leaves_them_importable() -> None:
    # Run apart: this process may have imported transformers already (3 s at every CLI start when it did).
    script = (
        "import sys\n"
        "from vnpolicy.index.tokenize import function_words, tokenize\n"
        "assert 'phát_triển' in tokenize('phát triển hạ tầng').exact\n"
        "assert 'ở' in function_words('nhà ở xã hội')\n"
        "assert 'transformers' not in sys.modules and 'underthesea.pipeline.translate' not in sys.modules\n"
        "import underthesea.pipeline.sentiment\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr


def test_function_words_are_read_where_they_stand() -> None:
    words = function_words("Những tỉnh nào đầu tư nhà ở xã hội hoặc kết nối với cảng biển?")
    assert {"những", "nào", "ở", "hoặc", "với"} <= words, words
    assert not {"nhà", "xã_hội", "cảng", "cảng_biển", "đầu_tư"} & words, words


def _hit(start: int, end: int, text: str) -> Hit:
    return Hit(
        clause_id="d-1", document_id="d", document_title=None, document_number=None, source_name="d.txt",
        province=None, province_current=None, doc_type=None, date=None, path="", trail=[], kind="paragraph",
        text=text, start=start, end=end, score=1.0,
    )


def test_a_long_clause_is_quoted_by_its_best_sentence_inside_its_span() -> None:
    filler = "Tăng cường công tác quản lý nhà nước về quy hoạch và đầu tư xây dựng. " * 5
    answer = "Đầu tư cảng hàng không Măng Đen đạt cấp 4C trước năm 2030."
    source = "Mở đầu.\n" + filler + answer + " " + filler
    start = source.index(filler)
    hit = _hit(start, len(source), source[start:])
    quote_start, quote_end = best_quote_span(source, hit, {"cang hang khong": 2.0, "mang den": 2.0})
    assert start <= quote_start < quote_end <= len(source)
    assert answer in source[quote_start:quote_end] and quote_end - quote_start < len(source) - start
    assert source[quote_start:quote_end] == source[quote_start:quote_end].strip()


def test_a_short_clause_is_quoted_whole() -> None:
    source = "x" * 10 + "Nâng cấp quốc lộ 24." + "y" * 10
    hit = _hit(10, 30, source[10:30])
    assert best_quote_span(source, hit, {"quoc lo": 1.0}) == (10, 30)
    assert QUOTE_TARGET_CHARS > 20


def test_a_quote_must_stand_on_the_stored_text_at_its_offsets() -> None:
    source = "Mở đầu. Nâng cấp quốc lộ 24 qua tỉnh."
    start = source.index("Nâng")
    hit = _hit(start, len(source), source[start:])
    assert verified(source, hit, start, len(source))
    assert not verified("x" + source, hit, start, len(source))  # the document changed under the index
    assert not verified(source, hit, start - 3, len(source))  # outside the clause


def test_only_body_clauses_are_searchable(table: ClauseTable) -> None:
    document = next(iter(table.documents.values()))
    assert {clause.kind for clause in searchable(document.clauses)} <= {"heading", "item", "bullet", "paragraph"}
