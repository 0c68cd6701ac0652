"""Where difficulties met in carrying a document out are to be reported.

"Khi gặp khó khăn trong thực hiện kế hoạch …, các cơ quan phản ánh về đâu?", "Where should agencies send
feedback if some provision turns out to be unsuitable?": the document's clause saying so ("Trong quá trình
thực hiện, nếu có khó khăn, vướng mắc, các cơ quan … phản ánh về Sở …") shares little but those words with
the question, and the clauses repeating the document's subject rank first. The question is about the
document it names, else about the document of its most confident candidate clause.
"""

from __future__ import annotations

import re

from vnpolicy.answer.evidence import Evidence
from vnpolicy.answer.question import Question
from vnpolicy.index.retriever import ClauseTable, clause_hit
from vnpolicy.ingest.models import Clause
from vnpolicy.ingest.normalize import fold_diacritics

_TROUBLE = r"(?:kho khan|vuong mac|bat cap|(?:chua|khong) phu hop)"
_ENGLISH_TROUBLE = r"(?:problems?|difficult(?:y|ies)|obstacles?|snags?|unsuitable|hurdles?)"
# Asked of the folded question, in any order: trouble, reporting it, and where or to whom.
_ASKS_WHERE_TO_REPORT = re.compile(
    rf"(?=.*\b{_TROUBLE}\b)(?=.*\b(?:phan anh|bao cao|lien he|gui|kien nghi)\b)"
    r"(?=.*\b(?:ve dau|o dau|cho ai|voi ai|(?:co quan|don vi|so|noi) nao)\b)"
    rf"|(?=.*\b{_ENGLISH_TROUBLE}\b)(?=.*\b(?:where|whom|which\s+(?:body|agency|department|office))\b)"
    r"(?=.*\b(?:report|send|rais|refer|submit|contact|feedback)\w*)"
)
# The clause: "nếu có / trường hợp có / khi gặp … khó khăn, vướng mắc …, … phản ánh / báo cáo / liên hệ …".
_REPORTING_TROUBLE = re.compile(
    rf"\b(?:neu|truong hop|khi)\s+(?:co|phat sinh|gap)\b[^.;]{{0,80}}?\b{_TROUBLE}\b[^.;]*"
    r"\b(?:phan anh|bao cao|lien he|gui|kien nghi)\b",
    re.I,
)
_BODY_KINDS = ("item", "paragraph", "bullet")


def asks_where_to_report(question: Question) -> bool:
    return question.intent == "lookup" and bool(
        _ASKS_WHERE_TO_REPORT.search(fold_diacritics(question.query.search_text).lower())
    )


def reporting_evidence(question: Question, evidence: list[Evidence], table: ClauseTable) -> list[Evidence]:
    """For a lookup asking where difficulties in carrying a document out are reported: that document's clauses
    saying so, each with the confidence of the candidate that chose the document; else nothing."""
    if not evidence or not asks_where_to_report(question):
        return []
    best = max(evidence, key=lambda item: item.confidence)
    document_id = question.documents[0] if len(question.documents) == 1 else best.hit.document_id
    document = table.documents.get(document_id)
    if document is None:
        return []
    return [
        Evidence(clause_hit(clause, document, best.hit.score, {}), {}, best.confidence)
        for clause in document.clauses if clause.kind in _BODY_KINDS and _REPORTING_TROUBLE.search(_flat(clause))
    ]


def _flat(clause: Clause) -> str:
    """The clause's text folded, on one line: its sentences are often wrapped."""
    return " ".join(fold_diacritics(clause.restored_text or clause.text).split())
