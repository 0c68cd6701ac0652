"""A question naming a document by its number, and a cited clause that introduces a list: both over real
parsed documents (their text written here in a real layout), no model needed."""

from __future__ import annotations

from vnpolicy.answer.documents import named_documents
from vnpolicy.answer.evidence import Evidence, list_heads, list_items
from vnpolicy.index.retriever import ClauseTable
from vnpolicy.ingest.pipeline import parse_text

RESOLUTION = """TỈNH ỦY LÀO CAI
Số 34-NQ/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Lào Cai, ngày 27 tháng 12 năm 2025

NGHỊ QUYẾT
CỦA BAN THƯỜNG VỤ TỈNH ỦY
về phát triển các khu công nghiệp, cụm công nghiệp

I. MỤC TIÊU

1. Mục tiêu cụ thể đến năm 2030

(1) Tập trung phát triển bền vững 06 khu công nghiệp và 20 cụm công nghiệp đang hoạt động.

(2) Thành lập mới khoảng trên 500ha các khu, cụm công nghiệp, trong đó:

+ Thành lập mới ít nhất 02 khu công nghiệp (Bản Qua, Võ Lao).

+ Thành lập mới ít nhất 05 cụm công nghiệp (Bảo Minh, Bảo Hưng 2).

(3) Hoàn thành di dời 01 khu công nghiệp do nằm trong dự án đường sắt.
"""

PLAN = """ỦY BAN NHÂN DÂN
TỈNH LÀO CAI
Số: 134/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Lào Cai, ngày 26 tháng 3 năm 2026

KẾ HOẠCH
Thực hiện Nghị quyết số 34-NQ/TU của Tỉnh ủy Lào Cai

I. MỤC ĐÍCH

1. Cụ thể hóa Nghị quyết số 34-NQ/TU ngày 27 tháng 12 năm 2025.
"""

HANOI = """HỘI ĐỒNG NHÂN DÂN
THÀNH PHỐ HÀ NỘI
Số: 57/2025/NQ-HĐND
Hà Nội, ngày 26 tháng 11 năm 2025

NGHỊ QUYẾT
QUY ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP

Điều 1. Phạm vi điều chỉnh

Nghị quyết này quy định vùng phát thải thấp.
"""

NOTICE = """SỞ CÔNG THƯƠNG
TỈNH LÀO CAI
Số: 1894/TB-SCT
Lào Cai, ngày 09 tháng 4 năm 2026

THÔNG BÁO
Kết quả kiểm tra việc bảo quản, sử dụng vật liệu nổ công nghiệp

1. Kết quả kiểm tra
"""


def _documents():
    return [parse_text(RESOLUTION, "nq.txt"), parse_text(PLAN, "kh.txt"), parse_text(HANOI, "hn.txt")]


def test_a_notice_is_named_by_its_type_or_its_number() -> None:
    documents = [*_documents(), parse_text(NOTICE, "tb.txt")]
    number = {document.id: document.meta.number.value for document in documents}

    def named(question: str, province: str | None = None) -> list[str | None]:
        return [number[found] for found in named_documents(question, documents, province)]

    assert named("Thong bao ket qua kiem tra vat lieu no cua So Cong Thuong ban hanh ngay nao?", "Lào Cai") == [
        "1894/TB-SCT"
    ]
    assert named("When was the Lao Cai notice on explosives issued?", "Lào Cai") == ["1894/TB-SCT"]
    assert named("Thông báo 1894 kiến nghị gì?") == ["1894/TB-SCT"]
    assert named("Sở Công Thương Lào Cai thông báo cho các đơn vị những gì?", "Lào Cai") == []  # the verb


def test_a_question_names_a_document_by_its_code_or_its_type_and_number() -> None:
    documents = _documents()
    number = {document.id: document.meta.number.value for document in documents}

    def named(question: str) -> list[str | None]:
        return [number[found] for found in named_documents(question, documents)]

    assert named("nq 34 lao cai nam 2026 thanh lap moi nhung cum cong nghiep nao") == ["34-NQ/TU"]
    assert named("Kế hoạch số 134/KH-UBND giao ai theo dõi?") == ["134/KH-UBND"]
    assert named("theo 134/kh-ubnd") == ["134/KH-UBND"]  # a code typed in lower case
    assert named("What does Resolution 57 of Hanoi ban?") == ["57/2025/NQ-HĐND"]
    # The Politburo's 57-NQ/TW is not Hà Nội's 57/2025/NQ-HĐND; a five-year plan is no plan number 5.
    assert named("Phát triển hạ tầng số theo Nghị quyết 57-NQ/TW") == []
    assert named("Kế hoạch 5 năm của Lào Cai có gì?") == []
    assert named("Kế hoạch 34") == []  # 34 is a resolution's number
    # A number set by a sidecar may be anything.
    unnumbered = parse_text(PLAN, "x.txt", {"number": "không số"})
    assert named_documents("Kế hoạch 5 của Lào Cai", [*documents, unnumbered]) == []


def test_a_plan_named_by_what_it_implements_names_the_plan_too() -> None:
    documents = _documents()
    number = {document.id: document.meta.number.value for document in documents}

    def named(question: str, province: str | None = None) -> list[str | None]:
        return [number[found] for found in named_documents(question, documents, province)]

    both = ["34-NQ/TU", "134/KH-UBND"]
    assert named("In Lào Cai's plan implementing Resolution 34-NQ/TU, who relocates the clusters?") == both
    assert named("ke hoach thuc hien nghi quyet 34 giao ai chu tri", "Lào Cai") == both
    assert named("Kế hoạch 134 thực hiện nghị quyết nào?") == ["134/KH-UBND"]
    # No plan of Hà Nội implements it.
    assert named("Nghị quyết 34-NQ/TU giao ai chủ trì?") == ["34-NQ/TU"]
    assert named("the plan implementing Resolution 34-NQ/TU", "Hà Nội") == ["34-NQ/TU"]
    # A code typed without diacritics ("HDND" for "HĐND") is the same code.
    assert named("nghi quyet 57/2025/nq-hdnd ap dung tu khi nao") == ["57/2025/NQ-HĐND"]


def test_a_question_about_one_province_names_its_one_document_of_a_type() -> None:
    documents = _documents()
    number = {document.id: document.meta.number.value for document in documents}

    def named(question: str, province: str) -> list[str | None]:
        return [number[found] for found in named_documents(question, documents, province)]

    assert named("How many parks are in operation, per the December 2025 Party resolution?", "Lào Cai") == [
        "34-NQ/TU"
    ]
    assert named("How much capital does Lào Cai's 2026 industrial park plan earmark?", "Lào Cai") == ["134/KH-UBND"]
    assert named("Theo kế hoạch của Lào Cai, ai theo dõi?", "Lào Cai") == ["134/KH-UBND"]
    assert named("Kế hoạch phát triển khu công nghiệp Lào Cai ban hành theo đề nghị của ai?", "Lào Cai") == [
        "134/KH-UBND"
    ]  # a type word opening the question names the document
    # "plan to", "có kế hoạch" are no document; a type word beside a code of a document not indexed is that one.
    assert named("Does Lao Cai plan to build new parks?", "Lào Cai") == []
    assert named("Lào Cai có kế hoạch xây dựng khu công nghiệp nào?", "Lào Cai") == []
    assert named("Hà Nội thực hiện Nghị quyết 57-NQ/TW thế nào?", "Hà Nội") == []


HANOI_ASSISTANCE = """HỘI ĐỒNG NHÂN DÂN
THÀNH PHỐ HÀ NỘI
Số: 63/2025/NQ-HĐND
Hà Nội, ngày 09 tháng 12 năm 2025

NGHỊ QUYẾT
Quy định mức chuẩn trợ giúp xã hội trên địa bàn thành phố Hà Nội

Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;

QUYẾT NGHỊ:

Điều 1. Phạm vi điều chỉnh

Nghị quyết này quy định mức chuẩn trợ giúp xã hội.

Điều 2. Tổ chức thực hiện

Giao Ủy ban nhân dân Thành phố tổ chức thực hiện Nghị quyết này.
"""


def test_of_a_provinces_documents_of_one_type_the_one_whose_title_alone_has_the_subject_is_named() -> None:
    documents = [*_documents(), parse_text(HANOI_ASSISTANCE, "hn63.txt")]
    number = {document.id: document.meta.number.value for document in documents}

    def named(question: str) -> list[str | None]:
        return [number[found] for found in named_documents(question, documents, "Hà Nội")]

    assert named("Nghị quyết về vùng phát thải thấp của Hà Nội có hiệu lực từ ngày nào?") == ["57/2025/NQ-HĐND"]
    assert named("HDND thanh pho Ha Noi giao ai thuc hien nghi quyet tro giup xa hoi?") == ["63/2025/NQ-HĐND"]
    # The place, the type and "trên địa bàn thành phố" name no subject; two resolutions, neither named.
    assert named("Nghị quyết của HĐND thành phố Hà Nội áp dụng trên địa bàn thành phố từ ngày nào?") == []


def test_a_clause_introducing_a_list_brings_the_list_items() -> None:
    table = ClauseTable(_documents())
    lead = next(row for row, clause in enumerate(table.clauses) if clause.text.rstrip().endswith("trong đó:"))
    items = list_items([Evidence(table.hit(lead, 1.0, {}), {}, 0.9)], table)
    texts = [item.hit.text for item in items[table.clauses[lead].id]]
    assert [text[:25] for text in texts] == ["+ Thành lập mới ít nhất 0"] * 2, texts
    assert "Bảo Minh" in texts[1] and all(item.confidence == 0.9 for item in items[table.clauses[lead].id])
    last = next(row for row, clause in enumerate(table.clauses) if clause.text.startswith("(3)"))
    assert list_items([Evidence(table.hit(last, 1.0, {}), {}, 0.9)], table) == {}  # no colon, no list


def test_a_cited_item_of_a_list_brings_the_clause_introducing_it() -> None:
    table = ClauseTable(_documents())
    second = next(row for row, clause in enumerate(table.clauses) if "nhất 05 cụm" in clause.text)
    heads = list_heads([Evidence(table.hit(second, 1.0, {}), {}, 0.9)], table)
    head = heads[table.clauses[second].id]
    assert head.hit.text.endswith("trong đó:") and head.confidence == 0.9  # past the list's first item
    cited_too = [Evidence(table.hit(row, 1.0, {}), {}, 0.9) for row in (second, table.row_of[head.hit.clause_id])]
    assert list_heads(cited_too, table) == {}  # a head cited already is not brought again
    after = next(row for row, clause in enumerate(table.clauses) if clause.text.startswith("(3)"))
    assert list_heads([Evidence(table.hit(after, 1.0, {}), {}, 0.9)], table) == {}  # its parent ends with no colon
