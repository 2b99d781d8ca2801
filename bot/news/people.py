"""People named in news text, with the role the text gives them (director, star, writer...).

A name is two to four capitalised words that are not a film title, not a company and not a
headline word; the role comes from the words right around it ("writer-director Michael
Mann", "Adam Driver has been tapped to star", "stars Robert De Niro and Val Kilmer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.models import Person
from bot.news.titles import COMPANIES

__all__ = ["find_people"]

# The rest of a capitalised word. Possessive: a shorter run would leave a letter next, which
# nothing after a word accepts, so giving back letters never leads to a match.
_LOWER_RUN = r"[a-zà-öø-ÿ]++"
_NAME_WORD = rf"(?:[A-Z]['’][A-Z]{_LOWER_RUN}|(?:Mc|Mac|Di|De|Le|La)[A-Z]{_LOWER_RUN}|[A-Z]{_LOWER_RUN}(?:[-'’][A-Z]{_LOWER_RUN})*|[A-Z]\.(?:\s?[A-Z]\.)*)"
_PARTICLE = r"(?:de|De|van|Van|von|der|del|Del|da|di|Di|la|La|le|Le|du|bin)"
# The first word of a name: _NAME_WORD after its capital. A name must not start inside a
# word, and the test for that comes after the capital, so that the regex engine skips
# straight to capitals instead of trying the test at every position:
# (?<![\w'’-])(?P<name>{_NAME_WORD}(?:\s(?:{_PARTICLE}\s)?{_NAME_WORD}){1,3}).
# The common case comes first: where "Mc", "Di"... match, a lower-case run ends at a
# capital, which nothing after it accepts, so the order does not change a match. And their
# letters come before the look back at the capital ("c(?<=Mc)", not "(?<=M)c"), for the
# same reason as above.
_AFTER_FIRST_CAPITAL = (
    rf"(?:{_LOWER_RUN}(?:[-'’][A-Z]{_LOWER_RUN})*"
    rf"|['’][A-Z]{_LOWER_RUN}"
    rf"|(?:c(?<=Mc)|ac(?<=Mac)|i(?<=Di)|e(?<=De)|e(?<=Le)|a(?<=La))[A-Z]{_LOWER_RUN}"
    r"|\.(?:\s?[A-Z]\.)*)"
)
_NAME_RE = re.compile(
    rf"(?P<name>[A-Z](?<![\w'’-][A-Z]){_AFTER_FIRST_CAPITAL}"
    rf"(?:\s(?:{_PARTICLE}\s)?{_NAME_WORD}){{1,3}})(?P<poss>'s|’s)?(?!\w)"
)

# Capitalised words that are never part of a person's name in film news.
_NOT_NAME = frozenset(
    """the a an this that these those his her their its our my new first official exclusive
    watch see here why how what when who where which says said tells confirms reveals teases
    wants hopes plans sets dates moves pushes delays shifts gets lands joins boards taps casts
    eyes adds is are was will has have had to in for on at by from with as after before into
    over about trailer teaser review box office weekend opening sequel prequel spinoff remake
    reboot director writer star stars starring producer release date premiere debut opens
    hits heads exits dies returns update report film movie films movies feature season series
    episode show tv theaters theatres cinemas million billion january february march april may
    june july august september october november december monday tuesday wednesday thursday
    friday saturday sunday and or but if so because while despite speaking stars' via per
    part chapter oscar oscars academy awards award golden globes emmy emmys festival
    international film hollywood part two three four five sequel star wars marvel magazine
    pictures studios entertainment bros bros. italian american british french korean
    japanese writer-director actor actress filmmaker filmmakers composer exclusive breaking
    comic-con cinemacon empire variety deadline indiewire screen daily universe verse cinematic
    north south east west new york los angeles london paris city county street day night
    christmas thanksgiving easter halloween summer winter spring fall autumn""".split()
)

_ROLE_BEFORE_PATTERN = (
    r"(?P<role>writer[- ]director|writer[- ]producer|co-director|director|filmmaker|helmer|"
    r"auteur|screenwriter|writer|producer|composer|co-star|costar|star|stars|starring|actor|"
    r"actress|newcomer|directed by|written by|produced by|scored by)"
    r"(?:\s+(?:and|&)\s+[\w-]+)?\s+$"
)
_ROLE_BEFORE = re.compile(_ROLE_BEFORE_PATTERN, re.IGNORECASE)
# For lower-cased ASCII text: the same matches, several times faster than re.IGNORECASE.
_ROLE_BEFORE_LOWERED = re.compile(_ROLE_BEFORE_PATTERN)
_ROLE_AFTER = re.compile(
    r"^(?:'s|’s)?(?:,\s+who\s+(?P<who>directed|wrote|produced|starred|stars|composed|scored|co-wrote)"
    r"|\s*-(?P<hyphen>directed|starring|led|written|produced|scripted)"
    r"|\s+(?:(?:has|have)\s+(?:been\s+)?)?(?:is\s+)?(?:(?:set|tapped|in talks|in negotiations|expected|attached|signed|cast)\s+)?"
    r"to\s+(?P<to>star|direct|write|produce|score|play|lead|co-star|helm|pen)"
    r"|\s+(?P<verb>stars|will star|directs|will direct|directed|joins|has joined|joined|boards|"
    r"has been cast|is cast|wrote|co-wrote|penned|produces|produced|will produce|helms|"
    r"will helm|has boarded|is in talks|in talks|returns as|will return|reprises))\b",
    re.IGNORECASE,
)
_LIST_AFTER_STARS = re.compile(
    rf"\b(?i:stars|starring|co-stars|cast(?: includes| members)?)\s+"
    rf"(?:{_NAME_WORD}(?:\s{_NAME_WORD})+(?:,\s+|,?\s+and\s+))+$"
)
_ROLE_WORDS = {
    "writer-director": "director", "writer director": "director", "co-director": "director",
    "director": "director", "filmmaker": "director", "helmer": "director", "auteur": "director",
    "directed by": "director", "writer-producer": "writer", "writer producer": "writer",
    "screenwriter": "writer", "writer": "writer", "written by": "writer", "producer": "producer",
    "produced by": "producer", "composer": "composer", "scored by": "composer", "co-star": "star",
    "costar": "star", "star": "star", "stars": "star", "starring": "star", "actor": "star",
    "actress": "star", "newcomer": "star",
    "directed": "director", "direct": "director", "directs": "director", "will direct": "director",
    "helm": "director", "helms": "director", "will helm": "director",
    "wrote": "writer", "co-wrote": "writer", "write": "writer", "pen": "writer", "penned": "writer",
    "written": "writer", "scripted": "writer",
    "produced": "producer", "produce": "producer", "produces": "producer", "will produce": "producer",
    "composed": "composer", "scored": "composer", "score": "composer",
    "starred": "star", "play": "star", "lead": "star", "led": "star",
    "will star": "star", "joins": "star", "has joined": "star", "joined": "star", "boards": "star",
    "has been cast": "star", "is cast": "star", "has boarded": "star", "is in talks": "star",
    "in talks": "star", "returns as": "star", "will return": "star", "reprises": "star",
}  # fmt: skip


_NOT_NAME_OR_COMPANY = _NOT_NAME | COMPANIES
_SPACES = re.compile(r"\s+")
_PLAYS_BEFORE = re.compile(r"\b(?:as|play|plays|playing)\s+$")  # "to star as Enzo Ferrari"


# Searching for a role before every name is slow. A match ends (but for spaces) right before
# the name, with one of these words or with "and"/"&" and one more word ("director and writer").
_ROLE_LAST_WORDS = (
    "director", "producer", "filmmaker", "helmer", "auteur", "writer", "composer", "star",
    "stars", "starring", "actor", "actress", "newcomer", "by",
)  # fmt: skip


def _role_before(before: str) -> re.Match[str] | None:
    # Within ASCII, a case-sensitive search of the lower-cased text finds what re.IGNORECASE
    # does, after a quick test; outside it re.IGNORECASE matches more ("ſ" is "s" to it).
    if before.isascii():
        lowered = before.lower()
        words = lowered.rsplit(None, 2)
        if not words or not (
            words[-1].endswith(_ROLE_LAST_WORDS) or (len(words) > 1 and words[-2] in ("and", "&"))
        ):
            return None
        return _ROLE_BEFORE_LOWERED.search(lowered)
    return _ROLE_BEFORE.search(before)


def _role(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 40) : start]
    match = _role_before(before)
    if match:
        return _ROLE_WORDS.get(_SPACES.sub(" ", match.group("role").lower()), "")
    after = _ROLE_AFTER.match(text[end : end + 70])
    if after:
        word = after[after.lastindex or 0]  # one group takes part in a match: its word
        return _ROLE_WORDS.get(word.lower(), "")
    return ""


@lru_cache(
    maxsize=4096
)  # names and capitalised runs recur: in the title and the summary, across items
def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[0].lower().strip(".") in _NOT_NAME:
        words = words[1:]
    while words and words[-1].lower().strip(".") in _NOT_NAME:
        words = words[:-1]
    if len(words) < 2 or len(words) > 4:
        return None
    if any(word.lower().strip(".").replace("’", "'") in _NOT_NAME_OR_COMPANY for word in words[1:]):
        return None
    if words[0].lower() in COMPANIES:
        return None
    return " ".join(words)


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start < e or s < end <= e for s, e in spans)


def _list_role(text: str, start: int) -> str:
    """ "stars Robert De Niro and Val Kilmer": a later name of a list shares the first's role."""
    before = text[max(0, start - 120) : start]
    if not before.rstrip().endswith((",", "and")):  # as every match does: a quick test first
        return ""
    return "star" if _LIST_AFTER_STARS.search(before) else ""


def find_people(
    text: str, *, titles: Iterable[str] = (), title_spans: Iterable[tuple[int, int]] = ()
) -> list[Person]:
    """People in text order, one entry each; the first role the text gives a name is kept."""
    # A name (words joined by single spaces) is inside one of the titles exactly when it
    # is inside them all joined by a character no name has.
    # (Lower-casing them joined is lower-casing each: the line break is neither cased nor
    # case-ignorable, so a final sigma stays final.)
    title_keys = "\n".join(titles).lower()
    spans = list(title_spans)
    found: dict[str, str] = {}
    for match in _NAME_RE.finditer(text):
        raw = match[1]  # the group "name"
        # A run inside the titles has its name, if any, inside them too: the name is a part
        # of the run, where (printable) its only blanks are the single spaces between words.
        if title_keys and raw.isprintable() and raw.lower() in title_keys:
            continue
        name = _clean_name(raw)
        if name is None or (title_keys and name.lower() in title_keys):
            continue
        offset = match.start(1) + raw.find(name)
        end = offset + len(name)
        if (
            (spans and _inside(offset, end, spans))
            or (
                text[offset - 1 : offset].isspace()  # as every _PLAYS_BEFORE match ends
                and _PLAYS_BEFORE.search(text[max(0, offset - 9) : offset])
            )
        ):
            continue  # a title, or a character someone plays ("to star as Enzo Ferrari")
        role = _role(text, offset, end) or _list_role(text, offset)
        if name not in found or (not found[name] and role):
            found[name] = role
    return [Person(name, role) for name, role in found.items()]
