"""Fit the support model on the TUNING half of the gold questions and write answer/support_model.json.

    python -m vnpolicy.eval.fit_support [--home DIR]
    python -m vnpolicy.eval.fit_support --nested [--partitions N] [--home DIR]   # judge a change; writes nothing

Each question's candidate clauses (`evidence.gather`, per province) are labelled from the gold set: a
clause containing a gold snippet supports its question; every clause of an unanswerable question, and
every clause of a province outside an aggregate question's gold set or outside a lookup's gold documents,
does not; other clauses are left out (they may well support it without being the annotated one). A
logistic regression (L2, standardised features) is fitted on them. The threshold is chosen by 5-fold
cross-validation over question families on the tuning half: fit on four folds, score the fifth, and
take, for each kind of question (aggregate or lookup, Vietnamese or English), the threshold that makes
the best answers over its out-of-fold scores. The province model of aggregate questions
(answer/provinces.py) is fitted on the provinces of the aggregate-intent questions, from their clauses'
out-of-fold confidences, and its cut (how many ranked provinces an answer keeps) on the provinces'
out-of-fold confidences. Test-half
questions are dropped before anything is computed. `--nested` prints how many tuning questions are
answered right when the thresholds too are chosen without their fold (`nested_outcomes`); with
`--partitions N`, the mean over N partitions into folds, as one partition's figure moves by several questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from vnpolicy.answer.compose import MAX_LOOKUP_CLAUSES
from vnpolicy.answer.evidence import FEATURES, Evidence, effective_filters, gather
from vnpolicy.answer.provinces import PROVINCE_FEATURES, ProvinceCut, ProvinceEvidence, by_province, cut_points
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
    return _fit_rows(rows, FEATURES, thresholds)


def _fit_rows(
    rows: Sequence[tuple[dict[str, float], int]], features: tuple[str, ...], thresholds: dict[str, float] | None
) -> SupportModel:
    matrix = np.array([[values[name] for name in features] for values, _ in rows], dtype=np.float64)
    labels = np.array([y for _, y in rows], dtype=np.float64)
    mean, scale, coef, intercept = fit_logistic(matrix, labels)
    return SupportModel(features, mean, scale, coef, intercept, thresholds or {})


def outcomes(example: Example, supported: list[Evidence]) -> dict[str, bool]:
    """What answering would give with these supporting clauses (as compose does)."""
    question = example.question
    if question.kind == "unanswerable":
        return {"refused": not supported}
    result = {"answered": bool(supported)}
    if question.kind == "aggregate":
        result["exact_set"] = {item.hit.province for item in supported} == set(question.provinces)
    else:
        result["gold_quote"] = any(is_gold_clause(question, item) for item in supported[:MAX_LOOKUP_CLAUSES])
    return result


def objective(items: Sequence[Example], answer: Callable[[Example], list[Evidence]]) -> float:
    """The share of questions answered right (every outcome the targets are about, see `outcomes`), answering
    each example with `answer`. Per question, not per rate: one "which provinces" question whose wording
    reads as a lookup must not weigh as much as all the lookups of its kind together."""
    return float(np.mean([all(outcomes(example, answer(example)).values()) for example in items]))


def folds(items: Sequence[Example], count: int = FOLDS, partition: int = 0) -> list[list[int]]:
    """Question indices in `count` folds; one question family (a question and its translations) per fold,
    assigned in order of first appearance so the folds do not depend on anything outside the tuning half.
    Another `partition` assigns the families by a hash of their name and the partition's number instead:
    the nested estimate moves by several questions from one partition to another (see `main`)."""
    groups: dict[str, int] = {}
    assignment = []
    for example in items:
        group = example.question.group
        if partition:
            digest = hashlib.sha256(f"{partition}:{group}".encode()).digest()
            groups.setdefault(group, int.from_bytes(digest[:4], "big") % count)
        else:
            groups.setdefault(group, len(groups) % count)
        assignment.append(groups[group])
    return [[i for i, fold in enumerate(assignment) if fold == k] for k in range(count)]


def _best_threshold(members: Sequence[Example], answer_at: Callable[[Example, float], list[Evidence]]) -> tuple:
    """(threshold, objective): the middle of the best plateau, farthest from its edges."""
    values = [objective(members, lambda ex, t=threshold: answer_at(ex, t)) for threshold in THRESHOLDS]
    best = max(values)
    plateau = [t for t, v in zip(THRESHOLDS, values, strict=True) if v == best]
    return float(plateau[len(plateau) // 2]), round(best, 4)


def out_of_fold(items: list[Example], partition: int = 0) -> list[Example]:
    """Copies of the examples whose clauses carry confidences from models fitted on the other folds."""
    scored = [
        Example(ex.question, ex.kind, [Evidence(e.hit, e.features) for e in ex.evidence], ex.labels) for ex in items
    ]
    for held_out in folds(items, partition=partition):
        model = fit_model([items[i] for i in range(len(items)) if i not in set(held_out)])
        for i in held_out:
            model.score(scored[i].evidence)
    return scored


def cross_validated_thresholds(scored: list[Example]) -> tuple[dict[str, float], dict[str, float]]:
    """(clause threshold, its out-of-fold objective) per kind of question, over out-of-fold confidences."""
    thresholds, objectives = {}, {}
    for kind in sorted({ex.kind for ex in scored}):
        members = [ex for ex in scored if ex.kind == kind]
        thresholds[kind], objectives[kind] = _best_threshold(members, lambda ex, t: supporting(ex.evidence, t))
    return thresholds, objectives


def province_label(question: GoldQuestion, name: str) -> int | None:
    if question.kind == "unanswerable":
        return 0
    return int(name in question.provinces) if question.provinces else None


def province_rows(example: Example) -> list[tuple[ProvinceEvidence, int | None]]:
    return [(p, province_label(example.question, p.name)) for p in by_province(example.evidence)]


@dataclass
class ProvinceFolds:
    """The provinces of the aggregate-intent examples, labelled, with confidences from province models
    fitted on the other folds."""

    examples: list[Example]
    grouped: list[list[tuple[ProvinceEvidence, int | None]]]
    confidence: dict[tuple[int, str], float]
    position: dict[int, int]  # id of an example → its index

    def rows(self, indices) -> list[tuple[dict[str, float], int]]:
        return [(p.features, y) for i in indices for p, y in self.grouped[i] if y is not None]

    def ranked(self, i: int) -> list[tuple[ProvinceEvidence, float]]:
        provinces = [(p, self.confidence[(i, p.name)]) for p, _ in self.grouped[i]]
        return sorted(provinces, key=lambda pair: -pair[1])

    def answer_with(self, example: Example, cut: ProvinceCut) -> list[Evidence]:
        """The best clause of each province the cut keeps, as supporting_provinces answers."""
        ranked = self.ranked(self.position[id(example)])
        return [p.items[0] for p, _ in ranked[: cut.count([confidence for _, confidence in ranked])]]

    def cut_rows(self, indices) -> list[tuple[dict[str, float], int]]:
        """Every possible cut of the examples' rankings (keeping 0 … n provinces), labelled 1 where it keeps
        exactly the gold provinces. An example no cut answers (a gold province ranked below another) is left out."""
        rows = []
        for i in indices:
            ranked = self.ranked(i)
            gold = set(self.examples[i].question.provinces)
            points = cut_points([confidence for _, confidence in ranked])
            cuts = [
                ({"kept": kept, "next": following}, int({p.name for p, _ in ranked[:k]} == gold))
                for k, (kept, following) in enumerate(points)
            ]
            rows += cuts if any(right for _, right in cuts) else []
        return rows

    def fit_cut(self, indices) -> ProvinceCut:
        """The cut's weights: a logistic regression of "this cut is right" over every cut of the examples; only
        the ratio of the weights decides the cut (the intercept and the standardisation's shift do not)."""
        rows = self.cut_rows(indices)
        matrix = np.array([[values["kept"], values["next"]] for values, _ in rows], dtype=np.float64)
        _, scale, coef, _ = fit_logistic(matrix, np.array([y for _, y in rows], dtype=np.float64))
        kept, following = coef / scale
        return ProvinceCut(kept=round(float(kept), 4), next=round(float(following), 4))


def province_folds(scored: list[Example], partition: int = 0) -> ProvinceFolds:
    aggregate = [ex for ex in scored if ex.kind.startswith("aggregate")]
    found = ProvinceFolds(
        aggregate, [province_rows(ex) for ex in aggregate], {}, {id(ex): i for i, ex in enumerate(aggregate)}
    )
    for held_out in folds(aggregate, partition=partition):
        training = found.rows(i for i in range(len(aggregate)) if i not in set(held_out))
        model = _fit_rows(training, PROVINCE_FEATURES, None)
        for i in held_out:
            provinces = [p for p, _ in found.grouped[i]]
            model.score(provinces)
            found.confidence.update({(i, p.name): p.confidence for p in provinces})
    return found


def held_out_cuts(provinces: ProvinceFolds, partition: int = 0) -> dict[int, ProvinceCut]:
    """For each aggregate example (by id), the cut fitted on the other folds."""
    cuts = {}
    everything = range(len(provinces.examples))
    for held_out in map(set, folds(provinces.examples, partition=partition)):
        cut = provinces.fit_cut(i for i in everything if i not in held_out)
        cuts.update({id(provinces.examples[i]): cut for i in held_out})
    return cuts


def fit_province_model(scored: list[Example]) -> tuple[SupportModel, dict[str, float]]:
    """The province model for aggregate questions, fitted on the provinces of the aggregate-intent examples
    (their clauses scored out of fold), and its cut, fitted on their out-of-fold province confidences; with
    the cut's cross-validated objective per language (each fold answered by a cut fitted on the others)."""
    provinces = province_folds(scored)
    cuts = held_out_cuts(provinces)

    def answer(example: Example) -> list[Evidence]:
        return provinces.answer_with(example, cuts[id(example)])

    objectives = {
        kind: round(objective([ex for ex in provinces.examples if ex.kind == kind], answer), 4)
        for kind in sorted({ex.kind for ex in provinces.examples})
    }
    everything = range(len(provinces.examples))
    model = _fit_rows(provinces.rows(everything), PROVINCE_FEATURES, None)
    return replace(model, cut=provinces.fit_cut(everything)), objectives


def nested_outcomes(items: list[Example], partition: int = 0) -> list[tuple[Example, bool]]:
    """Each tuning question with whether it is answered right when nothing it decides was fitted with it:
    its clauses and provinces scored by models fitted on the other folds (as for the thresholds), and the
    thresholds and province cut chosen on the other folds too. `fit`'s cv_objective scores the thresholds
    on the questions they were chosen on; this does not, so it is the figure to judge a change by on the
    tuning half."""
    scored = out_of_fold(items, partition)
    provinces = province_folds(scored, partition)
    cuts = held_out_cuts(provinces, partition)

    def answer_at(example: Example, threshold: float) -> list[Evidence]:
        if example.kind.startswith("aggregate"):
            return provinces.answer_with(example, cuts[id(example)])
        return supporting(example.evidence, threshold)

    judged = []
    for held_out in folds(scored, partition=partition):
        train = [ex for i, ex in enumerate(scored) if i not in set(held_out)]
        thresholds = {
            kind: _best_threshold([ex for ex in train if ex.kind == kind], answer_at)[0]
            for kind in {ex.kind for ex in train}
        }
        for i in held_out:
            example = scored[i]
            judged.append((example, all(outcomes(example, answer_at(example, thresholds[example.kind])).values())))
    return judged


def fit(service, questions: Sequence[GoldQuestion]) -> tuple[SupportModel, dict]:
    """The support model fitted on the tuning half of `questions`, and a summary of the fit."""
    items = examples(service, questions)
    scored = out_of_fold(items)
    thresholds, cv_objectives = cross_validated_thresholds(scored)
    provinces, province_objectives = fit_province_model(scored)
    model = fit_model(items, thresholds)
    model = SupportModel(
        model.features, model.mean, model.scale, model.coef, model.intercept, model.thresholds, provinces
    )
    labelled = [y for ex in items for y in ex.labels if y is not None]
    summary = {
        "questions": len(items), "clauses": len(labelled), "positives": int(sum(labelled)),
        "cv_folds": FOLDS, "cv_objective": cv_objectives, "thresholds": thresholds,
        "province_cv_objective": province_objectives, "province_cut": asdict(provinces.cut),
    }
    return model, summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="data directory with the embedding model (default: VNPOLICY_HOME)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--nested", action="store_true", help="print the nested cross-validation estimate only")
    parser.add_argument(
        "--partitions", type=int, default=1,
        help="with --nested, average over this many partitions into folds (the estimate's noise is several questions)",
    )
    args = parser.parse_args(argv)
    from vnpolicy.api.service import VnPolicy

    service = VnPolicy(args.home)
    service.ingest([SAMPLE])
    if args.nested:
        items = examples(service, load_answer_set())
        runs = [nested_outcomes(items, partition) for partition in range(args.partitions)]
        if args.partitions > 1:
            print("tuning half, each partition: " + ", ".join(str(sum(ok for _, ok in run)) for run in runs))
        for group_of in (lambda q: q.kind, lambda q: q.lang or "unmarked (dev, unanswerable.jsonl)"):
            for group in sorted({group_of(example.question) for example, _ in runs[0]}):
                right = [sum(ok for example, ok in run if group_of(example.question) == group) for run in runs]
                total = sum(group_of(example.question) == group for example, _ in runs[0])
                print(f"{group:<36}{sum(right) / len(runs):>6.1f} of {total} right")
        mean = sum(sum(ok for _, ok in run) for run in runs) / len(runs)
        print(f"{'tuning half':<36}{mean:>6.1f} of {len(runs[0])} right" + (" (mean)" if len(runs) > 1 else ""))
        return 0
    model, summary = fit(service, load_answer_set())
    args.out.write_text(json.dumps({"fitted_on": summary, "model": model.to_dict()}, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary), file=sys.stderr)
    for name, weight in zip(model.features, model.coef, strict=True):
        print(f"  {name:<22}{weight:+.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
