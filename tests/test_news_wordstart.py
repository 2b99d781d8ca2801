"""The fast forms of word-start regexes match exactly what the plain forms match."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot.models import StoryKind
from bot.news import dates, kinds
from bot.news.kinds import has_kind_cue, kind_score
from bot.news.wordstart import at_word_start, skippable

DATA = Path(__file__).parent / "data" / "eval.jsonl"


def _texts() -> list[str]:
    texts = DATA.read_text(encoding="utf-8").splitlines()
    rng = random.Random(3)
    words = (
        "open opens re-release released set in sets due due to comes out hits theaters into "
        "cinemas film films pic spin-off sequel trailer first-look box office review 4/5 $41 "
        "million this next summer Jan January Q1 2027 12 x _ é ſ İ - , . ( ' \n"
    ).split(" ")
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    return texts + [text.lower() for text in texts]


TEXTS = _texts()


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("plain", "alternatives", "tail"),
    [
        (
            r"\b(?:film|movie|pic|picture|feature)(?![\w+])",
            "film movie pic picture feature",
            r"(?![\w+])",
        ),
        (r"\b(?:set|sets|settle|s)\b", "set sets settle s", r"\b"),
        (r"\b(?:in|into|is)\s+out", r"in into is", r"\s+out"),
    ],
)
def test_at_word_start_matches_as_the_plain_pattern(
    plain: str, alternatives: str, tail: str
) -> None:
    fast = re.compile(at_word_start(alternatives.split(), tail))
    slow = re.compile(plain)
    for text in TEXTS:
        assert _spans(fast, text) == _spans(slow, text), text
        for start in (1, len(text) // 2):  # the word-start test looks before pos, as \b does
            assert [m.span() for m in fast.finditer(text, start)] == [
                m.span() for m in slow.finditer(text, start)
            ]


def test_at_word_start_needs_a_plain_first_character() -> None:
    with pytest.raises(ValueError):
        at_word_start([r"\d+"])
    with pytest.raises(ValueError):
        at_word_start(["s?et"])


@pytest.mark.parametrize(
    "plain",
    [
        r"\b(?:gets?|lands?)\s+(?:an?\s+)?(?:sequel|movie)\b",
        r"\b(?:moves?|moved) up\b|\bearlier (?:date|release)\b",
        r"\b(?:video\s+)?games?(?![\w+])",
        r"""(?x)\b(?:
            novels? | (?:film|the)\s+score | first[-\s]look
        )(?![\w+])""",
    ],
)
def test_skippable_rewrites_and_matches_as_before(plain: str) -> None:
    rewritten = skippable(plain)
    assert rewritten != plain
    fast, slow = re.compile(rewritten), re.compile(plain)
    for text in TEXTS:
        assert fast.findall(text) == slow.findall(text), text


def test_skippable_leaves_patterns_it_cannot_rewrite() -> None:
    for pattern in (r"\b(?P<word>film)\b", r"\$\d+", r"\bstars?\b|★", r"\b(?:film)+"):
        assert skippable(pattern) == pattern


def test_every_cue_matches_as_written_and_runs_where_it_can_match() -> None:
    for text in TEXTS:
        lowered = text.lower()
        active = kinds._active_cues(lowered)
        for index, (_group, cue) in enumerate(kinds._ALL_CUES):
            found = cue.plain.findall(lowered)
            assert cue.pattern.findall(lowered) == found, (cue.plain.pattern, text)
            if found:
                assert active >> index & 1, (cue.plain.pattern, text)


def test_has_kind_cue_is_a_positive_kind_score() -> None:
    for text in TEXTS[:2000]:
        for kind in StoryKind:
            assert has_kind_cue(kind, text) == (kind_score(kind, text) > 0), (kind, text)


def test_date_anchors_are_word_starts_of_dates() -> None:
    words = "|".join(re.escape(word) + r"\b" for word in dates._ANCHOR_WORDS)
    capitals = "|".join(re.escape(word.capitalize()) + r"\b" for word in dates._ANCHOR_WORDS)
    prefixes = "|".join(re.escape(word) for word in dates._ANCHOR_PREFIXES)
    plain = re.compile(rf"\b(?:[0-9]|{prefixes}|{capitals}|{words})")
    for text in TEXTS:
        assert dates._date_anchors(text) == _spans_starts(plain, text), text


def _spans_starts(pattern: re.Pattern[str], text: str) -> list[int]:
    return [match.start() for match in pattern.finditer(text)]


def test_sequel_marker_quick_test_passes_every_numbered_title() -> None:
    """_run_hits looks for a sequel marker only where _MAYBE_SEQUEL_MARKER matches: every run it
    finds a numbered title in must pass, and names such as "Denis Villeneuve" need not."""
    from bot.news import titles

    words = (
        "Heat Dune Rocky Saw Denis Villeneuve Florence Pugh Part PART part: Chapter chapter "
        "II III IV V VI VII VIII IX X XI XII Vi Ix II. IV: 2 3 10 Two Three Four One Man "
        "Pictures Paramount Christmas Vol Season Day Of The Return Returns"
    ).split()
    rng = random.Random(11)
    numbered = 0
    for _ in range(4000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6)))
        for run in titles._RUN_RE.finditer(text):
            tokens = titles._tokens(run.group())
            for title_case in (True, False):
                marker = titles._sequel_marker(text, run, tokens)
                if marker is None:
                    continue
                hit = titles._numbered_title(run, tokens, marker, title_case=title_case)
                if hit is not None:
                    numbered += 1
                    assert titles._MAYBE_SEQUEL_MARKER.search(run.group()), run.group()
    assert numbered > 100
    assert not titles._MAYBE_SEQUEL_MARKER.search("Denis Villeneuve")
    assert not titles._MAYBE_SEQUEL_MARKER.search("Florence Pugh")
    assert titles.find_titles("Rocky V. opens") == ["Rocky V"]
    assert titles.find_titles("Dune PART Two") == ["Dune PART Two"]
