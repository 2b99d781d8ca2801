"""Micro-benchmark for bot.films.resolve: build time and resolve latency at 50,000 titles,
plus the scorer comparison behind the choice of fuzz.ratio.

Run: .venv/bin/python bench/resolve_titles.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import distance, fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import RANDOM_TITLE_WORDS, generated_titles  # noqa: E402
from bot.films.normalise import normalise_title  # noqa: E402
from bot.films.resolve import TitleIndex  # noqa: E402

TITLES = 50_000
QUERIES = 2_000

Scorer = Callable[[str, str], float]
SCORERS: dict[str, Scorer] = {
    "ratio": fuzz.ratio,
    "WRatio": fuzz.WRatio,
    "token_set": fuzz.token_set_ratio,
    "token_sort": fuzz.token_sort_ratio,
    "partial": fuzz.partial_ratio,
    "Levenshtein": lambda a, b: 100 * distance.Levenshtein.normalized_similarity(a, b),
    "OSA": lambda a, b: 100 * distance.OSA.normalized_similarity(a, b),
    "JaroWinkler": lambda a, b: 100 * distance.JaroWinkler.normalized_similarity(a, b),
}
# (typed, meant, a near miss), compared as resolve compares them: number and fillers gone
PAIRS = [
    ("dnue", "dune", "dunes"),
    ("mision impossible dead reckoning", "mission impossible dead reckoning", "mission impossible"),
    ("batmn", "batman", "batman returns"),
    ("heatt", "heat", "heath"),
    ("avtar", "avatar", "avatar way water"),
    ("godfathr", "godfather", "godfather harlem"),
    ("mission impossible final reckonin", "mission impossible final reckoning",
     "mission impossible dead reckoning"),
    ("star war", "star wars", "star trek"),
    ("wicked good", "wicked for good", "wicked"),
    ("spiderman no way home", "spider man no way home", "spider man far from home"),
    ("interstellr", "interstellar", "interstate"),
    ("inceptoin", "inception", "deception"),
]  # fmt: skip


def typo(title: str, rng: random.Random) -> str:
    """One dropped or swapped letter in the longest word."""
    longest = max(title.split(), key=len)
    at = rng.randrange(1, len(longest) - 1) if len(longest) > 2 else 0
    if rng.random() < 0.5:
        changed = longest[:at] + longest[at + 1 :]
    else:
        changed = longest[:at] + longest[at + 1 : at + 2] + longest[at] + longest[at + 2 :]
    return title.replace(longest, changed, 1)


def timed(index: TitleIndex, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        index.resolve(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"  {name:<26} median {statistics.median(ordered):6.3f} ms"
        f"   p99 {p99:6.3f} ms   max {ordered[-1]:6.3f} ms"
    )


def compare_scorers() -> None:
    print("scorers: typed->meant vs typed->near miss (want a high first, a wide gap)")
    for name, scorer in SCORERS.items():
        gaps = [scorer(typed, meant) - scorer(typed, miss) for typed, meant, miss in PAIRS]
        wins = sum(gap > 0 for gap in gaps)
        mean_meant = statistics.mean(scorer(typed, meant) for typed, meant, _ in PAIRS)
        print(
            f"  {name:<12} right first {wins:2d}/{len(PAIRS)}   mean gap {statistics.mean(gaps):5.1f}"
            f"   min gap {min(gaps):6.1f}   mean right score {mean_meant:5.1f}"
        )
    choices = ["dune", "dune 2", "dune 3", "avatar", "avatar 2", "heat", "heat 2"]
    print("  without the sequel filter (the notes' pitfalls):")
    for query in ("dune 3", "avatar 3", "heat2"):
        typed = normalise_title(query)
        for name in ("WRatio", "token_set", "ratio"):
            best = process.extract(typed, choices, scorer=SCORERS[name], limit=2)
            shown = ", ".join(f"{choice} {score:.0f}" for choice, score, _ in best)
            print(f"    {query!r:<11} {name:<10} -> {shown}")


def main() -> None:
    compare_scorers()

    titles = generated_titles(TITLES)
    start = time.perf_counter()
    index = TitleIndex()
    for film_id, title in enumerate(titles):
        index.add(film_id, title)
    build = time.perf_counter() - start
    start = time.perf_counter()
    index.suggest("warm")  # builds the suggest table
    table = time.perf_counter() - start
    print(
        f"\nindex of {len(index):,} titles: built in {build:.2f} s; suggest table {table * 1000:.0f} ms"
    )

    rng = random.Random(11)
    sample = rng.sample(titles, QUERIES)
    exact = [title.lower() for title in sample]
    normalised = [title.replace(" ", "-").replace("-2", " II") for title in sample]
    typos = [typo(title, rng) for title in sample]
    unknown = [" ".join(rng.sample(RANDOM_TITLE_WORDS, 3)) + "x" for _ in range(QUERIES)]
    print(f"resolve, {QUERIES:,} queries each:")
    report("exact", timed(index, exact))
    report("normalised", timed(index, normalised))
    report("fuzzy (one typo)", timed(index, typos))
    report("fuzzy (unknown title)", timed(index, unknown))
    report("fuzzy (one short word)", timed(index, ["dnue", "raevn", "lino", "wolff", "kign"] * 400))

    outcomes = {"right": 0, "suggested first": 0, "suggested": 0, "missed": 0, "WRONG": 0}
    for title, query in zip(sample, typos, strict=True):
        meant = titles.index(title)
        result = index.resolve(query)
        suggested = [candidate.film_id for candidate in result.candidates]
        if result.film_id == meant:
            outcomes["right"] += 1
        elif result.film_id is not None:
            outcomes["WRONG"] += 1
        elif suggested[:1] == [meant]:
            outcomes["suggested first"] += 1
        elif meant in suggested:
            outcomes["suggested"] += 1
        else:
            outcomes["missed"] += 1
    print("one-typo outcomes:", ", ".join(f"{key} {value}" for key, value in outcomes.items()))

    times = []
    for prefix in ["s", "si", "sil", "silent r", "hea", "wolf", "ing", "zzz"] * 100:
        start = time.perf_counter()
        index.suggest(prefix)
        times.append((time.perf_counter() - start) * 1000)
    report("suggest (25)", times)


if __name__ == "__main__":
    main()
