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
from vnpolicy.ingest.models import Document

logger = logging.getLogger("vnpolicy.api")
SEARCHES_IN_FLIGHT = 16


class Runtime:
    """The service behind the app, and whether its index has loaded.

    The index loads in a background thread so the server answers /health at once; requests that
    need the index get a 503 until it is there. Writes get the 503 too, so a write never races the
    first load.
    """

    def __init__(self, service: VnPolicy) -> None:
        self.service = service
        self._loaded = threading.Event()
        self.failure: str | None = None
        self.stage = "starting the server"  # what the load is doing now, for /health while it loads
        # Searches in flight at once: their query embeddings merge into shared forward passes
        # (vnpolicy.index.embedding.coalescing.CoalescingRunner), so more in flight means more queries per pass.
        self._search_turns = anyio.CapacityLimiter(SEARCHES_IN_FLIGHT)

    def load(self) -> None:
        try:
            self.service.load_model(self._doing)
            self._doing("loading the index")
            self.service.retriever  # noqa: B018 — the property syncs the index with the store
        except Exception as error:
            logger.exception("loading the index failed")
            self.failure = f"the index could not be loaded ({type(error).__name__}); the server log says why"
        else:
            self._loaded.set()

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

    async def search(self, query: str, k: int, filters: SearchFilters) -> list[Hit]:
        self.retriever()  # 503 while loading
        search = partial(self.service.search, query, k=k, filters=filters)
        return await anyio.to_thread.run_sync(search, limiter=self._search_turns)

    def documents(self) -> dict[str, Document]:
        """The documents the current index covers, in store order (by file name)."""
        return self.retriever().table.documents
