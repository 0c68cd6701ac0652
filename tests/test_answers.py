"""Grounded answers on the sample corpus with the real model: province lists, refusals, verbatim quotes,
and `vnpolicy ask` in a terminal. (The HTTP endpoints are exercised in test_api.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vnpolicy.answer import answer_question
from vnpolicy.answer.question import detect_intent
from vnpolicy.eval.answers import AnswerReport, evaluate_answers
from vnpolicy.eval.gold import load_gold
from vnpolicy.index.models import SearchFilters

pytestmark = pytest.mark.slow

AGGREGATE_EXACT = ("h2-vi", "h2-en", "airports-which", "ct33", "urban-rate-en")


@pytest.fixture(scope="module")
def report(sample_service) -> AnswerReport:
    return evaluate_answers(sample_service)


@pytest.mark.parametrize("question_id", AGGREGATE_EXACT)
def test_aggregate_questions_list_exactly_the_expected_provinces(report: AnswerReport, question_id: str) -> None:
    precision, recall, got, expected = report.province_results[question_id]
    assert (precision, recall) == (1.0, 1.0), (got, expected)


def test_every_gold_question_is_supported(report: AnswerReport) -> None:
    unsupported = [question.id for question in load_gold() if not report.answers[question.id].supported]
    assert report.supported_gold == report.gold, unsupported


def test_questions_the_corpus_cannot_answer_are_refused(report: AnswerReport) -> None:
    assert report.unanswerable >= 10
    assert report.unsupported_unanswerable >= report.unanswerable - 1
    refusal = report.answers["nuclear-vi"]
    assert refusal.answer.startswith("Không tìm thấy nội dung nào trong các văn bản đã nạp")
    assert all(citation.related for citation in refusal.citations)


def test_every_quote_is_the_original_text_at_its_offsets(report: AnswerReport) -> None:
    assert report.quotes_checked > 40
    assert report.quotes_matching == report.quotes_checked


def test_aggregate_answer_has_one_line_per_province_with_current_name(report: AnswerReport) -> None:
    answer = report.answers["h2-vi"]
    assert answer.intent == "aggregate" and answer.language == "vi"
    assert "Bến Tre (nay thuộc tỉnh Vĩnh Long)" in answer.answer and "hydro xanh" in answer.answer
    [province] = answer.provinces
    assert (province.name, province.current) == ("Bến Tre", "Vĩnh Long")
    cited = answer.citations[province.citations[0] - 1]
    assert cited.province == "Bến Tre" and cited.path and f"[{cited.n}]" in answer.answer


def test_english_question_gets_an_english_frame_around_vietnamese_quotes(report: AnswerReport) -> None:
    answer = report.answers["h2-en"]
    assert answer.language == "en" and "province" in answer.answer and "now part of" in answer.answer
    assert "hydro xanh" in answer.answer


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Tỉnh nào cam kết phát triển dự án hydro xanh?", "aggregate"),
        ("nhung tinh nao co ke hoach xay cang hang khong", "aggregate"),
        ("Các địa phương nào đầu tư cao tốc?", "aggregate"),
        ("Which localities plan expressways?", "aggregate"),
        ("Cảng hàng không Măng Đen", "lookup"),
        ("tin dung xanh", "lookup"),
    ],
)
def test_intent(question: str, intent: str) -> None:
    assert detect_intent(question) == intent


def test_a_province_named_in_a_lookup_question_filters_the_answer(sample_service) -> None:
    answer = answer_question(sample_service, "Kon Tum đầu tư cảng hàng không nào?")
    assert answer.filters == {"province": "Kon Tum"} and answer.supported
    assert {citation.province for citation in answer.citations} == {"Kon Tum"}


def test_filters_given_with_the_question_hold(sample_service) -> None:
    answer = answer_question(
        sample_service, "Những tỉnh nào có kế hoạch đầu tư cảng hàng không?", SearchFilters(province="Tuyên Quang")
    )
    assert [province.name for province in answer.provinces] == ["Tuyên Quang"]


def run_cli(model_home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", str(model_home), *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def test_cli_ask_prints_a_readable_answer_and_json(sample_service, model_home: Path) -> None:
    shown = run_cli(model_home, "ask", "Tinh nao cam ket phat trien du an hydro xanh?")
    assert shown.returncode == 0, shown.stderr
    assert "Bến Tre (nay thuộc tỉnh Vĩnh Long)" in shown.stdout and "Nguồn:" in shown.stdout
    assert "[1] Bến Tre" in shown.stdout

    as_json = run_cli(model_home, "ask", "Which provinces plan new airports?", "--json")
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert {p["name"] for p in answer["provinces"]} == {"Kiên Giang", "Kon Tum", "Tuyên Quang"}
    assert answer["supported"] is True and answer["intent"] == "aggregate"


def test_cli_ask_refuses_an_empty_question_with_a_sentence(model_home: Path) -> None:
    result = run_cli(model_home, "ask", "   ")
    assert result.returncode != 0 and "the question is empty" in result.stderr


@pytest.mark.parametrize(
    ("question", "provinces"),
    [  # the corpus spells "cảng biển" only in Bến Tre's plan and "nhà ở xã hội" only in Tuyên Quang's and Trà Vinh's
        ("Những địa phương nào phát triển cảng biển?", {"Bến Tre"}),
        ("tinh nao dau tu nha o xa hoi", {"Tuyên Quang", "Trà Vinh"}),
        ("Which provinces plan social housing?", {"Tuyên Quang", "Trà Vinh"}),
    ],
)
def test_a_term_split_by_segmentation_must_be_spelled_whole(sample_service, question: str, provinces: set) -> None:
    answer = answer_question(sample_service, question)
    assert {province.name for province in answer.provinces} == provinces


def test_a_quote_is_dropped_when_the_stored_text_no_longer_gives_its_clause(sample_service) -> None:
    from vnpolicy.answer.quotes import verified

    hit = sample_service.search("phát triển dự án Khu tổ hợp hydro xanh Bến Tre", k=1)[0]
    text = sample_service.store.document(hit.document_id, with_clauses=False).text
    assert verified(text, hit, hit.start, hit.end)
    shifted = "x" + text  # the same document with one more character in front: offsets now point elsewhere
    assert not verified(shifted, hit, hit.start, hit.end)
    assert not verified(text, hit, hit.start - 5, hit.end)  # outside the clause


def test_a_citation_of_ocr_text_carries_its_restored_reading_beside_the_verbatim_quote(sample_service) -> None:
    answer = answer_question(sample_service, "Kiên Giang có kế hoạch đầu tư đường cao tốc nào?")
    ocr = [citation for citation in answer.citations if citation.source_name.startswith("003_")]
    assert ocr, [citation.source_name for citation in answer.citations]
    for citation in ocr:
        original = sample_service.store.document(citation.document_id, with_clauses=False).text
        assert citation.quote == original[citation.start : citation.end]  # the quote stays the printed text
        assert citation.restored_text and citation.restored_text != citation.quote
    assert any("cao tốc" in citation.restored_text for citation in ocr)
    clean = [citation for citation in answer.citations if not citation.source_name.startswith("003_")]
    assert all(citation.restored_text is None for citation in clean)
