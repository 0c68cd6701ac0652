"""Evidence for a question: candidate clauses from every indexed province, each with the features the
support model weighs (see `support.py`).

Candidates are searched within each province (the index filtered to it), not taken from one global
list, so a province whose clauses rank below other provinces' still brings its best ones. Every feature
is comparable across questions: cosines against the corpus's spread for that question, BM25 scores
against the score of a text holding each query word once, shares of the question's concept weight.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from vnpolicy.answer.question import Question, concept_coverage
from vnpolicy.answer.spelling import spelled, with_heading
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.retriever import ClauseTable, HybridRetriever
from vnpolicy.ingest.models import PATH_SEPARATOR

CANDIDATES_PER_PROVINCE = {"aggregate": 5, "lookup": 8}
MAX_LIST_ITEMS = 6
MAX_LIST_WALK = 30  # how far back a list item looks for the clause that introduces its list

FEATURES = (
    "dense_cosine", "dense_z", "dense_gap", "dense_rank_log", "exact_bm25", "folded_bm25", "lexical_rank_log",
    "coverage", "trail_coverage", "rarest_spelled", "rank_in_province_log", "absent", "year_missing",
    "english", "no_concepts", "english_dense_z", "english_coverage", "coverage_gap", "folded_bm25_gap",
    "window_gap",
)


@dataclass
class Evidence:
    hit: Hit
    features: dict[str, float]
    confidence: float = 0.0  # set by the support model
    # False when the question is a lookup asking for a figure that the clause does not state: it does not
    # answer it, however sure the model (see asked.py)
    states_asked: bool = True


def effective_filters(question: Question, filters: SearchFilters | None) -> SearchFilters:
    """The filters given, and for a lookup naming one document (see `documents.named_documents`), that
    document; else for a lookup naming one province (or one of its towns), that province."""
    filters = filters or SearchFilters()
    if question.intent != "lookup" or filters.document_id or filters.province:
        return filters
    if len(question.documents) == 1:
        return SearchFilters(**{**asdict(filters), "document_id": question.documents[0]})
    if question.query.province:
        return SearchFilters(**{**asdict(filters), "province": question.query.province})
    return filters


def read_with_its_document(hit: Hit) -> str:
    """What a clause says, with its nearest heading and its document's type, number and title: every clause
    stands under them. (When only a clause speaking of "this plan" was read so, "Các sở, ban, ngành … phối
    hợp thực hiện Kế hoạch này" met a question naming the plan better than the clause answering it.)"""
    identity = " ".join(part for part in (hit.doc_type, hit.document_number, hit.document_title) if part)
    return "\n".join([with_heading(hit.restored_text or hit.text, hit.trail), *hit.spelled_out, identity])


def gather(question: Question, retriever: HybridRetriever, filters: SearchFilters) -> list[Evidence]:
    """Every province's best candidates for the question, with their features, best province first."""
    per_province = retriever.search_per_province(question.query, CANDIDATES_PER_PROVINCE[question.intent], filters)
    if not per_province:
        return []
    # Cosines and ranks against the whole corpus, not the filtered part: the best clause of a province
    # filtered to is not thereby a good one.
    cosine = retriever.dense_scores(question.query)
    exact, folded = retriever.lexical.field_scores(question.query.tokens)
    lexical = retriever.lexical_scores(question.query)
    mean, spread, best = float(cosine.mean()), float(cosine.std()) or 1e-6, float(cosine.max())
    ideal_exact = retriever.lexical.ideal_score(question.query.tokens, "exact") or 1.0
    ideal_folded = retriever.lexical.ideal_score(question.query.tokens, "folded") or 1.0
    rarest = max(question.concepts, key=question.concepts.__getitem__, default=None)
    english = float(question.query.english)
    evidence, rows = [], []
    for hits in per_province.values():
        for rank, hit in enumerate(hits, start=1):
            row = retriever.table.row_of[hit.clause_id]
            rows.append(row)
            text = spelled(read_with_its_document(hit))
            coverage = concept_coverage(question.concepts, text)
            dense_z = (float(cosine[row]) - mean) / spread
            lexical_rank = int((lexical > lexical[row]).sum()) + 1 if lexical[row] > 0 else len(lexical)
            features = {
                "dense_cosine": float(cosine[row]),
                "dense_z": dense_z,
                "dense_gap": float(cosine[row]) - best,
                "dense_rank_log": math.log(int((cosine > cosine[row]).sum()) + 1),
                "exact_bm25": float(exact[row]) / ideal_exact if question.query.accented else 0.0,
                "folded_bm25": float(folded[row]) / ideal_folded,
                "lexical_rank_log": math.log(lexical_rank),
                "coverage": coverage,
                "trail_coverage": concept_coverage(question.concepts, spelled("\n".join(hit.trail))),
                "rarest_spelled": float(rarest is not None and text.spells(rarest)),
                "rank_in_province_log": math.log(rank),
                "absent": float(bool(question.absent)),
                "year_missing": float(bool(question.years) and not any(text.spells(y) for y in question.years)),
                "english": english,
                "no_concepts": float(not question.concepts),
                "english_dense_z": english * dense_z,
                "english_coverage": english * coverage,
            }
            evidence.append(Evidence(hit, features, states_asked=states_asked(question, hit)))
    # How far the clause's nearest window (sentence) falls behind the best candidate's, in the corpus's spread:
    # which of several clauses on one topic states what is asked, where English shares no word with them.
    columns = {
        "window_gap": [float(w) for w in retriever.window_cosines(question.query, rows) / spread],
        "coverage_gap": [item.features["coverage"] for item in evidence],
        "folded_bm25_gap": [item.features["folded_bm25"] for item in evidence],
    }
    # Each against the best candidate that could answer: for a lookup asking a figure, the best one stating it
    # ("không quá 9 tháng/năm học" answers "tối đa mấy tháng", however close the clauses on the same subject
    # that state no number of months); the others, which cannot answer, against the best of all.
    stating = [row for row, item in enumerate(evidence) if item.states_asked] or range(len(evidence))
    for gap, column in columns.items():
        best_stating, best_of_all = max(column[row] for row in stating), max(column)
        for item, value in zip(evidence, column, strict=True):
            item.features[gap] = value - (best_stating if item.states_asked else best_of_all)
    return evidence


def states_asked(question: Question, hit: Hit) -> bool:
    """Whether the clause (under its headings) states the figure a lookup asks for, if it asks one."""
    if question.intent != "lookup" or question.asks_figure is None:
        return True
    return question.asks_figure.stated_in("\n".join([*hit.trail, hit.restored_text or hit.text]))


def list_heads(supported: list[Evidence], table: ClauseTable) -> dict[str, Evidence]:
    """For each clause that is an item of a list, by its id, the clause that introduces the list ("1. Vốn ngân
    sách nhà nước: 1.280 tỷ đồng, bao gồm:") when that ends with ":" and is not cited already: the nearest
    clause before it in its document at its own path (a bullet's) or its parent path (a numbered item's),
    past the list's other items. Quoted alone, "+ Hoàn thiện hạ tầng kỹ thuật KCN … 285 tỷ đồng" does not
    say of which capital."""
    shown = {item.hit.clause_id for item in supported}
    found: dict[str, Evidence] = {}
    for item in supported:
        row = table.row_of.get(item.hit.clause_id)
        if row is None:
            continue  # a clause of the front matter, which the index does not hold (see front_matter.py)
        own = table.clauses[row]
        head_path = own.path if own.kind == "bullet" else own.path.rpartition(PATH_SEPARATOR)[0]
        if not head_path:
            continue  # a top-level part is in no list
        for preceding in range(row - 1, max(row - 1 - MAX_LIST_WALK, -1), -1):
            clause = table.clauses[preceding]
            in_list = clause.path.startswith(head_path + PATH_SEPARATOR) or (
                clause.path == head_path and clause.kind == "bullet"
            )
            if clause.document_id != own.document_id or not (in_list or clause.path == head_path):
                break
            if in_list:
                continue
            if clause.id not in shown and (clause.restored_text or clause.text).rstrip().endswith(":"):
                shown.add(clause.id)
                found[item.hit.clause_id] = Evidence(table.hit(preceding, item.hit.score, {}), {}, item.confidence)
            break
    return found


def list_items(supported: list[Evidence], table: ClauseTable) -> dict[str, list[Evidence]]:
    """For each clause that introduces a list ("Thành lập mới khoảng trên 500ha các khu, cụm công nghiệp,
    trong đó:"), by its id, the list's items: the clauses after it in its document, at or under its path (up
    to MAX_LIST_ITEMS), that are not cited already. Quoted alone, such a clause says how much but not which."""
    shown = {item.hit.clause_id for item in supported}
    found: dict[str, list[Evidence]] = {}
    for item in supported:
        introduces = (item.hit.restored_text or item.hit.text).rstrip().endswith(":")
        if not introduces or item.hit.clause_id not in table.row_of:  # front matter is not indexed
            continue
        row = table.row_of[item.hit.clause_id]
        for following in range(row + 1, min(row + 1 + MAX_LIST_ITEMS, len(table))):
            clause = table.clauses[following]
            under = clause.path == item.hit.path or clause.path.startswith(item.hit.path + PATH_SEPARATOR)
            if clause.document_id != item.hit.document_id or not under:
                break
            if clause.id not in shown:
                shown.add(clause.id)
                hit = table.hit(following, item.hit.score, {})
                found.setdefault(item.hit.clause_id, []).append(Evidence(hit, {}, item.confidence))
    return found
