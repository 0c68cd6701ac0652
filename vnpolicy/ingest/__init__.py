"""Load documents, normalise Vietnamese text, split clauses, extract metadata, store them."""
