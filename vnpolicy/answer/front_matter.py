"""Questions about a named document itself, answered from its front matter and signature.

Such a question asks when the document was issued, who issued or signed it, its number, or what it rests on
or implements. The dateline, the issuer block, the number line, the signature block and the "Căn cứ …" /
"Thực hiện …" / "Theo đề nghị …" recitals say it. They are kept out of the search index, since they are no
body text, but they remain clauses of the document, with their offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from vnpolicy.answer.evidence import Evidence
from vnpolicy.answer.question import Question, concept_coverage
from vnpolicy.answer.spelling import spelled
from vnpolicy.index.models import SearchFilters
from vnpolicy.index.retriever import HybridRetriever, clause_hit
from vnpolicy.ingest.clauses import is_date_line, is_number_line
from vnpolicy.ingest.models import STATING_KINDS, Clause, Document
from vnpolicy.ingest.normalize import fold_diacritics

# What a question asks of the document itself (folded, lower case).
_ASKS_DATE = re.compile(
    r"\b(?:ban hanh|ky|ra doi)\s+(?:vao\s+)?(?:ngay|thoi gian|luc)\s+nao\b|\bngay\s+nao\b.*\bban hanh\b"
    r"|\bwhen\s+(?:was|is)\b.*\b(?:issued|signed)\b|\bwhat\s+date\b|\bdated\b"
)
# Dates the body states, not the dateline: when the document takes effect or applies, when a council passed it
# ("Nghị quyết này … có hiệu lực từ ngày …", "… đã được Hội đồng nhân dân tỉnh … thông qua ngày …").
_ASKS_BODY_DATE = re.compile(
    r"\b(?:hieu luc|ap dung|thi hanh|thong qua|effect|effective|apply|applies|in force|passed|adopted)\b"
)
_ASKS_SIGNER = re.compile(r"\b(?:ai|nguoi nao)\s+ky\b|\bnguoi ky\b|\bwho\s+signed\b|\bsigned\s+by\b")
_ASKS_ISSUER = re.compile(
    r"\b(?:co quan|don vi|cap)\s+nao\s+ban hanh\b|\bai\s+ban hanh\b|\bwho\s+issued\b|\bissued\s+by\b"
    r"|\bwhich\s+(?:body|authority|agency)\s+issued\b"
)
_ASKS_NUMBER = re.compile(r"\bso hieu\b|\bky hieu\b|\bwhat\s+is\s+(?:its|the)\s+(?:number|code)\b")
# The issuer block's own lines ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "TỈNH ỦY TRÀ VINH"), folded.
_ISSUER_LINE = re.compile(r"(?:UY BAN NHAN DAN|UBND|HOI DONG NHAN DAN|TINH UY|THANH UY|DANG BO|DANG UY|SO|BAN)\b")
# "căn cứ" asked as the document's basis ("căn cứ vào văn bản nào", "những căn cứ"), not as any ground ("mức học
# phí có được dùng làm căn cứ để …").
_ASKS_BASIS = re.compile(
    r"\bcan cu\s+(?:vao\s+|theo\s+)?(?:(?:van ban|luat|nghi dinh|nghi quyet|quyet dinh|thong tu)\s+)?(?:nao|gi)\b"
    r"|\b(?:nhung|cac)\s+can cu\b|\btheo de nghi\b|\bto trinh\b|\bco so phap ly\b"
    r"|\b(?:thuc hien|trien khai)\s+(?:van ban|ke hoach|nghi quyet|ket luan|chi thi|chuong trinh|nghi dinh"
    r"|quyet dinh|luat|thong tu)\s+(?:so\s+)?(?:nao|may)\b"
    r"|\b(?:legal\s+basis|based\s+on|on\s+the\s+basis|proposed\s+by|on\s+whose\s+proposal|submission)\b"
    r"|\bimplements?\s+(?:which|what)\b"
)
# Who carries out or supervises the named resolution, decision or directive itself ("HĐND giao cơ quan nào tổ
# chức triển khai nghị quyết …?", "Những ai giám sát việc thực hiện nghị quyết …?", "Which body is in charge of
# carrying out its resolution?"): its article on implementation says so, in clauses that assign ("1. Giao Ủy
# ban nhân dân tỉnh tổ chức triển khai thực hiện Nghị quyết. 2. Giao Thường trực Hội đồng nhân dân … giám sát
# việc thực hiện Nghị quyết.") and share few words with a question naming the document by its subject.
_ASKS_WHO = re.compile(
    r"\b(?:ai|co quan nao|don vi nao|cap nao)\b|\bgiao\s+(?:cho\s+)?(?:ai|co quan|don vi|cap)\b"  # not "giáo"
    r"|\b(?:who|which\s+(?:body|bodies|agency|agencies|authority|authorities|office|offices|department|level))\b"
)
_ASKS_IMPLEMENTING = re.compile(
    r"\b(?:thuc hien|thi hanh|trien khai)\s+(?:nghi quyet|quyet dinh|chi thi)\b"
    r"|\b(?:carry(?:ing)?\s+out|implement\w*|execut\w*|enforc\w*)\s+(?:of\s+)?(?:[\w'-]+\s+){0,4}?"
    r"(?:resolution|decision|directive)\b"
)
_ASKS_SUPERVISING = re.compile(r"\bgiam sat\b|\bsupervis\w*|\boversee\w*|\bmonitor\w*")
_IMPLEMENTATION_HEADING = re.compile(r"\bto chuc thuc hien\b|\bthi hanh\b", re.I)
_ASSIGNING = re.compile(r"^\W*(?:\d+\.\s*)?giao\b|\bchiu trach nhiem thi hanh\b", re.I)
MAX_RECITALS = 2
# Read from the document's own front matter, not weighed by the support model.
FRONT_MATTER_CONFIDENCE = 1.0


def front_matter_evidence(question: Question, retriever: HybridRetriever, filters: SearchFilters) -> list[Evidence]:
    """For a lookup that names one document and asks when it was issued, who signed or issued it, its number,
    who carries it out or supervises it, or what it rests on or implements: the clauses that say so. These are
    its dateline, signature block, issuer block or number line, the clauses of its article on implementation
    that assign it, or the recitals that spell the most of the question's concepts. Otherwise nothing, and the
    question is answered from the body."""
    if question.intent != "lookup" or len(question.documents) != 1:
        return []
    document = retriever.table.documents[question.documents[0]]
    if filters.document_id not in (None, "", document.id):
        return []  # the caller filtered to another document
    asked = fold_diacritics(question.query.search_text).lower()
    if _ASKS_DATE.search(asked) and not _ASKS_BODY_DATE.search(asked):
        chosen = _first_header(document, is_date_line)
    elif _ASKS_SIGNER.search(asked):
        chosen = [c for c in document.clauses if c.kind == "signature"]
    elif _ASKS_ISSUER.search(asked):
        chosen = _first_header(document, lambda folded: bool(_ISSUER_LINE.match(folded)))
    elif _ASKS_NUMBER.search(asked):
        chosen = _first_header(document, is_number_line)
    elif _ASKS_WHO.search(asked) and _ASKS_IMPLEMENTING.search(asked):
        chosen = _assigning(document, supervising=bool(_ASKS_SUPERVISING.search(asked)))
    elif _ASKS_BASIS.search(asked):
        chosen = _recitals_covering(question, [c for c in document.clauses if c.kind == "recital"])[:MAX_RECITALS]
    else:
        return []
    return [Evidence(clause_hit(clause, document, 1.0, {}), {}, FRONT_MATTER_CONFIDENCE) for clause in chosen]


def _first_header(document: Document, is_line: Callable[[str], bool]) -> list[Clause]:
    """The first header clause whose folded text `is_line` accepts, as a list of none or one."""
    return next(([c] for c in document.clauses if c.kind == "header" and is_line(fold_diacritics(c.text))), [])


def _assigning(document: Document, supervising: bool) -> list[Clause]:
    """The clauses of the document's article on implementation that assign it: those assigning its supervision
    when `supervising`, else the others (or all of them, when every one speaks of supervision)."""
    assigning = [
        clause for clause in document.clauses
        if clause.kind in STATING_KINDS and _ASSIGNING.search(fold_diacritics(clause.text))
        and any(_IMPLEMENTATION_HEADING.search(fold_diacritics(heading)) for heading in clause.trail)
    ]
    asked = [c for c in assigning if ("giam sat" in fold_diacritics(c.text).lower()) == supervising]
    return asked or assigning


def _recitals_covering(question: Question, recitals: list[Clause]) -> list[Clause]:
    """The recitals that spell any of the question's concepts, those spelling the most first."""
    covered = [(concept_coverage(question.concepts, spelled(c.restored_text or c.text)), c) for c in recitals]
    return [clause for coverage, clause in sorted(covered, key=lambda pair: -pair[0]) if coverage > 0]
