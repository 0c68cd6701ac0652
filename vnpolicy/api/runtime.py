"""The service behind the HTTP app, and whether its index has loaded (`Runtime`)."""

from __future__ import annotations

import logging
import threading
from functools import partial

import anyio
from fastapi import HTTPException

from vnpolicy.api.service import VnPolicy
from vnpolicy.index.models import Hit, SearchFilters
from vnpolicy.index.retriever import HybridRetriever
from vnpolicy.index.tokenize import dictionary_compounds
from vnpolicy.ingest.restore import load_restorer

logger = logging.getLogger("vnpolicy.api")
SEARCHES_IN_FLIGHT = 16


class Runtime:
    """The service behind the app, and whether its index has loaded.

    The index loads in a background thread so the server answers /health at once; requests that
    need the index get a 503 until it is there. Writes get the 503 too, so a write never races the
    first load. The last complete snapshot is served as soon as it is read; when the store holds
    more (a process stopped between its writes), the index catches up in the same thread afterwards
    (/health shows the progress) and writes wait with a 503 until it has.
    """

    def __init__(self, service: VnPolicy) -> None:
        self.service = service
        self._loaded = threading.Event()
        self.failure: str | None = None
        self.stage = "starting the server"  # what the load is doing now, for /health while it loads
        self.catch_up_failure: str | None = None
        # Searches in flight at once: their query embeddings merge into shared forward passes
        # (vnpolicy.index.embedding.coalescing.CoalescingRunner), so more in flight means more queries per pass.
        self._search_turns = anyio.CapacityLimiter(SEARCHES_IN_FLIGHT)

    def load(self) -> None:
        try:
            self.service.load_model(self._doing)
            # Here, not in load_model: every CLI command loads the model, and only a server's first question
            # typed without diacritics would wait for the restorer.
            self._doing("loading the accent restorer")
            load_restorer()
            dictionary_compounds()  # with it, how a question typed without diacritics is cut into words
            self._doing("loading the index")
            in_step = self.service.open()  # the last complete snapshot, repaired where damaged
        except Exception as error:
            logger.exception("loading the index failed")
            self.failure = f"the index could not be loaded ({type(error).__name__}); the server log says why"
            return
        self._loaded.set()
        if not in_step:
            try:
                self.service.catch_up()
            except Exception as error:
                logger.exception("catching up with the store failed")
                self.catch_up_failure = (
                    f"the index could not catch up with the store ({type(error).__name__}); searches answer "
                    "from the last complete snapshot and the server log says why"
                )

    def _doing(self, step: str) -> None:
        self.stage = step
        logger.info("%s", step)

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def retriever(self) -> HybridRetriever:
        """The current index, or a 503 while it is still loading."""
        if not self.loaded:
            raise HTTPException(
                503, self.failure or "the index is still loading; retry in a few seconds", headers={"Retry-After": "5"}
            )
        return self.service.retriever

    def writable(self) -> None:
        """A 503 unless writes can run now: the index loaded and in step with the store."""
        self.retriever()
        progress = self.service.catching_up
        if progress is not None or self.catch_up_failure:
            detail = self.catch_up_failure or (
                f"the index is catching up with the store ({progress[0]} of {progress[1]} documents); "
                "retry in a few seconds"
            )
            raise HTTPException(503, detail, headers={"Retry-After": "5"})

    async def search(self, query: str, k: int, filters: SearchFilters) -> list[Hit]:
        self.retriever()  # 503 while loading
        search = partial(self.service.search, query, k=k, filters=filters)
        return await anyio.to_thread.run_sync(search, limiter=self._search_turns)
