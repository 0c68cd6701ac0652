"""Parsing an upload in a child process under a memory ceiling.

A hostile file that the loaders' size checks do not catch (a pathological PDF, XML that parses into a
huge tree) can exhaust the child's memory, never the server's. And the parse holds the child's
interpreter, not the server's, so the server's event loop and searches keep running while a large
upload is parsed. One child, kept between uploads: it leaves the second core to the searches.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from vnpolicy.ingest.loaders import IngestError
from vnpolicy.ingest.models import Document
from vnpolicy.ingest.pipeline import parse_upload

DEFAULT_PARSE_MEMORY_MB = 1536  # address space of the parsing child, interpreter included

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def parse_memory_bytes() -> int:
    return int(float(os.environ.get("VNPOLICY_PARSE_MEMORY_MB", DEFAULT_PARSE_MEMORY_MB)) * 1024 * 1024)


def _start_child(limit: int, parent: int) -> None:
    """In the child: the memory ceiling, and an end with the server. Its task queue's pipe stays open in
    the child itself, so a server killed with SIGKILL would otherwise leave it waiting for ever."""
    import resource
    import time

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def exit_with_the_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=exit_with_the_parent, name="vnpolicy-parent-watch", daemon=True).start()


def _parser() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the server's threads (and torch's) must not be copied into the child.
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child, initargs=(parse_memory_bytes(), os.getpid()),
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def _over_memory() -> IngestError:
    return IngestError(
        f"the file needs more than the parser's {parse_memory_bytes() / 1048576:.0f} MB of memory to read "
        "(set VNPOLICY_PARSE_MEMORY_MB to raise it); nothing was stored"
    )


def parse_upload_isolated(name: str, data: bytes) -> Document:
    """`parse_upload` run in the parsing child; raises IngestError with a sentence when it cannot be parsed."""
    pool = _parser()
    try:
        return pool.submit(parse_upload, name, data).result()
    except MemoryError:
        raise _over_memory() from None
    except BrokenProcessPool:  # the child died (killed by the kernel, or it crashed): a new one next time
        _discard(pool)
        raise IngestError(
            "the parser stopped while reading the file (it ran out of its "
            f"{parse_memory_bytes() / 1048576:.0f} MB of memory, or crashed); nothing was stored"
        ) from None
