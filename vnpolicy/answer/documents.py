"""The documents a question names by their number: "Nghị quyết 34", "nq 34", "Kế hoạch số 134/KH-UBND",
"Decision 223". A lookup naming one indexed document is searched within it (`evidence.effective_filters`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from vnpolicy.ingest.metadata import CODE, normalise_code
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.normalize import folded_form

# A type word, folded (Vietnamese, its abbreviation in a code, or English), and the type it names.
_TYPE_WORDS = {
    "nghi quyet": "Nghị quyết", "nq": "Nghị quyết", "resolution": "Nghị quyết",
    "ke hoach": "Kế hoạch", "kh": "Kế hoạch", "plan": "Kế hoạch",
    "quyet dinh": "Quyết định", "qd": "Quyết định", "decision": "Quyết định",
    "chuong trinh": "Chương trình", "ctr": "Chương trình", "programme": "Chương trình", "program": "Chương trình",
    "chi thi": "Chỉ thị", "ct": "Chỉ thị", "directive": "Chỉ thị",
    "ket luan": "Kết luận", "kl": "Kết luận", "conclusion": "Kết luận",
}
# "kế hoạch 5 năm" is a five-year plan, not plan number 5.
_TYPE_AND_NUMBER = re.compile(
    rf"\b({'|'.join(_TYPE_WORDS)})\.?\s+(?:so\s+|no\.?\s*|number\s+)?(\d{{1,5}})\b(?!\s+(?:nam|years?)\b)"
)
_LEADING_NUMBER = re.compile(r"\d+")


def named_documents(text: str, documents: Iterable[Document]) -> list[str]:
    """Ids of the documents the text names: by a full code ("134/KH-UBND", "34-nq/tu"), or by a type word
    and the number its code begins with ("Nghị quyết 34", "nq 34", "plan 134"). A full code names only the
    document with that code: "Nghị quyết 57-NQ/TW" (the Politburo's) is not Hà Nội's 57/2025/NQ-HĐND."""
    documents = [d for d in documents if d.meta.number.value]
    by_code = {d.meta.number.value.upper(): d.id for d in documents}
    typed = text.upper()  # a code typed in lower case is still a code
    named = [by_code[code] for m in CODE.finditer(typed) if (code := normalise_code(m[0])) in by_code]
    for match in _TYPE_AND_NUMBER.finditer(folded_form(CODE.sub(" ", typed))):
        kind, number = _TYPE_WORDS[match[1]], match[2]
        named += [
            d.id for d in documents
            if d.meta.doc_type.value == kind and _LEADING_NUMBER.match(d.meta.number.value)[0] == number
        ]
    return list(dict.fromkeys(named))
