"""Retrieval and answer evaluation on gold sets and BEIR-format benchmarks; benchmarks."""
