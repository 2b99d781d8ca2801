"""The one normal form of film titles that aliases, resolution and merging rely on."""

from __future__ import annotations

import pytest

from bot.films.normalise import normalise_title, sequel_number


@pytest.mark.parametrize(
    ("title", "normal", "number"),
    [
        ("Heat 2", "heat 2", 2),
        ("heat2", "heat 2", 2),
        ("HEAT II", "heat 2", 2),
        ("Heat", "heat", 1),
        ("Dune: Part Three", "dune 3", 3),
        ("Dune Part 3", "dune 3", 3),
        ("Mission: Impossible – Dead Reckoning Part Two", "mission impossible dead reckoning 2", 2),
        ("The Batman Part II", "batman 2", 2),
        ("Rocky V", "rocky 5", 5),
        ("Malcolm X", "malcolm x", 1),
        ("Batman v Superman: Dawn of Justice", "batman v superman dawn of justice", 1),
        ("Ocean's Eleven", "oceans eleven", 1),
        ("Avatar: Fire & Ash", "avatar fire and ash", 1),
        ("Amélie", "amelie", 1),
        ("Левиафан", "левиафан", 1),
        ("Blade Runner 2049", "blade runner 2049", 1),
        ("The Thing", "thing", 1),
        ("The", "the", 1),
        ("!!!", "", 1),
    ],
)
def test_normal_forms(title: str, normal: str, number: int) -> None:
    assert normalise_title(title) == normal
    assert sequel_number(normal) == number
