"""Progress of long CLI work: a bar redrawn in place on a terminal, plain lines elsewhere.

Logs and CI capture stderr without a terminal; there a line every so often (and one at
the end) says as much as the bar does, without carriage returns smearing the log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 28
LINE_EVERY_SECONDS = 5.0  # without a terminal: at most one line this often, plus the last


class Progress:
    def __init__(
        self,
        label: str,
        total: int,
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty()
        self._clock = clock
        self._started = clock()
        self._last_line = float("-inf")
        self._finished = False

    def advance(self, note: str = "") -> None:
        self.done = min(self.done + 1, self.total) if self.total else self.done + 1
        if self._tty:
            self._draw(note)
        else:
            now = self._clock()
            if self.done == self.total or now - self._last_line >= LINE_EVERY_SECONDS:
                self._last_line = now
                self._stream.write(self._line(note) + "\n")
                self._stream.flush()
        if self.done == self.total:
            self.finish()

    def finish(self) -> None:
        """Ends the bar's line on a terminal; safe to call twice."""
        if self._finished:
            return
        self._finished = True
        if self._tty and self.done:
            self._stream.write("\n")
            self._stream.flush()

    def _line(self, note: str) -> str:
        elapsed = self._clock() - self._started
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        text = f"{self.label}: {count} ({elapsed:.1f} s)"
        return f"{text} {note}" if note else text

    def _draw(self, note: str) -> None:
        share = self.done / self.total if self.total else 1.0
        filled = round(BAR_WIDTH * share)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {self._line(note)}"
        # \r and clear-to-end: redraw in place, no leftovers from a longer previous note
        self._stream.write(f"\r{line[:200]}\x1b[K")
        self._stream.flush()
