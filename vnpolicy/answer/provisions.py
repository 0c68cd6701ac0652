"""Standard provisions on carrying a document out, asked for by their role: where difficulties met are to be
reported, and where the money comes from.

"Khi gặp khó khăn trong thực hiện kế hoạch …, các cơ quan phản ánh về đâu?", "Where does the money for Vinh
Long's preschool support come from?": the clause saying so ("Trong quá trình thực hiện, nếu có khó khăn, vướng
mắc, các cơ quan … phản ánh về Sở …", "Nguồn kinh phí: Sử dụng ngân sách địa phương …") shares little but those
words with the question, and the clauses repeating the document's subject rank first. The question is about
the document it names, else about the document of its most confident candidate clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vnpolicy.answer.evidence import Evidence
from vnpolicy.answer.question import Question
from vnpolicy.index.retriever import HybridRetriever, clause_hit
from vnpolicy.ingest.models import STATING_KINDS, Clause, Document
from vnpolicy.ingest.normalize import fold_diacritics

_TROUBLE = r"(?:kho khan|vuong mac|bat cap|(?:chua|khong) phu hop)"
_ENGLISH_TROUBLE = r"(?:problems?|difficult(?:y|ies)|obstacles?|snags?|unsuitable|hurdles?)"


@dataclass(frozen=True)
class Provision:
    asked: re.Pattern[str]  # of the folded question, in lower case
    stated: re.Pattern[str]  # of the folded clause, on one line


PROVISIONS = (
    # Where difficulties are reported; asked in any order: trouble, reporting it, and where or to whom. Stated
    # as "nếu có / trường hợp có / khi gặp … khó khăn, vướng mắc …, … phản ánh / báo cáo / liên hệ …".
    Provision(
        re.compile(
            rf"(?=.*\b{_TROUBLE}\b)(?=.*\b(?:phan anh|bao cao|lien he|gui|kien nghi)\b)"
            r"(?=.*\b(?:ve dau|o dau|cho ai|voi ai|(?:co quan|don vi|so|noi) nao)\b)"
            rf"|(?=.*\b{_ENGLISH_TROUBLE}\b)(?=.*\b(?:where|whom|which\s+(?:body|agency|department|office))\b)"
            r"(?=.*\b(?:report|send|rais|refer|submit|contact|feedback)\w*)"
        ),
        re.compile(
            rf"\b(?:neu|truong hop|khi)\s+(?:co|phat sinh|gap)\b[^.;]{{0,80}}?\b{_TROUBLE}\b[^.;]*"
            r"\b(?:phan anh|bao cao|lien he|gui|kien nghi)\b",
            re.I,
        ),
    ),
    # Where the money comes from: "kinh phí … từ đâu / nguồn nào", "where does the money … come from", "which
    # budget pays". Stated as "kinh phí … do / từ / bố trí trong … ngân sách / nguồn vốn" or "Nguồn kinh phí: …".
    Provision(
        re.compile(
            r"(?=.*\b(?:kinh phi|tien|nguon von|ngan sach|chi phi)\b)"
            r"(?=.*\b(?:tu dau|lay o dau|nguon nao|tu nguon|ngan sach nao|ai chi)\b)"
            r"|(?=.*\b(?:money|funds?|funding|budget|paid|pays?|financ\w*|costs?)\b)"
            r"(?=.*\b(?:come|comes|coming)\s+from\b|.*\bwhich\s+budgets?\b|.*\bwho\s+pays\b|.*\bsources?\s+of\b)"
        ),
        re.compile(
            r"\bkinh phi\b[^.;]{0,150}?\b(?:do|tu|bang|su dung|bo tri|dam bao|trich|chi)\b[^.;]{0,80}?"
            r"\b(?:ngan sach|nguon von|von)\b|\bnguon kinh phi\b[^.;]{0,40}:",
            re.I,
        ),
    ),
)
MAX_PROVISION_CLAUSES = 2


def asked_provision(question: Question) -> Provision | None:
    """The provision a lookup asks for by its role, if any."""
    if question.intent != "lookup":
        return None
    asked = fold_diacritics(question.query.search_text).lower()
    return next((provision for provision in PROVISIONS if provision.asked.search(asked)), None)


def provision_evidence(question: Question, evidence: list[Evidence], retriever: HybridRetriever) -> list[Evidence]:
    """For a lookup asking for a provision by its role: the clauses of the document it is about that state it
    (the nearest to the question first), each with the confidence of the candidate that chose the document;
    else nothing."""
    provision = asked_provision(question)
    if not evidence or provision is None:
        return []
    best = max(evidence, key=lambda item: item.confidence)
    document = retriever.table.documents.get(
        question.documents[0] if len(question.documents) == 1 else best.hit.document_id
    )
    if document is None:
        return []
    stating = clauses_stating(provision, document)
    indexed = [c for c in stating if c.id in retriever.table.row_of]
    cosines = retriever.window_cosines(question.query, [retriever.table.row_of[c.id] for c in indexed])
    nearness = {c.id: float(cosine) for c, cosine in zip(indexed, cosines, strict=True)}
    stating.sort(key=lambda c: -nearness.get(c.id, -1.0))
    return [
        Evidence(clause_hit(clause, document, best.hit.score, {}), {}, best.confidence)
        for clause in stating[:MAX_PROVISION_CLAUSES]
    ]


def clauses_stating(provision: Provision, document: Document) -> list[Clause]:
    """The document's body clauses stating the provision, in their order."""
    return [c for c in document.clauses if c.kind in STATING_KINDS and provision.stated.search(_flat(c))]


def _flat(clause: Clause) -> str:
    """The clause's text folded, on one line: its sentences are often wrapped."""
    return " ".join(fold_diacritics(clause.restored_text or clause.text).split())
