"""What a benchmark prints about the machine it ran on and the memory it used."""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path

NOTABLE_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")


def cpu_flags() -> list[str]:
    """The CPU's vector and matrix extensions the embedding and FAISS speeds depend on."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return []
    return [flag for flag in NOTABLE_FLAGS if flag in flags]


def describe_machine() -> str:
    """CPU model, core count, the CPU flags speeds depend on, and the Python version (every benchmark
    prints it: the same code runs several times faster where the CPU multiplies bfloat16 natively)."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    flags = " ".join(cpu_flags()) or "none of note"
    return f"{cpu}, {os.cpu_count()} cores, CPU flags: {flags}, Python {platform.python_version()}"


def peak_rss_mb() -> float:
    """Highest resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (any order); NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
