"""understand() and its parts, as tables of cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.films.normalise import normalise_title
from bot.models import FeedItem, Person, StoryKind
from bot.news.kinds import classify
from bot.news.people import find_people
from bot.news.summary import MAX_SUMMARY_CHARS, split_sentences
from bot.news.titles import KnownTitles, find_titles
from bot.news.understand import understand

PUBLISHED = datetime(2025, 6, 1, tzinfo=UTC)


def _item(title: str, summary: str = "") -> FeedItem:
    return FeedItem(
        feed="test", key=title, url="", title=title, summary=summary, published=PUBLISHED
    )


@pytest.mark.parametrize(
    ("title", "summary", "kind"),
    [
        ("Michael Mann wants to make a Heat sequel", "", StoryKind.SEQUEL_ANNOUNCED),
        (
            "'Heat 2' is totally planned to be a movie, Michael Mann says",
            "",
            StoryKind.SEQUEL_ANNOUNCED,
        ),
        ("Disney Developing Live-Action 'Tangled' Remake", "", StoryKind.SEQUEL_ANNOUNCED),
        ("Warner Bros. Dates 'Dune: Part Three' For December 18, 2026", "", StoryKind.RELEASE_DATE),
        ("'Toy Story 5' Sets June 19, 2026 Release Date", "", StoryKind.RELEASE_DATE),
        ("'Trap' Moves Up A Week To August 2", "", StoryKind.RELEASE_DATE),
        ("Sony Pushes 'Spider-Man: Beyond The Spider-Verse' To June 2027", "", StoryKind.DELAY),
        ("Marvel's 'Blade' Pulled From Release Schedule", "", StoryKind.DELAY),
        ("'Avengers: Doomsday' Postponed To December 2026", "", StoryKind.DELAY),
        ("Zendaya Joins 'Dune: Part Three'", "", StoryKind.CASTING),
        ("Adam Driver Tapped To Star As Enzo Ferrari", "", StoryKind.CASTING),
        ("Florence Pugh In Talks To Star In 'Heat 2' Sequel", "", StoryKind.CASTING),
        ("'Sinners' Trailer: In Theaters March 7", "", StoryKind.TRAILER),
        ("First Look At 'Marty Supreme'", "", StoryKind.TRAILER),
        ("'Weapons' Tops Box Office With $42.5M Opening", "", StoryKind.BOX_OFFICE),
        ("Box Office: 'Sinners' Scores $48 Million Opening Weekend", "", StoryKind.BOX_OFFICE),
        ("'Sinners' Review: A Vampire Saga", "", StoryKind.REVIEW),
        (
            "Weapons",
            "\u2605\u2605\u2605\u2605 Four stars out of five for Cregger's mystery.",
            StoryKind.REVIEW,
        ),
        ("Neon Acquires 'It Was Just An Accident'", "", StoryKind.OTHER),
        ("Cannes Film Festival Unveils Its Lineup", "", StoryKind.OTHER),
        ("'The Last of Us' Season 2 Premiere Date Set", "", StoryKind.NOT_FILM),
        ("'Stranger Things' Final Season Trailer", "", StoryKind.NOT_FILM),
        ("'Harry Potter' HBO Series Casts Its Snape", "", StoryKind.NOT_FILM),
        ("Taylor Swift Announces New Album", "", StoryKind.NOT_FILM),
        (
            "'Peaky Blinders' Movie Sets Netflix Date",
            "The film follows the TV series.",
            StoryKind.RELEASE_DATE,
        ),
        (
            "Big news for 'Heat 2'",
            "Michael Mann confirmed a sequel to Heat is in the works.",
            StoryKind.SEQUEL_ANNOUNCED,
        ),
    ],
)
def test_kind(title: str, summary: str, kind: StoryKind) -> None:
    assert classify(title, summary) is kind


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("Warner Bros. Dates 'Dune: Part Three' For December 2026", ["Dune: Part Three"]),
        ("Variety: \u2018Dune: Part Three\u2019 adds a star", ["Dune: Part Three"]),
        ('Nolan\'s "The Odyssey" shoots in Morocco', ["The Odyssey"]),
        ("\u201cThe Odyssey\u201d trailer", ["The Odyssey"]),
        ('He said "it is going to be one large movie, no question about it" today', []),
        ('Mann said the film was "totally planned."', []),
        ("Michael Mann says his Heat 2 novel is out", ["Heat 2"]),
        ("Sony Dates Spider-Man 4 For July 2026", ["Spider-Man 4"]),
        (
            "Tom Cruise in Mission: Impossible \u2013 Dead Reckoning Part Two trailer",
            ["Mission: Impossible \u2013 Dead Reckoning Part Two"],
        ),
        ("Warner Bros. Sets The Batman Part II For October 2026", ["The Batman Part II"]),
        ("'Gladiator III' in early development", ["Gladiator III"]),
        ("Knives Out 4 is officially happening", ["Knives Out 4"]),
        ("the sequel to 28 Days Later is here", ["28 Days Later"]),
        ("Oppenheimer star Cillian Murphy returns", ["Oppenheimer"]),
        ("Michael Mann's Heat sequel is happening", ["Heat"]),
        ("One Battle After Another review \u2013 a wild ride", ["One Battle After Another"]),
        ("Wicked: For Good Trailer Breakdown: 10 Biggest Reveals", ["Wicked: For Good"]),
        ("Mann's 'Heat' and 'Heat 2' and 'HEAT 2'", ["Heat", "Heat 2"]),
        ("Top 10 films of 2025 and the Season 2 finale on June 4, 2027", []),
    ],
)
def test_titles(text: str, titles: list[str]) -> None:
    assert find_titles(text) == titles


def test_known_titles_whole_words_longest_first_case_insensitive() -> None:
    known = KnownTitles(
        [("Heat", "Heat"), ("heat 2", "Heat 2"), ("Dune: Part Three", "Dune: Part Three")]
    )
    known.add("dune 3", "Dune: Part Three")
    text = "HEAT 2 beat Heat; preheat the oven; Dune 3 too"
    assert known.find(text) == [(0, 6, "Heat 2"), (12, 16, "Heat"), (36, 42, "Dune: Part Three")]
    assert len(known) == 4


def test_known_one_word_titles_only_count_when_capitalised() -> None:
    known = KnownTitles([("Trap", "Trap"), ("Weapons", "Weapons")])
    assert find_titles("a trap for weapons fans", known) == []
    assert find_titles("Shyamalan's Trap opens as Weapons holds", known) == ["Trap", "Weapons"]


def test_known_titles_scale_to_50000() -> None:
    # Build and search times are measured by bench/understand.py, not asserted here.
    known = KnownTitles((f"Film Number {n}", f"Film Number {n}") for n in range(50_000))
    known.add("Heat 2", "Heat 2")
    assert known.find("Mann on Heat 2 and film number 49999.") == [
        (8, 14, "Heat 2"),
        (19, 36, "Film Number 49999"),
    ]
    found = known.find(
        "Zendaya joins Film Number 12 and Film Number 123 in a new trailer for Heat 2."
    )
    assert [title for _, _, title in found] == ["Film Number 12", "Film Number 123", "Heat 2"]
    assert len(known) == 50_001


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "now writer-director Michael Mann wants to make a sequel",
            [Person("Michael Mann", "director")],
        ),
        (
            "Stars Robert De Niro and Val Kilmer would not return",
            [Person("Robert De Niro", "star"), Person("Val Kilmer", "star")],
        ),
        ("Adam Driver has been tapped to star as Enzo Ferrari", [Person("Adam Driver", "star")]),
        ("Greta Gerwig-directed 'Narnia' sets a date", [Person("Greta Gerwig", "director")]),
        (
            "Denis Villeneuve, who directed both films, said",
            [Person("Denis Villeneuve", "director")],
        ),
        (
            "the film starring Emma Stone and Jesse Plemons",
            [Person("Emma Stone", "star"), Person("Jesse Plemons", "star")],
        ),
        ("composer Hans Zimmer returns", [Person("Hans Zimmer", "composer")]),
        ("produced by Emma Thomas", [Person("Emma Thomas", "producer")]),
        ("Speaking to Empire Magazine, Warner Bros. Pictures said", []),
        ("Villeneuve's film is Denis Villeneuve's best", [Person("Denis Villeneuve", "")]),
        ("Timoth\u00e9e Chalamet will star", [Person("Timoth\u00e9e Chalamet", "star")]),
    ],
)
def test_people(text: str, expected: list[Person]) -> None:
    assert find_people(text) == expected


def test_people_inside_titles() -> None:
    """A name inside one of the titles is not a person; one across two titles still is."""
    text = "Michael Mann directs Heat Michael, and Mann Returns with Val Kilmer"
    assert find_people(text, titles=["Heat Michael Mann"]) == [Person("Val Kilmer", "")]
    assert find_people(text, titles=["Heat Michael", "Mann Returns"]) == [
        Person("Michael Mann", "director"),
        Person("Val Kilmer", ""),
    ]


def test_sentences() -> None:
    text = "It opens Dec. 19 in the U.S. and Dr. Strange returns. J.J. Abrams directs! Mr. Mann said so."
    assert split_sentences(text) == [
        "It opens Dec. 19 in the U.S. and Dr. Strange returns.",
        "J.J. Abrams directs!",
        "Mr. Mann said so.",
    ]


@pytest.mark.parametrize(
    ("title", "summary", "starts", "status"),
    [
        (
            "Warner Bros. Dates 'Dune: Part Three' For December 18, 2026",
            "Denis Villeneuve's sequel will open in theaters on December 18, 2026.",
            "Dune: Part Three opens December 18, 2026",
            "dated",
        ),
        (
            "Sony Pushes 'Spider-Man: Beyond The Spider-Verse' To June 4, 2027",
            "The film was dated for March 2027.",
            "Spider-Man: Beyond The Spider-Verse moves to June 4, 2027.",
            "delayed",
        ),
        ("'Mickey 17' Delayed", "No new date has been set.", "Mickey 17 is delayed.", "delayed"),
        (
            "Zendaya Joins 'Dune: Part Three'",
            "Zendaya and Robert Pattinson will star in the sequel.",
            "",
            "",
        ),
        (
            "Knives Out 4 is officially happening, Rian Johnson confirms",
            "",
            "Knives Out 4: confirmed, per Rian Johnson.",
            "confirmed, per Rian Johnson",
        ),
        (
            "'Top Gun 3' In Early Development At Paramount",
            "",
            "Top Gun 3: in development.",
            "in development",
        ),
        (
            "'Sinners' Review: Michael B. Jordan Plays Twins",
            "A thrilling blast of blues and blood.",
            "Review of Sinners.",
            "",
        ),
    ],
)
def test_summary_and_status(title: str, summary: str, starts: str, status: str) -> None:
    result = understand(_item(title, summary))
    assert result.summary.startswith(starts)
    assert len(result.summary) <= MAX_SUMMARY_CHARS
    assert result.status == status


def test_summary_never_invents_a_date() -> None:
    result = understand(_item("'Heat 2' sequel planned", "Michael Mann plans a sequel. " * 30))
    assert len(result.summary) <= MAX_SUMMARY_CHARS
    assert not re.search(r"\b(19|20)\d\d\b", result.summary)
    long = understand(
        _item(
            "Warner Bros. Sets 'The Batman Part II' Date", "The studio gave no date. " + "x " * 400
        )
    )
    assert len(long.summary) <= MAX_SUMMARY_CHARS
    assert "opens" not in long.summary


def test_not_film_items_name_no_film() -> None:
    result = understand(
        _item("'Severance' Renewed For Season 3", "The series returns on June 4, 2026.")
    )
    assert result.kind is StoryKind.NOT_FILM
    assert result.films == () and result.releases == ()


def test_known_titles_feed_understand() -> None:
    known = KnownTitles(
        [("Trap", "Trap"), ("Dune: Part Three", "Dune: Part Three"), ("dune 3", "Dune: Part Three")]
    )
    result = understand(
        _item(
            "Robert Pattinson joins Dune 3 as Scytale", "Trap star Josh Hartnett is also in talks."
        ),
        known=known,
    )
    assert result.films[:2] == ("Dune: Part Three", "Trap")
    assert result.kind is StoryKind.CASTING


def test_article_text_adds_facts() -> None:
    result = understand(
        _item("Heat 2 is happening", "Michael Mann confirmed it."),
        article_text="Adam Driver has been tapped to star in the sequel.",
    )
    assert Person("Adam Driver", "star") in result.people
    assert normalise_title(result.films[0]) == "heat 2"
