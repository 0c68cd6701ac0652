"""What the command line shows while a long step runs, on stderr: tqdm bars (count, rate, ETA) on a terminal,
plain lines when stderr is a pipe or a log file, and never more than a few seconds of silence either way."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from tqdm import tqdm

LINE_INTERVAL_S = 2.0  # without a terminal: at most one progress line per bar this often
QUIET_LIMIT_S = 3.0  # after this long without output, say what is still running


class Bar:
    """Counts towards `total` units; a tqdm bar on a terminal, else a line now and then."""

    def __init__(self, progress: Progress, desc: str, total: int | None, unit: str) -> None:
        self.progress, self.desc, self.total, self.unit = progress, desc, total, unit
        self.count = 0
        self._started = time.monotonic()
        self._last_line = 0.0
        self._shown = -1  # the count the last line showed
        terminal = progress.enabled and progress.stream.isatty()
        # Bars open at once (files read while their clauses are indexed) stack, one line each.
        position = progress.open_bars
        self.tqdm = (
            tqdm(total=total, desc=desc, unit=unit, file=progress.stream, dynamic_ncols=True, position=position)
            if terminal else None
        )
        progress.open_bars += 1
        progress.now(self)

    def update(self, n: int = 1) -> None:
        self.count += n
        if self.tqdm is not None:
            self.tqdm.update(n)
            self.progress.spoke()
        elif time.monotonic() - self._last_line >= LINE_INTERVAL_S:
            self.line()

    def close(self) -> None:
        if self.tqdm is not None:
            self.tqdm.close()
        elif self._shown != self.count:
            self.line()
        self.progress.open_bars -= 1
        self.progress.now(None)

    def line(self) -> None:
        self._last_line = time.monotonic()
        self._shown = self.count
        of = f"/{self.total}" if self.total is not None else ""
        self.progress.say(f"{self.desc}: {self.count}{of} {self.unit}s ({self._last_line - self._started:.0f} s)")


class Progress:
    """The progress of one command; `enabled=False` (e.g. with --json) keeps stderr quiet.

    A watcher thread keeps the output alive during steps that report nothing for a while (a model
    build, a large file): it refreshes the bar on a terminal (its clock and ETA move) or prints a line.
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, quiet_limit: float = QUIET_LIMIT_S) -> None:
        self.enabled = enabled
        self.quiet_limit = quiet_limit
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()
        self._last_output = time.monotonic()
        self._step: tuple[str, float] | None = None
        self._bar: Bar | None = None
        self.open_bars = 0
        self._closed = threading.Event()
        if enabled:
            threading.Thread(target=self._watch, name="vnpolicy-progress", daemon=True).start()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the watcher: nothing is said after the command's own output."""
        self._closed.set()

    def step(self, what: str) -> None:
        """A step that takes a few seconds and has no count of its own."""
        self._step = (what, time.monotonic())
        self.say(f"vnpolicy: {what}…")

    def bar(self, desc: str, total: int | None, unit: str) -> Bar:
        return Bar(self, desc, total, unit)

    def say(self, line: str) -> None:
        if self.enabled and not self._closed.is_set():
            with self._lock:
                print(line, file=self.stream, flush=True)
                self._last_output = time.monotonic()

    def spoke(self) -> None:
        self._last_output = time.monotonic()

    def now(self, bar: Bar | None) -> None:
        """The bar now running (None when it closed); a bar ends the step before it."""
        self._bar = bar
        self._step = None

    def _watch(self) -> None:
        while not self._closed.wait(min(0.5, self.quiet_limit / 4)):
            if time.monotonic() - self._last_output < self.quiet_limit:
                continue
            bar = self._bar
            if bar is not None and bar.tqdm is not None:
                bar.tqdm.refresh()
                self.spoke()
            elif bar is not None:
                bar.line()
            elif self._step is not None:
                what, since = self._step
                self.say(f"vnpolicy: still {what} ({time.monotonic() - since:.0f} s)…")
