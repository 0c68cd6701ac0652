"""The lookups on the web documents (eval/data/web.jsonl, `vnpolicy eval --web data/web-documents`) hold
together: each gold snippet is in its document as written, and both halves cover every language."""

from __future__ import annotations

from collections import Counter

from tests.conftest import ROOT
from vnpolicy.eval.gold import WEB_SET, load_gold

WEB_DOCUMENTS = ROOT / "data" / "web-documents"


def test_every_snippet_is_in_its_web_document() -> None:
    questions = load_gold(WEB_SET)
    assert len(questions) == 232 and all(question.kind == "lookup" for question in questions)
    for question in questions:
        for snippet in question.relevant:
            assert snippet.text in (WEB_DOCUMENTS / snippet.document).read_text(encoding="utf-8"), question.id


def test_each_half_asks_in_every_language_and_the_test_half_about_every_document() -> None:
    questions = load_gold(WEB_SET)
    asked = {}
    languages_of = {"tune": {"vi": 33, "vi-nodiac": 23, "en": 24}, "test": {"vi": 46, "vi-nodiac": 35, "en": 71}}
    for split, languages in languages_of.items():
        half = [question for question in questions if question.split == split]
        assert Counter(question.lang for question in half) == languages
        asked[split] = {snippet.document for question in half for snippet in question.relevant}
    documents = {path.name for path in WEB_DOCUMENTS.glob("*.txt")}
    assert asked["test"] == documents and len(documents) == 18
    assert asked["tune"] == {name for name in documents if name < "11"}  # the later eight were never tuned on
