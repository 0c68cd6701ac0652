"""Grounded answers on the sample corpus with the real model: province lists, refusals, verbatim quotes,
and `vnpolicy ask` in a terminal. (The HTTP endpoints are exercised in test_api.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnpolicy.answer import answer_question
from vnpolicy.answer.question import analyse, detect_intent
from vnpolicy.answer.support import MODEL_PATH, shipped_model, supporting
from vnpolicy.eval.answers import AnswerReport, evaluate_answers, print_report
from vnpolicy.eval.fit_support import examples, fit, nested_outcomes, objective, out_of_fold
from vnpolicy.eval.gold import DEV_SET, GoldQuestion, load_answer_set, load_gold
from vnpolicy.index.glossary import translate_terms
from vnpolicy.index.models import SearchFilters
from vnpolicy.index.query import parse_query

pytestmark = pytest.mark.slow

AGGREGATE_EXACT = ("h2-vi", "h2-en", "airports-which", "ct33", "urban-rate-en")


@pytest.fixture(scope="module")
def report(sample_service) -> AnswerReport:
    return evaluate_answers(sample_service)


@pytest.mark.parametrize("question_id", AGGREGATE_EXACT)
def test_aggregate_questions_list_exactly_the_expected_provinces(report: AnswerReport, question_id: str) -> None:
    outcome = report.outcomes[question_id]
    assert outcome.got == set(outcome.question.provinces)


def test_the_dev_questions_are_answered(report: AnswerReport) -> None:
    unsupported = [question.id for question in load_gold(DEV_SET) if not report.answers[question.id].supported]
    assert not unsupported


def test_questions_the_corpus_cannot_answer_are_refused(report: AnswerReport) -> None:
    refused, count = report.figures("tune")["unanswerable refused"]
    assert count >= 30 and refused >= 0.8
    refusal = report.answers["nuclear-vi"]
    assert refusal.answer.startswith("Không tìm thấy nội dung nào trong các văn bản đã nạp")
    assert all(citation.related for citation in refusal.citations)


def test_every_quote_is_the_original_text_at_its_offsets(report: AnswerReport) -> None:
    assert report.quotes_checked > 300
    assert report.quotes_matching == report.quotes_checked


def test_the_report_prints_the_fitted_clause_thresholds_and_province_cut(report: AnswerReport) -> None:
    lines: list[str] = []
    print_report(report, lines.append)
    model = shipped_model()
    assert model.provinces is not None and model.provinces.cut is not None
    assert f"lookup/vi {model.threshold('lookup', 'vi'):.2f}" in lines[0]
    assert f"{model.provinces.cut.kept:.2f} p(k) {model.provinces.cut.next:+.2f} p(k+1)" in lines[1]


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
        ("List the provinces whose plans build seaports.", "aggregate"),
        ("Những nơi nào xây kè chống sạt lở bờ sông?", "aggregate"),
        ("Tỉnh lộ 676 nối huyện Kon Plông với những địa phương nào?", "lookup"),
        ("Cảng hàng không Măng Đen", "lookup"),
        ("tin dung xanh", "lookup"),
    ],
)
def test_intent(question: str, intent: str) -> None:
    assert detect_intent(parse_query(question)) == intent


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
    # a source is named by the document's number and title, not its file name
    sources = shown.stdout.split("Nguồn:")[1]
    assert "Kế hoạch thực hiện Kết luận" in sources and "mục II" in sources and ".txt" not in sources

    as_json = run_cli(model_home, "ask", "Which provinces commit to hydrogen projects?", "--json")
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert {p["name"] for p in answer["provinces"]} == {"Bến Tre"} and answer["provinces_checked"] == 5
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


# --- per-province evidence, the learned support decision, refusal of absent provinces, English ------------


def test_an_aggregate_question_weighs_every_indexed_province(sample_service) -> None:
    answer = answer_question(sample_service, "Những tỉnh nào có kế hoạch đầu tư cảng hàng không?")
    threshold = shipped_model().threshold("aggregate", "vi")
    assert answer.provinces_checked == len(sample_service.retriever.provinces()) == 5
    assert {p.name for p in answer.provinces} == {"Kiên Giang", "Kon Tum", "Tuyên Quang"}
    for province in answer.provinces:
        cited = [answer.citations[n - 1] for n in province.citations]
        assert 1 <= len(cited) <= 3 and {c.province for c in cited} == {province.name}
        # The province model accepted the province; its best clause comes first, its others reach the clause threshold.
        assert all(c.confidence is not None for c in cited) and cited[0].confidence == max(c.confidence for c in cited)
        assert all(c.confidence >= threshold for c in cited[1:])
    assert "3/5 tỉnh" in answer.answer


def test_a_question_about_a_province_with_no_indexed_document_says_exactly_that(sample_service) -> None:
    vietnamese = answer_question(sample_service, "Đà Nẵng có dự án mở rộng cảng hàng không quốc tế không?")
    assert vietnamese.answer == "Không có văn bản nào của Đà Nẵng được nạp."
    assert not vietnamese.supported and vietnamese.citations == [] and vietnamese.unindexed_provinces == ["Đà Nẵng"]
    english = answer_question(sample_service, "Which metro lines does Da Nang plan?")
    assert english.answer == "No document of Đà Nẵng is indexed." and not english.supported
    # A province that is indexed, named beside one that is not, is answered as usual.
    assert answer_question(sample_service, "cầu Đình Khao nối Vĩnh Long và Bến Tre").supported


_DENSE_ONLY = pytest.mark.xfail(
    strict=True,
    reason="without a glossary term the dense leg alone does not yet bring the right clause to the support threshold"
    " (issue 13)",
)


@pytest.mark.parametrize(
    ("question", "province", "spelled"),
    [  # "windfarm", "aerodrome" and "crossing" are not in the glossary: the dense leg carries them across
        ("Which provinces mention the Rach Mieu 2 crossing?", "Bến Tre", "Rạch Miễu 2"),
        pytest.param("Which province wants an offshore windfarm?", "Bến Tre", "điện gió", marks=_DENSE_ONLY),
        pytest.param("Where will Kon Tum build its new aerodrome?", "Kon Tum", "Măng Đen", marks=_DENSE_ONLY),
    ],
)
def test_english_terms_missing_from_the_glossary_are_answered(
    sample_service, question: str, province: str, spelled: str
) -> None:
    assert set(translate_terms(question)) <= {"tỉnh"}  # nothing but "province" is in the glossary
    answer = answer_question(sample_service, question)
    assert answer.supported and answer.language == "en"
    assert province in {p.name for p in answer.provinces}
    assert any(spelled in c.quote for c in answer.citations if c.province == province)


def test_the_sentence_an_english_question_asks_about_brings_its_clause_among_clauses_on_its_topic(
    sample_service,
) -> None:
    """Three Trà Vinh clauses speak of ports and ships; the one that answers says it in one sentence of a long
    paragraph, which its window (not the paragraph's vector) brings near the question."""
    answer = answer_question(
        sample_service, "What needs to be completed for the channel that lets large ships enter the Hau River?"
    )
    assert answer.supported
    stated = "giai đoạn 2 dự án Luồng cho tàu biển có trọng tải lớn vào sông Hậu"
    assert any(stated in c.quote for c in answer.citations)


def test_a_figure_the_documents_do_not_state_is_refused_with_the_clauses_on_its_topic(sample_service) -> None:
    """Bến Tre's plan names the Rạch Miễu 2 bridge among its priority projects but gives no cost."""
    question = "Tổng mức đầu tư của dự án cầu Rạch Miễu 2 ở Bến Tre là bao nhiêu tỷ đồng?"
    answer = answer_question(sample_service, question)
    assert not answer.supported
    assert answer.answer.startswith("Các văn bản đã nạp có nói đến nội dung này nhưng không nêu con số được hỏi.")
    assert answer.citations and all(c.related for c in answer.citations)
    assert any("Rạch Miễu 2" in c.quote for c in answer.citations)


def test_an_english_plural_meets_the_glossary_term_and_the_clause_that_spells_it(sample_service) -> None:
    question = "How does Ben Tre plan to ease overcrowding at higher-level hospitals?"
    assert "benh vien" in analyse(question, sample_service.retriever).concepts  # "hospitals" → bệnh viện
    answer = answer_question(sample_service, question)
    assert answer.supported and answer.language == "en"
    assert answer.citations[0].province == "Bến Tre"
    assert "quá tải bệnh viện tuyến trên" in answer.citations[0].quote


def test_the_question_is_analysed_into_one_record() -> None:
    query = parse_query("Tinh nao o Ben Tre va Tra Vinh dat muc tieu nam 2030?")
    assert query.places == ("Bến Tre", "Trà Vinh") and not query.english and not query.accented
    assert parse_query("Which provinces plan airports?").english


def _altered(question: GoldQuestion) -> GoldQuestion:
    """A test-half question changed beyond recognition: other text, other provinces, no snippets."""
    return GoldQuestion(question.id, "Tỉnh nào xây dựng sân bay quốc tế?", "aggregate", "vi", (), ("Kon Tum",), "test")


def test_no_test_half_question_influences_a_fitted_value(sample_service) -> None:
    questions = load_answer_set()
    assert {q.split for q in questions} == {"tune", "test"}
    model, summary = fit(sample_service, questions)
    without_test = fit(sample_service, [q for q in questions if q.split == "tune"])
    altered = fit(sample_service, [q if q.split == "tune" else _altered(q) for q in questions])
    assert model.to_dict() == without_test[0].to_dict() == altered[0].to_dict()
    assert summary == without_test[1] == altered[1]
    # The shipped weights are what the script makes from the tuning half, up to what another CPU's
    # arithmetic moves: between AVX-512 (bf16) and AVX2 machines a near-tied candidate clause differs, which
    # shifts weights by < 0.1 and moves a threshold's plateau (the middle of it by up to 0.09), so that the
    # shipped threshold answers at most one question of its kind differently from this machine's best.
    shipped, refitted = shipped_model().to_dict(), model.to_dict()
    scored = out_of_fold(examples(sample_service, [q for q in questions if q.split == "tune"]))
    for kind, threshold in shipped["thresholds"].items():
        members = [example for example in scored if example.kind == kind]
        at_shipped = objective(members, lambda example, t=threshold: supporting(example.evidence, t))
        assert at_shipped >= summary["cv_objective"][kind] - 1 / len(members) - 1e-4, kind
    assert shipped["coef"] == pytest.approx(refitted["coef"], abs=0.15)
    assert shipped["provinces"]["cut"] == pytest.approx(refitted["provinces"]["cut"], rel=0.1)
    assert shipped["provinces"]["coef"] == pytest.approx(refitted["provinces"]["coef"], abs=0.15)
    fitted_on = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["fitted_on"]
    for name in ("cv_objective", "province_cv_objective"):
        assert fitted_on[name] == pytest.approx(summary[name], abs=0.04)


def test_the_nested_estimate_judges_each_tuning_question_once_and_no_test_question(sample_service) -> None:
    questions = load_answer_set()
    judged = nested_outcomes(examples(sample_service, questions))
    assert sorted(example.question.id for example, _ in judged) == sorted(q.id for q in questions if q.split == "tune")
    assert 0 < sum(right for _, right in judged) < len(judged)


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


def test_a_syllable_of_a_frame_compound_is_still_a_concept(sample_service) -> None:
    """"kế hoạch" frames a question; "kè" (an embankment), folded to the same "ke", is what it asks about."""
    question = analyse("Những nơi nào xây kè chống sạt lở bờ sông?", sample_service.retriever)
    assert question.intent == "aggregate" and "ke" in question.concepts
    assert not {"nhung noi", "noi", "nhung"} & set(question.concepts), question.concepts  # the words that ask
    english = analyse("Which localities are building riverbank erosion embankments?", sample_service.retriever)
    assert {"ke", "sat lo", "bo song"} <= set(english.concepts)
    cities = analyse("Which cities plan ring roads?", sample_service.retriever)  # "cities" asks, it is no topic
    assert set(cities.concepts) == {"duong vanh dai"}, cities.concepts


def test_function_words_are_no_concepts_and_punctuation_ends_a_phrase(sample_service) -> None:
    """"hoặc" (a conjunction where it stands, by underthesea's part-of-speech tagger) says nothing of the topic; a
    comma separates two things asked about; "thoát" (drain) stays a concept typed without diacritics; "số" may
    end a term ("chính quyền số") although as "number" it is in every other clause."""
    asked = "Tỉnh nào nâng cấp cảng hàng không, sân bay hoặc bến cảng?"
    question = analyse(asked, sample_service.retriever)
    assert "hoac" not in question.concepts, question.concepts
    assert {"cang hang khong", "san bay"} <= set(question.concepts)
    assert "cang hang khong san bay" not in question.concepts
    unaccented = analyse("tinh nao dau tu he thong thoat nuoc do thi", sample_service.retriever)
    assert "thoat" in unaccented.concepts, unaccented.concepts
    assert "chinh quyen so" in analyse("Tỉnh nào xây dựng chính quyền số?", sample_service.retriever).concepts
    housing = analyse("tinh nao dau tu nha o xa hoi", sample_service.retriever).concepts
    assert max(housing, key=housing.__getitem__) == "nha o xa hoi", housing


def test_a_word_the_corpus_lacks_is_absent_however_it_is_typed(sample_service) -> None:
    """No plan has "nghĩa trang" (cemetery). Typed without diacritics, each of its syllables is in some clause
    ("nghĩa vụ", "trang bị"); the dictionary says the two are one word, absent, as the accented question's
    segmentation does. A frame word joins no such word: "tinh nao de ra" is "nào" and "đề ra", not "nao de"."""
    for typed in ("quy hoạch nghĩa trang", "quy hoach nghia trang"):
        assert "nghia trang" in analyse(typed, sample_service.retriever).absent, typed
    assert not answer_question(sample_service, "quy hoach nghia trang nha tang le").supported
    words = analyse("tinh nao de ra viec lap ke hoach dau tu cong trung han", sample_service.retriever).words
    assert "nao" in words and "nao_de" not in words, words


def test_the_year_of_a_named_document_says_which_document_not_what_is_asked(sample_service) -> None:
    """A clause of Trà Vinh's programme of 11/11/2021 need not state 2021 to answer what it targets for 2025."""
    asked = "Chương trình số 22 ban hành năm 2021 của Trà Vinh đặt mục tiêu gì cho năm 2025?"
    question = analyse(asked, sample_service.retriever)
    assert len(question.documents) == 1 and question.years == ("2025",), (question.documents, question.years)
    assert "2021" not in question.concepts and "2025" in question.concepts


def test_a_lookup_naming_a_document_by_its_number_is_searched_within_it(sample_service) -> None:
    answer = answer_question(sample_service, "Kế hoạch 182 đặt mục tiêu gì về giao thông?")
    documents = sample_service.retriever.table.documents.values()
    named = next(document.id for document in documents if document.meta.number.value == "182-KH/TU")
    assert answer.filters == {"document_id": named}
    assert answer.supported and {citation.document_id for citation in answer.citations} == {named}


QUESTION_PIECES = [
    "Tỉnh nào", "tinh nao", "Which provinces", "Những địa phương nào", "cam kết", "có kế hoạch", "phát triển",
    "cảng biển", "hydro xanh", "nha o xa hoi", "cảng hàng không, sân bay", "hoặc", "và", "Kế hoạch 182",
    "Nghị quyết 57-NQ/TW", "72-KL/TW", "năm 2030", "2025", "Đà Nẵng", "Kon Tum", "Trà Vinh", "Bến Tre?", "?", ",",
    "plan to", "how many", "bao nhiêu", "per the 2024 plan", "(", ")", "\"", "…", "...", "9" * 60, "x" * 80,
    "\u200b", "du an", "ha tang giao thong", "set up", "non-public investment", "the province's plan",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(QUESTION_PIECES), min_size=1, max_size=8).map(" ".join))
def test_any_question_of_real_pieces_is_answered_or_refused_with_quotes_at_their_offsets(
    sample_service, question: str
) -> None:
    answer = answer_question(sample_service, question)
    assert answer.answer and (answer.supported or not [c for c in answer.citations if not c.related])
    for citation in answer.citations:
        document = sample_service.store.document(citation.document_id, with_clauses=False)
        assert document.text[citation.start : citation.end] == citation.quote


def test_a_question_about_a_named_documents_date_or_basis_is_answered_from_its_front_matter(sample_service) -> None:
    """The dateline, issuer block, number line, signature and recitals are not indexed (no body text), yet they
    answer these; a question about the same document's content is still answered from its body."""
    dated = answer_question(sample_service, "chuong trinh 22-ctr/tu tra vinh ban hanh ngay nao")
    assert dated.supported and [c.quote for c in dated.citations] == ["Trà Vinh, ngày 11 tháng 11 năm 2021"]
    english = answer_question(sample_service, "When was Tra Vinh programme 22-CTr/TU issued?")
    assert english.supported and english.citations[0].quote == "Trà Vinh, ngày 11 tháng 11 năm 2021"
    basis = answer_question(sample_service, "Kế hoạch của Thành ủy Rạch Giá thực hiện kế hoạch số mấy của Tỉnh ủy?")
    assert basis.supported
    cited = _cited_clauses(sample_service, basis)
    assert cited[0].kind == "recital" and "222-KH/TU" in cited[0].text
    for citation in dated.citations + basis.citations:
        document = sample_service.store.document(citation.document_id, with_clauses=False)
        assert document.text[citation.start : citation.end] == citation.quote
    issuer = answer_question(sample_service, "Who issued Tra Vinh programme 22-CTr/TU?")
    number = answer_question(sample_service, "Chương trình của Trà Vinh có số hiệu là gì?")
    signer = answer_question(sample_service, "Ai ký kế hoạch của Bến Tre?")
    assert [c.quote for c in issuer.citations + number.citations] == ["TỈNH ỦY TRÀ VINH", "Số 22-CTr/TU"]
    assert signer.supported and "Trần Thanh Lâm" in signer.citations[0].quote
    content = answer_question(sample_service, "Chương trình 22-CTr/TU của Trà Vinh đặt mục tiêu gì về đô thị loại IV?")
    assert content.supported
    assert all(clause.kind not in ("header", "recital") for clause in _cited_clauses(sample_service, content))


def _cited_clauses(service, answer) -> list:
    clauses = {c.id: c for d in {c.document_id for c in answer.citations} for c in service.store.document(d).clauses}
    return [clauses[citation.clause_id] for citation in answer.citations]
