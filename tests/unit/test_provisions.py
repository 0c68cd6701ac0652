"""Which questions ask for a provision on carrying a document out by its role (where difficulties are
reported, where the money comes from), and which clauses state it: over the real web documents, parsed (no
model needed)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from vnpolicy.answer.provisions import PROVISIONS, clauses_stating
from vnpolicy.ingest.normalize import fold_diacritics
from vnpolicy.ingest.pipeline import parse_path

WEB = ROOT / "data" / "web-documents"
REPORTING, FUNDING = PROVISIONS


@pytest.mark.parametrize(
    ("question", "provision"),
    [
        ("Nếu gặp vướng mắc khi thực hiện kế hoạch thì phản ánh về đâu?", REPORTING),
        ("neu co kho khan thi bao cao co quan nao", REPORTING),
        ("Where should problems met in carrying out the plan be reported?", REPORTING),
        ("Which department should agencies contact about difficulties with the regulation?", REPORTING),
        ("Kinh phí thực hiện kế hoạch lấy từ nguồn nào?", FUNDING),
        ("tien ho tro hoc phi lay o dau", FUNDING),
        ("Where does the money for the preschool support come from?", FUNDING),
        ("Which budget pays the monthly allowances?", FUNDING),
        # Trouble that a plan sets out to remove, reporting without trouble, a sum asked: other questions.
        ("Tỉnh nào tháo gỡ khó khăn, vướng mắc cho các dự án?", None),
        ("Sở nào báo cáo kết quả thực hiện kế hoạch?", None),
        ("Which provinces report on difficulties of businesses?", None),
        ("Tổng kinh phí của dự án là bao nhiêu?", None),
        ("How much money does the plan set aside for roads?", None),
        ("Dự án ở đâu được ngân sách hỗ trợ?", None),
    ],
)
def test_a_question_asking_for_a_provision_by_its_role(question: str, provision) -> None:
    folded = fold_diacritics(question).lower()
    assert next((p for p in PROVISIONS if p.asked.search(folded)), None) is provision


@pytest.mark.parametrize(
    ("name", "provision", "says"),
    [
        ("06_dongthap_kh617_chuyendoiso_dn.txt", REPORTING, "phản ánh về Sở Khoa học và Công nghệ"),
        ("01_thainguyen_qd26_quyche_tongiao.txt", REPORTING, "phản ánh về Sở Dân tộc và Tôn giáo"),
        ("18_hcm_cv4085_sonha.txt", REPORTING, "vướng mắc trong quá trình thực hiện"),
        ("03_vinhlong_nq21_hdnd_hotro_mamnon.txt", FUNDING, "Nguồn kinh phí: Sử dụng ngân sách địa phương"),
        ("07_nghean_kh980_phongthudansu.txt", FUNDING, "bố trí trong dự toán chi ngân sách hàng năm"),
    ],
)
def test_the_clause_stating_a_provision_is_found_alone(name: str, provision, says: str) -> None:
    document = parse_path(WEB / name)
    found = clauses_stating(provision, document)
    assert len(found) == 1 and says in " ".join(found[0].text.split()), [c.text for c in found]
