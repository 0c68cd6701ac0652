"""A Ray cluster of several node processes on this machine, for the scale tests and eval/bench_scale.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import free_port

RAY = Path(sys.executable).parent / "ray"
START_TIMEOUT_S = 120.0


def _wait_started(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while "Ray runtime started" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a Ray node did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    """Stop a node and everything it started, which share the process group `ray start` leads (nothing
    of a test cluster needs a graceful stop; its temporary directory is removed after)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


@contextmanager
def local_ray_cluster(nodes: int = 2, cpus_per_node: int = 1, object_store_mb: int = 200) -> Iterator[str]:
    """A head and `nodes - 1` more node processes on loopback, `cpus_per_node` CPUs each; yields the
    head's address. On exit every process they started is stopped (by their own process groups, so no
    other Ray on the machine is touched) and their temporary directories are removed."""
    # Short: Ray's socket paths under the temp dir must stay within 107 characters.
    scratch = Path(tempfile.mkdtemp(prefix="vnray-", dir="/tmp"))
    address = f"127.0.0.1:{free_port()}"
    common = [
        "--block", f"--num-cpus={cpus_per_node}", f"--object-store-memory={object_store_mb * 1024 * 1024}",
        "--node-ip-address=127.0.0.1", "--disable-usage-stats",
    ]
    processes: list[subprocess.Popen] = []
    try:
        for number in range(nodes):
            role = (
                ["--head", f"--port={address.rsplit(':', 1)[1]}", "--include-dashboard=false"]
                if number == 0 else [f"--address={address}"]
            )
            log = scratch / f"node{number}.log"
            with open(log, "wb") as output:
                processes.append(subprocess.Popen(
                    [str(RAY), "start", *role, *common, f"--temp-dir={scratch / f'node{number}'}"],
                    stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                ))
            _wait_started(processes[-1], log)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(scratch, ignore_errors=True)
