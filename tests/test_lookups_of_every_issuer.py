"""Lookups about a document of another issuer with the real model (issue 19): a People's Council resolution in
legal form (Chương › Điều › Khoản › Điểm, hard-wrapped web text), indexed beside the sample corpus, asked in
Vietnamese and in English. The text is an excerpt of the Hà Nội resolution 57/2025/NQ-HĐND
(../shared/more-documents/008_…)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.support.server import sharing_model
from vnpolicy.answer import answer_question

pytestmark = pytest.mark.slow

RESOLUTION = """HỘI ĐỒNG NHÂN
DÂN
THÀNH PHỐ HÀ NỘI
-------

CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số: 57/2025/NQ-HĐND

Hà Nội, ngày 26
tháng 11 năm 2025

NGHỊ QUYẾT

QUY
ĐỊNH THỰC HIỆN VÙNG PHÁT THẢI THẤP TRÊN ĐỊA BÀN THÀNH PHỐ HÀ NỘI

Căn cứ Luật Thủ đô
số 39/2024/QH15;

QUYẾT NGHỊ:

Chương IV

BIỆN PHÁP ÁP DỤNG TRONG
VÙNG PHÁT THẢI THẤP VÀ LỘ TRÌNH THỰC HIỆN

Điều 10. Các biện pháp áp dụng
trong vùng phát thải thấp

1. Biện pháp phát triển hạ tầng giao thông nhằm hỗ
trợ cho chuyển đổi phương tiện, phát triển hệ thống giao thông công cộng:

a) Tổ chức phát triển vận tải hành khách công cộng
và khuyến khích sử dụng các loại xe cơ giới quy định tại khoản 2 và khoản 3 Điều
3 Nghị quyết này;

b) Rà soát, xác định các khu vực đủ điều kiện phát
triển không gian đi bộ, đi xe đạp gắn với các khu vực danh lam thắng cảnh, khu
vực bảo tồn, phát triển du lịch; Phát triển hệ thống dịch vụ xe đạp công cộng;

c) Rà soát, bố trí hợp lý các điểm dừng đỗ, điểm
trung chuyển phục vụ kết nối giữa các loại hình vận tải hành khách công cộng,
các điểm giao thông tĩnh với phương tiện giao thông cá nhân;

d) Phát triển hệ thống trạm tiếp năng lượng sạch
công cộng, hạ tầng thu gom và xử lý pin xe điện sau thải bỏ, bảo đảm yêu cầu về
an toàn phòng cháy, chữa cháy;

đ) Tăng cường công tác tổ chức giao thông và nâng
cao hiệu quả cung cấp, chia sẻ thông tin giao thông phục vụ người dân và doanh
nghiệp;

e) Xây dựng văn hóa giao thông, ý thức sử dụng
phương tiện giao thông công cộng, hạn chế sử dụng phương tiện giao thông cá
nhân.

2. Cho phép các phương tiện giao thông không phát
sinh khí thải, xe cơ giới sử dụng năng lượng sạch, năng lượng xanh, thân thiện
môi trường, xe ưu tiên và phương tiện giao thông có giấy phép lưu thông của cơ
quan có thẩm quyền theo quy định của pháp luật được lưu thông trong vùng phát
thải thấp.

3. Biện pháp tổ chức giao thông đối với xe cơ giới
sử dụng nhiên liệu hóa thạch, xe cơ giới gây ô nhiễm môi trường:

a) Không thực hiện đầu tư mới và thực hiện đăng ký
mới có kiểm soát các phương tiện sử dụng nhiên liệu hóa thạch khi thải bỏ
phương tiện giao thông cũ đã hết hạn lưu thông, đặc biệt đối với các phương tiện
thuộc sở hữu của cơ quan, tổ chức;

b) Cấm lưu thông các xe tải có khối lượng toàn bộ
theo thiết kế xác định trong Giấy chứng nhận đăng kiểm xe trên 3.500 kg sử dụng
nhiên liệu hóa thạch;

c) Đối với xe mô tô, xe gắn máy sử dụng nhiên liệu
hóa thạch hoạt động kinh doanh trên nền tảng phần mềm ứng dụng hỗ trợ kết nối vận
tải: cấm lưu thông trong vùng phát thải thấp;

d) Đối với xe mô tô, xe gắn máy sử dụng nhiên liệu
hóa thạch, trừ đối tượng quy định tại điểm c khoản này: cấm lưu thông trong
vùng phát thải thấp theo khung giờ/thời điểm quy định; Ngoài các khung giờ/thời
điểm bị cấm, được lưu thông khi đáp ứng quy chuẩn khí thải theo lộ trình được
Chính phủ hoặc Thành phố ban hành;

đ) Cấm xe ô tô sử dụng nhiên liệu hóa thạch không đáp
ứng quy chuẩn khí thải mức 4 theo Quy chuẩn kỹ thuật Quốc gia về khí thải xe ô
tô tham gia giao thông đường bộ (QCVN 85:2025/BNNMT)
lưu thông trong vùng phát thải thấp theo khung giờ/ thời điểm quy định; Ngoài
các khung giờ/thời điểm bị cấm, được lưu thông khi đáp ứng quy chuẩn khí thải
theo lộ trình được Chính phủ hoặc Thành phố ban hành.

Điều 11. Lộ trình thực hiện
vùng phát thải thấp

1. Trước ngày 01 tháng 01 năm 2030:

a) Kể từ ngày 01 tháng 7 năm 2026 đến hết ngày 31
tháng 12 năm 2027: Thực hiện vùng phát thải thấp thí điểm tại một số khu vực
trong Vành đai 1, thuộc các phường được quy định tại khoản 6 Điều 3 Nghị quyết
này;

b) Kể từ ngày 01 tháng 01 năm 2028 đến hết ngày 31
tháng 12 năm 2029: Thực hiện vùng phát thải thấp tại Vành đai 1 và một số khu vực
tại Vành đai 2 trở vào, thuộc các phường, xã được quy định tại khoản 7 Điều 3
Nghị quyết này;

c) Kể từ ngày 01 tháng 01 năm 2030: Thực hiện vùng
phát thải thấp tại Vành đai 3 trở vào, thuộc các phường, xã được quy định tại
khoản 8 Điều 3 Nghị quyết này;

d) Khuyến khích Ủy ban nhân dân cấp xã lập vùng
phát thải thấp trên địa bàn quản lý, trừ các trường hợp quy định tại các điểm
a, b và c khoản 1 Điều này.

2. Kể từ ngày 01 tháng 01 năm 2031: Các khu vực
trên địa bàn Thành phố có một trong các tiêu chí quy định tại Điều 4 Nghị quyết
này phải thực hiện vùng phát thải thấp.

Chương V

ĐIỀU KHOẢN THI HÀNH

Điều 13. Hiệu lực thi hành

1. Nghị quyết này có hiệu lực thi hành từ ngày 10
tháng 12 năm 2025.

2. Nghị quyết số 47/2024/NQ-HĐND
ngày 12 tháng 12 năm 2024 của Hội đồng nhân dân Thành phố quy định thực hiện
vùng phát thải thấp trên địa bàn thành phố Hà Nội (thực hiện điểm
a khoản 2 Điều 28 Luật Thủ đô) hết hiệu lực thi hành kể từ ngày Nghị quyết
này có hiệu lực thi hành.

3. Trường hợp các văn bản quy phạm pháp luật viện dẫn
tại Nghị quyết này được sửa đổi, bổ sung hoặc thay thế bằng văn bản quy phạm
pháp luật khác thì áp dụng quy định tại văn bản sửa đổi, bổ sung hoặc thay thế.

Nghị quyết đã được Hội đồng nhân dân thành phố
Hà Nội khóa XVI, kỳ họp thứ 28 thông qua ngày 26 tháng 11 năm 2025./.


CHỦ TỊCH
Phùng Thị Hồng Hà
"""


# Copied from the web: a People's Committee plan which abbreviates its subjects ("các DNNVV, HTX, HKD"), and a
# People's Council resolution on tuition whose clauses on one support differ in the figure they state.
WEB_DOCUMENTS = [
    ROOT / "data" / "web-documents" / name
    for name in ("06_dongthap_kh617_chuyendoiso_dn.txt", "04_hue_nq36_hdnd_hocphi.txt")
]


@pytest.fixture(scope="module")
def service(model_home: Path, tmp_path_factory):
    from vnpolicy.api.service import VnPolicy

    documents = tmp_path_factory.mktemp("more-documents")
    (documents / "hanoi-57-2025-nq-hdnd.txt").write_text(RESOLUTION, encoding="utf-8")
    for path in WEB_DOCUMENTS:
        (documents / path.name).write_bytes(path.read_bytes())
    service = VnPolicy(sharing_model(tmp_path_factory.mktemp("more") / "home", model_home, vectors=True))
    service.ingest([SAMPLE, documents])
    return service


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # The clause says "Nghị quyết này", not the number or the subject the question names the resolution by.
        ("Nghị quyết 57/2025/NQ-HĐND về vùng phát thải thấp có hiệu lực từ ngày nào?",
         "Nghị quyết này có hiệu lực thi hành từ ngày 10"),
        ("nghi quyet vung phat thai thap cua ha noi co hieu luc tu ngay nao", "Nghị quyết này có hiệu lực thi hành"),
        # English: "trucks", "banned", "low-emission zone" and the one-word "Hanoi" read into Vietnamese.
        ("Which trucks are banned from Hanoi's low-emission zone?", "Cấm lưu thông các xe tải"),
    ],
)
def test_a_lookup_about_the_resolution_finds_and_cites_its_clause(service, question: str, clause: str) -> None:
    hits = service.search(question, k=5)
    assert any(clause in " ".join(hit.text.split()) for hit in hits)
    answer = answer_question(service, question)
    assert answer.supported and {p.name for p in answer.provinces} == {"Hà Nội"}
    cited = _cited(answer)
    assert any(clause in quote or quote in clause for quote in cited), cited


@pytest.mark.parametrize(
    "question",
    [
        "Ở Đồng Tháp, ai theo dõi kết quả chuyển đổi số của hợp tác xã và hộ kinh doanh?",
        "Đồng Tháp giao cơ quan nào giám sát, đánh giá chuyển đổi số của doanh nghiệp nhỏ và vừa?",
    ],
)
def test_a_clause_that_abbreviates_what_is_asked_is_found_and_cited(service, question: str) -> None:
    # The clause writes "… kết quả thực hiện chuyển đổi số đối với các DNNVV, HTX, HKD", which the plan defines.
    clause = "giám sát, đánh giá kết quả thực hiện chuyển đổi số đối với các DNNVV, HTX, HKD"
    hits = service.search(question, k=5)
    assert any(clause in " ".join(hit.text.split()) for hit in hits)
    answer = answer_question(service, question)
    cited = _cited(answer)
    assert answer.supported and any(clause in quote for quote in cited), cited


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("From what date does Hanoi's resolution 57/2025/NQ-HĐND apply?", "có hiệu lực thi hành từ ngày 10"),
        ("Nghị quyết học phí của HĐND thành phố Huế được thông qua ngày nào?", "thông qua ngày 18 tháng 11 năm 2025"),
    ],
)
def test_a_date_the_body_states_is_cited_from_the_body_not_the_dateline(service, question: str, clause: str) -> None:
    # When a resolution takes effect or was passed is not the date it was signed, which its dateline states.
    answer = answer_question(service, question)
    cited = _cited(answer)
    assert answer.supported and any(clause in quote for quote in cited), cited
    assert not any(quote.lstrip("*").startswith(("Hà Nội, ngày", "Huế, ngày")) for quote in cited), cited


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("HĐND thành phố Huế giao cơ quan nào tổ chức triển khai nghị quyết học phí từ năm học 2025-2026?",
         "Giao Ủy ban nhân dân thành phố triển khai thực hiện Nghị quyết"),
        ("Who supervises the implementation of Hue's tuition resolution?",
         "Giao Thường trực Hội đồng nhân dân, các Ban Hội đồng nhân dân"),
    ],
)
def test_who_carries_out_or_supervises_a_resolution_is_cited_from_its_article_on_implementation(
    service, question: str, clause: str
) -> None:
    # Searched, the clauses repeating the resolution's subject ("học phí … năm học 2025 - 2026") came first.
    answer = answer_question(service, question)
    assert answer.supported and _cited(answer) and clause in _cited(answer)[0], _cited(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Ở Huế, học sinh trường dân lập được hỗ trợ học phí trong mấy tháng mỗi năm học?",
        "Hue ho tro hoc phi cho hoc sinh truong tu thuc toi da bao nhieu thang moi nam hoc?",
    ],
)
def test_a_lookup_asking_a_duration_cites_the_clause_stating_it(service, question: str) -> None:
    # Clauses on who gets the support and at what rate are closer to the question; only this one states months.
    answer = answer_question(service, question)
    assert answer.supported and any("không quá 9 tháng/năm học" in quote for quote in _cited(answer)), _cited(answer)


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("Trong quá trình triển khai kế hoạch chuyển đổi số doanh nghiệp của Đồng Tháp, nếu vướng mắc thì báo cáo"
         " cơ quan nào?", "phản ánh về Sở"),
        ("If problems come up while carrying out Dong Thap's plan on digital transformation for small businesses, "
         "where should they be reported?", "phản ánh về Sở"),
        ("Tiền hỗ trợ học phí ở Huế lấy ở đâu?", "do ngân sách nhà nước bảo đảm"),
        ("Tien thuc hien chinh sach hoc phi cua Hue lay tu dau?", "do ngân sách nhà nước bảo đảm"),
    ],
)
def test_where_difficulties_are_reported_or_the_money_comes_from_is_cited_from_the_clause_saying_so(
    service, question: str, clause: str
) -> None:
    # The clause shares little but "khó khăn, vướng mắc … phản ánh" or "kinh phí … ngân sách" with the question;
    # those repeating the document's subject came first.
    answer = answer_question(service, question)
    assert answer.supported and _cited(answer) and clause in _cited(answer)[0], _cited(answer)


def _cited(answer) -> list[str]:
    """The answer's quotes, on one line each, without markup."""
    return [" ".join(c.quote.split()).replace("*", "") for c in answer.citations if not c.related]
