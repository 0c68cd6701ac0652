"""The lookups on the ten web documents (eval/data/web.jsonl, `vnpolicy eval --web data/web-documents`) hold
together: each gold snippet is in its document as written, and both halves cover every language."""

from __future__ import annotations

from collections import Counter

from tests.conftest import ROOT
from vnpolicy.eval.gold import WEB_SET, load_gold

WEB_DOCUMENTS = ROOT / "data" / "web-documents"


def test_every_snippet_is_in_its_web_document() -> None:
    questions = load_gold(WEB_SET)
    assert len(questions) == 80 and all(question.kind == "lookup" for question in questions)
    for question in questions:
        for snippet in question.relevant:
            assert snippet.text in (WEB_DOCUMENTS / snippet.document).read_text(encoding="utf-8"), question.id


def test_each_half_asks_in_every_language_about_every_document() -> None:
    questions = load_gold(WEB_SET)
    for split in ("tune", "test"):
        half = [question for question in questions if question.split == split]
        assert Counter(question.lang for question in half) == {"vi": 20, "vi-nodiac": 10, "en": 10}
        assert {snippet.document for question in half for snippet in question.relevant} == {
            path.name for path in WEB_DOCUMENTS.glob("*.txt")
        }
