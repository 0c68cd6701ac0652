"""Which candidate clauses support a question: their coverage of its key concepts."""

from __future__ import annotations

from dataclasses import dataclass

from vnpolicy.answer.question import concept_coverage
from vnpolicy.index.models import Hit

# A clause supports the question when it holds at least this share of the question's concept weight,
# and at least RELATIVE_TO_BEST of the best candidate's share (eval/answers.py shows the margins).
SUPPORT_THRESHOLD = 0.6
RELATIVE_TO_BEST = 0.6


@dataclass
class Scored:
    hit: Hit
    coverage: float  # share of the question's concept weight the clause (with its heading) contains


def with_heading(hit: Hit) -> str:
    """The clause with its heading, as read: an OCR-damaged clause is judged on its restored reading."""
    return "\n".join([*hit.trail[-1:], hit.restored_text or hit.text])


def score_candidates(hits: list[Hit], concepts: dict[str, float]) -> list[Scored]:
    """Candidates by concept coverage; the fused retrieval order (both legs' evidence) breaks ties."""
    scored = [Scored(hit, concept_coverage(concepts, with_heading(hit))) for hit in hits]
    return sorted(scored, key=lambda s: -s.coverage)  # stable: ties keep the hybrid ranking


def supporting(scored: list[Scored]) -> list[Scored]:
    """The clauses that support the question: enough of its concepts, and not far below the best.

    e5 cosines bunch together (0.75–0.91 for everything), so no fixed cosine threshold can tell an
    answer from a near miss; the question's own rare words and phrases can.
    """
    if not scored:
        return []
    floor = max(SUPPORT_THRESHOLD, RELATIVE_TO_BEST * scored[0].coverage)
    return [item for item in scored if item.coverage >= floor]
