"""Which questions ask where difficulties in carrying a document out are reported, and which clauses say so:
over the real web documents, parsed (no model needed)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from vnpolicy.answer.reporting import _ASKS_WHERE_TO_REPORT, _BODY_KINDS, _REPORTING_TROUBLE, _flat
from vnpolicy.ingest.normalize import fold_diacritics
from vnpolicy.ingest.pipeline import parse_path

WEB = ROOT / "data" / "web-documents"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Nếu gặp vướng mắc khi thực hiện kế hoạch thì phản ánh về đâu?", True),
        ("neu co kho khan thi bao cao co quan nao", True),
        ("Where should problems met in carrying out the plan be reported?", True),
        ("Which department should agencies contact about difficulties with the regulation?", True),
        # Trouble that a plan sets out to remove, and reporting without trouble, are other questions.
        ("Tỉnh nào tháo gỡ khó khăn, vướng mắc cho các dự án?", False),
        ("Sở nào báo cáo kết quả thực hiện kế hoạch?", False),
        ("Which provinces report on difficulties of businesses?", False),
    ],
)
def test_a_question_asking_where_difficulties_are_reported(question: str, asks: bool) -> None:
    assert bool(_ASKS_WHERE_TO_REPORT.search(fold_diacritics(question).lower())) is asks


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("06_dongthap_kh617_chuyendoiso_dn.txt", "phản ánh về Sở Khoa học và Công nghệ"),
        ("01_thainguyen_qd26_quyche_tongiao.txt", "phản ánh về Sở Dân tộc và Tôn giáo"),
        ("18_hcm_cv4085_sonha.txt", "vướng mắc trong quá trình thực hiện"),
    ],
)
def test_the_clause_saying_where_difficulties_are_reported_is_found_alone(name: str, says: str) -> None:
    document = parse_path(WEB / name)
    found = [c for c in document.clauses if c.kind in _BODY_KINDS and _REPORTING_TROUBLE.search(_flat(c))]
    assert len(found) == 1 and says in " ".join(found[0].text.split()), [c.text for c in found]
