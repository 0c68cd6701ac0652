from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


def sample_file(prefix: str) -> Path:
    return next(SAMPLE.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def sample_documents():
    from vnpolicy.ingest.pipeline import parse_path

    return {path.name[:3]: parse_path(path) for path in sorted(SAMPLE.glob("*.txt"))}


@pytest.fixture(scope="session")
def model_home(tmp_path_factory) -> Path:
    """A data directory shared by the tests that need the embedding model, so it is built once."""
    configured = os.environ.get("VNPOLICY_TEST_MODEL_HOME")
    if configured:
        return Path(configured)
    return tmp_path_factory.mktemp("model-home")


@pytest.fixture(scope="session")
def embedder(model_home):
    from vnpolicy.index.embedding import load_embedder

    return load_embedder(model_home)


@pytest.fixture(scope="session")
def sample_service(model_home):
    """A service with the sample corpus ingested and indexed (the model built once, in model_home)."""
    from vnpolicy.api.service import VnPolicy

    service = VnPolicy(model_home)
    service.ingest([SAMPLE])
    return service
