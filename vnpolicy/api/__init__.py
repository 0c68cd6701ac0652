"""The HTTP service, the CLI and answer composition: thin layers over `ingest` and `index`."""
