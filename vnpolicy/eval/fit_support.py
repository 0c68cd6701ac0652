"""Fit the support model on the TUNING half of the gold questions and write answer/support_model.json.

    python -m vnpolicy.eval.fit_support [--home DIR]

Each question's candidate clauses (`evidence.gather`, per province) are labelled from the gold set: a
clause containing a gold snippet supports its question; every clause of an unanswerable question, and
every clause of a province outside an aggregate question's gold set or outside a lookup's gold documents,
does not; other clauses are left out (they may well support it without being the annotated one). A
logistic regression (L2, standardised features) is fitted on them. The threshold is chosen by 5-fold
cross-validation over question families on the tuning half: fit on four folds, score the fifth, and
take, for each kind of question (aggregate or lookup, Vietnamese or English), the threshold that makes
the best answers over its out-of-fold scores. Test-half questions are
dropped before anything is computed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from vnpolicy.answer.compose import MAX_LOOKUP_CLAUSES
from vnpolicy.answer.evidence import FEATURES, Evidence, effective_filters, gather
from vnpolicy.answer.question import analyse
from vnpolicy.answer.support import MODEL_PATH, SupportModel, supporting, threshold_key
from vnpolicy.eval.gold import SAMPLE, GoldQuestion, RetrievedUnit, contains_snippet, load_answer_set

L2 = 1.0
FOLDS = 5
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)


@dataclass
class Example:
    question: GoldQuestion
    kind: str  # its threshold key: the intent and language the answer reads from it
    evidence: list[Evidence]
    labels: list[int | None]


def is_gold_clause(question: GoldQuestion, item: Evidence) -> bool:
    unit = RetrievedUnit(item.hit.source_name, item.hit.text)
    return any(contains_snippet(unit, snippet) for snippet in question.relevant)


def label(question: GoldQuestion, item: Evidence) -> int | None:
    if question.kind == "unanswerable":
        return 0
    if is_gold_clause(question, item):
        return 1
    if question.kind == "aggregate":
        return 0 if item.hit.province not in question.provinces else None
    documents = {snippet.document for snippet in question.relevant}
    return 0 if item.hit.source_name not in documents else None


def examples(service, questions: Sequence[GoldQuestion]) -> list[Example]:
    """The tuning-half questions' evidence and labels (questions a rule answers before any evidence, such
    as a province with no indexed document, have none)."""
    found = []
    for question in questions:
        if question.split != "tune":
            continue
        analysed = analyse(question.question, service.retriever)
        filters = effective_filters(analysed, None)
        evidence = [] if analysed.about_unindexed_places else gather(analysed, service.retriever, filters)
        kind = threshold_key(analysed.intent, analysed.language)
        found.append(Example(question, kind, evidence, [label(question, item) for item in evidence]))
    return found


def fit_logistic(
    matrix: np.ndarray, labels: np.ndarray, l2: float = L2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of an L2-regularised logistic regression on standardised features."""
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    x = (matrix - mean) / scale
    weights = np.where(labels == 1, 0.5 / max(labels.mean(), 1e-9), 0.5 / max(1 - labels.mean(), 1e-9))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ params[:-1] + params[-1]
        p = 1 / (1 + np.exp(-z))
        eps = 1e-12
        value = -np.sum(weights * (labels * np.log(p + eps) + (1 - labels) * np.log(1 - p + eps))) / len(labels)
        value += 0.5 * l2 * float(params[:-1] @ params[:-1]) / len(labels)
        error = weights * (p - labels) / len(labels)
        gradient = np.append(x.T @ error + l2 * params[:-1] / len(labels), error.sum())
        return value, gradient

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return mean, scale, result.x[:-1], float(result.x[-1])


def fit_model(items: Sequence[Example], thresholds: dict[str, float] | None = None) -> SupportModel:
    rows = [(e.features, y) for ex in items for e, y in zip(ex.evidence, ex.labels, strict=True) if y is not None]
    matrix = np.array([[features[name] for name in FEATURES] for features, _ in rows], dtype=np.float64)
    labels = np.array([y for _, y in rows], dtype=np.float64)
    mean, scale, coef, intercept = fit_logistic(matrix, labels)
    return SupportModel(FEATURES, mean, scale, coef, intercept, thresholds or {})


def outcomes(example: Example, threshold: float) -> dict[str, bool]:
    """What answering would give with the evidence's confidences and this threshold (as compose does)."""
    question = example.question
    supported = supporting(example.evidence, threshold)
    if question.kind == "unanswerable":
        return {"refused": not supported}
    result = {"answered": bool(supported)}
    if question.kind == "aggregate":
        result["exact_set"] = {item.hit.province for item in supported} == set(question.provinces)
    else:
        result["gold_quote"] = any(is_gold_clause(question, item) for item in supported[:MAX_LOOKUP_CLAUSES])
    return result


def objective(items: Sequence[Example], threshold: float) -> float:
    """The mean of the four answer rates the targets are about."""
    rates: dict[str, list[bool]] = {}
    for example in items:
        for name, value in outcomes(example, threshold).items():
            rates.setdefault(name, []).append(value)
    return float(np.mean([np.mean(values) for values in rates.values()]))


def folds(items: Sequence[Example], count: int = FOLDS) -> list[list[int]]:
    """Question indices in `count` folds; one question family (a question and its translations) per fold,
    assigned in order of first appearance so the folds do not depend on anything outside the tuning half."""
    groups: dict[str, int] = {}
    assignment = []
    for example in items:
        group = example.question.group
        groups.setdefault(group, len(groups) % count)
        assignment.append(groups[group])
    return [[i for i, fold in enumerate(assignment) if fold == k] for k in range(count)]


def cross_validated_thresholds(items: list[Example]) -> tuple[dict[str, float], dict[str, float]]:
    """(threshold, its out-of-fold objective) per kind of question: models fitted on four folds score the fifth."""
    scored = [
        Example(ex.question, ex.kind, [Evidence(e.hit, e.features) for e in ex.evidence], ex.labels) for ex in items
    ]
    for held_out in folds(items):
        training = [items[i] for i in range(len(items)) if i not in set(held_out)]
        model = fit_model(training)
        for i in held_out:
            model.score(scored[i].evidence)
    thresholds, objectives = {}, {}
    for kind in sorted({ex.kind for ex in scored}):
        members = [ex for ex in scored if ex.kind == kind]
        values = [objective(members, threshold) for threshold in THRESHOLDS]
        best = max(values)
        plateau = [t for t, v in zip(THRESHOLDS, values, strict=True) if v == best]
        thresholds[kind] = float(plateau[len(plateau) // 2])  # the middle of the best plateau: farthest from its edges
        objectives[kind] = round(best, 4)
    return thresholds, objectives


def fit(service, questions: Sequence[GoldQuestion]) -> tuple[SupportModel, dict]:
    """The support model fitted on the tuning half of `questions`, and a summary of the fit."""
    items = examples(service, questions)
    thresholds, cv_objectives = cross_validated_thresholds(items)
    model = fit_model(items, thresholds)
    labelled = [y for ex in items for y in ex.labels if y is not None]
    summary = {
        "questions": len(items), "clauses": len(labelled), "positives": int(sum(labelled)),
        "cv_folds": FOLDS, "cv_objective": cv_objectives, "thresholds": thresholds,
    }
    return model, summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="data directory with the embedding model (default: VNPOLICY_HOME)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    from vnpolicy.api.service import VnPolicy

    service = VnPolicy(args.home)
    service.ingest([SAMPLE])
    model, summary = fit(service, load_answer_set())
    args.out.write_text(json.dumps({"fitted_on": summary, "model": model.to_dict()}, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary), file=sys.stderr)
    for name, weight in zip(model.features, model.coef, strict=True):
        print(f"  {name:<22}{weight:+.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
