"""`vnpolicy eval` as setup.sh installs it (into .venv, not in place) and a user runs it from the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

INSTALLED_CLI = Path(sys.executable).parent / "vnpolicy"


def test_the_installed_cli_finds_the_checkouts_documents() -> None:
    done = subprocess.run(
        [str(INSTALLED_CLI), "eval", "--documents-only", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    parsed = json.loads(done.stdout)["fields"]["all"]["number"][1]
    bundled = len(list((ROOT / "data" / "sample").glob("*.txt"))) + len(
        list((ROOT / "data" / "web-documents").glob("*.txt"))
    )
    assert parsed >= bundled > 0


def test_the_installed_cli_refuses_to_evaluate_without_the_sample_corpus(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(INSTALLED_CLI), "--home", str(tmp_path / "home"), "eval"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    assert "sample corpus was not found" in done.stderr
