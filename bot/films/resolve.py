"""Which film a user means: "heat2", "HEAT II", "dnue part three", "mi8".

Resolution order:
1. exact: a title or alias as typed, ignoring case and repeated spaces;
2. normalised: normalise_title() on both sides (case, punctuation, roman numerals,
   "part"/"chapter", a leading "the", "heat2" spacing);
3. fuzzy: rapidfuzz among titles with the *same sequel number* only, so "dune 3"
   can never become Dune or Dune: Part Two, nor "heat2" Heat. Titles with another
   number only ever appear as "did you mean" candidates.

Scorer: fuzz.ratio (normalised Indel similarity) on the title without its sequel
number and without filler words. Measured in bench/resolve_titles.py against
WRatio, token_set/sort, partial_ratio, Levenshtein, OSA and Jaro-Winkler: ratio
keeps the widest gap between the right title and a near miss (WRatio, partial and
token_set score "batmn" vs "Batman Returns" or "wicked for good" vs "Wicked" at
80-100; Jaro-Winkler puts "heat" vs "heath" at 96).

`how == "none"` exactly when `film_id is None`; `candidates` then holds up to three
"did you mean" films, best first, and `confidence` is the best candidate's score.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from rapidfuzz import fuzz, process

# The word table is normalise's own, so both modules agree on what "two" means.
from bot.films.normalise import _NUMBER_WORDS, normalise_title, sequel_number

# ratio >= 90 means the Indel distance is at most a tenth of both lengths together:
# one inserted/dropped letter on a 5+ letter title, one swapped or wrong letter on a
# 10+ letter one. Lower, and one-letter-apart titles meet (heat/heath 88.9,
# dune/dunes 88.9); short titles with a typo ("dnue" 75) get "did you mean" instead.
FUZZY_ACCEPT = 90.0
# The winner must beat the next film by one substituted letter's worth on a typical
# 20-character title (2 Indel edits / 40 characters = 5 points).
FUZZY_MARGIN = 5.0
# Below this a candidate is noise, not a suggestion.
SUGGEST_MIN = 60.0
# A title with another sequel number may be suggested, never chosen, and ranks
# below an equally similar title with the asked-for number.
OTHER_NUMBER_PENALTY = 10.0
MAX_QUERY_CHARS = 200
MAX_CANDIDATES = 3

# Buckets up to this size are scored whole; bigger ones (in practice the
# "no number" bucket) only through the word prefilter.
_SCAN_WHOLE_BUCKET = 2000
# The prefilter keeps titles sharing a word (give or take one typo) with the
# rarest query words; two, so one badly mistyped word cannot hide the title.
_PREFILTER_WORDS = 2
# Best fuzzy entries looked at; enough for the winner, the runner-up and three
# suggestions even when a film has several keys and other instalments score higher.
_FUZZY_HITS = 30
_MIN_TYPO_WORD = 4  # shorter words match only as written; their one-letter variants hit everything
_FILLER = frozenset({"the", "a", "an", "of", "and"})
# Where a main title ends and a subtitle starts: "Terminator 2: Judgment Day".
_SUBTITLE = re.compile(r"\s*[:(\[\u2013\u2014]\s*|\s+-\s+")


@dataclass(frozen=True)
class Candidate:
    film_id: int
    title: str  # canonical title
    score: float  # 0..100


@dataclass(frozen=True)
class Resolution:
    film_id: int | None  # the film, when confident
    title: str | None
    confidence: float  # 0..100; 100 for exact/normalised matches
    how: str  # "exact", "normalised", "fuzzy", "none"
    candidates: tuple[Candidate, ...] = ()  # "did you mean", best first, when film_id is None


_NOTHING = Resolution(film_id=None, title=None, confidence=0.0, how="none")


@dataclass(frozen=True)
class _SuggestTable:
    """Normalised keys, shortest first, joined into one string so str.find does the scanning."""

    keys: tuple[str, ...]
    starts: tuple[int, ...]  # offset of the "\n" before each key
    text: str

    @classmethod
    def build(cls, keys: Iterable[str]) -> _SuggestTable:
        ordered = tuple(sorted(keys, key=lambda key: (len(key), key)))
        starts: list[int] = []
        offset = 0
        for key in ordered:
            starts.append(offset)
            offset += len(key) + 1
        text = "".join("\n" + key for key in ordered)
        return cls(keys=ordered, starts=tuple(starts), text=text)

    def containing(self, needle: str) -> Iterator[str]:
        """Keys containing needle, shortest first; each key at most once."""
        position = self.text.find(needle)
        while position != -1:
            index = bisect.bisect_right(self.starts, position) - 1
            yield self.keys[index]
            position = self.text.find(needle, self.starts[index] + len(self.keys[index]) + 1)


class TitleIndex:
    """In-memory index of film titles and aliases (50,000 films must stay fast: resolve p99 well under 5 ms)."""

    def __init__(self) -> None:
        self._titles: dict[int, str] = {}
        self._names: dict[int, set[str]] = {}  # exact keys already indexed, per film
        self._exact: dict[str, list[int]] = {}
        self._normal: dict[str, list[int]] = {}
        # Fuzzy entries, one per (base, sequel number): a title's words without the number
        # and fillers. Flat lists, as the hot path picks thousands of them per query.
        self._bases: list[str] = []
        self._numbers: list[int] = []
        self._entry_films: list[list[int]] = []
        self._entry_at: dict[tuple[str, int], int] = {}
        self._buckets: dict[int, list[int]] = {}  # sequel number -> entry indexes
        self._postings: dict[str, list[int]] = {}  # word -> entry indexes
        self._spellings: dict[str, set[str]] = {}  # word or one-deletion variant -> indexed words
        self._suggest_table: _SuggestTable | None = None

    def __len__(self) -> int:
        return len(self._titles)

    def add(self, film_id: int, title: str, aliases: Iterable[str] = ()) -> None:
        """Index a film; adding it again is harmless and may bring new aliases.

        A new title becomes the canonical one; the old title keeps resolving, as
        renamed films are still asked for by their old names.
        """
        canonical = " ".join(title.split())
        if not canonical:
            raise ValueError(f"film {film_id}: the title is empty")
        self._titles[film_id] = canonical
        known = self._names.setdefault(film_id, set())
        for name in (canonical, *aliases):
            self._add_name(film_id, name, known)

    def resolve(self, query: str) -> Resolution:
        if len(query) > MAX_QUERY_CHARS:
            return _NOTHING
        as_typed = _exact_key(query)
        if not as_typed:
            return _NOTHING
        if film_ids := self._exact.get(as_typed):
            return self._decide(film_ids, "exact")
        normalised = normalise_title(query)
        if not normalised:
            return _NOTHING
        if film_ids := self._normal.get(normalised):
            return self._decide(film_ids, "normalised")
        return self._fuzzy(normalised)

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Films whose title or alias starts with, has a word starting with, or contains the
        typed text (normalised), in that order, shortest first within each.

        score is the share of the matched title that was typed. Empty input suggests nothing.
        """
        if limit <= 0 or len(prefix) > MAX_QUERY_CHARS:
            return []
        needle = normalise_title(prefix)
        if not needle:
            return []
        if self._suggest_table is None:
            self._suggest_table = _SuggestTable.build(self._normal)
        table = self._suggest_table
        found: list[Candidate] = []
        seen: set[int] = set()
        for marker in ("\n", " ", ""):
            for key in table.containing(marker + needle):
                for film_id in self._normal[key]:
                    if film_id in seen:
                        continue
                    seen.add(film_id)
                    share = round(100.0 * len(needle) / len(key), 1)
                    found.append(Candidate(film_id, self._titles[film_id], share))
                    if len(found) >= limit:
                        return found
        return found

    # -- indexing ---------------------------------------------------------------

    def _add_name(self, film_id: int, name: str, known: set[str]) -> None:
        as_typed = _exact_key(name)
        if not as_typed or as_typed in known:
            return
        known.add(as_typed)
        _append_new(self._exact, as_typed, film_id)
        normalised = normalise_title(name)
        if not normalised:
            return
        if _append_new(self._normal, normalised, film_id):
            self._suggest_table = None
        for base, number in _fuzzy_keys(name, normalised):
            self._add_entry(base, number, film_id)

    def _add_entry(self, base: str, number: int, film_id: int) -> None:
        index = self._entry_at.get((base, number))
        if index is not None:
            if film_id not in self._entry_films[index]:
                self._entry_films[index].append(film_id)
            return
        index = len(self._bases)
        self._bases.append(base)
        self._numbers.append(number)
        self._entry_films.append([film_id])
        self._entry_at[(base, number)] = index
        self._buckets.setdefault(number, []).append(index)
        for word in set(base.split()):
            if word not in self._postings:
                self._postings[word] = []
                for spelling in _spellings(word):
                    self._spellings.setdefault(spelling, set()).add(word)
            self._postings[word].append(index)

    # -- resolving --------------------------------------------------------------

    def _decide(self, film_ids: list[int], how: str) -> Resolution:
        if len(film_ids) == 1:
            film_id = film_ids[0]
            return Resolution(film_id, self._titles[film_id], 100.0, how)
        # Two films share the name (remakes, "Batman" and "The Batman"): ask.
        tied = tuple(Candidate(film_id, self._titles[film_id], 100.0) for film_id in film_ids)
        return Resolution(None, None, 100.0, "none", tied[:MAX_CANDIDATES])

    def _fuzzy(self, normalised: str) -> Resolution:
        base, number = _split_number(normalised)
        pool = self._pool(base, number)
        if not pool:
            return _NOTHING
        # itemgetter picks thousands of bases at C speed; given one index it returns
        # the item itself rather than a 1-tuple.
        picked = itemgetter(*pool)(self._bases)
        choices: tuple[str, ...] = picked if len(pool) > 1 else (picked,)
        # film -> (score, -distance between sequel numbers): among equally similar
        # titles, "dune part 4" suggests Part Three before Dune.
        same: dict[int, tuple[float, int]] = {}
        other: dict[int, tuple[float, int]] = {}
        for _, score, position in process.extract(
            base, choices, scorer=fuzz.ratio, score_cutoff=SUGGEST_MIN, limit=_FUZZY_HITS
        ):
            index = pool[position]
            film_ids = self._entry_films[index]
            if self._numbers[index] == number:
                _keep_best(same, film_ids, (score, 0))
            else:
                distance = abs(self._numbers[index] - number)
                _keep_best(other, film_ids, (score - OTHER_NUMBER_PENALTY, -distance))
        ranked = self._ranked(same)
        if ranked and ranked[0][1] >= FUZZY_ACCEPT:
            if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= FUZZY_MARGIN:
                film_id, score = ranked[0]
                return Resolution(film_id, self._titles[film_id], round(score, 1), "fuzzy")
        for film_id, rank in other.items():
            if rank[0] >= SUGGEST_MIN:
                _keep_best(same, [film_id], rank)
        candidates = tuple(
            Candidate(film_id, self._titles[film_id], round(score, 1))
            for film_id, score in self._ranked(same)[:MAX_CANDIDATES]
        )
        confidence = candidates[0].score if candidates else 0.0
        return Resolution(None, None, confidence, "none", candidates)

    def _ranked(self, ranks: dict[int, tuple[float, int]]) -> list[tuple[int, float]]:
        """Films best first: score, then nearer sequel number, then title."""
        order = sorted(
            ranks.items(),
            key=lambda item: (-item[1][0], -item[1][1], self._titles[item[0]].casefold(), item[0]),
        )
        return [(film_id, rank[0]) for film_id, rank in order]

    def _pool(self, base: str, number: int) -> list[int]:
        """Entries worth scoring: those sharing a (nearly) same word with the rarest query
        words, plus the whole bucket of the query's sequel number when it is small."""
        per_word: list[tuple[int, list[list[int]]]] = []
        for word in set(base.split()):
            similar: set[str] = set()
            for spelling in _spellings(word):
                similar |= self._spellings.get(spelling, set())
            if similar:
                postings = [self._postings[each] for each in similar]
                per_word.append((sum(map(len, postings)), postings))
        per_word.sort(key=lambda item: item[0])
        pool: set[int] = set()
        for _, postings in per_word[:_PREFILTER_WORDS]:
            for posting in postings:
                pool.update(posting)
        bucket = self._buckets.get(number, [])
        if len(bucket) <= _SCAN_WHOLE_BUCKET:
            pool.update(bucket)
        return list(pool)


def _exact_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _append_new(table: dict[str, list[int]], key: str, film_id: int) -> bool:
    film_ids = table.setdefault(key, [])
    if film_id in film_ids:
        return False
    film_ids.append(film_id)
    return True


def _keep_best(
    ranks: dict[int, tuple[float, int]], film_ids: list[int], rank: tuple[float, int]
) -> None:
    for film_id in film_ids:
        best = ranks.get(film_id)
        if best is None or rank > best:
            ranks[film_id] = rank


def _split_number(normalised: str) -> tuple[str, int]:
    """("dune", 3) for "dune 3"; also "dune two" -> ("dune", 2), where the user left
    out "part". Filler words go: "lord rings" should meet "lord of the rings"."""
    words = normalised.split()
    number = sequel_number(normalised)
    if len(words) > 1:
        last = words[-1]
        if last.isdigit() and int(last) == number:
            words = words[:-1]
        elif number == 1 and _NUMBER_WORDS.get(last, "1") != "1":
            # "ready player one" keeps its "one": that is a title, not an instalment.
            number = int(_NUMBER_WORDS[last])
            words = words[:-1]
    kept = [word for word in words if word not in _FILLER] or words
    return " ".join(kept), number


def _fuzzy_keys(name: str, normalised: str) -> set[tuple[str, int]]:
    """The whole name's key, plus one for a numbered main title before a subtitle:
    "Terminator 2: Judgment Day" is also ("terminator", 2), since sequel_number only
    sees a trailing number."""
    keys = {_split_number(normalised)}
    parts = _SUBTITLE.split(name)
    for end in range(1, len(parts)):
        base, number = _split_number(normalise_title(" ".join(parts[:end])))
        if number >= 2 and base:
            keys.add((base, number))
    return {(base, number) for base, number in keys if base}


def _spellings(word: str) -> set[str]:
    """The word and, if long enough, each one-letter deletion: two words within one typo
    (insertion, deletion, substitution, swap) share one of these."""
    if len(word) < _MIN_TYPO_WORD:
        return {word}
    return {word} | {word[:index] + word[index + 1 :] for index in range(len(word))}
