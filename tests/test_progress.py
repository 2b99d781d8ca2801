"""Progress of long CLI work, on a terminal and off one."""

from __future__ import annotations

import io

from adapters.progress import LINE_EVERY_SECONDS, Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_it_writes_sparse_plain_lines_and_always_the_last() -> None:
    out, clock = io.StringIO(), Ticks()
    progress = Progress("polling feeds", 10, stream=out, clock=clock)
    for step in range(10):
        clock.now = step * (LINE_EVERY_SECONDS / 4)
        progress.advance(f"feed {step}")
    lines = out.getvalue().splitlines()
    assert lines[0] == "polling feeds: 1/10 (0.0 s) feed 0"
    assert lines[-1].startswith("polling feeds: 10/10 ") and lines[-1].endswith("feed 9")
    assert 2 <= len(lines) < 10  # throttled, not one per step
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_on_a_terminal_it_redraws_one_line_and_ends_it() -> None:
    out = FakeTerminal()
    progress = Progress("understanding cases", 4, stream=out, clock=Ticks())
    for _ in range(4):
        progress.advance()
    text = out.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n") and text.count("\n") == 1
    assert "[" + "#" * 28 + "] understanding cases: 4/4" in text
    assert "[" + "#" * 7 + "-" * 21 + "] understanding cases: 1/4" in text
    progress.finish()  # twice is harmless
    assert out.getvalue() == text


def test_an_empty_job_finishes_without_dividing_by_zero() -> None:
    out = FakeTerminal()
    progress = Progress("polling feeds", 0, stream=out, clock=Ticks())
    progress.finish()
    assert out.getvalue() == ""
