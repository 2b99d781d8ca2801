"""understand(): one FeedItem in, one Understanding out (kind, films, people, dates, summary).

Pure and fast (well under a millisecond for a typical item): every pattern is compiled once
at import, and nothing is loaded from disk or the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter

from bot.films.normalise import normalise_title, sequel_number
from bot.models import FeedItem, Person, Precision, ReleaseMention, StoryKind, Understanding
from bot.news.dates import find_release_mentions
from bot.news.kinds import BODY_CHARS, classify
from bot.news.people import find_people
from bot.news.summary import split_sentences, summarise
from bot.news.titles import (
    KnownTitles,
    TitleEntry,
    TitleHit,
    drop_fragments,
    extract_titles,
    merge_titles,
)
from bot.news.wordstart import skippable

__all__ = ["understand"]


_CONFIRMED = re.compile(
    r"\b(?:confirm(?:s|ed)?|officially|greenlit|green-?lit|green ?light|is happening|announce[sd]?|is a go|orders?|ordered)\b",
    re.IGNORECASE,
)
_DEVELOPMENT = re.compile(
    r"\b(?:in (?:early )?development|in the works|developing|being developed|being written|writing the script|script)\b",
    re.IGNORECASE,
)
_PLANNED_FEATURE = re.compile(r"\bplanned (?:to be|as) an? (?:movie|film|feature)\b", re.IGNORECASE)
_PLANNED = re.compile(
    r"\b(?:plans?|planned|planning|wants?|hopes?|eyes|eyeing|would love)\b", re.IGNORECASE
)
_SAID = r"(?:'s|’s)?\s+(?:says|said|confirms|confirmed|reveals|revealed|teases|teased|told|tells|wants|hopes|plans|announces|announced|explains|insists|promises|is planning|has confirmed|has revealed)\b"
_SAID_BY = r"\b(?:says|said|according to|per|confirmed by|told)\s+"


# "'Peaky Blinders' Movie 'The Immortal Man'", "'The Conjuring' Spinoff 'The Nun 3'": the
# second title is the film the news is about; the first only says where it comes from.
_FROM_FRANCHISE = re.compile(
    r"['‘\"“][^'’\"”]+['’\"”]\s+(?i:movie|film|spin-?off|sequel|prequel|follow-up|remake|reboot)\s+['‘\"“](?P<film>[^'’\"”]+)['’\"”]"
)


# One of these is in every _FROM_FRANCHISE match of an ASCII title, lower-cased.
_FRANCHISE_WORDS = ("movie", "film", "spin", "sequel", "prequel", "follow-up", "remake", "reboot")


def _title_entries(title: str, body: str, known: KnownTitles | None) -> list[TitleEntry]:
    offset = len(title) + 2
    hits: list[TitleHit] = extract_titles(title, known, headline=True)
    body_hits = extract_titles(body, known)
    for hit in body_hits:  # new objects, made for this call: shifted in place
        hit.start += offset
    hits += body_hits
    entries = drop_fragments(merge_titles(hits))
    entries.sort(key=attrgetter("first"))
    return entries


def _main_first(entries: list[TitleEntry], title: str, kind: StoryKind) -> list[TitleEntry]:
    """Move the film the news is about to the front."""
    lowered = title.lower()
    franchise = (
        _FROM_FRANCHISE.search(title)
        if not title.isascii() or any(word in lowered for word in _FRANCHISE_WORDS)
        else None
    )
    if franchise:
        key = normalise_title(franchise.group("film"))
        entries.sort(key=lambda entry: entry.key != key)
    elif kind is StoryKind.SEQUEL_ANNOUNCED and entries:
        main = entries[0]
        in_title = [e for e in entries if e.first < len(title) and sequel_number(e.key) > 1]
        extends = [
            e
            for e in entries
            if e.key.startswith(main.key + " ") and sequel_number(e.key) > sequel_number(main.key)
        ]
        sequel = (in_title or extends or [main])[0]
        entries.remove(sequel)
        entries.insert(0, sequel)
    return entries


@lru_cache(maxsize=1024)
def _said_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ "Name says ..." and "... according to Name": apart, each is quick to search for."""
    escaped = re.escape(name)
    return re.compile(f"{escaped}{_SAID}"), re.compile(skippable(f"{_SAID_BY}{escaped}"))


def _speaker(text: str, people: Sequence[Person]) -> str:
    for person in people:
        # Both ways of saying it hold the name as written: where it is not, neither matches.
        if person.name not in text:
            continue
        says, said_by = _said_patterns(person.name)
        if says.search(text) or said_by.search(text):
            return person.name
    return ""


def _refined(releases: list[ReleaseMention]) -> list[ReleaseMention]:
    """Put an exact date before a vaguer mention of the same film that it falls within
    ("moves to June 2027 ... June 4, 2027"), so the first mention of a film is its best."""
    if len(releases) < 2:
        return releases  # nothing to reorder
    ordered = list(releases)
    for mention in releases:
        if mention.precision is not Precision.DAY or mention.date is None:
            continue
        for earlier_index in range(ordered.index(mention)):
            earlier = ordered[earlier_index]
            if earlier.film == mention.film and _within(mention.date, earlier):
                ordered.remove(mention)
                ordered.insert(earlier_index, mention)
                break
    return ordered


def _within(day: date, vague: ReleaseMention) -> bool:
    if vague.date is None or vague.precision is Precision.DAY:
        return False
    if vague.precision is Precision.YEAR:
        return day.year == vague.date.year
    if vague.precision is Precision.MONTH:
        return (day.year, day.month) == (vague.date.year, vague.date.month)
    return timedelta(0) <= day - vague.date < timedelta(days=92)  # a season or unknown span


# The status each pattern gives, strongest first, with the pattern as written (for any text)
# and the same one without re.IGNORECASE (all lower case) for lower-cased ASCII text, where
# it matches alike and several times faster.
_STATUS_CUES = tuple(
    (status, pattern, re.compile(skippable(pattern.pattern)))
    for status, pattern in (
        ("confirmed", _CONFIRMED),
        ("in development", _DEVELOPMENT),
        ("planned as a feature", _PLANNED_FEATURE),
        ("planned", _PLANNED),
    )
)


def _stated_status(text: str) -> str:
    if text.isascii():
        lowered = text.lower()
        for status, _pattern, in_lowered in _STATUS_CUES:
            if in_lowered.search(lowered):
                return status
    else:
        for status, pattern, _in_lowered in _STATUS_CUES:
            if pattern.search(text):
                return status
    return ""


def _status(kind: StoryKind, title: str, summary: str, people: Sequence[Person]) -> str:
    if kind is StoryKind.RELEASE_DATE:
        return "dated"
    if kind is StoryKind.DELAY:
        return "delayed"
    if kind is not StoryKind.SEQUEL_ANNOUNCED:
        return ""
    lede = _lede(summary)
    status = _stated_status(title) or _stated_status(lede) or "announced"
    speaker = _speaker(f"{title}. {lede}", people)
    return f"{status}, per {speaker}" if speaker else status


def _lede(summary: str) -> str:
    sentences = split_sentences(summary[: BODY_CHARS * 2])
    return " ".join(sentences[:3])


def understand(
    item: FeedItem, *, known: KnownTitles | None = None, article_text: str = ""
) -> Understanding:
    title = " ".join(item.title.split())
    summary = item.summary.strip()
    article = article_text.strip()
    body = f"{summary}\n\n{article}" if article else summary
    kind = classify(title, summary or article_text)
    text = f"{title}. {body}" if title else body
    entries = _title_entries(title, body, known)
    people = find_people(text, titles=[entry.text for entry in entries if entry.strong])
    if people:
        names = {person.name.lower() for person in people}
        # A name next to a cue word ("Glen Powell cast as...") is a person, not a film.
        entries = [entry for entry in entries if entry.strong or entry.text.lower() not in names]
    films: list[str] = []  # TV, music, games, books (NOT_FILM): nothing to record as a film
    if kind is not StoryKind.NOT_FILM:
        films = [entry.text for entry in _main_first(entries, title, kind)]
        if films:
            people = [person for person in people if person.name not in films]
    releases = (
        _refined(find_release_mentions(text, published=item.published, films=films))
        if films
        else []
    )
    status = _status(kind, title, summary, people)
    brief = summarise(
        kind=kind,
        title=title,
        summary=summary or article_text,
        films=films,
        people=people,
        releases=releases,
        status=status,
    )
    return Understanding(
        kind=kind,
        films=tuple(films),
        people=tuple(people),
        releases=tuple(releases),
        summary=brief,
        status=status,
    )
