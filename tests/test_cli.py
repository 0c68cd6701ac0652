"""The `vnpolicy` command as a user types it: the same service methods and sentences as the HTTP API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sample_file
from tests.support.server import sharing_model

pytestmark = pytest.mark.slow


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vnpolicy", "--home", str(home), *args],
        capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


@pytest.fixture(scope="module")
def small_home(tmp_path_factory, model_home: Path) -> Path:
    """A data directory holding two sample documents (the model shared with the other tests)."""
    home = sharing_model(tmp_path_factory.mktemp("cli-home"), model_home)
    done = run_cli(home, "ingest", str(sample_file("001")), str(sample_file("003")))
    assert done.returncode == 0, done.stderr
    return home


def test_an_unknown_province_exits_2_with_a_sentence_naming_the_known_ones(small_home: Path) -> None:
    for command in ("search", "ask"):
        result = run_cli(small_home, command, "sân bay", "--province", "Kon Tumm")
        assert result.returncode == 2 and result.stdout == ""
        assert "unknown province 'Kon Tumm'" in result.stderr and "did you mean 'Kon Tum'?" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_search_typed_without_diacritics_prints_how_it_was_read(small_home: Path) -> None:
    result = run_cli(small_home, "search", "cang hang khong mang den", "-k", "3")
    assert result.returncode == 0 and result.stdout.startswith("(Đọc là: cảng hàng không măng đen)"), result.stdout
    assert "Măng Đen" in result.stdout


def test_an_empty_query_and_a_bad_k_exit_2(small_home: Path) -> None:
    assert run_cli(small_home, "search", "  ").returncode == 2
    result = run_cli(small_home, "search", "sân bay", "-k", "0")
    assert result.returncode == 2 and "between 1 and 100" in result.stderr


def run_cli_saying_if_torch_loaded(home: Path, *args: str) -> tuple[subprocess.CompletedProcess, bool]:
    """`run_cli`, and whether the command imported torch, which loading the embedding model does."""
    main = "import sys; from vnpolicy.api.cli import main; code = main(sys.argv[1:]); print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", f"{main}; sys.exit(code)", "--home", str(home), *args],
        capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    *output, loaded = done.stdout.splitlines()
    return subprocess.CompletedProcess(done.args, done.returncode, "\n".join(output), done.stderr), loaded == "True"


def test_delete_removes_a_document_from_the_store_and_search(small_home: Path) -> None:
    documents = json.loads(run_cli(small_home, "documents", "--json").stdout)
    document, other = sorted(documents, key=lambda d: d["source_name"])
    assert run_cli(small_home, "search", "Cảng hàng không Măng Đen", "--json").stdout.count(document["id"]) >= 1

    deleted, loaded_model = run_cli_saying_if_torch_loaded(small_home, "delete", document["id"])
    assert deleted.returncode == 0 and document["id"] in deleted.stdout, deleted.stderr
    assert not loaded_model  # a delete embeds nothing
    assert [d["id"] for d in json.loads(run_cli(small_home, "documents", "--json").stdout)] == [other["id"]]
    hits = json.loads(run_cli(small_home, "search", "Cảng hàng không Măng Đen", "--json").stdout)
    assert {hit["document_id"] for hit in hits} == {other["id"]}

    again = run_cli(small_home, "delete", document["id"])
    assert again.returncode == 1 and f"no document with id {document['id']!r}" in again.stderr
    restored = run_cli(small_home, "ingest", str(sample_file("001")))
    assert restored.returncode == 0, restored.stderr
    assert "loading the embedding model" in restored.stderr  # its text is embedded anew …
    unchanged = run_cli(small_home, "ingest", str(sample_file("001")), str(sample_file("003")))
    assert unchanged.returncode == 0 and unchanged.stdout.count("unchanged ") == 2, unchanged.stdout
    assert "loading the embedding model" not in unchanged.stderr  # … and a batch of stored texts is not


def test_a_home_that_is_a_file_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "home.txt"
    not_a_directory.write_text("x")
    result = run_cli(not_a_directory, "documents")
    assert result.returncode == 2 and "is a file" in result.stderr and "Traceback" not in result.stderr
