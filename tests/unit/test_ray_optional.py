"""Ray is an optional extra: without `--ray` nothing imports it (a local ingest or a server never pays for it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE

ROOT = Path(__file__).resolve().parents[2]


def test_the_local_paths_do_not_import_ray() -> None:
    code = (
        "import sys\n"
        "import vnpolicy.api.cli, vnpolicy.api.service, vnpolicy.api.app, vnpolicy.api.replicas\n"
        "import vnpolicy.ingest.pipeline, vnpolicy.index.persist\n"
        "args = vnpolicy.api.cli.build_parser().parse_args(['ingest', 'data/sample'])\n"
        "assert args.ray is None\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_ray_options_parse_with_and_without_an_address() -> None:
    from vnpolicy.api.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["ingest", "x", "--ray"]).ray == ""
    assert parser.parse_args(["ingest", "x", "--ray", "10.0.0.1:6379", "--ray-workers", "4"]).ray == "10.0.0.1:6379"
    assert parser.parse_args(["serve", "--replicas", "3"]).replicas == 3
    assert parser.parse_args(["serve"]).replicas == 1


def test_bad_worker_and_replica_counts_are_refused_with_a_sentence(tmp_path: Path, capsys) -> None:
    from vnpolicy.api.cli import main

    sample = next(SAMPLE.glob("*.txt"))
    assert main(["--home", str(tmp_path), "ingest", str(sample), "--ray", "--ray-workers", "0"]) == 1
    assert "--ray-workers must be at least 1" in capsys.readouterr().err
    assert main(["--home", str(tmp_path), "serve", "--replicas", "0"]) == 1
    assert "--replicas must be at least 1" in capsys.readouterr().err
