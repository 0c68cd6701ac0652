"""A lookup asking for a figure is answered only by a clause that states one."""

from __future__ import annotations

import pytest

from vnpolicy.answer.asked import AskedFigure, asked_figure

IN_KM = AskedFigure(r"km\b|ki lo met")


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Cao tốc Tuyên Quang - Hà Giang dài bao nhiêu km?", IN_KM),
        ("cao toc tuyen quang ha giang dai bao nhieu km", IN_KM),
        ("How many kilometres of border roads are to be upgraded?", IN_KM),
        ("Tổng mức đầu tư của dự án là bao nhiêu tỷ đồng?", AskedFigure(r"ty\b|trieu\b|dong\b")),
        ("How many industrial clusters will Tuyen Quang set up?", AskedFigure()),
        ("Học sinh được hỗ trợ học phí tối đa mấy tháng?", AskedFigure(r"thang\b(?!\s*\d)")),
        ("For how many months a year is tuition supported?", AskedFigure(r"thang\b(?!\s*\d)")),
        ("Có mấy cụm công nghiệp được thành lập?", AskedFigure()),
        # no figure asked: a year, a size answered by a comparison, a topic
        ("Tuyến đường bộ ven biển dự kiến hoàn thành năm nào?", None),
        ("How large must the replacement pipe be?", None),
        ("Tỉnh nào phát triển hydro xanh?", None),
        ("Máy móc thiết bị nào được đầu tư?", None),  # "máy" (machine), folded like "mấy"
    ],
)
def test_whether_a_question_asks_for_a_figure(question: str, asked: AskedFigure | None) -> None:
    assert asked_figure(question) == asked


def test_a_figure_is_a_number_with_the_unit_asked() -> None:
    assert IN_KM.stated_in("các tuyến đường biên giới, đường tuần tra biên giới (277,7 km)")
    assert not IN_KM.stated_in("Cao tốc Tuyên Quang - Hà Giang giai đoạn 2")  # a number, but no length
    assert AskedFigure().stated_in("thành lập 05 cụm công nghiệp")
    assert not AskedFigure().stated_in("thành lập các cụm công nghiệp")
    in_months = asked_figure("Học sinh được hỗ trợ học phí tối đa mấy tháng?")
    assert in_months is not None and in_months.stated_in("Theo thời gian học thực tế và không quá 9 tháng/năm học.")
    assert not in_months.stated_in("Bãi bỏ Nghị quyết số 15/2024/NQ-HĐND ngày 16 tháng 7 năm 2024")  # a date
