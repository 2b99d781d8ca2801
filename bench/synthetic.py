"""Synthetic film news for the benchmarks: many distinct titles and realistic headlines."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.films.normalise import normalise_title
from bot.models import FeedItem

ADJECTIVES = (
    "Silent Crimson Broken Hidden Last Golden Savage Electric Frozen Burning Distant Midnight "
    "Hollow Iron Wild Lonely Bright Dark Final Lost Secret Shattered Quiet Rising Falling Endless "
    "Scarlet Velvet Glass Paper Stone Neon Wicked Gentle Bitter Sweet Cold Hot Blind Northern "
    "Southern Eastern Western Little Great Young Old Twisted Savage Restless Fearless Hungry Lucky "
    "Crooked Steady Sudden Empty Sacred Royal Copper Silver Ivory Amber Ashen Azure Cobalt Dusky "
    "Emerald Feral Gilded Hazy Jagged Kindred Lunar Mellow Nimble Opal Pale Quick Rusty Solar "
    "Tidal Umber Vivid Woven Young Zealous Brave Clever Daring Eager Fabled Grim Humble Jolly Keen"
).split()
NOUNS = (
    "Harbor River Mountain City Garden Empire Kingdom Machine Signal Shadow Mirror Horizon Island "
    "Desert Forest Ocean Storm Thunder Winter Summer Letter Promise Witness Stranger Hunter Runner "
    "Dancer Soldier Pilot Doctor Teacher Sister Brother Mother Father Daughter Son Friend Enemy "
    "Voyage Journey Escape Return Reckoning Awakening Legacy Frontier Station Tower Bridge Castle "
    "Valley Canyon Prairie Meadow Orchard Lighthouse Carnival Circus Theater Museum Library Diner "
    "Motel Highway Railroad Airport Harbor Market Factory Quarry Mine Temple Palace Cathedral "
    "Garage Studio Gallery Kitchen Bakery Tavern Arcade Casino Stadium Arena Prison Asylum Academy"
).split()
SUFFIXES = ("", " 2", ": Part Three", " 4", " Returns", ": Reckoning", " Rising", " Forever")
OUTLETS = ("Deadline", "Variety", "The Hollywood Reporter", "IndieWire", "Empire", "Collider")
TEMPLATES = (
    (
        "'{t}' sets {d} theatrical release",
        "{s} has dated '{t}' for {d}, when it opens in theaters.",
    ),
    ("{s} pushes '{t}' to {d}", "The studio moved '{t}' from its earlier slot to {d}."),
    ("{p} joins '{t}'", "{p} has been cast in '{t}', which starts filming next spring."),
    ("First trailer for '{t}' lands", "{s} released the first trailer for '{t}', out {d}."),
    ("'{t}' review: a {a} return", "Our critic on '{t}', starring {p}."),
    ("Box office: '{t}' leads with $41 million", "'{t}' topped the weekend box office."),
    ("{p} to direct a '{t}' sequel", "A sequel to '{t}' is in development with {p} directing."),
)
STUDIOS = ("Warner Bros.", "Universal", "Sony", "Paramount", "Lionsgate", "A24", "Neon")
PEOPLE = (
    "Florence Pugh",
    "Adam Driver",
    "Greta Gerwig",
    "Denis Villeneuve",
    "Zendaya",
    "Michael Mann",
)
DATES = ("December 18, 2026", "June 4, 2027", "summer 2027", "Oct. 1, 2027", "March 2028")


def film_titles(count: int) -> list[str]:
    """`count` distinct titles such as 'The Silent Harbor 2'."""
    titles: list[str] = []
    for suffix in SUFFIXES:
        for adjective in dict.fromkeys(ADJECTIVES):
            for noun in dict.fromkeys(NOUNS):
                titles.append(f"The {adjective} {noun}{suffix}")
                if len(titles) == count:
                    return titles
    raise ValueError(f"only {len(titles)} distinct titles can be made")


def news_items(count: int, titles: list[str], *, seed: int = 7) -> Iterator[FeedItem]:
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(count):
        title = rng.choice(titles)
        headline, summary = rng.choice(TEMPLATES)
        values = {
            "t": title,
            "d": rng.choice(DATES),
            "s": rng.choice(STUDIOS),
            "p": rng.choice(PEOPLE),
            "a": rng.choice(ADJECTIVES).lower(),
        }
        yield FeedItem(
            feed=rng.choice(OUTLETS),
            key=f"guid:{n}",
            url=f"https://news.example/{n}",
            title=headline.format(**values),
            summary=summary.format(**values),
            published=start + timedelta(minutes=17 * n),
        )


# Titles of random shapes for title resolution: one to four words, sometimes "The", and
# sequel numbers spelt every way ("2", "II", "Part Two", ": Chapter 4").
RANDOM_TITLE_WORDS = (
    "silent river night shadow crimson harbor last empire broken wings iron garden winter "
    "storm golden hour black lagoon glass city hollow crown distant shore burning sky "
    "lost signal red planet quiet storm midnight express northern lights paper moon "
    "secret army wild hearts electric dreams savage coast stolen summer frozen lake "
    "endless road twisted fate silver bullet deadly game velvet rope haunted manor "
    "forgotten kingdom rising tide fallen angel copper canyon dark matter bright star "
    "sleeping giant hidden valley scarlet letter marble arch desert rose ocean deep "
    "thunder ridge lonely planet burning bridge falcon serpent phoenix dragon tiger "
    "raven wolf lion eagle hunter stranger widow soldier pilot doctor brother sister "
    "mother father daughter son king queen prince thief ghost angel devil saint"
).split()
RANDOM_TITLE_SEQUELS = ("", "", "", "", " 2", " 3", " Part Two", " II", ": Chapter 4", " Returns")


def generated_titles(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    titles: dict[str, str] = {}
    while len(titles) < count:
        words = " ".join(
            word.capitalize() for word in rng.sample(RANDOM_TITLE_WORDS, rng.randint(1, 4))
        )
        prefix = "The " if rng.random() < 0.2 else ""
        title = prefix + words + rng.choice(RANDOM_TITLE_SEQUELS)
        # one film per normalised title: "Wolf 2" and "Wolf II" would be the same film
        titles.setdefault(normalise_title(title), title)
    return list(titles.values())
