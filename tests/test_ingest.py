"""Ingestion on the real sample corpus: clauses, offsets, metadata, normalisation, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SAMPLE, sample_file

from vnpolicy.ingest.loaders import IngestError, decode_text, load_bytes
from vnpolicy.ingest.normalize import clean_span, fold_diacritics, folded_form, search_form
from vnpolicy.ingest.pipeline import content_hash, ingest_paths, parse_text
from vnpolicy.ingest.store import Store

OCR_JUNK = ["XX", "xrrxxx", "rr\\ft'?-}", "frr\\\\", "tttffr", "^?ff~\\", "•}ff\\\\7", "/rf\\y", "ryy", "7f\\rr",
            "7777>^^"]


# --- normalisation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("one", "other"),
    [("đô thị hoá", "đô thị hóa"), ("thuỷ lợi", "thủy lợi"), ("khoẻ", "khỏe"), ("HOÀ BÌNH", "hòa bình"),
     ("Thuỷ", "thủy"), ("quý", "quý")],
)
def test_tone_placements_share_one_search_form(one: str, other: str) -> None:
    assert search_form(one) == search_form(other)


def test_search_form_keeps_words_that_differ() -> None:
    assert search_form("hoàn") != search_form("hoán")
    assert search_form("người") == "người"
    assert search_form("quyển") == "quyển"


def test_decomposed_input_has_the_same_search_form() -> None:
    import unicodedata

    assert search_form(unicodedata.normalize("NFD", "Bến Tre thuỷ lợi")) == search_form("Bến Tre thủy lợi")


def test_folding_maps_d_stroke_explicitly() -> None:
    assert fold_diacritics("Đường điện gió ngoài khơi") == "Duong dien gio ngoai khoi"
    assert folded_form("ĐÔ THỊ HOÁ") == "do thi hoa"


# --- the sample corpus -----------------------------------------------------------------------------

EXPECTED_PROVINCES = {"000": "Bến Tre", "001": "Kon Tum", "002": "Tuyên Quang", "003": "Kiên Giang",
                      "004": "Trà Vinh"}


@pytest.mark.parametrize(("prefix", "province"), EXPECTED_PROVINCES.items())
def test_province_of_each_sample_document(sample_documents, prefix: str, province: str) -> None:
    meta = sample_documents[prefix].meta
    assert meta.province.value == province
    assert meta.province.found and meta.province.source == "text"


def test_metadata_stated_in_the_text(sample_documents) -> None:
    assert sample_documents["003"].meta.locality.value == "Rạch Giá"
    assert sample_documents["003"].meta.number.value == "182-KH/TU"
    assert sample_documents["004"].meta.number.value == "22-CTr/TU"
    assert sample_documents["004"].meta.date.value == "2021-11-11"
    assert sample_documents["001"].meta.date.value == "2024-06-16"
    assert sample_documents["002"].meta.doc_type.value == "Nghị quyết"
    assert sample_documents["004"].meta.doc_type.value == "Chương trình"
    for prefix in ("000", "001", "003"):
        assert sample_documents[prefix].meta.doc_type.value == "Kế hoạch"
    assert sample_documents["000"].meta.province_current.value == "Vĩnh Long"
    assert sample_documents["003"].meta.province_current.value == "An Giang"
    assert "72-KL/TW" in sample_documents["000"].meta.cites.value
    assert sample_documents["000"].meta.signer.value == "Trần Thanh Lâm"


def test_fields_not_in_the_text_are_marked_not_found(sample_documents) -> None:
    meta = sample_documents["000"].meta
    assert meta.number.value is None and not meta.number.found
    assert meta.date.value is None and not meta.date.found


def test_page_break_is_repaired_inside_the_hydrogen_clause(sample_documents) -> None:
    document = sample_documents["000"]
    matches = [c for c in document.clauses if "hydro xanh Bến Tre" in c.text]
    assert len(matches) == 1
    clause = matches[0]
    assert "cho phép thực hiện dự án điện gió ngoài khơi" in clause.text
    assert clause.text.endswith("phát triển dự án Khu tổ hợp hydro xanh Bến Tre.")
    assert "nghiên cứu đề xuất Thủ tướng Chính phủ" in clause.text
    assert clause.path == "II › 1 › 1.2"
    assert any("Phát triển hạ tầng cung cấp điện" in entry for entry in clause.trail)
    assert clause.kind == "paragraph"


def test_no_ocr_junk_survives_in_clause_text(sample_documents) -> None:
    clauses = sample_documents["003"].clauses
    for clause in clauses:
        for junk in OCR_JUNK:
            assert junk not in clause.text, (junk, clause.text)
    text = " ".join(clause.text for clause in clauses)
    # the words the junk was glued to are still there
    for around in ("quyen, can bo", "Chinh tri, Ban Thudng vu", "ket cau ha tang la mot", "tu de thuc day",
                   "gan vdi muc tieu", "trien the due, the thao"):
        assert around in text


@pytest.mark.parametrize("prefix", sorted(EXPECTED_PROVINCES))
def test_every_clause_is_derived_from_its_original_span(sample_documents, prefix: str) -> None:
    document = sample_documents[prefix]
    original = (SAMPLE / document.source_name).read_text(encoding="utf-8")
    assert document.text == original
    previous_end = 0
    for clause in document.clauses:
        assert clause.text, clause
        assert clean_span(original[clause.start : clause.end]) == clause.text
        assert clause.start >= previous_end - 1
        previous_end = clause.end


def test_clause_sizes_and_counts(sample_documents) -> None:
    all_clauses = [c for d in sample_documents.values() for c in d.clauses]
    short = sum(len(c.text) <= 1200 for c in all_clauses)
    assert short / len(all_clauses) >= 0.95
    for document in sample_documents.values():
        assert len(document.clauses) >= 40, document.source_name


def test_structure_paths_and_kinds(sample_documents) -> None:
    clauses = sample_documents["000"].clauses
    paths = {c.path for c in clauses}
    assert {"I", "I › 1", "II › 1 › 1.1", "III › 4"} <= paths
    heading = next(c for c in clauses if c.path == "II › 1 › 1.2" and c.kind == "heading")
    assert heading.text == "1.2. Phát triển hạ tầng cung cấp điện"
    ocr = sample_documents["003"].clauses
    assert any(c.path == "I › 1" and c.kind == "heading" and c.text == "1.Muc dich" for c in ocr)
    assert any(c.path.startswith("III") for c in ocr)


def test_signature_and_recipients_are_marked_apart(sample_documents) -> None:
    for prefix in ("000", "002", "003"):
        kinds = [c.kind for c in sample_documents[prefix].clauses]
        assert "signature" in kinds and "recipients" in kinds
    last_body = [c for c in sample_documents["000"].clauses if c.kind not in ("recipients", "signature")][-1]
    assert "Nơi nhận" not in last_body.text and "T/M" not in last_body.text
    signature = next(c for c in sample_documents["000"].clauses if c.kind == "signature")
    assert "Trần Thanh Lâm" in signature.text


def test_cross_references_are_not_headings(sample_documents) -> None:
    for document in sample_documents.values():
        for clause in document.clauses:
            if clause.kind == "heading":
                assert not clause.text.startswith(("Kết luận số", "khoản", "Nghị quyết số"))


def test_long_paragraph_is_split_into_linked_parts() -> None:
    sentence = "Tập trung đầu tư hạ tầng giao thông kết nối vùng và phát triển đô thị bền vững. "
    text = "I. NHIỆM VỤ\n\n1. Giao thông\n\n" + sentence * 40 + "\n"
    document = parse_text(text, "long.txt")
    parts = [c for c in document.clauses if c.part]
    assert len(parts) >= 3
    assert [c.part for c in parts] == list(range(1, len(parts) + 1))
    assert all(c.part_count == len(parts) for c in parts)
    assert all(len(c.text) <= 1200 for c in parts)
    assert len({c.parent_id for c in parts}) == 1 and parts[0].path == "I › 1"


# --- loaders ---------------------------------------------------------------------------------------

def test_encodings_are_detected() -> None:
    text = "Kế hoạch phát triển hạ tầng"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(text.encode("utf-16-le")) == text
    with pytest.raises(IngestError, match="neither UTF-8 nor UTF-16"):
        decode_text(b"K\xea ho\xe1ch ph\xe1t tri\xean")  # a legacy 8-bit encoding


def test_docx_is_loaded(tmp_path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("I. MỤC ĐÍCH")
    document.add_paragraph("- Phát triển dự án hydro xanh.")
    path = tmp_path / "plan.docx"
    document.save(path)
    parsed = parse_text(load_bytes(path.name, path.read_bytes()), path.name)
    assert any(c.kind == "bullet" and "hydro xanh" in c.text for c in parsed.clauses)


def test_docx_header_and_signature_tables_are_read_in_place_column_by_column(tmp_path) -> None:
    import docx

    document = docx.Document()
    header = document.add_table(rows=2, cols=2)  # issuer | motto, number | dateline, as real documents set them
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = "Số: 88/KH-UBND"
    header.cell(1, 1).text = "Nghệ An, ngày 05 tháng 3 năm 2025"
    for line in ("KẾ HOẠCH", "Phát triển cảng biển Cửa Lò", "I. NHIỆM VỤ", "1. Nạo vét luồng vào cảng Cửa Lò."):
        document.add_paragraph(line)
    projects = document.add_table(rows=2, cols=3)  # a table of data stays row by row
    for column, text in enumerate(("STT", "Dự án", "Vốn (tỷ đồng)")):
        projects.cell(0, column).text = text
    for column, text in enumerate(("1", "Cảng Cửa Lò", "1.200")):
        projects.cell(1, column).text = text
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Lưu: VT."
    signature.cell(0, 1).text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn Đệ"
    path = tmp_path / "plan.docx"
    document.save(path)
    parsed = parse_text(load_bytes(path.name, path.read_bytes()), path.name)
    meta = parsed.meta
    assert (meta.number.value, meta.date.value, meta.province.value) == ("88/KH-UBND", "2025-03-05", "Nghệ An")
    assert meta.title.value == "Kế hoạch Phát triển cảng biển Cửa Lò"
    assert (meta.signer.value, meta.signer_role.value) == ("Nguyễn Văn Đệ", "KT. CHỦ TỊCH")
    body = [c.text for c in parsed.clauses if c.kind not in ("header", "recital", "recipients", "signature")]
    assert body[:2] == ["I. NHIỆM VỤ", "1. Nạo vét luồng vào cảng Cửa Lò."]
    assert "1 | Cảng Cửa Lò | 1.200" in " ".join(body)
    assert not any("Hạnh phúc" in text or "Nguyễn Văn Đệ" in text for text in body)


def _pdf_with_text(text: str | None) -> bytes:
    """A one-page PDF, with a text layer when `text` is given."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_layer_is_loaded_and_missing_layer_is_an_error(monkeypatch) -> None:
    assert "Ke hoach phat trien" in load_bytes("a.pdf", _pdf_with_text("Ke hoach phat trien ha tang"))
    with pytest.raises(IngestError, match="no text layer and OCR found no text"):
        load_bytes("scan.pdf", _pdf_with_text(None))
    monkeypatch.setenv("VNPOLICY_OCR", "0")
    with pytest.raises(IngestError, match=r"cannot be read by OCR: OCR is turned off \(VNPOLICY_OCR=0\)"):
        load_bytes("scan.pdf", _pdf_with_text(None))


# --- store and batch -------------------------------------------------------------------------------

def test_ingest_is_idempotent_and_replaces_changed_files(tmp_path) -> None:
    store = Store.open(tmp_path / "home")
    source = tmp_path / "docs"
    source.mkdir()
    plan = source / "plan.txt"
    plan.write_text(sample_file("000").read_text(encoding="utf-8"), encoding="utf-8")
    first = ingest_paths([source], store)
    assert [r.status for r in first] == ["added"]
    again = ingest_paths([source], store)
    assert [r.status for r in again] == ["unchanged"]
    plan.write_text(plan.read_text(encoding="utf-8") + "\n- Bổ sung: phát triển cảng cá.\n", encoding="utf-8")
    changed = ingest_paths([source], store)
    assert changed[0].status == "replaced" and changed[0].replaced == [first[0].document_id]
    assert store.counts()[0] == 1
    assert store.document(first[0].document_id) is None


def test_an_unchanged_file_is_not_parsed_again(tmp_path, monkeypatch) -> None:
    """Re-reading a folder whose texts are stored already costs only the reading (the OCR sample took 4 s to
    split and restore): its report is the stored document's."""
    import vnpolicy.ingest.pipeline as pipeline

    store = Store.open(tmp_path / "home")
    first = ingest_paths([sample_file("003")], store)
    parsed: list[str] = []

    def counted_parse(text: str, source_name: str, overrides: dict | None = None):
        parsed.append(source_name)
        return parse_text(text, source_name, overrides)

    monkeypatch.setattr(pipeline, "parse_text", counted_parse)
    again = ingest_paths([sample_file("003")], store)
    assert [(r.status, r.document_id, r.clauses) for r in again] == [
        ("unchanged", first[0].document_id, first[0].clauses)
    ]
    assert parsed == []
    changed = tmp_path / sample_file("003").name
    changed.write_text(sample_file("003").read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    assert [r.status for r in ingest_paths([changed], store)] == ["replaced"] and parsed == [changed.name]


def test_sidecar_overrides_fields(tmp_path) -> None:
    store = Store.open(tmp_path / "home")
    plan = tmp_path / "plan.txt"
    plan.write_text(sample_file("000").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plan.txt.meta.json").write_text(json.dumps({"number": "99-KH/TU", "date": "2024-07-01"}))
    [report] = ingest_paths([plan], store)
    meta = store.document(report.document_id).meta
    assert meta.number.value == "99-KH/TU" and meta.number.source == "sidecar"
    assert meta.date.value == "2024-07-01"
    assert meta.province.value == "Bến Tre" and meta.province.source == "text"


@pytest.mark.parametrize(
    ("sidecar", "says"),
    [
        ({"date": 5, "number": ["99"]}, "date must be a string or null; number must be a string or null"),
        ({"date": "hôm qua"}, "date must be a date written yyyy-mm-dd, not 'hôm qua'"),
        ({"cites": "72-KL/TW"}, "cites must be a list of document codes"),
        ({"numbr": "99-KH/TU"}, "has unknown field(s) numbr"),
    ],
)
def test_a_sidecar_value_that_cannot_stand_for_its_field_is_refused_with_a_sentence(
    tmp_path, sidecar: dict, says: str
) -> None:
    store = Store.open(tmp_path / "home")
    plan = tmp_path / "plan.txt"
    plan.write_text(sample_file("000").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plan.txt.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    [report] = ingest_paths([plan], store)
    assert report.status == "failed" and says in report.error, report.error
    assert store.counts()[0] == 0


def _bad_inputs(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    with open(bad / "huge.txt", "wb") as handle:
        handle.write(("Phát triển hạ tầng giao thông. " * 1000 + "\n").encode() * 1600)  # ~50 MB
    (bad / "scan.pdf").write_bytes(_pdf_with_text(None))
    return bad


def test_bad_files_fail_alone_and_leave_the_store_unchanged(tmp_path) -> None:
    store = Store.open(tmp_path / "home")
    ingest_paths([sample_file("001")], store)
    before = store.counts()
    bad = _bad_inputs(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text(sample_file("002").read_text(encoding="utf-8"), encoding="utf-8")
    reports = {r.path.rsplit("/", 1)[-1]: r for r in ingest_paths([bad, good], store)}
    assert reports["good.txt"].status == "added"
    messages = {name: r.error for name, r in reports.items() if r.status == "failed"}
    assert set(messages) == {"empty.txt", "binary.txt", "huge.txt", "scan.pdf"}
    assert "empty" in messages["empty.txt"]
    assert "binary" in messages["binary.txt"]
    assert "limit" in messages["huge.txt"]
    assert "no text layer" in messages["scan.pdf"]
    assert store.counts() == (before[0] + 1, before[1] + len(store.clauses(reports["good.txt"].document_id)))


def test_same_content_in_another_encoding_is_the_same_document(tmp_path) -> None:
    text = sample_file("004").read_text(encoding="utf-8")
    assert content_hash(text) == content_hash(decode_text(text.encode("utf-16")))


def test_cli_reports_bad_input_with_a_sentence_and_non_zero_exit(tmp_path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", str(home), "ingest", str(tmp_path / "missing.txt")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "does not exist" in result.stderr


def test_cli_documents_and_clauses_json(sample_service) -> None:
    home = str(sample_service.home)
    listing = subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", home, "documents", "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    documents = json.loads(listing.stdout)
    assert {d["province"] for d in documents} == set(EXPECTED_PROVINCES.values())
    ben_tre = next(d for d in documents if d["province"] == "Bến Tre")
    clauses = subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", home, "clauses", ben_tre["id"], "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    rows = json.loads(clauses.stdout)
    assert [r["ordinal"] for r in rows] == list(range(len(rows)))
    assert {"id", "path", "trail", "kind", "text", "start", "end"} <= set(rows[0])
