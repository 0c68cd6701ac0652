"""Beyond one machine: an ingest on a Ray cluster (two node processes on this machine) gives the index a
local ingest gives, even when a worker dies; server replicas share one index and survive a killed one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.conftest import ROOT, sample_file
from tests.support.ray_cluster import local_ray_cluster
from tests.support.server import prepare_home, sharing_model, spawned_server
from vnpolicy.eval.gold import dev_questions

pytestmark = pytest.mark.slow

PARITY_FILES = ("000", "001", "003")  # three sample documents: the parity, kept fast
REPLICA_HEADER = "X-Replica"


@pytest.fixture(scope="module")
def ray_address():
    with local_ray_cluster(nodes=2, cpus_per_node=1, object_store_mb=200) as address:
        yield address




@dataclass
class Parity:
    local: object  # VnPolicy
    local_reports: list
    distributed: object  # VnPolicy
    reports: list
    retried: list[str]
    killed: list
    files: list[Path]


@pytest.fixture(scope="module")
def parity(ray_address, embedder, model_home, tmp_path_factory) -> Parity:
    """The same files ingested locally and on the cluster, where the busy workers are killed mid-run."""
    import ray

    from vnpolicy.api.service import VnPolicy
    from vnpolicy.index.distributed import RayIngest, connect

    broken = tmp_path_factory.mktemp("broken") / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a pdf")
    files = [sample_file(prefix) for prefix in PARITY_FILES] + [broken]
    local = VnPolicy(sharing_model(tmp_path_factory.mktemp("h") / "local", model_home, vectors=True))
    local_reports = local.ingest(files)
    distributed = VnPolicy(sharing_model(tmp_path_factory.mktemp("h") / "ray", model_home))
    connect(ray_address)
    try:
        assert ray.cluster_resources()["CPU"] == 2 and len(ray.nodes()) == 2
        killed: list = []

        class KillingIngest(RayIngest):
            def _dispatch(self) -> None:
                super()._dispatch()
                # The first time work is in flight, the workers holding it die: it must be sent again.
                if not killed and self.pool.busy():
                    killed.extend(self.pool.busy())
                    for actor in killed:
                        ray.kill(actor, no_restart=True)

        job = KillingIngest(distributed.store, distributed.indexes, distributed.home, workers=2)
        try:
            reports = job.run(files)
        finally:
            job.close()
    finally:
        ray.shutdown()
    with distributed._write_lock:  # what VnPolicy.ingest_on_ray does after the run: one write, from the cache
        distributed._store_accepted(job.accepted)
    return Parity(local, local_reports, distributed, reports, job.retried, killed, files)


def test_ray_ingest_reports_per_file_and_retries_the_work_of_a_dead_worker(parity: Parity) -> None:
    assert parity.killed and parity.retried, "no work was in flight on the killed worker"
    reports, local_reports = parity.reports, parity.local_reports
    assert [(r.path, r.status, r.document_id, r.clauses) for r in reports] == [
        (r.path, r.status, r.document_id, r.clauses) for r in local_reports
    ]
    assert [r.status for r in reports] == ["added", "added", "added", "failed"]
    assert "not a readable PDF" in reports[-1].error
    retried = [r for r in reports if r.path in parity.retried]
    assert retried and all(any("second try" in w and "Actor" in w for w in r.warnings) for r in retried)
    assert parity.distributed.store.counts() == parity.local.store.counts()


def test_ray_ingest_gives_the_clause_ids_vectors_and_rankings_of_a_local_ingest(parity: Parity) -> None:
    ours, theirs = parity.distributed.retriever, parity.local.retriever
    assert [c.id for c in ours.table.clauses] == [c.id for c in theirs.table.clauses]
    assert [c.id for d in parity.distributed.store.documents() for c in d.clauses] == [
        c.id for d in parity.local.store.documents() for c in d.clauses
    ]
    assert ours.dense.vectors.shape == theirs.dense.vectors.shape
    assert float(np.abs(ours.dense.vectors - theirs.dense.vectors).max()) <= 1e-5
    for question in dev_questions():
        assert [h.clause_id for h in ours.search(question, k=10)] == [
            h.clause_id for h in theirs.search(question, k=10)
        ], question


def test_the_cli_ingests_on_ray_and_embeds_nothing_stored(ray_address, parity: Parity, tmp_path) -> None:
    home = parity.distributed.home
    snapshot = parity.distributed.indexes.current_name()
    command = [sys.executable, "-m", "vnpolicy", "--home", str(home), "ingest", "--json", "--ray", ray_address]
    result = subprocess.run([*command, *map(str, parity.files)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1, result.stderr  # the broken file
    assert [report["status"] for report in json.loads(result.stdout)] == ["unchanged"] * 3 + ["failed"]
    assert parity.distributed.indexes.current_name() == snapshot  # the same index: nothing re-embedded
    missing = subprocess.run([*command, str(tmp_path / "absent.txt")], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


# ----------------------------------------------------------------------------- replicas


def answers_from_every_replica(base_url: str, path: str, replicas: int, tries: int = 200) -> dict[str, httpx.Response]:
    """One answer to GET `path` from each replica: a new connection per request, so the kernel spreads them."""
    answers: dict[str, httpx.Response] = {}
    for _ in range(tries):
        response = httpx.get(base_url + path, timeout=30)
        answers.setdefault(response.headers[REPLICA_HEADER], response)
        if len(answers) == replicas:
            return answers
    raise AssertionError(f"only replicas {sorted(answers)} answered {path} in {tries} requests")


def test_replicas_share_writes_and_survive_a_killed_one(model_home, sample_service, tmp_path) -> None:
    home = tmp_path / "home"
    prepare_home(home, model_home)  # the sample corpus, its vectors cached by sample_service
    key = "replica-test-key"
    (home / "api_key").write_text(key)
    with spawned_server(home, options=["--replicas", "2"]) as server:
        url = server.base_url
        documents = answers_from_every_replica(url, "/api/documents", 2)
        assert all(response.status_code == 200 for response in documents.values())
        target = next(doc for doc in next(iter(documents.values())).json() if doc["source_name"].startswith("001_"))

        deleted = httpx.delete(f"{url}/api/documents/{target['id']}", headers={"X-API-Key": key}, timeout=60)
        assert deleted.status_code == 204, deleted.text
        for replica, response in answers_from_every_replica(url, "/api/documents", 2).items():
            assert target["id"] not in {doc["id"] for doc in response.json()}, f"replica {replica} still has it"

        text = sample_file("001").read_bytes()
        added = httpx.post(f"{url}/api/documents", files={"file": (sample_file("001").name, text)},
                           headers={"X-API-Key": key}, timeout=120)
        assert added.status_code == 201, added.text
        for replica, response in answers_from_every_replica(url, f"/api/documents/{target['id']}", 2).items():
            assert response.status_code == 200, f"replica {replica} does not see the upload"

        victim = int(next(iter(documents)))
        os.kill(victim, signal.SIGKILL)
        seen, failures = set(), []
        for number in range(40):
            response = httpx.get(f"{url}/api/search", params={"q": f"năng lượng tái tạo {number}"}, timeout=30)
            seen.add(response.headers.get(REPLICA_HEADER))
            if response.status_code != 200 or not response.json()["hits"]:
                failures.append(response.status_code)
            time.sleep(0.05)
        assert not failures, f"{len(failures)} of 40 searches failed while a replica was down: {failures}"
        assert str(victim) not in seen

        # uvicorn starts a process in its place, which loads the index as it is now before it accepts.
        deadline = time.monotonic() + 120
        while True:
            try:
                answers = answers_from_every_replica(url, f"/api/documents/{target['id']}", 2, tries=40)
                break
            except AssertionError:
                assert time.monotonic() < deadline, "the killed replica was not replaced"
                time.sleep(1)
        assert str(victim) not in answers
        assert all(response.status_code == 200 for response in answers.values())
