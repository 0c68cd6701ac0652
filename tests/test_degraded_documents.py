"""Degraded documents end to end: a scanned plan (a PDF of page images, no text layer) read by the real
Tesseract, ingested through the CLI and found by search; Word 97 .doc files (Unicode, TCVN3 and VNI text)
read by antiword into the same clauses as their Unicode original."""

from __future__ import annotations

import os
import re
import shutil
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


def _word97(sources: list[Path], folder: Path) -> list[Path]:
    """Word 97 .doc files of UTF-8 text files, written by headless LibreOffice (installed by `setup.sh test`)."""
    assert shutil.which("soffice"), "LibreOffice Writer is needed to make .doc files: bash scripts/setup.sh test"
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder / 'profile'}",
         "--infilter=Text (encoded):UTF8,LF,,,", "--convert-to", "doc:MS Word 97", "--outdir", str(folder),
         *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
    return [folder / f"{source.stem}.doc" for source in sources]


def _typed_soft_hyphens(doc: bytes) -> bytes:
    """TCVN3's ư is the code 0xAD, U+00AD (a soft hyphen) to Word, which keeps it as a character of the text.
    LibreOffice writes it as Word's optional-hyphen mark (0x1F), which antiword and catdoc drop: put the
    character back where it stands between two letters of the UTF-16 text."""
    return re.sub(rb"(?<=[\x20-\xff]\x00)\x1f\x00(?=[\x20-\xff]\x00)", b"\xad\x00", doc)


def test_word97_files_in_unicode_tcvn3_and_vni_ingest_to_the_same_clauses_as_the_original(tmp_path: Path) -> None:
    from vnpolicy.ingest.legacy_encodings import to_tcvn3, to_vni
    from vnpolicy.ingest.pipeline import parse_path, parse_upload

    original = sample_file("001")
    text = original.read_text(encoding="utf-8")
    expected = parse_path(original)
    sources = []
    for name, encode in (("unicode", str), ("tcvn3", to_tcvn3), ("vni", to_vni)):
        # A document typed in a legacy font holds the font's code points, as Word shows them in Windows-1252.
        source = tmp_path / f"plan-{name}.txt"
        source.write_text(encode(text), encoding="utf-8")
        sources.append(source)
    for doc in _word97(sources, tmp_path):
        data = doc.read_bytes()
        assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 compound file, as Word 97 writes
        if "tcvn3" in doc.name:
            data = _typed_soft_hyphens(data)
        document = parse_upload(doc.name, data)
        assert [c.path for c in document.clauses] == [c.path for c in expected.clauses], doc.name
        # TCVN3 has no capitals with tone marks (a capitals font types them lower-case): compared without case
        same = search_form if "tcvn3" in doc.name else str
        assert [same(c.text) for c in document.clauses] == [same(c.text) for c in expected.clauses], doc.name


def test_a_doc_that_is_not_word_is_refused_with_a_sentence() -> None:
    from vnpolicy.ingest.loaders import IngestError, load_bytes

    with pytest.raises(IngestError, match="not a readable Word 97–2003 .doc file"):
        load_bytes("ke-hoach.doc", b"\xd0\xcf\x11\xe0 this is no Word file" * 20)


def test_a_scan_over_the_ocr_page_limit_is_refused_before_any_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    from vnpolicy.ingest.loaders import FileTooLarge, load_bytes

    pdf, _ = scanned_pdf(sample_file("001").read_text(encoding="utf-8"), max_pages=2)
    monkeypatch.setenv("VNPOLICY_OCR_MAX_PAGES", "1")
    with pytest.raises(FileTooLarge, match="the PDF has 2 scanned pages, more than the 1 OCR reads for one file"):
        load_bytes("scan.pdf", pdf)
