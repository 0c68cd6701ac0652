"""Property: any text made of the pieces real documents are made of parses, and every clause still gives
the exact span of the source it was cut from (a .doc's table drawn with "|" once crashed the splitter)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnpolicy.ingest.normalize import clean_span
from vnpolicy.ingest.pipeline import parse_text

PIECES = [
    "ỦY BAN NHÂN DÂN", "TỈNH ỦY LÀO CAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "Số: 12/2025/NQ-HĐND", "Số 15-KH/TU", "Hà Nội, ngày 8 tháng 12 năm 2025", "KẾ HOẠCH", "QUYẾT ĐỊNH:",
    "NGHỊ QUYẾT", "V/v đẩy nhanh tiến độ", "Căn cứ Luật Đầu tư công;", "Kính gửi:", "I. MỤC TIÊU", "A. NHIỆM VỤ",
    "PHẦN I", "Chương II", "Điều 3.", "Điều 4 - Hiệu lực", "1.", "1.2.", "a)", "(1)", "-", "+", "•", "*", "|", "||",
    "|   |   |", "Nơi nhận:", "- Lưu: VT.", "T/M BAN THƯỜNG VỤ", "KT. CHỦ TỊCH", "Nguyễn Văn An", "PHỤ LỤC",
    "Phát triển hạ tầng giao thông.", "trên địa bàn tỉnh", "xrrxxx", "-------", "\t", "   ", "", "\x0c",
    "2.500 tỷ đồng",
    # a web page's markup and its tables flattened to one cell per line between "|" lines
    "**HỘI", "ĐỒNG NHÂN DÂN**", "**Điều 1. **Phạm vi", "*Căn cứ Luật Giáo dục; *", "(*nhất là*)", "** **", "190",
    # unaccented and OCR-damaged text, which the restorer reads
    "Ke hoach phat trien ha tang", "thu-c hien", "II-MUC BICH", "1.Muc dich", "kinh te-xa hoi", "Tinh uy", "(*)",
    "\"dau tu\"", "dudng giao thong", "ndng thdn mdi",
]
LINE = st.lists(st.sampled_from(PIECES), min_size=0, max_size=4).map(lambda parts: " ".join(parts))
TAB_LINE = st.lists(st.sampled_from(PIECES), min_size=2, max_size=3).map("\t".join)
PIPE_LINE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map(lambda cells: "|" + "|".join(cells) + "|")
DOCUMENT = st.lists(st.one_of(LINE, TAB_LINE, PIPE_LINE), min_size=1, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_any_document_of_real_pieces_parses_and_keeps_its_offsets(text: str) -> None:
    document = parse_text(text, "x.txt")
    for clause in document.clauses:
        assert 0 <= clause.start <= clause.end <= len(text)
        assert clause.text == clean_span(text[clause.start : clause.end])
