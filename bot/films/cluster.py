"""Is a new item the same piece of news as a recent story? Then it is one more source."""

from __future__ import annotations

from datetime import timedelta

from rapidfuzz import fuzz

from bot.films.normalise import normalise_title

MERGE_WINDOW = timedelta(days=3)
# Same film and same kind within the window is most of the evidence; the titles only need
# to share some words. Without a film, only near-identical headlines merge.
SAME_FILM_MIN_SIMILARITY = 35.0
NO_FILM_MIN_SIMILARITY = 85.0


def is_same_story(
    new_title: str,
    old_title: str,
    *,
    same_film: bool,
    new_people: frozenset[str] = frozenset(),
    old_people: frozenset[str] = frozenset(),
) -> bool:
    if new_people and old_people and not new_people & old_people:
        return False  # two castings for one film in a week are two pieces of news
    a, b = normalise_title(new_title), normalise_title(old_title)
    if same_film:
        # Shared words in any order: outlets phrase the same news differently.
        return fuzz.token_set_ratio(a, b) >= SAME_FILM_MIN_SIMILARITY
    # Without a film a subset of words proves nothing ("Box office: ..."): compare whole titles.
    return fuzz.token_sort_ratio(a, b) >= NO_FILM_MIN_SIMILARITY
