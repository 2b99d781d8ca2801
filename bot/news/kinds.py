"""What kind of news an item is, from weighted cue phrases: the title first, then the summary.

Several kinds often apply at once ("pushes 'X' to 2027" sets a date, a trailer mentions the
release date, a casting item names a sequel). The weights carry the order: delay, trailer,
review and box-office words outweigh a date being set; casting outweighs the word "sequel";
only an explicit announcement ("sequel in the works", "gets a sequel") beats casting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from bot.models import StoryKind
from bot.news.wordstart import skippable

# The parse tree of a pattern, for the plain strings in it (no stubs: private modules).
# Without them (a future Python) every cue simply runs on every text.
try:
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre = _parser = None

__all__ = [
    "BODY_CHARS",
    "classify",
    "film_versus_other_media",
    "has_kind_cue",
    "kind_score",
    "kind_scores",
]

BODY_CHARS = 500  # of the summary read for the kind: the lede, not the whole article
TITLE_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    plain: re.Pattern[str]  # the pattern as written (pattern is the same regex, faster)


def _cue(pattern: str, weight: float) -> Cue:
    # Matched against lower-cased text: several times faster than re.IGNORECASE.
    return Cue(re.compile(skippable(pattern)), weight, re.compile(pattern))


_SEQUEL_NOUN = r"(?:sequel|prequel|spin-?off|remake|reboot|follow-up|threequel|third (?:film|movie|installment)|fourth (?:film|movie))"

_CUES: Mapping[StoryKind, tuple[Cue, ...]] = {
    StoryKind.SEQUEL_ANNOUNCED: (
        _cue(rf"\b{_SEQUEL_NOUN}s?\b", 1.5),
        _cue(r"\b(?:live-action|film|movie|feature|big-screen|feature film) adaptation\b", 2),
        _cue(
            r"\badapt(?:s|ing|ed)?\b.{0,60}\b(?:for the big screen|into an? (?:feature|film|movie))",
            3,
        ),
        _cue(r"\bto be adapted\b|\bheading to the big screen\b", 2.5),
        _cue(
            r"\b(?:in the works|in (?:early )?development|officially happening|is happening|"
            r"greenlit|green-?lit|green ?light|moving forward|is a go|on the way|being developed|"
            r"being written|writing the script|script is (?:done|finished|written))\b",
            3.5,
        ),
        _cue(
            rf"\b(?:wants?|hopes?|plans?|planning|eyes|eyeing|eager|would love) to (?:make|do|direct|shoot|film|return for)\b.{{0,20}}\b(?:{_SEQUEL_NOUN}|another|new)",
            3.5,
        ),
        _cue(r"\bplanned (?:to be|as) an? (?:movie|film|feature)\b", 3.5),
        _cue(
            rf"\b(?:confirms?|confirmed|announces?|announced|reveals?|unveils?|orders?|sets up|developing|plots?|plotting|preps?|prepping)\b.{{0,40}}\b(?:{_SEQUEL_NOUN}|part (?:two|three|four|2|3|4|ii|iii)|new (?:film|movie)|movie|film)\b",
            2,
        ),
        _cue(
            rf"\b(?:gets?|getting|lands?|scores?|receives?)\s+(?:an?\s+)?(?:{_SEQUEL_NOUN}|movie|film|live-action (?:movie|film)|feature film)\b",
            3.5,
        ),
        _cue(
            r"\b(?:sequel|prequel|spin-?off|remake|reboot)\b.{0,25}\b(?:confirmed|announced|happening)\b",
            2,
        ),
    ),
    StoryKind.RELEASE_DATE: (
        _cue(r"\brelease date\b", 2),
        _cue(r"\b(?:sets|dates|slates|dated|slated)\b", 2),
        _cue(r"\bset (?:for|to (?:open|hit|release|debut|arrive|bow))\b", 1.5),
        _cue(
            r"\b(?:opens|will open|hits? theaters|arrives? in (?:theaters|cinemas)|will be released|"
            r"releases? (?:on|in)|theatrical (?:release|debut|bow)|release window|bows|"
            r"gets? an? (?:\w+ )?(?:release|date|opening)|lands? an? (?:\w+ )?(?:release|date|opening)|"
            r"(?:coming|comes) to (?:theaters|cinemas))\b",
            1.5,
        ),
        _cue(r"\b(?:moves?|moved|moving|bumps?|bumped) up\b|\bearlier (?:date|release)\b", 4),
    ),
    StoryKind.DELAY: (
        _cue(
            r"\b(?:delays?|delayed|postpones?|postponed|push(?:es|ed)?(?: back| to| from| into| out)?|"
            r"bump(?:s|ed)? (?:to|back|from)|shifts? (?:to|from)|shifted|"
            r"mov(?:es|ed|ing) (?:back|out|to|from|off)|pull(?:s|ed)? from|pulled|"
            r"off the (?:release )?(?:calendar|schedule)|removed from the (?:calendar|schedule)|"
            r"(?:vacates?|exits?|leaves?) (?:its )?(?:\w+ )?(?:release )?(?:date|slot)|undated|"
            r"re-?dated|retreats? to|slips? to|new date)\b",
            4,
        ),
    ),
    StoryKind.CASTING: (
        _cue(
            r"\b(?:joins|joined|boards?|boarded|tapped to (?:star|play|lead)|taps|in talks to|"
            r"in negotiations to|set to (?:star|play|lead|appear|co-star|reprise)|to star|"
            r"will star|to play|will play|cast as|cast in|casts|signs? on|signed on|"
            r"lands? (?:the )?(?:lead|role|title role)|rounds? out (?:the )?cast|recast|recasting|"
            r"circling|attached to star|has been cast|have been cast|joins the cast)\b",
            3,
        ),
        _cue(
            r"\b(?:cast|casting|adds|added to|reprise|reprising|reprises|to lead|lead role|title role)\b",
            1.5,
        ),
    ),
    StoryKind.TRAILER: (
        _cue(r"\b(?:trailers?|teasers?|first[- ]look(?! deal| pact)|sneak peek|tv spot)\b", 4),
        _cue(r"\b(?:footage|clip|promo)\b", 2),
    ),
    StoryKind.BOX_OFFICE: (
        _cue(r"\bbox[- ]office\b", 4),
        _cue(r"\bopening weekend\b|\bweekend (?:box|gross|haul|estimates?)\b", 3),
        _cue(r"\b(?:grosses|grossed|gross|haul|ticket sales|previews)\b", 2.5),
        _cue(r"\$\s?\d[\d.,]*\s?(?:m|million|b|bn|billion)\b", 1.5),
        _cue(
            r"\b(?:debuts?|opens?|tops|leads|crosses|passes|wins|topped|led)\b.{0,30}(?:weekend|\$\d)",
            2,
        ),
    ),
    StoryKind.REVIEW: (
        _cue(r"\breview\b", 4),
        _cue(r"\breviews\b|\bverdict\b|\bcritics\b", 1.5),
        _cue(
            r"\bstars? out of\b|\b[1-5](?:\.5)?/(?:5|10)\b|★|\bout of (?:five|5|10)\b",
            3,
        ),
    ),
    StoryKind.OTHER: (
        _cue(
            r"\b(?:festival|line-?up|competition|dies|died|dead at|passes away|passed away|"
            r"obituary|awards?|oscars?|nominations?|wins|acquires?|acquired|buys|rights|deal|"
            r"interview|lawsuit|sues|strike|retires?|first-time|memoir|biography)\b",
            1.5,
        ),
    ),
}

_PRIORITY = (
    StoryKind.DELAY,
    StoryKind.TRAILER,
    StoryKind.REVIEW,
    StoryKind.BOX_OFFICE,
    StoryKind.CASTING,
    StoryKind.SEQUEL_ANNOUNCED,
    StoryKind.RELEASE_DATE,
    StoryKind.OTHER,
)

_OTHER_MEDIA = (
    _cue(
        r"\b(?:tv series|television series|limited series|miniseries|mini-series|docuseries|"
        r"series order|season (?:\d+|one|two|three|four|five|six)|seasons|episodes?|showrunners?|"
        r"(?:final|new|next|second|third|fourth|fifth) season|season (?:finale|premiere)|"
        r"renew(?:s|ed)? (?:\w+ )?for (?:a )?(?:\w+ )?season|sitcom|series finale|series premiere|anime series|streaming series|tv show|"
        r"video games?|playstation|xbox|nintendo|albums?|world tour|music video|grammys?|"
        r"broadway|west end|stage play|podcast)\b",
        3,
    ),
    _cue(
        r"\b(?:series|tv|television|hbo|cancell?ed|pilot|songs?|singles?|tour|novels?|books?)\b",
        1.5,
    ),
)
_FILM_WORDS = (
    _cue(r"\b(?:film|movie|feature) (?:series|franchise)\b|\bbox[- ]office\b|\btheatrical\b", 3),
    _cue(
        r"\b(?:films?|movies?|feature|theaters|theatres|cinemas?|blockbuster|sequel|prequel|"
        r"director|filmmaker|biopic|big screen|big-screen|imax|moviegoers)\b",
        1.5,
    ),
)


# Scanning a text with every cue regex is the slow part, so a cue runs only where it can
# match. From each cue's parsed pattern come clauses: sets of plain strings, one string of
# each set in every match ("gets?\s+(?:an?\s+)?(?:sequel|...)" needs "get", and one of
# "sequel", ...). One Aho-Corasick pass over the text finds which clauses hold, and a cue
# runs when all of its clauses do. A cue with no clause (nothing it surely contains) always
# runs.

# Strings too common to be worth a test: short words, and words of optional parts.
_TOO_COMMON = frozenset(
    "the for has have been its into from ing and with was will are big off lit".split()
)


def _useful(needle: str) -> bool:
    bare = needle.strip()
    if not bare:
        return False
    if len(bare) == 1:
        return not bare.isalnum()  # a symbol such as "$", "/" or "★"
    return bare not in _TOO_COMMON


def _strength(clause: frozenset[str]) -> tuple[int, int]:
    return min(len(needle.strip()) for needle in clause), -len(clause)


def _sequence_clauses(items: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """The clauses every match of a parsed sequence satisfies (all useful ones)."""
    clauses: list[frozenset[str]] = []
    run = ""

    def flush() -> None:
        nonlocal run
        if _useful(run):
            clauses.append(frozenset((run,)))
        run = ""

    for op, av in items:
        if op is _sre.LITERAL:
            run += chr(av)
            continue
        flush()
        if op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, content = av
            if not add_flags & _sre.SRE_FLAG_IGNORECASE:
                clauses += _sequence_clauses(content)
        elif op is _sre.BRANCH:
            clause = _branch_clause(av[1])
            if clause is not None:
                clauses.append(clause)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            clauses += _sequence_clauses(av[2])
    flush()
    return clauses


def _branch_clause(alternatives: Iterable[Iterable[tuple[Any, Any]]]) -> frozenset[str] | None:
    """One clause for a choice: the best clause of every alternative, together."""
    needles: set[str] = set()
    for alternative in alternatives:
        clauses = _sequence_clauses(alternative)
        if not clauses:
            return None
        best: frozenset[str] = max(clauses, key=_strength)
        needles |= best
    return frozenset(needles)


def _clauses(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    if pattern.flags & re.IGNORECASE or _parser is None:
        return []  # the text is lower-cased; a case-insensitive literal may be written otherwise
    try:
        clauses = list(dict.fromkeys(_sequence_clauses(_parser.parse(pattern.pattern))))
    except Exception:  # a private parser that changed shape: run the cue always
        return []
    # Two-letter strings ("tv", "to") are kept only where nothing longer is sure to occur.
    long = [clause for clause in clauses if _strength(clause)[0] >= 3]
    return long or sorted(clauses, key=_strength)[-1:]


# Every cue group scored for a text: the kinds (in _CUES order), then other media, then film words.
_KINDS = tuple(_CUES)
_GROUPS: tuple[tuple[Cue, ...], ...] = (*_CUES.values(), _OTHER_MEDIA, _FILM_WORDS)
_KIND_GROUP = {kind: index for index, kind in enumerate(_KINDS)}
# The same by id(): the members are singletons, and hashing an enum member is slow.
_KIND_GROUP_BY_ID = {id(kind): index for kind, index in _KIND_GROUP.items()}
_OTHER_MEDIA_GROUP, _FILM_WORDS_GROUP = len(_KINDS), len(_KINDS) + 1
# (group, cue) for every cue; a cue's bit in a trigger mask is its index here.
_ALL_CUES = tuple((group, cue) for group, cues in enumerate(_GROUPS) for cue in cues)


def _build_trigger_index() -> tuple[ahocorasick.Automaton, int, int, int, tuple[int, ...]]:
    """An automaton from each string to one mask: the clauses it satisfies in its low
    `clause_bits` bits, above them the cues that have one of those clauses. Then the number
    of clause bits, the mask of the cues that always run, the mask of the cues with more than
    one clause, and each cue's mask of clauses."""
    always = several = 0
    clause_bits: dict[frozenset[str], int] = {}
    needs: list[int] = []
    by_needle: dict[str, tuple[int, int]] = {}
    for index, (_group, cue) in enumerate(_ALL_CUES):
        need = 0
        for clause in _clauses(cue.plain):
            bit = clause_bits.setdefault(clause, 1 << len(clause_bits))
            need |= bit
            for needle in clause:
                clauses, cues = by_needle.get(needle, (0, 0))
                by_needle[needle] = (clauses | bit, cues | 1 << index)
        needs.append(need)
        if not need:
            always |= 1 << index
        elif need & (need - 1):
            several |= 1 << index
    automaton = ahocorasick.Automaton()
    for needle, (clauses, cues) in by_needle.items():
        automaton.add_word(needle, clauses | cues << len(clause_bits))
    automaton.make_automaton()
    return automaton, len(clause_bits), always, several, tuple(needs)


_TRIGGERS, _CLAUSE_BITS, _ALWAYS, _SEVERAL_CLAUSES, _NEEDS = _build_trigger_index()
_CLAUSE_MASK = (1 << _CLAUSE_BITS) - 1


def _active_cues(lowered: str) -> int:
    """The mask of the cues that may match in the lower-cased text."""
    found = 0
    for _end, mask in _TRIGGERS.iter(lowered):
        found |= mask
    clauses = found & _CLAUSE_MASK
    candidates = found >> _CLAUSE_BITS
    # A cue with one clause is a candidate only where that clause holds.
    active = _ALWAYS | (candidates & ~_SEVERAL_CLAUSES)
    candidates &= _SEVERAL_CLAUSES
    while candidates:
        lowest = candidates & -candidates
        need = _NEEDS[lowest.bit_length() - 1]
        if need & clauses == need:
            active |= lowest
        candidates ^= lowest
    return active


# Titles and ledes recur, and the summariser asks about sentences that are often the title
# or the whole lede: the latest scores are kept (a dict rather than lru_cache, so that
# has_kind_cue() can look without scoring).
class _Recent(dict[str, tuple[float, ...]]):
    def cache_clear(self) -> None:  # as an lru_cache has (the benchmark starts each pass cold)
        self.clear()


_SCORED = _Recent()
_SCORED_MAX = 256


def _group_scores(lowered: str) -> tuple[float, ...]:
    """The score of every cue group in the lower-cased text, running only cues that may match."""
    scores = _SCORED.get(lowered)
    if scores is None:
        scores = _score(lowered)
        if len(_SCORED) >= _SCORED_MAX:
            _SCORED.clear()  # any thread may clear it: every entry is only ever a shortcut
        _SCORED[lowered] = scores
    return scores


# (group, weight, findall) of every cue, as _ALL_CUES: what _score() needs of each, at hand.
_CUE_COUNTERS: tuple[tuple[int, float, Callable[[str], list[Any]]], ...] = tuple(
    (group, cue.weight, cue.pattern.findall) for group, cue in _ALL_CUES
)


def _score(lowered: str) -> tuple[float, ...]:
    active = _active_cues(lowered)
    scores = [0.0] * len(_GROUPS)
    while active:
        lowest = active & -active
        group, weight, findall = _CUE_COUNTERS[lowest.bit_length() - 1]
        scores[group] += weight * len(findall(lowered))
        active ^= lowest
    return tuple(scores)


def has_kind_cue(kind: StoryKind, text: str) -> bool:
    """Whether kind_score(kind, text) > 0 (every weight is positive), without counting."""
    group = _KIND_GROUP_BY_ID.get(id(kind))
    if group is None:
        return False
    lowered = text.lower()
    scored = _SCORED.get(lowered)
    if scored is not None:
        return scored[group] > 0
    any_cue = _ANY_CUE[group]
    if any_cue is not None:
        return any_cue.search(lowered) is not None
    active = _active_cues(lowered) & _GROUP_MASKS[group]
    while active:
        lowest = active & -active
        if _ALL_CUES[lowest.bit_length() - 1][1].pattern.search(lowered):
            return True
        active ^= lowest
    return False


_GROUP_MASKS = tuple(
    sum(1 << index for index, (g, _cue) in enumerate(_ALL_CUES) if g == group)
    for group in range(len(_GROUPS))
)


def _any_cue(cues: Iterable[Cue]) -> re.Pattern[str] | None:
    """One regex that matches where any of the cues does, if the engine can skip through it
    quickly (every cue starts at a word): one search instead of the trigger scan and a
    search per cue. None otherwise."""
    either = "|".join(cue.plain.pattern for cue in cues)
    fast = skippable(either)
    return None if fast == either else re.compile(fast)


_ANY_CUE = tuple(_any_cue(cues) for cues in _GROUPS)


def kind_score(kind: StoryKind, text: str) -> float:
    group = _KIND_GROUP.get(kind)
    return 0.0 if group is None else _group_scores(text.lower())[group]


def kind_scores(text: str) -> dict[StoryKind, float]:
    scores = _group_scores(text.lower())
    return dict(zip(_KINDS, scores, strict=False))


def film_versus_other_media(text: str) -> float:
    """Positive when the text is about TV, music, games, books or theatre more than film."""
    scores = _group_scores(text.lower())
    return scores[_OTHER_MEDIA_GROUP] - scores[_FILM_WORDS_GROUP]


def _lede(summary: str) -> str:
    if len(summary) <= BODY_CHARS:
        return summary
    cut = summary.rfind(". ", 0, BODY_CHARS)
    return summary[: cut + 1] if cut > BODY_CHARS // 3 else summary[:BODY_CHARS]


def _group_score(lowered: str, group: int) -> float:
    """_group_scores(lowered)[group], running only the cues of that group."""
    scored = _SCORED.get(lowered)
    if scored is not None:
        return scored[group]
    active = _active_cues(lowered) & _GROUP_MASKS[group]
    score = 0.0
    while active:  # in the order _score() adds them: the same sum
        lowest = active & -active
        _group, weight, findall = _CUE_COUNTERS[lowest.bit_length() - 1]
        score += weight * len(findall(lowered))
        active ^= lowest
    return score


def classify(title: str, summary: str) -> StoryKind:
    in_title = _group_scores(title.lower())
    # film_versus_other_media() of the title, then of the lede
    title_media = in_title[_OTHER_MEDIA_GROUP] - in_title[_FILM_WORDS_GROUP]
    if title_media > 0:
        return StoryKind.NOT_FILM
    lede = _lede(summary).lower()
    if title_media == 0:
        lede_other_media = _group_score(lede, _OTHER_MEDIA_GROUP)
        # A film-word score is never negative: under 3 there is no need to count film words.
        if lede_other_media >= 3 and lede_other_media - _group_score(lede, _FILM_WORDS_GROUP) >= 3:
            return StoryKind.NOT_FILM
    # Group indexes rather than StoryKind keys: hashing an enum member is slow.
    candidates = [group for group in _PRIORITY_GROUPS if in_title[group] > 0]
    if len(candidates) == 1:
        return _KINDS[candidates[0]]  # the only kind in the title wins: its score is > 0
    in_lede = _group_scores(lede)
    candidates = candidates or _PRIORITY_GROUPS
    best, best_score = (
        candidates[0],
        TITLE_WEIGHT * in_title[candidates[0]] + in_lede[candidates[0]],
    )
    for group in candidates[1:]:  # ties: the first in _PRIORITY
        score = TITLE_WEIGHT * in_title[group] + in_lede[group]
        if score > best_score:
            best, best_score = group, score
    return _KINDS[best] if best_score > 0 else StoryKind.OTHER


_PRIORITY_GROUPS = [_KIND_GROUP[kind] for kind in _PRIORITY]
