"""The in-memory title indexes, loaded from the store once and kept current by each ingest.

KnownTitles finds known films in news text; TitleIndex resolves what people type
in commands. Both are rebuilt from the films table at start.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.films.resolve import TitleIndex
from bot.news.titles import KnownTitles


class FilmIndex:
    def __init__(self) -> None:
        self.known = KnownTitles()
        self.titles = TitleIndex()

    def add(self, film_id: int, title: str, aliases: Iterable[str] = ()) -> None:
        aliases = list(aliases)
        self.titles.add(film_id, title, aliases)
        for alias in {title, *aliases}:
            self.known.add(alias, title)

    def __len__(self) -> int:
        return len(self.titles)
