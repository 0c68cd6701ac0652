"""vnpolicy: semantic search and cited answers over Vietnamese provincial policy documents.

The sub-packages are the stages the data flows through, each importing only from the ones before it:
ingest → index → answer → api → ui, with eval driving them from outside.
"""
