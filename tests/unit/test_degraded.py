"""Degraded documents: accent restoration of OCR text, and TCVN3/VNI text read as Unicode."""


import pytest

from tests.conftest import SAMPLE
from vnpolicy.ingest.legacy_encodings import detect, read_8bit, to_tcvn3, to_viscii, to_vni
from vnpolicy.ingest.normalize import search_form
from vnpolicy.ingest.pipeline import parse_text, parse_upload
from vnpolicy.ingest.restore import OCR, TONES, assess, restore_text

ACCENTED = SAMPLE / "001_5890181f76365d78.txt"
OCR_DOCUMENT = SAMPLE / "003_0466cb12bdbe383c.txt"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("thanh pho trd thanh do thi loai I true thuqc tinh", "thành phố trở thành đô thị loại I trực thuộc tỉnh"),
        ("tiep tuc phdi hop dau tu nang cap, md rdng", "tiếp tục phối hợp đầu tư nâng cấp, mở rộng"),
        ("xay dung kit cau ha tang dong bo", "xây dựng kết cấu hạ tầng đồng bộ"),
    ],
)
def test_ocr_phrases_are_restored(printed: str, expected: str) -> None:
    assert restore_text(printed, OCR).text == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [  # capitalised runs the gazetteer (provinces, districts, wards) or a family name explains
        ("Giao thong Van tai tinh Kien Giang tap trung", "Giao thông Vận tải tỉnh Kiên Giang tập trung"),
        ("cao toe Ha Tien - Rach Gia - Bac Lieu", "cao tốc Hà Tiên - Rạch Giá - Bạc Liêu"),
        ("U Minh Thuqng, Kien Hai, Hdn Dat, Kien Luang", "U Minh Thượng, Kiên Hải, Hòn Đất, Kiên Lương"),
        ("nang cap tuyen dudng Vo Van Kiet, phudng Vinh Hiep", "nâng cấp tuyến đường Võ Văn Kiệt, phường Vĩnh Hiệp"),
    ],
)
def test_ocr_names_are_read_as_names(printed: str, expected: str) -> None:
    assert restore_text(printed, OCR).text == expected


def test_a_capitalised_phrase_that_is_no_place_is_left_to_the_language_model() -> None:
    # a ward is called Đan Thượng, but "Ban Thường vụ" (the standing committee) is what the words say
    assert restore_text("Ban Thudng vu Tinh uy", OCR).text == "Ban Thường vụ Tỉnh ủy"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("huy dong nguon von ODA, cac khoan vay uu dai", "huy động nguồn vốn ODA, các khoản vay ưu đãi"),
        ("I- MUC BICH, YEU CAU", "I- MỤC ĐÍCH, YÊU CẦU"),
        ("II-MUC TIEU", "II-MỤC TIÊU"),
        ("1.Muc dich", "1.Mục đích"),
    ],
)
def test_acronyms_roman_numerals_and_list_numbers_are_not_read_as_syllables(printed: str, expected: str) -> None:
    assert restore_text(printed, OCR).text == expected


def test_tone_check_leaves_clean_text_alone_and_fixes_a_wrong_tone() -> None:
    clean = ACCENTED.read_text(encoding="utf-8")[:3000]
    assert restore_text(clean, TONES).changed == 0


@pytest.mark.parametrize(
    ("printed", "expected"),
    [  # tone marks misread by a real OCR of a scanned Lào Cai resolution (more-documents 005)
        ("TÍNH ỦY LÀO CAI", "TỈNH ỦY LÀO CAI"),
        ("góp phần thúc đầy tăng trưởng kinh tế", "góp phần thúc đẩy tăng trưởng kinh tế"),
        ("chuyển dịch cơ cầu kinh tế và giải quyết việc làm", "chuyển dịch cơ cấu kinh tế và giải quyết việc làm"),
        ("Trước yêu cầu phát triên trong giai đoạn mới", "Trước yêu cầu phát triển trong giai đoạn mới"),
    ],
)
def test_tone_misreadings_in_accented_text_are_put_right(printed: str, expected: str) -> None:
    assert restore_text(printed, TONES).text == expected


def test_proper_names_keep_their_printed_tones() -> None:
    printed = "phát triển du lịch đèo Mã Pì Lèng và xã Ia Tun"
    assert restore_text(printed, TONES).changed == 0


def test_detection_per_document() -> None:
    assert assess(OCR_DOCUMENT.read_text(encoding="utf-8")).state == "ocr"
    assert assess(ACCENTED.read_text(encoding="utf-8")).state == "accented"


def test_ocr_clauses_keep_their_text_and_get_a_restored_reading() -> None:
    text = OCR_DOCUMENT.read_text(encoding="utf-8")
    document = parse_text(text, OCR_DOCUMENT.name)
    restored = [clause for clause in document.clauses if clause.restored_text]
    assert len(restored) > len(document.clauses) // 2
    expressway = next(clause for clause in restored if "cao toe" in clause.text)
    assert "cao tốc" in expressway.restored_text
    assert all(text[c.start : c.end].strip() for c in restored)  # quotes still come from the original
    assert any("document read as ocr" in warning for warning in document.warnings)


def test_accented_document_gets_no_restored_reading() -> None:
    document = parse_text(ACCENTED.read_text(encoding="utf-8"), ACCENTED.name)
    assert not any(clause.restored_text for clause in document.clauses)


_NOT_IN_VISCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "–": "-", "—": "-", "\xa0": " "})


def _viscii(text: str) -> str:
    """VISCII bytes as Windows-1252 shows them (VISCII has no typographic punctuation, nor a no-break space)."""
    return read_8bit(to_viscii(text.translate(_NOT_IN_VISCII)).encode("latin-1"))


@pytest.mark.parametrize(("encode", "name"), [(to_tcvn3, "tcvn3"), (to_vni, "vni"), (_viscii, "viscii")])
@pytest.mark.parametrize("sample", ["001", "004"])
def test_legacy_encoded_text_ingests_to_the_same_clauses(encode, name: str, sample: str) -> None:
    path = next(SAMPLE.glob(f"{sample}_*.txt"))
    original = path.read_text(encoding="utf-8").replace("\ufffd", "")  # no 8-bit encoding has U+FFFD
    if encode is _viscii:
        original = original.translate(_NOT_IN_VISCII)
    legacy = encode(original)
    assert detect(legacy) == name
    expected = parse_text(original, path.name)
    eight_bit = bytes(ord(ch) if ord(ch) < 256 else ch.encode("cp1252")[0] for ch in legacy)
    for data in (eight_bit, legacy.encode("utf-8")):  # an 8-bit file, and a Unicode file in the font
        document = parse_upload("plan.txt", data)
        assert [search_form(c.text) for c in document.clauses] == [search_form(c.text) for c in expected.clauses]
        assert [c.path for c in document.clauses] == [c.path for c in expected.clauses]
