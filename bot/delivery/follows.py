"""What people follow, and whether a story is about it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.films.normalise import normalise_title
from bot.models import Target, Understanding


class FollowKind(Enum):
    FILM = "film"
    PERSON = "person"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class Follow:
    user: Target  # where the person's direct messages go
    kind: FollowKind
    value: str
    norm: str
    film_id: int | None = None
    reminders: bool = True
    id: int = 0  # the database row, once stored

    def matches(
        self, film_ids: tuple[int, ...], title: str, summary: str, understanding: Understanding
    ) -> bool:
        if self.kind is FollowKind.FILM:
            return self.film_id is not None and self.film_id in film_ids
        if self.kind is FollowKind.PERSON:
            return any(person.name.casefold() == self.norm for person in understanding.people)
        # A keyword may name a film the bot did not know when it was followed ("heat3").
        wanted = normalise_title(self.value)
        if wanted and any(normalise_title(film) == wanted for film in understanding.films):
            return True
        text = f"{title} {summary}".casefold()
        return re.search(rf"(?<!\w){re.escape(self.norm)}(?!\w)", text) is not None
