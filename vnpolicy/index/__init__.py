"""Vietnamese-aware lexical and dense indexes over clauses, hybrid retrieval with filters."""
