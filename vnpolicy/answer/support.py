"""Which candidate clauses support a question: a logistic model over the evidence's features.

The weights and the threshold are not written by hand: `python -m vnpolicy.eval.fit_support` fits them
on the tuning half of the gold questions (the threshold by cross-validation there) and writes
support_model.json, which ships with the package. A clause's confidence is the model's probability
that it supports the question; a lookup is answered by the clauses that reach the threshold. For an
aggregate question a second model (provinces.py) weighs each province from its best clauses, and a
fitted cut in that ranking decides how many the answer lists.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from vnpolicy.answer.evidence import FEATURES, Evidence
from vnpolicy.answer.provinces import PROVINCE_FEATURES, ProvinceCut, ProvinceEvidence, by_province

MODEL_PATH = Path(__file__).parent / "support_model.json"


@dataclass(frozen=True)
class SupportModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    thresholds: dict[str, float]  # by `threshold_key`
    provinces: SupportModel | None = None  # for aggregate questions: P(a province commits), see provinces.py
    cut: ProvinceCut | None = None  # the province model's: how many ranked provinces an answer keeps

    def threshold(self, intent: str, language: str) -> float:
        return self.thresholds[threshold_key(intent, language)]

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """P(supports) for rows of raw feature values in `features` order."""
        z = ((matrix - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, evidence: list[Evidence] | list[ProvinceEvidence]) -> None:
        """Set each item's confidence."""
        if not evidence:
            return
        matrix = np.array([[item.features[name] for name in self.features] for item in evidence], dtype=np.float64)
        for item, probability in zip(evidence, self.probabilities(matrix), strict=True):
            item.confidence = round(float(probability), 4)

    def to_dict(self) -> dict:
        fitted = {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "thresholds": self.thresholds,
        }
        if self.cut:
            fitted["cut"] = asdict(self.cut)
        return {**fitted, "provinces": self.provinces.to_dict()} if self.provinces else fitted

    @classmethod
    def from_dict(cls, data: dict, features: tuple[str, ...] = FEATURES) -> SupportModel:
        if tuple(data["features"]) != features:
            raise ValueError(
                f"{MODEL_PATH.name} was fitted on other features; refit: python -m vnpolicy.eval.fit_support"
            )
        provinces, cut = data.get("provinces"), data.get("cut")
        return cls(
            tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]),
            float(data["intercept"]), {key: float(value) for key, value in data["thresholds"].items()},
            cls.from_dict(provinces, PROVINCE_FEATURES) if provinces else None,
            ProvinceCut(**cut) if cut else None,
        )


def threshold_key(intent: str, language: str) -> str:
    return f"{intent}/{language}"


@lru_cache(maxsize=1)
def shipped_model() -> SupportModel:
    return SupportModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8"))["model"])


def supporting(evidence: list[Evidence], threshold: float) -> list[Evidence]:
    """The clauses at or above the threshold that state what the question asks for, most confident first."""
    found = (item for item in evidence if item.confidence >= threshold and item.states_asked)
    return sorted(found, key=lambda item: -item.confidence)


def supporting_provinces(evidence: list[Evidence], model: SupportModel, language: str) -> list[Evidence]:
    """For an aggregate question: the clauses of the provinces its cut keeps, most confident province
    first; each brings its best clause, and its others that reach the clause threshold."""
    if model.provinces is None or model.provinces.cut is None:
        return supporting(evidence, model.threshold("aggregate", language))
    provinces = by_province(evidence)
    model.provinces.score(provinces)
    ranked = sorted(provinces, key=lambda p: -p.confidence)
    accepted = ranked[: model.provinces.cut.count([p.confidence for p in ranked])]
    threshold = model.threshold("aggregate", language)
    return [item for p in accepted for item in [p.items[0], *(i for i in p.items[1:] if i.confidence >= threshold)]]
