"""The local summariser: one or two plain sentences, key fact first, from the facts found.

Feed items are one to four sentences, so a summary built from the extracted facts (film,
date, status, who) plus the item's own best sentence serves better than ranking sentences.
Dates only ever come from the words of a ReleaseMention: nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.models import Person, ReleaseMention, StoryKind
from bot.news.kinds import has_kind_cue

__all__ = ["MAX_SUMMARY_CHARS", "best_sentence", "split_sentences", "summarise", "truncate"]

MAX_SUMMARY_CHARS = 280
_SENTENCES_READ = 8  # of the summary; the lede carries the news

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jr sr vs inc co ltd bros corp jan feb mar apr jun jul aug sep sept oct
    nov dec no vol pt ft mt gen col lt sgt prof rev approx est etc u.s u.k a.m p.m e.g i.e""".split()
)
# A full stop, "!" or "?" (with closing quotes or brackets) before a space and a capital,
# digit or opening quote: a possible sentence end, checked against abbreviations.
_END_RE = re.compile(r"[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_WORD_BEFORE_RE = re.compile(r"([\w.]+)\.$")
_INITIALS = re.compile(r"(?:\w\.)+\w")  # "u.s", "j.j"
_PARAGRAPHS = re.compile(r"\n\s*\n|\n")


def _is_abbreviation(text: str, stop: int) -> bool:
    match = _WORD_BEFORE_RE.search(text[max(0, stop - 12) : stop + 1])
    if match is None:
        return False
    word = match.group(1).lower()
    return (
        word in _ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or bool(_INITIALS.fullmatch(word))
    )


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; "Dec. 19", "Dr. Strange", "J.J. Abrams" and "U.S." do not end one."""
    sentences: list[str] = []
    # Every paragraph break has a line break: without one, the text is one paragraph.
    for paragraph in _PARAGRAPHS.split(text) if "\n" in text else (text,):
        start = 0
        for match in _END_RE.finditer(paragraph):
            if paragraph[match.start()] == "." and _is_abbreviation(paragraph, match.start()):
                continue
            sentence = paragraph[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        rest = paragraph[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—-")
    return cut + "…"


def _as_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".!?…" or text[-2:-1] in ".!?" else text + "."


def best_sentence(
    title: str, summary: str, *, kind: StoryKind, film: str, people: Sequence[Person]
) -> str:
    """The item's own sentence that carries the most of the facts found, the title included."""
    candidates = [title] + split_sentences(summary)[:_SENTENCES_READ]
    best, best_score = "", float("-inf")
    film_lowered = film.lower()
    names = [person.name for person in people]
    for index, sentence in enumerate(candidates):
        if not sentence.strip():
            continue
        score = -0.3 * index
        if film and film_lowered in sentence.lower():
            score += 3
        named = min(2, sum(map(sentence.__contains__, names))) if names else 0
        out_of_length = len(sentence) > 220 or len(sentence) < 30
        # The score with a kind cue, summed in the same order; the kind cue is the costly
        # test, and not needed where even that score does not beat the best.
        with_cue = score + 2 + named
        if out_of_length:
            with_cue -= 2
        if with_cue <= best_score:
            continue
        if has_kind_cue(kind, sentence):
            score = with_cue
        else:
            score += named
            if out_of_length:
                score -= 2
        if score > best_score:
            best, best_score = sentence, score
    return _as_sentence(best) if best else ""


def _mention_for(film: str, releases: Sequence[ReleaseMention]) -> ReleaseMention | None:
    for mention in releases:
        if mention.film == film:
            return mention
    return releases[0] if releases else None


def _medium(mention: ReleaseMention) -> str:
    medium = mention.medium.strip()
    if not medium:
        return ""
    if medium.lower() in ("theaters", "theatres", "cinemas", "imax"):
        return f" (in {medium})"
    return f" (on {medium})"


def _key_fact(
    kind: StoryKind,
    film: str,
    status: str,
    people: Sequence[Person],
    releases: Sequence[ReleaseMention],
) -> str:
    if not film:
        return ""
    if kind is StoryKind.SEQUEL_ANNOUNCED:
        return f"{film}: {status or 'announced'}."
    if kind is StoryKind.RELEASE_DATE:
        mention = _mention_for(film, releases)
        return f"{film} opens {mention.words}{_medium(mention)}." if mention is not None else ""
    if kind is StoryKind.DELAY:
        mention = _mention_for(film, releases)
        return f"{film} moves to {mention.words}." if mention is not None else f"{film} is delayed."
    if kind is StoryKind.CASTING:
        stars = [person.name for person in people if person.role == "star"]
        return f"{stars[0]} joins {film}." if stars else ""
    if kind is StoryKind.TRAILER:
        return f"A trailer for {film} is out."
    if kind is StoryKind.REVIEW:
        return f"Review of {film}."
    return ""


def summarise(
    *,
    kind: StoryKind,
    title: str,
    summary: str,
    films: Sequence[str],
    people: Sequence[Person],
    releases: Sequence[ReleaseMention],
    status: str = "",
) -> str:
    """One or two plain sentences, key fact first, at most MAX_SUMMARY_CHARS characters."""
    film = films[0] if films else ""
    fact = _key_fact(kind, film, status, people, releases)
    sentence = best_sentence(title, summary, kind=kind, film=film, people=people)
    if not fact:
        return truncate(sentence, MAX_SUMMARY_CHARS)
    if not sentence or sentence.lower() == fact.lower():
        return truncate(fact, MAX_SUMMARY_CHARS)
    combined = f"{fact} {sentence}"
    if len(combined) <= MAX_SUMMARY_CHARS:
        return combined
    room = MAX_SUMMARY_CHARS - len(fact) - 1
    return f"{fact} {truncate(sentence, room)}" if room >= 60 else truncate(fact, MAX_SUMMARY_CHARS)
