"""Ranking metrics (pure functions over ranked relevance judgements).

nDCG follows Järvelin & Kekäläinen (2002) with the log2(rank + 1) discount, as in BEIR/MTEB; MRR@k is
the reciprocal rank of the first relevant result within k (0 when none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def success_at(relevant_ranks: Sequence[int], k: int) -> float:
    """1.0 when a relevant result is in the top k (ranks are 1-based)."""
    return 1.0 if any(rank <= k for rank in relevant_ranks) else 0.0


def mrr_at(relevant_ranks: Sequence[int], k: int) -> float:
    ranks = [rank for rank in relevant_ranks if rank <= k]
    return 1.0 / min(ranks) if ranks else 0.0


def recall_at(found_at: dict[str, int], total_relevant: int, k: int) -> float:
    """Share of the relevant items (by key) found within the top k; `found_at` maps key → best rank."""
    if total_relevant == 0:
        return 0.0
    return sum(1 for rank in found_at.values() if rank <= k) / total_relevant


def ndcg_at(ranked_ids: Sequence[str], gains: dict[str, float], k: int) -> float:
    dcg = sum(gains.get(doc_id, 0.0) / math.log2(rank + 1) for rank, doc_id in enumerate(ranked_ids[:k], 1))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
