"""Is a new item one more source of a recent story?"""

from __future__ import annotations

import pytest

from bot.films.cluster import is_same_story


@pytest.mark.parametrize(
    ("new", "old", "same_film", "new_people", "old_people", "same"),
    [
        ("'Dune: Part Three' sets December 18, 2026 release",
         "Warner Bros. dates Dune: Part Three for December 2026", True, (), (), True),
        ("Michael Mann says his Heat 2 novel is totally planned to be a movie",
         "Heat 2 is coming: Michael Mann plans a film of his sequel novel", True,
         ("Michael Mann",), ("Michael Mann",), True),
        ("Austin Butler joins 'Heat 2'", "'Heat 2' adds Adria Arjona", True,
         ("Austin Butler",), ("Adria Arjona",), False),
        ("Weekend box office: holdovers lead a quiet frame",
         "Weekend box office: 'Wicked' holds on top", False, (), (), False),
        ("Weekend box office: holdovers lead a quiet frame",
         "Weekend Box Office: Holdovers Lead a Quiet Frame", False, (), (), True),
    ],
)  # fmt: skip
def test_is_same_story(
    new: str,
    old: str,
    same_film: bool,
    new_people: tuple[str, ...],
    old_people: tuple[str, ...],
    same: bool,
) -> None:
    assert (
        is_same_story(
            new, old, same_film=same_film,
            new_people=frozenset(new_people), old_people=frozenset(old_people),
        )
        is same
    )  # fmt: skip
