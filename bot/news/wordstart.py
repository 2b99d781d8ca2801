r"""Regexes that start at a word and that the regex engine can still skip through quickly.

Python's regex engine skips straight to where a match can start only when the pattern
starts with a character, a set of characters or a choice of characters. A pattern that
starts with \b (or any lookbehind) is instead tried in full at every position of the text,
several times slower on news text. at_word_start() writes \b(?:A|B|...) the fast way: each
alternative starts with its first character, and the word-start test comes right after
it as a lookbehind, (?<!\w.), which holds exactly where \b held before that character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

__all__ = ["at_word_start", "skippable"]


def at_word_start(alternatives: Sequence[str], tail: str = "") -> str:
    r"""\b(?:A|B|...)TAIL, for alternatives that each start with a plain letter or digit.

    The alternatives are grouped by first character, each group keeping their order, so
    the same alternative matches as before (at one position only those with the right
    first character can).
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        if not _plain_start(alternative):
            raise ValueError(f"{alternative!r} does not start with a plain letter or digit")
        groups.setdefault(alternative[0], []).append(alternative[1:])
    choices = "|".join(rf"{first}(?<!\w.)(?:{'|'.join(rests)})" for first, rests in groups.items())
    return f"(?:{choices}){tail}"


def skippable(pattern: str) -> str:
    r"""The same regex written with at_word_start() where it has the shape for it: every
    top-level alternative \b followed by words or (?:groups) of words. Otherwise, or when
    the pattern has capturing groups (which the rewriting would repeat), `pattern` itself.

    "\b(?:gets?|lands?) (?:a|an) sequel|\bsequel" -> the alternatives "gets? (?:a|an)
    sequel", "lands? (?:a|an) sequel" and "sequel", each at a word start: (?:A|B)T is
    (?:AT|BT), tried in the same order.
    """
    if pattern.startswith("(?x)"):
        pattern = _compact(pattern[4:])
    if re.compile(pattern).groups:
        return pattern
    alternatives: list[str] = []
    for top in _split(pattern):
        if not top.startswith(r"\b"):
            return pattern
        expanded = _expand(top[2:])
        if expanded is None:
            return pattern
        alternatives += expanded
    return at_word_start(alternatives)


def _plain_start(alternative: str) -> bool:
    return alternative[:1].isalnum() and alternative[1:2] not in ("?", "*", "+", "{")


def _expand(text: str) -> list[str] | None:
    """Alternatives that each start with a plain character, for `text` (None: none such)."""
    if _plain_start(text):
        return [text]
    if not text.startswith("(?:"):
        return None
    close = _closing(text, 0)
    if close is None:
        return None
    tail = text[close + 1 :]
    expanded: list[str] = []
    if tail.startswith("?") and not tail.startswith(("??", "?+")):
        # (?:X)?TAIL: X then TAIL first (the "?" is greedy), then TAIL alone.
        tail = tail[1:]
        for inner in _split(text[3:close]) + [""]:
            more = _expand(inner + tail)
            if more is None:
                return None
            expanded += more
        return expanded
    if tail[:1] in ("?", "*", "+", "{"):
        return None
    for inner in _split(text[3:close]):
        more = _expand(inner + tail)
        if more is None:
            return None
        expanded += more
    return expanded


def _compact(verbose: str) -> str:
    """A (?x) pattern without its layout: whitespace outside sets and escapes ("#" comments
    are not supported)."""
    if "#" in verbose:
        raise ValueError("comments in a verbose pattern are not supported")
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(verbose):
        char = verbose[index]
        if char == "\\":
            out.append(verbose[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char.isspace():
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _top_level(text: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, groups open around it) for each character of `text` that is not
    escaped and not inside a [set]; a group's own "(" and ")" count as outside it."""
    depth = index = 0
    in_class = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if text[index + 1 : index + 2] == "]":
                index += 1  # "[]...]": a "]" right after "[" is a member
        else:
            depth -= char == ")"
            yield index, char, depth
            depth += char == "("
        index += 1


def _split(text: str) -> list[str]:
    """`text` cut at its top-level "|"."""
    cuts = [index for index, char, depth in _top_level(text) if char == "|" and depth == 0]
    starts = [0, *(cut + 1 for cut in cuts)]
    ends = [*cuts, len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def _closing(text: str, open_at: int) -> int | None:
    """Where the group opened at `open_at` closes."""
    for index, char, depth in _top_level(text[open_at:]):
        if char == ")" and depth == 0:
            return open_at + index
    return None
