"""What kind of news an item is, from weighted cue phrases: the title first, then the summary.

Several kinds often apply at once ("pushes 'X' to 2027" sets a date, a trailer mentions the
release date, a casting item names a sequel). The weights carry the order: delay, trailer,
review and box-office words outweigh a date being set; casting outweighs the word "sequel";
only an explicit announcement ("sequel in the works", "gets a sequel") beats casting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from bot.models import StoryKind

__all__ = ["BODY_CHARS", "classify", "film_versus_other_media", "kind_score", "kind_scores"]

BODY_CHARS = 500  # of the summary read for the kind: the lede, not the whole article
TITLE_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    # For a pattern with digits or symbols in it: the symbols one of which every match without
    # any of the pattern's words contains ("" when every match has a word). None: always run.
    symbols: str | None = None


def _cue(pattern: str, weight: float, *, symbols: str | None = None) -> Cue:
    # Matched against lower-cased text: several times faster than re.IGNORECASE.
    return Cue(re.compile(pattern), weight, symbols)


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
        _cue(r"\$\s?\d[\d.,]*\s?(?:m|million|b|bn|billion)\b", 1.5, symbols="$"),
        _cue(
            r"\b(?:debuts?|opens?|tops|leads|crosses|passes|wins|topped|led)\b.{0,30}(?:weekend|\$\d)",
            2,
            symbols="",
        ),
    ),
    StoryKind.REVIEW: (
        _cue(r"\breview\b", 4),
        _cue(r"\breviews\b|\bverdict\b|\bcritics\b", 1.5),
        _cue(
            r"\bstars? out of\b|\b[1-5](?:\.5)?/(?:5|10)\b|★|\bout of (?:five|5|10)\b",
            3,
            symbols="/★",
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
        symbols="",
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


# Scanning a text with every cue regex is the slow part, so each cue is first checked for
# its literal words (and symbols) with one Aho-Corasick pass: a cue runs only when one of
# them occurs. A cue with digits or symbols in it always runs unless it names its symbols.
_ALWAYS_RUN = re.compile(r"\\\$|★|\\d|\[\d")
_LITERAL = re.compile(r"[a-z]{3,}(?![?*{])|[a-z]{4,}(?=[?*{])")


# Words seen only in optional parts of cues (or beside a rarer word): too common to trigger.
_TOO_COMMON = frozenset(
    "the for has have been its into from ing and with was will are big off lit".split()
)


def _literals(pattern: str) -> set[str]:
    """Words every match contains one of (a letter made optional by "?" is dropped)."""
    bare = re.sub(r"\\[bswdBSWD]", " ", pattern.lower())
    words = set()
    for match in _LITERAL.finditer(bare):
        word = match.group()
        words.add(word[:-1] if match.end() < len(bare) and bare[match.end()] in "?*{" else word)
    return words - _TOO_COMMON


# Every cue group scored for a text: the kinds (in _CUES order), then other media, then film words.
_KINDS = tuple(_CUES)
_GROUPS: tuple[tuple[Cue, ...], ...] = (*_CUES.values(), _OTHER_MEDIA, _FILM_WORDS)
_KIND_GROUP = {kind: index for index, kind in enumerate(_KINDS)}
_OTHER_MEDIA_GROUP, _FILM_WORDS_GROUP = len(_KINDS), len(_KINDS) + 1
# (group, cue) for every cue; a cue's bit in a trigger mask is its index here.
_ALL_CUES = tuple((group, cue) for group, cues in enumerate(_GROUPS) for cue in cues)


def _build_trigger_index() -> tuple[ahocorasick.Automaton, int]:
    """An automaton from each literal word to the mask of cues it triggers, and the mask of
    the cues that always run."""
    always = 0
    by_word: dict[str, int] = {}
    for index, (_group, cue) in enumerate(_ALL_CUES):
        if cue.symbols is None and _ALWAYS_RUN.search(cue.pattern.pattern):
            always |= 1 << index
            continue
        for word in _literals(cue.pattern.pattern) | set(cue.symbols or ""):
            by_word[word] = by_word.get(word, 0) | 1 << index
    automaton = ahocorasick.Automaton()
    for word, mask in by_word.items():
        automaton.add_word(word, mask)
    automaton.make_automaton()
    return automaton, always


_TRIGGERS, _ALWAYS = _build_trigger_index()


@lru_cache(maxsize=256)  # the title and the lede are scored more than once per item
def _group_scores(lowered: str) -> tuple[float, ...]:
    """The score of every cue group in the lower-cased text, running only triggered cues."""
    active = _ALWAYS
    for _end, mask in _TRIGGERS.iter(lowered):
        active |= mask
    scores = [0.0] * len(_GROUPS)
    while active:
        lowest = active & -active
        group, cue = _ALL_CUES[lowest.bit_length() - 1]
        scores[group] += cue.weight * len(cue.pattern.findall(lowered))
        active ^= lowest
    return tuple(scores)


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


def classify(title: str, summary: str) -> StoryKind:
    lede = _lede(summary)
    title_media = film_versus_other_media(title)
    if title_media > 0:
        return StoryKind.NOT_FILM
    if title_media == 0 and film_versus_other_media(lede) >= 3:
        return StoryKind.NOT_FILM
    in_title = kind_scores(title)
    in_lede = kind_scores(lede)
    candidates = [kind for kind in _PRIORITY if in_title[kind] > 0] or list(_PRIORITY)
    combined = {kind: TITLE_WEIGHT * in_title[kind] + in_lede[kind] for kind in candidates}
    best = max(candidates, key=lambda kind: combined[kind])  # ties: the first in _PRIORITY
    return best if combined[best] > 0 else StoryKind.OTHER
