"""The kind cues' prefilter reads re's private parser; without it every cue runs."""

from __future__ import annotations

import pytest

from bot.news import kinds


def _a_cue_with_clauses() -> kinds.Cue:
    return next(cue for _, cue in kinds._ALL_CUES if kinds._clauses(cue.plain))


def test_without_the_private_parser_a_cue_has_no_clause_and_always_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cue = _a_cue_with_clauses()
    monkeypatch.setattr(kinds, "_parser", None)
    assert kinds._clauses(cue.plain) == []


def test_a_parser_that_changed_shape_is_no_reason_to_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        @staticmethod
        def parse(pattern: str) -> object:
            raise TypeError("the private API moved")

    cue = _a_cue_with_clauses()
    monkeypatch.setattr(kinds, "_parser", Broken)
    assert kinds._clauses(cue.plain) == []
