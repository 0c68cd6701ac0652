"""Metadata and structure of UBND, HĐND and Party documents, hard-wrapped as copied from web pages.

The texts are written here in the layouts real documents use (issuer block, "Số:", dateline, type word,
title, "Căn cứ" recitals, articles, "Nơi nhận", signature), so no model or corpus is needed.
"""

from __future__ import annotations

import pytest

from vnpolicy.ingest.clauses import article_headings, split_clauses
from vnpolicy.ingest.gazetteer import MERGED_INTO, PROVINCES_AFTER_2025, provinces_of, resolve_province
from vnpolicy.ingest.metadata import extract_metadata
from vnpolicy.ingest.normalize import clean_span
from vnpolicy.ingest.pipeline import parse_text

DECISION = """ỦY BAN NHÂN
DÂN
TỈNH ĐỒNG NAI
-------

CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số:
27/2025/QĐ-UBND

Đồng Nai, ngày 18
tháng 11 năm 2025

QUYẾT ĐỊNH

BAN HÀNH QUY ĐỊNH QUẢN LÝ CHỢ TRUYỀN THỐNG
TRÊN ĐỊA BÀN TỈNH ĐỒNG NAI

Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15
ngày 16 tháng 6 năm 2025;

Căn cứ Nghị định số 60/2024/NĐ-CP ngày 05 tháng 6 năm 2024 của
Chính phủ về phát triển và quản lý chợ;

Theo đề nghị của Giám đốc Sở Công Thương tại Tờ trình số 88/TTr-SCT ngày 10 tháng 11 năm 2025;

Ủy ban nhân dân tỉnh
ban hành Quyết định ban hành Quy định quản lý chợ truyền thống trên địa bàn tỉnh Đồng Nai.

Điều 1. Ban
hành kèm theo Quyết định này Quy định quản lý chợ truyền thống trên địa bàn tỉnh Đồng Nai.

Điều 2. Quyết định này có hiệu lực kể từ ngày 01 tháng 12 năm 2025.

Nơi nhận:
- Như Điều 2;
- Lưu: VT.

TM. ỦY BAN NHÂN
DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An

QUY ĐỊNH

QUẢN LÝ CHỢ TRUYỀN THỐNG TRÊN ĐỊA BÀN TỈNH ĐỒNG NAI

(Ban hành kèm theo Quyết định số 27/2025/QĐ-UBND)

Chương
I

NHỮNG QUY ĐỊNH
CHUNG

Điều
1. Phạm vi điều chỉnh

Quy định này quy định về quản lý chợ truyền thống theo Điều
4 Nghị định số 60/2024/NĐ-CP.

Chương
II

QUẢN LÝ CHỢ

Điều
5. Trách nhiệm của Ban quản lý chợ

1. Ban quản lý chợ có trách nhiệm:

a) Bố trí điểm kinh doanh theo phương án được duyệt;

b) Bảo đảm vệ sinh môi trường, phòng cháy, chữa cháy trong
khu vực chợ.

2. Thương nhân kinh doanh tại chợ chấp hành nội quy chợ.

Điều
7. Điều khoản thi hành

Sở Công Thương theo dõi, hướng dẫn thực hiện Quy định này./.
"""

PLAN = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
  TỈNH LÀO CAI                       Độc lập - Tự do - Hạnh phúc

 Số: 179 /KH-UBND                   Lào Cai, ngày 26 tháng 3 năm 2026

                     KẾ HOẠCH
Phát triển kinh tế số và xã hội số trên địa bàn tỉnh Lào Cai
giai đoạn 2026 - 2030

Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; Ủy ban nhân dân tỉnh ban hành
Kế hoạch phát triển kinh tế số và xã hội số, nội dung như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

Phát triển hạ tầng số đồng bộ, phủ sóng 5G toàn tỉnh.

1.1. Hạ tầng số

a) Phủ sóng 5G tại 100% trung tâm xã.

- Xây dựng trung tâm dữ liệu của tỉnh.

Nơi nhận:                                         KT. CHỦ TỊCH
- Bộ Khoa học và Công nghệ;                        PHÓ CHỦ TỊCH
- Lưu: VT.                                          Trần Văn Bình
"""

RESOLUTION = """HỘI ĐỒNG NHÂN DÂN
THÀNH PHỐ HÀ NỘI

Số: 57/2025/NQ-HĐND

Hà Nội, ngày 26
tháng 11 năm 2025

NGHỊ QUYẾT

QUY
ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP

Căn cứ Luật Ban
hành văn bản quy phạm pháp luật số 64/2025/QH15 được sửa đổi, bổ sung bởi Luật
số 87/2025/QH15;

Hội đồng nhân dân ban hành Nghị quyết quy định thực hiện vùng phát thải thấp.

Điều 1. Phạm vi điều chỉnh

Nghị quyết này quy định tiêu chí vùng phát thải thấp.

Điều 2. Hiệu lực thi hành

Nghị quyết này có hiệu lực từ ngày 10 tháng 12 năm 2025.

CHỦ TỊCH
Phùng Thị Hồng Hà
"""

PARTY = """TỈNH ỦY TRÀ VINH

*

Số 22-CTr/TU

ĐẢNG CỘNG SẢN VIỆT NAM
Trà Vinh, ngày 11 tháng 11 năm 2021

CHƯƠNG TRÌNH

phát triển kinh tế đô thị tỉnh Trà Vinh
giai đoạn 2021 - 2025, tầm nhìn đến năm 2030

Thực hiện Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XI, Ban Thường vụ Tỉnh ủy xây dựng Chương trình như sau:

I- MỤC TIÊU

1. Tỷ lệ đô thị hóa đạt 33%.

(1) Phát triển khu kinh tế Định An.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ
Lê Văn Hẳn
"""


@pytest.fixture(scope="module")
def decision():
    return parse_text(DECISION, "decision.txt")


@pytest.mark.parametrize(
    ("text", "number", "doc_type"),
    [(DECISION, "27/2025/QĐ-UBND", "Quyết định"), (PLAN, "179/KH-UBND", "Kế hoạch"),
     (RESOLUTION, "57/2025/NQ-HĐND", "Nghị quyết"), (PARTY, "22-CTr/TU", "Chương trình")],
)
def test_numbers_of_every_convention_and_their_type(text: str, number: str, doc_type: str) -> None:
    meta = parse_text(text, "doc.txt").meta
    assert meta.number.value == number and meta.number.found
    assert meta.doc_type.value == doc_type


@pytest.mark.parametrize(
    ("text", "iso"),
    [(DECISION, "2025-11-18"), (PLAN, "2026-03-26"), (RESOLUTION, "2025-11-26"), (PARTY, "2021-11-11")],
)
def test_wrapped_and_side_by_side_datelines(text: str, iso: str) -> None:
    assert parse_text(text, "doc.txt").meta.date.value == iso


def test_a_date_cited_in_a_title_or_recital_is_not_the_documents_date() -> None:
    text = "KẾ HOẠCH\n\nthực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị\n\nI. MỤC ĐÍCH\n"
    meta = parse_text(text, "plan.txt").meta
    assert meta.date.value is None and not meta.date.found


def test_multi_line_titles_are_read_whole(decision) -> None:
    assert decision.meta.title.value == (
        "Quyết định BAN HÀNH QUY ĐỊNH QUẢN LÝ CHỢ TRUYỀN THỐNG TRÊN ĐỊA BÀN TỈNH ĐỒNG NAI"
    )
    assert parse_text(PLAN, "plan.txt").meta.title.value == (
        "Kế hoạch Phát triển kinh tế số và xã hội số trên địa bàn tỉnh Lào Cai giai đoạn 2026 - 2030"
    )
    assert parse_text(RESOLUTION, "nq.txt").meta.title.value == (
        "Nghị quyết QUY ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP"
    )


def test_issuer_signer_cites_and_the_regulation_a_decision_issues(decision) -> None:
    meta = decision.meta
    assert meta.issuer.value == "UBND tỉnh"
    assert meta.signer.value == "Nguyễn Văn An"
    assert meta.signer_role.value == "KT. CHỦ TỊCH"
    assert meta.cites.value == ["72/2025/QH15", "60/2024/NĐ-CP", "88/TTr-SCT"]
    assert meta.regulation.value == "Quy định QUẢN LÝ CHỢ TRUYỀN THỐNG TRÊN ĐỊA BÀN TỈNH ĐỒNG NAI"
    assert meta.province.value == "Đồng Nai" and meta.province_current.value == "Đồng Nai"
    resolution = parse_text(RESOLUTION, "nq.txt").meta
    assert resolution.issuer.value == "HĐND thành phố"
    assert resolution.signer_role.value == "CHỦ TỊCH"
    party = parse_text(PARTY, "ctr.txt").meta
    assert party.issuer.value == "Ban Thường vụ Tỉnh ủy"
    assert party.signer.value == "Lê Văn Hẳn" and party.signer_role.value == "T/M BAN THƯỜNG VỤ"
    assert party.province_current.value == "Vĩnh Long"


def test_chapter_and_article_paths_with_wrapped_heading_words(decision) -> None:
    by_text = {clause.text: clause for clause in decision.clauses}
    point = next(c for c in decision.clauses if c.text.startswith("b) Bảo đảm vệ sinh"))
    assert point.path == "Chương II › Điều 5 › 1 › b"
    assert "Điều 5. Trách nhiệm của Ban quản lý chợ" in point.trail
    assert "Chương II QUẢN LÝ CHỢ" in point.trail
    assert by_text["Điều 7. Điều khoản thi hành"].path == "Chương II › Điều 7"
    assert by_text["Chương I NHỮNG QUY ĐỊNH CHUNG"].kind == "heading"
    # the decision's own articles come before the regulation's chapters
    assert by_text["Điều 2. Quyết định này có hiệu lực kể từ ngày 01 tháng 12 năm 2025."].path == "Điều 2"
    # "theo Điều⏎4 Nghị định …" is a reference, not an article
    reference = next(c for c in decision.clauses if "theo Điều 4 Nghị định" in c.text)
    assert reference.path == "Chương I › Điều 1"


def test_every_article_heading_is_in_a_clause_path(decision) -> None:
    headings = article_headings(decision.text)
    assert [label for _, label in headings] == ["Điều 1", "Điều 2", "Điều 1", "Điều 5", "Điều 7"]
    for start, label in headings:
        clause = next(c for c in decision.clauses if c.start <= start < c.end)
        assert clause.path.split(" › ")[-1] == label


def test_header_recitals_signature_and_recipients_are_not_body(decision) -> None:
    kinds = {clause.text: clause.kind for clause in decision.clauses}
    assert kinds["Số: 27/2025/QĐ-UBND"] == "header"
    assert kinds["Đồng Nai, ngày 18 tháng 11 năm 2025"] == "header"
    assert kinds["QUYẾT ĐỊNH"] == "header"
    assert kinds["(Ban hành kèm theo Quyết định số 27/2025/QĐ-UBND)"] == "header"
    recitals = [c for c in decision.clauses if c.kind == "recital"]
    assert [c.text[:12] for c in recitals] == ["Căn cứ Luật ", "Căn cứ Nghị ", "Theo đề nghị", "Ủy ban nhân "]
    assert all(c.path == "" for c in recitals)
    assert [c.text for c in decision.clauses if c.kind == "recipients"] == ["Nơi nhận:", "- Như Điều 2;", "- Lưu: VT."]
    signature = [c for c in decision.clauses if c.kind == "signature"]
    assert len(signature) == 1 and signature[0].text.endswith("Nguyễn Văn An")
    body = [c for c in decision.clauses if c.kind in ("heading", "item", "bullet", "paragraph")]
    assert not any(c.text.startswith(("Căn cứ", "Số:", "Nơi nhận", "TM.", "CỘNG HÒA")) for c in body)


def test_a_signature_set_beside_the_distribution_list() -> None:
    document = parse_text(PLAN, "plan.txt")
    signature = " ".join(c.text for c in document.clauses if c.kind == "signature")
    assert signature == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Trần Văn Bình"
    assert [c.text for c in document.clauses if c.kind == "recipients"] == [
        "Nơi nhận:", "- Bộ Khoa học và Công nghệ;", "- Lưu: VT."
    ]
    assert document.meta.signer.value == "Trần Văn Bình"


# The tail of a decision as a narrow table column copied from a web page wraps it: the label over two lines,
# the chair signing without a deputy, a name whose last syllable, folded, is a role word ("BÍ THƯ", "CHỦ TỊCH").
WRAPPED_TAIL = """

|
*Nơi
nhận:*
- Như Điều 2;
- Lưu: VT.
|
**TM. ỦY BAN NHÂN
DÂN**
**CHỦ
TỊCH**
**{name}**
|
"""


@pytest.mark.parametrize("name", ["Lâm Văn Bi", "Nguyễn Thị Thu", "Phạm Văn Chu"])
def test_a_signature_block_wrapped_by_a_narrow_column(name: str) -> None:
    text = DECISION.split("\n\nNơi nhận:")[0] + WRAPPED_TAIL.format(name=name)
    document = parse_text(text, "qd.txt")
    kinds = {clause.text: clause.kind for clause in document.clauses}
    assert kinds["Nơi nhận:"] == "recipients" and kinds["- Lưu: VT."] == "recipients"
    assert document.meta.signer.value == name
    assert document.meta.signer_role.value == "T/M ỦY BAN NHÂN DÂN"
    assert not any(name in clause.text for clause in document.clauses if clause.kind not in ("signature",))


def test_plan_grammar_paths() -> None:
    clauses = parse_text(PLAN, "plan.txt").clauses
    paths = {c.text: c.path for c in clauses}
    assert paths["a) Phủ sóng 5G tại 100% trung tâm xã."] == "I › 1 › 1.1 › a"
    assert paths["- Xây dựng trung tâm dữ liệu của tỉnh."] == "I › 1 › 1.1 › a"
    party = {c.text: c.path for c in parse_text(PARTY, "ctr.txt").clauses}
    assert party["(1) Phát triển khu kinh tế Định An."] == "I › 1 › 1"


@pytest.mark.parametrize("article", ["Điều", "ĐIỀU", "khoản"])
def test_an_article_number_wrapped_onto_its_own_line_stays_in_its_reference(article: str) -> None:
    # As a web page copied Huế's 37/2025/NQ-HĐND: "12." alone on its line is the rest of "Bãi bỏ Điều", not a
    # label; read as one, it swallowed the next paragraph "2. …" into point c). The heading word in any case.
    text = (
        "Điều 2. Thay thế, bãi bỏ một số điều của Quy định\n\n"
        "1. Thay thế, bãi bỏ một số cụm từ, điều như sau:\n\n"
        "a) Thay thế cụm từ “tỉnh” bằng cụm từ “thành phố”.\n\n"
        f"c) Bãi bỏ {article}\n12.\n\n"
        "2. Bãi bỏ mẫu số 05, mẫu số 06 tại Phụ lục.\n\n"
        "Điều 3. Hiệu lực thi hành\n\nNghị quyết này có hiệu lực từ ngày 18 tháng 11 năm 2025.\n"
    )
    clauses = split_clauses("doc", text)
    paths = {c.text: c.path for c in clauses}
    assert paths[f"c) Bãi bỏ {article} 12."] == "Điều 2 › 1 › c"
    assert paths["2. Bãi bỏ mẫu số 05, mẫu số 06 tại Phụ lục."] == "Điều 2 › 2"
    assert all(c.text == clean_span(text[c.start : c.end]) for c in clauses)


@pytest.mark.parametrize("text", [DECISION, PLAN, RESOLUTION, PARTY])
def test_rejoined_lines_keep_offsets_into_the_original(text: str) -> None:
    clauses = split_clauses("doc", text)
    previous_end = 0
    for clause in clauses:
        assert clause.text == clean_span(text[clause.start : clause.end])
        assert clause.start >= previous_end
        previous_end = clause.end
    wrapped = next(c for c in clauses if c.text == "Điều 1. Phạm vi điều chỉnh") if text is DECISION else None
    if wrapped:
        assert text[wrapped.start : wrapped.end] == "Điều\n1. Phạm vi điều chỉnh"


def test_a_lower_case_so_line_inside_a_recital_is_not_a_number() -> None:
    meta = extract_metadata(RESOLUTION, split_clauses("nq", RESOLUTION))
    assert meta.number.value == "57/2025/NQ-HĐND"
    kinds = {c.text: c.kind for c in split_clauses("nq", RESOLUTION)}
    assert kinds["Nghị quyết này quy định tiêu chí vùng phát thải thấp."] == "paragraph"
    assert not any(k == "header" and t.startswith("số 87") for t, k in kinds.items())


def test_provinces_before_and_after_the_2025_merger_map_both_ways() -> None:
    assert len(PROVINCES_AFTER_2025) == 34 and len(MERGED_INTO) == 63
    assert set(MERGED_INTO.values()) == set(PROVINCES_AFTER_2025)
    assert resolve_province("Ha Giang") == ("Hà Giang", "Tuyên Quang")
    assert resolve_province("tỉnh Bình Phước") == ("Bình Phước", "Đồng Nai")
    assert provinces_of("Hải Phòng") == {"Hải Phòng", "Hải Dương"}
    assert provinces_of("Hồ Chí Minh") == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}


def test_a_footnote_after_the_distribution_list_is_body_text() -> None:
    text = (
        "KẾ HOẠCH\nphát triển hạ tầng\n\n1. Đầu tư cầu (*).\n\nNơi nhận:\n- Các sở, ban, ngành,\n"
        "- Lưu Văn phòng Tỉnh ủy.\n (*) Tranh thủ bộ, ngành sớm đầu tư cầu Đại Ngãi trên Quốc lộ 60.\n"
    )
    kinds = {clause.text: clause.kind for clause in parse_text(text, "plan.txt").clauses}
    assert kinds["- Lưu Văn phòng Tỉnh ủy."] == "recipients"
    footnote = next(t for t in kinds if "Đại Ngãi" in t)
    assert kinds[footnote] not in ("recipients", "signature", "header")


PROVINCIAL_RESOLUTION = """HỘI ĐỒNG NHÂN DÂN
TỈNH ĐỒNG THÁP

Số: 12/2025/NQ-HĐND

Đồng Tháp, ngày 10 tháng 7 năm 2025

NGHỊ QUYẾT

Quy định mức hỗ trợ đầu tư hạ tầng khu công nghiệp
trên địa bàn tỉnh Đồng Tháp

HỘI ĐỒNG NHÂN DÂN TỈNH ĐỒNG THÁP
KHÓA X, KỲ HỌP THỨ 25

Căn cứ Luật Ngân sách nhà nước số 89/2025/QH15;

Xét Tờ trình số 85/TTr-UBND ngày 20 tháng 6 năm 2025 của Ủy ban nhân dân tỉnh.

QUYẾT NGHỊ:

Điều 1. Mức hỗ trợ
Hỗ trợ 50% chi phí đầu tư hệ thống xử lý nước thải tập trung.
"""

ACTION_PROGRAMME = """TỈNH ỦY NGHỆ AN
*
Số 104-CTr/TU

Nghệ An, ngày 12 tháng 3 năm 2025

CHƯƠNG TRÌNH HÀNH ĐỘNG
thực hiện Kết luận số 72-KL/TW ngày 23/02/2024 của Bộ Chính trị
về tiếp tục đầu tư phát triển kết cấu hạ tầng đồng bộ, hiện đại

Thực hiện Kết luận số 72-KL/TW, Ban Thường vụ Tỉnh ủy xây dựng Chương trình hành động như sau:

I. MỤC TIÊU
Đến năm 2030, hoàn thành tuyến cao tốc Vinh - Thanh Thủy.
"""

DECISION_WITH_ITS_BODY_LINE = """ỦY BAN NHÂN DÂN
TỈNH THÁI NGUYÊN

Số:
27/2025/QĐ-UBND

Thái Nguyên, ngày 05 tháng 8 năm 2025

QUYẾT ĐỊNH

BAN HÀNH QUY ĐỊNH QUẢN LÝ CỤM CÔNG NGHIỆP TRÊN ĐỊA BÀN TỈNH THÁI NGUYÊN

ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN

Căn cứ Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ;

QUYẾT ĐỊNH:

Điều
1. Ban hành kèm theo Quyết định này Quy định quản lý cụm công nghiệp.

QUY ĐỊNH

Quản lý cụm công nghiệp trên địa bàn tỉnh Thái Nguyên
(Kèm theo Quyết định số 27/2025/QĐ-UBND ngày 05 tháng 8 năm 2025 của Ủy ban nhân dân tỉnh Thái Nguyên)

Chương
I

QUY ĐỊNH CHUNG

Điều
1. Phạm vi điều chỉnh

Quy định này quy định về quản lý cụm công nghiệp trên địa bàn tỉnh.
"""


def test_a_sentence_case_title_after_a_blank_line_and_the_body_that_heads_the_resolution() -> None:
    meta = parse_text(PROVINCIAL_RESOLUTION, "nq.txt").meta
    assert meta.title.value == (
        "Nghị quyết Quy định mức hỗ trợ đầu tư hạ tầng khu công nghiệp trên địa bàn tỉnh Đồng Tháp"
    )
    assert meta.issuer.value == "HĐND tỉnh"  # its recital cites a Tờ trình of the UBND


def test_an_action_programmes_qualified_type_line_opens_its_title() -> None:
    meta = parse_text(ACTION_PROGRAMME, "ctr.txt").meta
    assert meta.doc_type.value == "Chương trình"
    assert meta.title.value == (
        "Chương trình hành động thực hiện Kết luận số 72-KL/TW ngày 23/02/2024 của Bộ Chính trị "
        "về tiếp tục đầu tư phát triển kết cấu hạ tầng đồng bộ, hiện đại"
    )


def test_the_enacting_body_line_ends_the_title_and_the_regulation_has_its_own() -> None:
    document = parse_text(DECISION_WITH_ITS_BODY_LINE, "qd.txt")
    assert document.meta.title.value == (
        "Quyết định BAN HÀNH QUY ĐỊNH QUẢN LÝ CỤM CÔNG NGHIỆP TRÊN ĐỊA BÀN TỈNH THÁI NGUYÊN"
    )
    assert document.meta.regulation.value == "Quy định Quản lý cụm công nghiệp trên địa bàn tỉnh Thái Nguyên"
    body = [clause for clause in document.clauses if clause.kind not in ("header", "recital")]
    assert next(c for c in body if c.text.startswith("Quy định này")).path == "Chương I › Điều 1"


DEPARTMENT_PLAN = """UBND TỈNH NGHỆ AN
SỞ XÂY DỰNG
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

Số: 1234/KH-SXD
Nghệ An, ngày 5 tháng 9 năm 2025

KẾ HOẠCH
Triển khai phát triển nhà ở xã hội năm 2025 - 2026

I. MỤC TIÊU
1. Hoàn thành 2.000 căn nhà ở xã hội.
"""

MERGED_PROVINCE_PLAN = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
  TỈNH AN GIANG                       Độc lập - Tự do - Hạnh phúc

Số: 45/KH-UBND                 An Giang, ngày 20 tháng 10 năm 2025

KẾ HOẠCH
Phát triển du lịch đảo Phú Quốc và vùng biển Kiên Giang giai đoạn 2026 - 2030

I. MỤC TIÊU
1. Đón 10 triệu lượt khách đến Phú Quốc năm 2030.
2. Phát triển Rạch Giá, Hà Tiên thành đô thị du lịch biển; nâng cấp cảng Rạch Giá.
"""


def test_a_department_under_its_parent_issues_the_plan() -> None:
    meta = parse_text(DEPARTMENT_PLAN, "kh.txt").meta
    assert meta.issuer.value == "Sở Xây dựng"
    assert meta.province.value == "Nghệ An"


def test_the_province_the_issuer_block_names_outweighs_the_places_the_text_names() -> None:
    meta = parse_text(MERGED_PROVINCE_PLAN, "kh.txt").meta
    assert meta.province.value == "An Giang" and meta.province_current.value == "An Giang"


NOTICE_OF_CONCLUSIONS = """TỈNH ỦY ĐỒNG THÁP
*
Số 512-TB/TU

Đồng Tháp, ngày 3 tháng 4 năm 2025

THÔNG BÁO KẾT LUẬN
của Ban Thường vụ Tỉnh ủy về tiến độ các dự án giao thông trọng điểm

Ngày 28/3/2025, Ban Thường vụ Tỉnh ủy họp nghe báo cáo tiến độ các dự án. Ban Thường vụ Tỉnh ủy kết luận như sau:

1. Đẩy nhanh tiến độ cao tốc Cao Lãnh - An Hữu.

T/L BAN THƯỜNG VỤ
CHÁNH VĂN PHÒNG

Nguyễn Văn Dũng
"""


def test_a_notice_of_conclusions_signed_by_order() -> None:
    document = parse_text(NOTICE_OF_CONCLUSIONS, "tb.txt")
    meta = document.meta
    assert meta.doc_type.value == "Thông báo"
    assert meta.title.value == (
        "Thông báo kết luận của Ban Thường vụ Tỉnh ủy về tiến độ các dự án giao thông trọng điểm"
    )
    assert meta.signer.value == "Nguyễn Văn Dũng" and meta.signer_role.value == "T/L BAN THƯỜNG VỤ"
    assert not [c for c in document.clauses if c.kind not in ("header", "recital", "signature", "item")]


# Front matter typed without a single blank line, as a web page's text often comes.
UNSPACED_RESOLUTION = """HỘI ĐỒNG NHÂN DÂN
TỈNH QUẢNG NINH
Số: 45/2025/NQ-HĐND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ninh, ngày 10 tháng 7 năm 2025
NGHỊ QUYẾT
Quy định mức hỗ trợ đầu tư xây dựng công trình cấp nước sạch nông thôn
trên địa bàn tỉnh Quảng Ninh
HỘI ĐỒNG NHÂN DÂN TỈNH QUẢNG NINH
KHÓA XIV, KỲ HỌP THỨ 25
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;
Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;
Xét Tờ trình số 120/TTr-UBND ngày 20 tháng 6 năm 2025 của Ủy ban nhân dân tỉnh.
QUYẾT NGHỊ:
Điều 1. Mức hỗ trợ
1. Hỗ trợ 70% tổng mức đầu tư đối với công trình tại xã đặc biệt khó khăn.
2. Hỗ trợ 50% tổng mức đầu tư đối với các xã còn lại.
Điều 2. Hiệu lực
Nghị quyết này có hiệu lực từ ngày 20 tháng 7 năm 2025.
Nơi nhận:
- Lưu: VT.
CHỦ TỊCH
Trịnh Văn Cường
"""

UNSPACED_DEPARTMENT_PLAN = """UBND TỈNH NGHỆ AN
SỞ XÂY DỰNG
Số: 1234/KH-SXD
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Nghệ An, ngày 05 tháng 3 năm 2025
KẾ HOẠCH
Thực hiện Chương trình phát triển nhà ở xã hội
trên địa bàn tỉnh Nghệ An năm 2025
Căn cứ Luật Nhà ở ngày 27 tháng 11 năm 2023;
Sở Xây dựng xây dựng Kế hoạch thực hiện như sau:
I. NHIỆM VỤ CỤ THỂ
1. Hoàn thành đầu tư xây dựng 2.500 căn nhà ở xã hội tại khu công nghiệp Nam Cấm.
GIÁM ĐỐC
Trần Văn Bình
"""

WARD_PARTY_PLAN = """ĐẢNG BỘ TỈNH THÁI NGUYÊN
ĐẢNG ỦY PHƯỜNG PHAN ĐÌNH PHÙNG
*
Số 15-KH/ĐU
ĐẢNG CỘNG SẢN VIỆT NAM
Phan Đình Phùng, ngày 20 tháng 8 năm 2025
KẾ HOẠCH
thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về chuyển đổi số quốc gia
-----
Thực hiện Kế hoạch số 12-KH/TU ngày 10/3/2025 của Ban Thường vụ Tỉnh ủy,
Ban Thường vụ Đảng ủy phường xây dựng Kế hoạch thực hiện như sau:
I. NHIỆM VỤ
1. Đến năm 2026, 100% hồ sơ thủ tục hành chính của phường được giải quyết trực tuyến toàn trình.
T/M ĐẢNG ỦY
BÍ THƯ
Lê Thị Hoa
"""


def test_a_resolution_typed_without_blank_lines_keeps_title_recitals_and_articles_apart() -> None:
    document = parse_text(UNSPACED_RESOLUTION, "nq.txt")
    meta = document.meta
    assert meta.title.value == (
        "Nghị quyết Quy định mức hỗ trợ đầu tư xây dựng công trình cấp nước sạch nông thôn trên địa bàn tỉnh Quảng Ninh"
    )
    assert (meta.number.value, meta.date.value, meta.issuer.value) == ("45/2025/NQ-HĐND", "2025-07-10", "HĐND tỉnh")
    kinds = {clause.text.split()[0]: clause.kind for clause in document.clauses}
    assert kinds["Độc"] == "header"  # the national motto
    recitals = [clause.text for clause in document.clauses if clause.kind == "recital"]
    assert [text.split()[0] for text in recitals] == ["HỘI", "Căn", "Căn", "Xét", "QUYẾT"]
    body = [(clause.path, clause.text) for clause in document.clauses if clause.kind not in ("header", "recital")]
    assert body[:3] == [
        ("Điều 1", "Điều 1. Mức hỗ trợ"),
        ("Điều 1 › 1", "1. Hỗ trợ 70% tổng mức đầu tư đối với công trình tại xã đặc biệt khó khăn."),
        ("Điều 1 › 2", "2. Hỗ trợ 50% tổng mức đầu tư đối với các xã còn lại."),
    ]


def test_a_plan_typed_without_blank_lines_ends_its_title_at_the_first_recital() -> None:
    document = parse_text(UNSPACED_DEPARTMENT_PLAN, "kh.txt")
    assert document.meta.title.value == (
        "Kế hoạch Thực hiện Chương trình phát triển nhà ở xã hội trên địa bàn tỉnh Nghệ An năm 2025"
    )
    assert document.meta.issuer.value == "Sở Xây dựng"
    recitals = [clause.text for clause in document.clauses if clause.kind == "recital"]
    assert recitals == [
        "Căn cứ Luật Nhà ở ngày 27 tháng 11 năm 2023;", "Sở Xây dựng xây dựng Kế hoạch thực hiện như sau:",
    ]


def test_a_wards_party_committee_issues_under_its_provinces() -> None:
    meta = parse_text(WARD_PARTY_PLAN, "kh.txt").meta
    assert meta.issuer.value == "Đảng ủy phường Phan Đình Phùng"
    assert (meta.number.value, meta.province.value, meta.date.value) == ("15-KH/ĐU", "Thái Nguyên", "2025-08-20")
    assert meta.title.value.startswith("Kế hoạch thực hiện Nghị quyết số 57-NQ/TW")
    recitals = [clause.text for clause in parse_text(WARD_PARTY_PLAN, "kh.txt").clauses if clause.kind == "recital"]
    assert len(recitals) == 1 and recitals[0].endswith("xây dựng Kế hoạch thực hiện như sau:")


UNSPACED_DECISION = """ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
Số: 2150/QĐ-UBND
Đắk Lắk, ngày 05/9/2025
QUYẾT ĐỊNH
Về việc phê duyệt Kế hoạch phát triển hạ tầng thương mại tỉnh Đắk Lắk giai đoạn 2026 - 2030
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/02/2025;
QUYẾT ĐỊNH:
Điều 1. Phê duyệt Kế hoạch với các nội dung chủ yếu sau:
1. Xây dựng 05 chợ đầu mối nông sản tại Buôn Ma Thuột, Ea Kar.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn Nam
"""

UNSPACED_ACTION_PROGRAMME = """TỈNH ỦY GIA LAI
*
Số 104-CTr/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Gia Lai, ngày 15 tháng 9 năm 2025
CHƯƠNG TRÌNH HÀNH ĐỘNG
THỰC HIỆN NGHỊ QUYẾT SỐ 68-NQ/TW NGÀY 04/5/2025 CỦA BỘ CHÍNH TRỊ VỀ PHÁT TRIỂN KINH TẾ TƯ NHÂN
Thực hiện Nghị quyết số 68-NQ/TW, Ban Thường vụ Tỉnh ủy ban hành Chương trình hành động như sau:
I. MỤC TIÊU
1. Đến năm 2030, toàn tỉnh có 20.000 doanh nghiệp đang hoạt động.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Hồ Văn Niên
"""


def test_the_enacting_authority_under_a_decisions_title_is_no_signature() -> None:
    document = parse_text(UNSPACED_DECISION, "qd.txt")
    kinds = [(clause.kind, clause.text) for clause in document.clauses]
    assert ("recital", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK") in kinds
    assert [text for kind, text in kinds if kind == "signature"] == ["KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Nam"]
    meta = document.meta
    assert meta.title.value.endswith("hạ tầng thương mại tỉnh Đắk Lắk giai đoạn 2026 - 2030")
    assert (meta.signer.value, meta.signer_role.value) == ("Nguyễn Văn Nam", "KT. CHỦ TỊCH")
    assert meta.date.value == "2025-09-05"


def test_a_recital_ending_in_nhu_sau_right_under_the_title_is_no_part_of_it() -> None:
    document = parse_text(UNSPACED_ACTION_PROGRAMME, "ctr.txt")
    assert document.meta.title.value.endswith("VỀ PHÁT TRIỂN KINH TẾ TƯ NHÂN")
    recitals = [clause.text for clause in document.clauses if clause.kind == "recital"]
    assert recitals == [
        "Thực hiện Nghị quyết số 68-NQ/TW, Ban Thường vụ Tỉnh ủy ban hành Chương trình hành động như sau:"
    ]


UNSPACED_DECISION_WITH_REGULATION = """ỦY BAN NHÂN DÂN
TỈNH NINH BÌNH
Số: 31/2025/QĐ-UBND
Ninh Bình, ngày 12 tháng 8 năm 2025
QUYẾT ĐỊNH
Ban hành Quy định quản lý chất thải rắn sinh hoạt trên địa bàn tỉnh Ninh Bình
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy định quản lý chất thải rắn sinh hoạt.
Điều 2. Quyết định này có hiệu lực từ ngày 25 tháng 8 năm 2025.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Phạm Quang Ngọc
QUY ĐỊNH
Quản lý chất thải rắn sinh hoạt trên địa bàn tỉnh Ninh Bình
(Kèm theo Quyết định số 31/2025/QĐ-UBND ngày 12/8/2025 của UBND tỉnh Ninh Bình)
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy định này quy định việc phân loại, thu gom, vận chuyển chất thải rắn sinh hoạt.
"""


def test_a_regulation_right_after_the_signers_name_opens_its_own_title() -> None:
    document = parse_text(UNSPACED_DECISION_WITH_REGULATION, "qd.txt")
    assert document.meta.signer.value == "Phạm Quang Ngọc"
    assert document.meta.regulation.value == "Quy định Quản lý chất thải rắn sinh hoạt trên địa bàn tỉnh Ninh Bình"
    by_text = {clause.text.split(" (")[0]: clause for clause in document.clauses}
    assert by_text["QUY ĐỊNH"].kind == "header"
    assert by_text["Quản lý chất thải rắn sinh hoạt trên địa bàn tỉnh Ninh Bình"].kind == "header"
    assert [c.path for c in document.clauses if c.text.startswith("Điều 1. Phạm vi")] == ["Chương I › Điều 1"]


LETTERED_PLAN = """ỦY BAN NHÂN DÂN
THÀNH PHỐ ĐÀ NẴNG
Số: 210/KH-UBND
Đà Nẵng, ngày 3 tháng 10 năm 2025
KẾ HOẠCH Triển khai Chương trình phát triển đô thị thông minh năm 2026
A. MỤC TIÊU
1. Mục tiêu cụ thể
a) 100% phường có trạm phát sóng 5G;
+ Công bố 200 bộ dữ liệu mở.
B. NHIỆM VỤ VÀ GIẢI PHÁP
1. Đầu tư Trung tâm giám sát điều hành đô thị thông minh giai đoạn 2.
• Kinh phí dự kiến 350 tỷ đồng từ ngân sách thành phố.
"""


def test_lettered_parts_bullets_of_every_mark_and_a_title_on_the_type_words_line() -> None:
    document = parse_text(LETTERED_PLAN, "kh.txt")
    assert document.meta.title.value == "Kế hoạch Triển khai Chương trình phát triển đô thị thông minh năm 2026"
    body = [(c.kind, c.path, c.text) for c in document.clauses if c.kind != "header"]
    assert body == [
        ("heading", "A", "A. MỤC TIÊU"),
        ("heading", "A › 1", "1. Mục tiêu cụ thể"),
        ("item", "A › 1 › a", "a) 100% phường có trạm phát sóng 5G;"),
        ("bullet", "A › 1 › a", "+ Công bố 200 bộ dữ liệu mở."),
        ("heading", "B", "B. NHIỆM VỤ VÀ GIẢI PHÁP"),
        ("item", "B › 1", "1. Đầu tư Trung tâm giám sát điều hành đô thị thông minh giai đoạn 2."),
        ("bullet", "B › 1", "• Kinh phí dự kiến 350 tỷ đồng từ ngân sách thành phố."),
    ]


def test_a_lettered_heading_run_into_the_next_label_is_two_headings() -> None:
    """A web copy that ran "B. PHƯƠNG ÁN …" and "I. Lưu đồ" into one line (Hà Nội, QĐ 1610/QĐ-TTPVHCC)."""
    text = (
        "**A. LÝ DO TÁI CẤU TRÚC**\n\nThủ tục nhiều bước.\n\n"
        "**B. PHƯƠNG ÁN TÁI CẤU TRÚC I. Lưu đồ\nquy trình điện tử**\n\n**II. Mô tả quy trình điện tử**\n\n"
        "1. Tiếp nhận hồ sơ.\n\nPHẦN I. Quy định chung\n"
    )
    body = [(c.path, c.text) for c in split_clauses("qd", text)]
    assert body[2:6] == [
        ("B", "B. PHƯƠNG ÁN TÁI CẤU TRÚC"),
        ("B › I", "I. Lưu đồ quy trình điện tử"),
        ("B › II", "II. Mô tả quy trình điện tử"),
        ("B › II › 1", "1. Tiếp nhận hồ sơ."),
    ]
    assert body[-1][1] == "PHẦN I. Quy định chung"  # a part's heading word is no lettered heading


PARTY_RESOLUTION_IN_PARTS = """ĐẢNG BỘ TỈNH HÀ TĨNH
BAN CHẤP HÀNH
*
Số 05-NQ/TU
Hà Tĩnh, ngày 12 tháng 6 năm 2025

NGHỊ QUYẾT
về phát triển hạ tầng giao thông đến năm 2030

PHẦN I
TÌNH HÌNH THỰC HIỆN
1. Hệ thống giao thông của tỉnh từng bước được đầu tư đồng bộ.
PHẦN II
MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP
I. MỤC TIÊU
1. Nâng cấp cảng Vũng Áng đón tàu 100.000 tấn.
"""


def test_a_resolution_in_parts_keeps_them_out_of_its_title_and_in_its_paths() -> None:
    document = parse_text(PARTY_RESOLUTION_IN_PARTS, "nq.txt")
    meta = document.meta
    assert meta.title.value == "Nghị quyết về phát triển hạ tầng giao thông đến năm 2030"
    assert meta.issuer.value == "Ban Chấp hành Đảng bộ tỉnh"
    body = [(c.path, c.text) for c in document.clauses if c.kind != "header"]
    assert body == [
        ("Phần I", "PHẦN I TÌNH HÌNH THỰC HIỆN"),
        ("Phần I › 1", "1. Hệ thống giao thông của tỉnh từng bước được đầu tư đồng bộ."),
        ("Phần II", "PHẦN II MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP"),
        ("Phần II › I", "I. MỤC TIÊU"),
        ("Phần II › I › 1", "1. Nâng cấp cảng Vũng Áng đón tàu 100.000 tấn."),
    ]


OFFICIAL_LETTER = """ỦY BAN NHÂN DÂN
TỈNH BÌNH ĐỊNH
Số: 6266/UBND-KT
V/v đẩy nhanh tiến độ dự án đường ven biển
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bình Định, ngày 15 tháng 10 năm 2025
Kính gửi:
- Sở Xây dựng;
- UBND các xã, phường ven biển.
Chủ tịch UBND tỉnh yêu cầu:
1. Sở Xây dựng hoàn thành bàn giao mặt bằng trước ngày 30/11/2025.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lâm Hải Giang
"""


def test_an_official_letter_has_its_subject_for_title_and_its_addressees_kept_out_of_the_body() -> None:
    document = parse_text(OFFICIAL_LETTER, "cv.txt")
    meta = document.meta
    assert (meta.doc_type.value, meta.number.value) == ("Công văn", "6266/UBND-KT")
    assert meta.title.value == "Công văn về việc đẩy nhanh tiến độ dự án đường ven biển"
    kinds = {clause.text: clause.kind for clause in document.clauses}
    assert kinds["Độc lập - Tự do - Hạnh phúc"] == "header"
    assert kinds["Kính gửi:"] == kinds["- Sở Xây dựng;"] == "recipients"
    body = [c.text for c in document.clauses if c.kind not in ("header", "recipients", "signature")]
    assert body == ["Chủ tịch UBND tỉnh yêu cầu:", "1. Sở Xây dựng hoàn thành bàn giao mặt bằng trước ngày 30/11/2025."]


# A web page's tables copied as text: the cells of a row separated by a tab.
TAB_SEPARATED_RESOLUTION = (
    "HỘI ĐỒNG NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "TỈNH THANH HÓA\tĐộc lập - Tự do - Hạnh phúc\n"
    "Số: 12/2025/NQ-HĐND\tThanh Hóa, ngày 8 tháng 12 năm 2025\n"
    "NGHỊ QUYẾT\n"
    "Quy định chính sách hỗ trợ phát triển hạ tầng cụm công nghiệp\n"
    "QUYẾT NGHỊ:\n"
    "Điều 1. Hỗ trợ 3 tỷ đồng/cụm công nghiệp để đầu tư hệ thống xử lý nước thải tập trung.\n"
    "Điều 2. Nghị quyết này có hiệu lực từ ngày 01 tháng 01 năm 2026.\n"
    "Nơi nhận:\tCHỦ TỊCH\n"
    "- Ủy ban Thường vụ Quốc hội;\t\n"
    "- Lưu: VT.\tLại Thế Nguyên\n"
    "PHỤ LỤC\n"
    "STT\tTên cụm công nghiệp\tVốn hỗ trợ (tỷ đồng)\n"
    "1\tCụm công nghiệp Vạn Thắng\t3\n"
)


def test_columns_separated_by_a_tab_are_read_apart() -> None:
    document = parse_text(TAB_SEPARATED_RESOLUTION, "nq.txt")
    meta = document.meta
    assert (meta.number.value, meta.date.value, meta.province.value) == ("12/2025/NQ-HĐND", "2025-12-08", "Thanh Hóa")
    assert (meta.signer.value, meta.signer_role.value) == ("Lại Thế Nguyên", "CHỦ TỊCH")
    kinds = {clause.text: clause.kind for clause in document.clauses}
    assert kinds["Độc lập - Tự do - Hạnh phúc"] == kinds["TỈNH THANH HÓA"] == "header"
    assert kinds["- Lưu: VT."] == "recipients" and kinds["Lại Thế Nguyên"] == "signature"
    body = [c for c in document.clauses if c.kind not in ("header", "recital", "recipients", "signature")]
    assert [c.path for c in body][:2] == ["Điều 1", "Điều 2"]
    assert any("1 Cụm công nghiệp Vạn Thắng 3" in c.text for c in body)  # a row of three cells stays whole


PLAN_WITH_A_PARAGRAPH_UNDER_ITS_TITLE = """ỦY BAN NHÂN DÂN
TỈNH LÂM ĐỒNG
Số: 77/KH-UBND
Lâm Đồng, ngày 2 tháng 1 năm 2026
KẾ HOẠCH
Phát triển du lịch năm 2026
Năm 2025, du lịch của tỉnh tăng trưởng khá.
Tỉnh đặt mục tiêu đón 9 triệu lượt khách năm 2026.
I. MỤC TIÊU
1. Đón 9 triệu lượt khách.
"""

DECISION_WITH_DASHED_ARTICLES = """ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG
Số: 05/2026/QĐ-UBND
QUYẾT ĐỊNH
Ban hành Quy định quản lý cụm công nghiệp
QUYẾT ĐỊNH:
Điều 1 - Phạm vi điều chỉnh
Quy định này áp dụng cho các cụm công nghiệp trên địa bàn tỉnh.
Điều 2 – Hiệu lực
Quyết định có hiệu lực kể từ ngày ký, thay thế Điều 5 - 7 của Quyết định số 12/2020/QĐ-UBND.
"""


def test_a_sentence_right_under_the_title_is_body_text_not_title() -> None:
    document = parse_text(PLAN_WITH_A_PARAGRAPH_UNDER_ITS_TITLE, "kh.txt")
    assert document.meta.title.value == "Kế hoạch Phát triển du lịch năm 2026"
    body = [(c.kind, c.text) for c in document.clauses if c.kind != "header"]
    assert body[:2] == [
        ("paragraph", "Năm 2025, du lịch của tỉnh tăng trưởng khá."),
        ("paragraph", "Tỉnh đặt mục tiêu đón 9 triệu lượt khách năm 2026."),
    ]


def test_articles_headed_with_a_dash_are_articles() -> None:
    document = parse_text(DECISION_WITH_DASHED_ARTICLES, "qd.txt")
    paths = [c.path for c in document.clauses if c.kind not in ("header", "recital")]
    assert paths == ["Điều 1", "Điều 2"]  # "Điều 5 - 7 của Quyết định …" is a reference inside Điều 2


def _antiword_row(left: str, right: str) -> str:
    return f"|{left:<40}|{right:<40}|"


# A .doc whose header and signature are tables, as antiword writes them: cells between "|", padded.
ANTIWORD_PLAN = "\n".join([
    _antiword_row("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    _antiword_row("TỈNH QUẢNG TRỊ", "Độc lập - Tự do - Hạnh phúc"),
    _antiword_row("-------", "---------------"),
    _antiword_row("Số: 301/KH-UBND", "Quảng Trị, ngày 19 tháng 12 năm 2025"),
    "", "KẾ HOẠCH", "", "Phát triển hạ tầng logistics tỉnh Quảng Trị", "", "giai đoạn 2026 - 2030", "",
    "I. MỤC TIÊU", "", "1. Hình thành Trung tâm logistics Lao Bảo - Đông Hà với diện tích 50 ha.", "",
    _antiword_row("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"),
    _antiword_row("- Lưu: VT, KT.", "KT. CHỦ TỊCH"),
    _antiword_row("", ""),
    _antiword_row("", "Hoàng Nam"),
    "",
])


def test_a_word_table_drawn_by_antiword_is_read_as_two_columns() -> None:
    document = parse_text(ANTIWORD_PLAN, "kh.doc")
    meta = document.meta
    assert (meta.number.value, meta.date.value, meta.province.value) == ("301/KH-UBND", "2025-12-19", "Quảng Trị")
    assert meta.title.value == "Kế hoạch Phát triển hạ tầng logistics tỉnh Quảng Trị giai đoạn 2026 - 2030"
    assert (meta.signer.value, meta.signer_role.value) == ("Hoàng Nam", "KT. CHỦ TỊCH")
    body = [(c.path, c.text) for c in document.clauses if c.kind not in ("header", "recipients", "signature")]
    assert body == [
        ("I", "I. MỤC TIÊU"), ("I › 1", "1. Hình thành Trung tâm logistics Lao Bảo - Đông Hà với diện tích 50 ha."),
    ]


PLAN_IN_OTHER_NUMBERINGS = """ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH
Số: 99/KH-UBND
Hà Tĩnh, ngày 2 tháng 1 năm 2026

KẾ HOẠCH
Phát triển năng lượng tái tạo năm 2026

I. MỤC TIÊU
1. Mục tiêu chung
a. Phát triển điện gió ngoài khơi Hà Tĩnh.
b. Phát triển điện mặt trời mái nhà.
2) Mục tiêu cụ thể
- Công suất điện gió đạt 500 MW, vốn 5 - 7 tỷ đồng mỗi MW.
II - NHIỆM VỤ
1 - Hoàn thành quy hoạch vùng biển.
"""


def test_items_numbered_a_dot_one_paren_and_one_dash() -> None:
    document = parse_text(PLAN_IN_OTHER_NUMBERINGS, "kh.txt")
    assert [c.path for c in document.clauses if c.kind != "header"] == [
        "I", "I › 1", "I › 1 › a", "I › 1 › b", "I › 2", "I › 2", "II", "II › 1",
    ]


WARD_PLAN = """ỦY BAN NHÂN DÂN
PHƯỜNG HẢI CHÂU
Số: 45/KH-UBND
Hải Châu, ngày 3 tháng 9 năm 2025

KẾ HOẠCH
Chỉnh trang đô thị năm 2026

I. MỤC TIÊU
1. Lát lại vỉa hè 20 tuyến phố.
"""


def test_a_wards_own_document_is_placed_in_the_province_that_has_the_ward() -> None:
    meta = parse_text(WARD_PLAN, "kh.txt").meta
    assert (meta.province.value, meta.province_current.value) == ("Đà Nẵng", "Đà Nẵng")
    # a name that several provinces' communes share ("Tân Phú") places it nowhere rather than anywhere
    shared = parse_text(WARD_PLAN.replace("PHƯỜNG HẢI CHÂU", "XÃ TÂN PHÚ").replace("Hải Châu,", "Tân Phú,"), "kh.txt")
    assert shared.meta.province.value is None


# A resolution as legal-document sites render it to text: the header's layout table leaves "|" lines, the
# issuer and type words are bold ("**") and wrapped mid-word, the dateline and recitals are italic ("*").
WEB_PAGE_RESOLUTION = """|
**HỘI
ĐỒNG NHÂN DÂN**
THÀNH PHỐ HUẾ
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 36/2025/NQ-HĐND
|
*Thành phố Huế**, ngày 18 tháng 11 năm 2025*
|

**NGHỊ
QUYẾT**

QUY ĐỊNH VỀ CHÍNH SÁCH HỌC PHÍ TRÊN ĐỊA BÀN
THÀNH PHỐ HUẾ TỪ NĂM HỌC 2025 - 2026

*Căn cứ Luật Giáo dục số 43/2019/QH14; *

**Điều 1. **Phạm vi điều chỉnh

Nghị quyết này quy định mức học phí (*gọi tắt là học phí*) của cơ sở giáo dục công lập.

Mức học phí (nghìn đồng/tháng):
|
**Địa bàn**
|
**Mầm non**
|
**Tiểu học**
|
|
Đô thị
|
190
|
110
|
|

**Điều 2. **Hiệu lực thi hành

Nghị quyết này có hiệu lực từ ngày 01 tháng 12 năm 2025.

|
**CHỦ TỊCH**
**Lê Trường Lưu**
|
** **
**PHỤ LỤC II**
DANH MỤC XÃ VÙNG KHÓ KHĂN
1. Xã A Lưới 1.
"""


def test_a_web_pages_markup_is_layout_not_text() -> None:
    document = parse_text(WEB_PAGE_RESOLUTION, "nq.txt")
    meta = document.meta
    assert (meta.number.value, meta.date.value, meta.doc_type.value) == ("36/2025/NQ-HĐND", "2025-11-18", "Nghị quyết")
    assert meta.title.value == (
        "Nghị quyết QUY ĐỊNH VỀ CHÍNH SÁCH HỌC PHÍ TRÊN ĐỊA BÀN THÀNH PHỐ HUẾ TỪ NĂM HỌC 2025 - 2026"
    )
    # Huế, a centrally-run city since 2025, is Thừa Thiên Huế before it.
    assert (meta.province.value, meta.province_current.value) == ("Thừa Thiên Huế", "Huế")
    signed = (meta.issuer.value, meta.signer.value, meta.signer_role.value)
    assert signed == ("HĐND thành phố", "Lê Trường Lưu", "CHỦ TỊCH")
    texts = {clause.text: clause for clause in document.clauses}
    assert texts["Căn cứ Luật Giáo dục số 43/2019/QH14;"].kind == "recital"
    assert texts["Điều 1. Phạm vi điều chỉnh"].path == "Điều 1"
    # The "|" and "** **" lines stand where blank lines would: the signer's name is not read into the appendix.
    assert texts["PHỤ LỤC II"].path == "Phụ lục II" and texts["1. Xã A Lưới 1."].path == "Phụ lục II › 1"
    assert all("*" not in clause.text and clause.text != "|" for clause in document.clauses)
    assert not any("OCR junk" in warning for warning in document.warnings)  # layout, not OCR noise
    # Its table flattened to one cell per line: a row is one clause, and a lone number in it is a value, not a
    # page number.
    assert texts["Địa bàn Mầm non Tiểu học"].path == texts["Đô thị 190 110"].path == "Điều 1"


def test_a_tables_units_bounds_and_cells_of_several_lines_stay_in_their_row() -> None:
    # Cells as web pages give them: a unit "đồng/lượt/khách" (its "đồng/" was cut as OCR junk glued to a word),
    # a bound "<10" (its "<" was cut), a unit wrapped over two lines, which made its row three clauses, and a
    # column "Mức" (a level), which was read as the heading word "Mục" and joined the header row to the first.
    table = "\n".join([
        "|", "**TT**", "|", "**Nội dung**", "|", "**Đơn vị tính**", "|", "**Mức**", "|", "|",
        "1", "|", "Đền Bạch Mã, số 76 Hàng Buồm", "|", "đồng/lượt/khách", "|", "20.000", "|", "|",
        "2", "|", "Dưới 30 biên chế", "|", "Đồng/biên chế", "/năm", "|", "95.000.000", "|", "|",
        "3", "|", "Cấp V", "|", "<10", "|", "Rất nguy hiểm", "|", "|",
    ])
    head, _, rest = WEB_PAGE_RESOLUTION.partition("|\n**Địa bàn**")
    text = head + table + "\n\n**Điều 2." + rest.partition("**Điều 2.")[2]
    texts = {clause.text: clause for clause in parse_text(text, "nq.txt").clauses}
    assert texts["TT Nội dung Đơn vị tính Mức"].path == "Điều 1"
    assert texts["1 Đền Bạch Mã, số 76 Hàng Buồm đồng/lượt/khách 20.000"].path == "Điều 1"
    assert texts["2 Dưới 30 biên chế Đồng/biên chế năm 95.000.000"].path == "Điều 1"
    assert texts["3 Cấp V <10 Rất nguy hiểm"].path == "Điều 1"


DEPARTMENT_LETTER = """ỦY BAN NHÂN DÂN
THÀNH PHỐ HỒ CHÍ MINH
**SỞ GIÁO DỤC VÀ ĐÀO TẠO**
--------
|
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
|
Số: 5155/SGDĐT-GDTXNNĐH
*Về hướng dẫn đánh giá, xếp loại trung tâm
học tập cộng đồng từ năm 2025*
|
*Thành phố Hồ Chí Minh, ngày 28 tháng 11 năm 2025*
|
**Kính gửi: **Ủy ban nhân dân phường, xã và đặc khu
Sở Giáo dục và Đào tạo hướng dẫn đánh giá trung tâm học tập cộng đồng như sau:
1. Đánh giá hằng năm theo bộ tiêu chí.
|
**KT GIÁM ĐỐC**
PHÓ GIÁM ĐỐC
**Trương Hải Thanh**
"""


def test_a_departments_letter_with_its_subject_under_the_number() -> None:
    meta = parse_text(DEPARTMENT_LETTER, "cv.txt").meta
    assert (meta.doc_type.value, meta.number.value) == ("Công văn", "5155/SGDĐT-GDTXNNĐH")
    assert meta.title.value == "Công văn về hướng dẫn đánh giá, xếp loại trung tâm học tập cộng đồng từ năm 2025"
    # the department under its parent wrapped over two lines, and "KT" written without its dot
    assert (meta.issuer.value, meta.province.value) == ("Sở Giáo dục và đào tạo", "Hồ Chí Minh")
    assert (meta.signer.value, meta.signer_role.value) == ("Trương Hải Thanh", "KT GIÁM ĐỐC")
    # "Về …" in a body is no subject
    body = parse_text(DEPARTMENT_LETTER.replace("1. Đánh giá", "Về thời gian: đánh giá"), "cv.txt")
    assert [c.kind for c in body.clauses if c.text.startswith("Về thời gian")] == ["paragraph"]


CAPS_TITLE_THEN_RECITAL = """ỦY BAN NHÂN DÂN
TỈNH NGHỆ AN
Số: 980/KH-UBND
Nghệ An, ngày 18 tháng 11 năm 2025
KẾ HOẠCH
THỰC
HIỆN QUYẾT ĐỊNH SỐ 1899/QĐ-TTG NGÀY 04/9/2025 CỦA THỦ TƯỚNG CHÍNH PHỦ
Thực hiện Quyết định số 1899/QĐ-TTg ngày 04/9/2025 của Thủ tướng Chính phủ quy định chi tiết một số điều của
Luật Phòng thủ dân sự (sau đây viết tắt là Nghị định).
Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:
I. MỤC ĐÍCH
1. Phân công nhiệm vụ cho các sở, ngành.
"""


def test_a_title_in_capitals_ends_where_a_sentence_case_recital_begins() -> None:
    document = parse_text(CAPS_TITLE_THEN_RECITAL, "kh.txt")
    title = "Kế hoạch THỰC HIỆN QUYẾT ĐỊNH SỐ 1899/QĐ-TTG NGÀY 04/9/2025 CỦA THỦ TƯỚNG CHÍNH PHỦ"
    assert document.meta.title.value == title
    recitals = [c.text for c in document.clauses if c.kind == "recital"]
    assert recitals[0].startswith("Thực hiện Quyết định số 1899/QĐ-TTg") and recitals[0].endswith("Nghị định).")
