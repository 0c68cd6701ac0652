"""Degraded documents end to end: a scanned plan (a PDF of page images, no text layer) read by the real
Tesseract, ingested through the CLI and found by search; a Word 97 .doc read like its Unicode original."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sample_file
from vnpolicy.eval.scanned import scanned_pdf
from vnpolicy.ingest.normalize import search_form

ROOT = Path(__file__).resolve().parent.parent

# Phrases printed on the scanned pages of sample 001 (page, query, words the found clause holds).
PHRASES = [
    (1, "tốc độ tăng trưởng GRDP bình quân đạt trên 9,5%/năm", "bình quân đạt trên 9,5%/năm"),
    (2, "Ban Tuyên giáo Tỉnh ủy chủ trì tuyên truyền Kết luận 72", "ban tuyên giáo tỉnh ủy chủ trì"),
    (2, "đẩy nhanh tiến độ quy hoạch vùng huyện, quy hoạch phân khu", "quy hoạch vùng huyện"),
]


@pytest.mark.slow
def test_a_scanned_plan_is_read_by_ocr_with_page_numbers_and_found_by_search(
    tmp_path: Path, embedder, model_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vnpolicy.api.service import VnPolicy
    from vnpolicy.index.embedding.e5_rebuild import model_dir

    pdf, printed = scanned_pdf(sample_file("001").read_text(encoding="utf-8"), max_pages=2)
    assert len(printed) == 2
    for page, _, words in PHRASES:  # each phrase is printed on the page it is expected on
        assert words in search_form(" ".join(printed[page - 1]))
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "ke-hoach-scan.pdf").write_bytes(pdf)
    for prefix in ("000", "002"):  # two other plans on the same subject compete for every query
        (scans / sample_file(prefix).name).write_bytes(sample_file(prefix).read_bytes())

    home = tmp_path / "home"
    monkeypatch.setenv("VNPOLICY_MODEL", str(model_dir(model_home)))
    result = subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", str(home), "ingest", str(scans)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=1200,
    )
    assert result.returncode == 0, result.stderr
    assert "OCR ke-hoach-scan.pdf: page 1 of 2 read" in result.stderr
    assert "OCR ke-hoach-scan.pdf: page 2 of 2 read" in result.stderr

    service = VnPolicy(home)
    scanned = next(doc for doc in service.store.documents() if doc.source_name == "ke-hoach-scan.pdf")
    pages = [clause.page for clause in scanned.clauses]
    assert set(pages) == {1, 2} and pages == sorted(pages)
    assert len(scanned.clauses) >= 15
    assert any(clause.kind == "heading" and clause.path == "I" for clause in scanned.clauses)  # "I." read right
    for page, query, words in PHRASES:
        hits = service.search(query, k=5)
        found = [hit for hit in hits if hit.document_id == scanned.id and words in search_form(hit.text)]
        assert found, f"{query!r}: not in the top 5 {[(hit.source_name, hit.text[:60]) for hit in hits]}"
        assert found[0].page == page
        assert service.store.clause(found[0].clause_id).page == page


def test_ocr_turned_off_refuses_a_scanned_pdf_with_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    from vnpolicy.ingest.loaders import NoTextLayer
    from vnpolicy.ingest.pipeline import parse_upload

    pdf, _ = scanned_pdf("KẾ HOẠCH\n\nPhát triển hạ tầng giao thông.", max_pages=1)
    monkeypatch.setenv("VNPOLICY_OCR", "0")
    with pytest.raises(NoTextLayer, match=r"has no text layer and cannot be read by OCR: OCR is turned off"):
        parse_upload("scan.pdf", pdf)
