"""The province-level decision for "which provinces…" questions.

Deciding clause by clause lets one borderline clause add a province, and one clause just under the
threshold drop it. A province is judged instead on its candidates together and against the other
provinces: its best clause's confidence (as a logit), how far that falls behind the best province's (as
a difference of probabilities: on logits one near-certain province pushed every other one out), and
whether any of its candidates spells the question's weightiest concept as one phrase. A second logistic
model (fitted on the tuning half like the clause model, see eval/fit_support.py) turns these into P(the
province commits to it). (Its second-best clause and its best concept coverage, dense and lexical scores
were measured as features too, and left out.)

Which provinces an answer lists is then one cut in that ranking, not a threshold on each province alone:
what a near-certain "yes" looks like differs from question to question (a topic most plans mention
lifts every province; a rare one leaves the second province at 0.6 however sure its clause is). The cut
(`ProvinceCut`) is where the last province kept is likely and the first one left out is not, weighed by
two fitted weights (also on the tuning half, over out-of-fold confidences).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vnpolicy.answer.evidence import Evidence

PROVINCE_FEATURES = (
    "best_logit", "best_gap", "key_concept",
)


@dataclass(frozen=True)
class ProvinceCut:
    """How many of a question's provinces, ranked by confidence, the answer keeps: the count k that
    maximises `kept * p_k + next * p_(k+1)`, where p_0 = 1 (keeping none) and p_(n+1) = 0."""

    kept: float  # weight of the confidence of the last province kept
    next: float  # weight of the confidence of the first province left out (negative)

    def count(self, confidences: list[float]) -> int:
        scores = [self.kept * kept + self.next * following for kept, following in cut_points(confidences)]
        return max(range(len(scores)), key=scores.__getitem__)


def cut_points(confidences: list[float]) -> list[tuple[float, float]]:
    """For each count k = 0 … n of provinces kept, (p_k, p_(k+1)) over the confidences ranked, with p_0 = 1
    (keeping none) and p_(n+1) = 0: what `ProvinceCut` weighs, and what eval/fit_support.py fits it on."""
    ranked = [1.0, *sorted(confidences, reverse=True), 0.0]
    return list(zip(ranked, ranked[1:], strict=False))


@dataclass
class ProvinceEvidence:
    name: str
    items: list[Evidence]  # its candidates, most confident first
    features: dict[str, float]
    confidence: float = 0.0  # set by the province model


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log(probability / (1 - probability))


def by_province(evidence: list[Evidence]) -> list[ProvinceEvidence]:
    """Scored clause evidence grouped by province, with the province's features."""
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(item.hit.province or "?", []).append(item)
    if not groups:
        return []
    top = max(item.confidence for item in evidence)
    provinces = []
    for name, items in groups.items():
        items = sorted(items, key=lambda item: -item.confidence)
        features = {
            "best_logit": _logit(items[0].confidence),
            "best_gap": items[0].confidence - top,
            "key_concept": max(item.features["rarest_spelled"] for item in items),
        }
        provinces.append(ProvinceEvidence(name, items, features))
    return provinces
