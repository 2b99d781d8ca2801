"""Finding film titles in news text: quotes, numbered sequels, cue words and known titles.

Feed text rarely marks a title for us. Trade headlines quote titles ('Heat 2', ‘Dune: Part
Three’); elsewhere a title shows as a capitalised run next to a cue word ("the Heat
sequel", "Dune star Zendaya") or ending in a sequel number ("Heat 2"). Titles the knowledge
base already knows are found with Aho-Corasick, which stays fast with 50,000 titles.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

import ahocorasick

from bot.films.normalise import normalise_title, sequel_number

__all__ = [
    "COMPANIES",
    "KnownTitles",
    "TitleEntry",
    "TitleHit",
    "drop_fragments",
    "merge_titles",
    "extract_titles",
    "find_titles",
    "is_company",
]


class KnownTitles:
    """Known film titles and aliases from the knowledge base, found in text with Aho-Corasick (pyahocorasick)."""

    # find() runs in worker threads while add() runs on the event loop: the lock guards the
    # table and the version, and an automaton is never changed once built.
    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        self._canonical: dict[str, str] = {}  # lowercased alias -> canonical title
        self._automaton: ahocorasick.Automaton | None = None
        self._version = 0
        self._lock = threading.Lock()
        for alias, canonical in entries:
            self.add(alias, canonical)

    def add(self, alias: str, canonical: str) -> None:
        key = _fold(alias.strip())
        if not key or not canonical.strip():
            return
        with self._lock:
            if self._canonical.get(key) == canonical.strip():
                return
            self._canonical[key] = canonical.strip()
            self._version += 1
            self._automaton = None  # rebuilt on the next find

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of whole-word, case-insensitive matches; longest wins, in text order."""
        return self._find_folded(_fold(text)) if text else []

    def _find_folded(self, folded: str) -> list[tuple[int, int, str]]:
        """find() of the text that _fold() made folded."""
        if not self._canonical or not folded:
            return []
        # A built automaton is never changed, so reading the reference needs no lock.
        automaton = self._automaton or self._built()
        size = len(folded)
        hits: list[tuple[int, int, str]] = []  # (start, -end, canonical): in order, longest first
        for end_index, (length, canonical) in automaton.iter(folded):
            start, end = end_index - length + 1, end_index + 1
            # Whole words only: nothing alphanumeric (or "_") right before or after.
            if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            if end < size and (folded[end].isalnum() or folded[end] == "_"):
                continue
            hits.append((start, -end, canonical))
        if len(hits) > 1:
            hits.sort()  # (no two hits have the same start and end: the same key)
        chosen: list[tuple[int, int, str]] = []
        for start, negative_end, canonical in hits:
            end = -negative_end
            if chosen and start < chosen[-1][1]:
                if end - start > chosen[-1][1] - chosen[-1][0]:
                    chosen[-1] = (start, end, canonical)  # a longer match that starts inside wins
                continue
            chosen.append((start, end, canonical))
        return chosen

    def __len__(self) -> int:
        return len(self._canonical)

    def _built(self) -> ahocorasick.Automaton:
        with self._lock:
            if self._automaton is not None:
                return self._automaton
            snapshot, version = dict(self._canonical), self._version
        automaton = ahocorasick.Automaton()  # built outside the lock: add() never waits on it
        for key, canonical in snapshot.items():
            automaton.add_word(key, (len(key), canonical))
        automaton.make_automaton()
        with self._lock:
            if self._version == version:
                self._automaton = automaton
        return automaton


def _fold(text: str) -> str:
    """Lower case without changing the length, so offsets stay valid for the original text."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded.replace("\u2019", "'")
    return "".join(ch.lower()[:1] or ch for ch in text).replace("\u2019", "'")


# --- vocabulary -------------------------------------------------------------------------

COMPANIES = frozenset(
    """warner bros bros. pictures universal sony netflix disney paramount lionsgate a24 neon
    amazon mgm apple focus searchlight pixar lucasfilm legendary blumhouse hbo hulu peacock
    empire variety deadline indiewire imax fox columbia dreamworks illumination studios studio
    entertainment magazine cinemacon comic-con cannes venice tiff sundance berlinale oscars
    academy marvel dc max prime video mubi a24's netflix's disney's sony's""".split()
)

# Capitalised words of headlines and sentence starts that are never part of a title here.
_STOP = frozenset(
    """says say said tells told confirms confirmed reveals revealed teases teased wants hopes
    plans planned announces announced sets set dates dated slates slated moves moved pushes
    pushed delays delayed shifts shifted gets get lands landed joins joined boards taps tapped
    casts cast eyes adds is are was were will would has have had be been being to in for on
    at by from with as after before into over than about his her their its our my your this
    that these those new official first look exclusive watch see here why how when which trailer teaser review reviews box office weekend opening sequel prequel
    spinoff spin-off remake reboot director writer star stars starring producer release date
    premiere debut debuts opens open hits hit heads lands exits exit dies died returns return
    update updates report reportedly could may might should can not no yes also
    video photos images poster clip
    footage filming production trailers film movie films movies feature adaptation novel book
    season series episode show tv streaming theaters theatres cinemas globally domestic
    worldwide million billion december january february march april may june july august
    september october november monday tuesday wednesday thursday friday saturday sunday
    or but if so because while though despite speaking stars' via per untitled monday tuesday
    wednesday thursday friday saturday sunday""".split()
)
_MONTHS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec january february march april may june "
    "july august september october november december".split()
)
_NOT_BEFORE_NUMBER = _MONTHS | frozenset(
    "season episode top no number phase day days week weeks act book issue page room vol "
    "volume chapter part level round game year years stage gen".split()
)
_ROMAN = frozenset("II III IV V VI VII VIII IX X XI XII".split())
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten 1 2 3 4 5 6 7 8 9 10 ii iii iv v vi".split()
)
_CONNECTORS = r"(?:of|the|and|a|an|in|on|at|to|for|from|with|vs\.?|de|la|le|or|&)"

# A capitalised run: "Mission: Impossible – Dead Reckoning Part Two", "Spider-Man: Beyond the Spider-Verse".
_WORD = r"(?:[A-Z0-9][\w'’&.\-]*)"
_MORE_WORDS = rf"(?:(?::|\s[–—-])?\s(?:{_CONNECTORS}\s)*{_WORD})*"
# The regexes that must not start inside a word put their lookbehind after the first
# character: when every branch starts with a character class or a literal, the regex engine
# skips straight to those characters instead of trying the lookbehind at every position.
# Here: (?<![\w'’]){_WORD}{_MORE_WORDS}.
_RUN_RE = re.compile(rf"[A-Z0-9](?<![\w'’][A-Z0-9])[\w'’&.\-]*{_MORE_WORDS}+")
_TOKEN_RE = re.compile(r"[\w'’&.\-]+:?")  # a colon stays on its word: "Dune:" "Part" "Three"

# Quoted spans: straight quotes must not be apostrophes ("Mann's", "doesn't"); the
# lookbehinds come after the quote, as in _RUN_RE. Each span ends at the first closing quote
# it can: nothing in a span can be one, so the span is taken whole (possessively) rather
# than one character at a time.
_QUOTED_RE = re.compile(
    r"'(?<![\w']')(?P<a>\S(?:[^\n']++|'(?=\w))*+)'(?!\w)"
    r"|‘(?P<b>[^‘’\n]++)’(?!\w)"
    r"|\"(?<![\w\"]\")(?P<c>[^\"\n]++)\""
    r"|“(?P<d>[^“”\n]++)”"
)

# Cue words, written out phrase by phrase: the regexes below are made of them, and so is the
# Aho-Corasick automaton that finds where in a text they may start (_CueWords).
_PRE_CUE_PHRASES = (
    "sequel", "sequels", "prequel", "spinoff", "spin-off", "remake", "reboot", "franchise",
    "star", "stars", "co-star", "director", "filmmaker", "helmer", "trailer", "teaser", "review",
    "box office", "release date", "cast", "actor", "actress", "premiere", "adaptation",
    "first look", "opening weekend",
    *(
        f"{auxiliary}{verb}"
        for auxiliary in ("has been ", "is being ", "is ", "was ", "will be ", "")
        for verb in ("delayed", "pushed", "moved", "dated", "postponed", "set for", "slated for")
    ),
    "hits theaters", "opens", "will open",
    *(f"gets {article}{what}" for article in ("a ", "") for what in ("release", "sequel", "trailer")),
)  # fmt: skip
_POST_CUE_PHRASES = (
    "sequel to", "prequel to", "follow-up to", "remake of", "reboot of", "adaptation of",
    "director of", "star of", "starring in", "stars in", "star in", "cast of", "role in",
    "review of", "trailer for", "teaser for", "joins", "joined", "boards", "titled", "called",
)  # fmt: skip
# A common noun right before a name in running text: "the horror film Weapons", "biopic Ferrari".
_NOUNS_BEFORE_NAMES = (
    "film", "movie", "thriller", "comedy", "drama", "epic", "biopic", "adaptation", "sequel",
    "prequel", "spinoff", "spin-off", "remake", "reboot", "musical", "documentary",
    "blockbuster", "feature", "hit", "mystery", "follow-up",
)  # fmt: skip
_PRE_CUES = "|".join(map(re.escape, _PRE_CUE_PHRASES))
_POST_CUES = "|".join(map(re.escape, _POST_CUE_PHRASES))
# Cues are matched at a position (after a run, or at a word inside a Title Case run), so
# each capitalised run is scanned once rather than re-tried at every capital letter.
_PRE_CUE_AT = re.compile(rf"(?P<poss>'s|’s)?\s+(?i:{_PRE_CUES})\b")
_PRE_CUE_WORD_AT = re.compile(rf"(?i:{_PRE_CUES})\b")
_POST_CUE_BEFORE = re.compile(rf"\b(?i:{_POST_CUES})\s+(?:the\s+cast\s+of\s+)?$")
_POST_CUE_WORD_AT = re.compile(rf"(?i:{_POST_CUES})\s+(?:the\s+cast\s+of\s+)?")
_NOUN_BEFORE = re.compile(rf"\b(?:{'|'.join(map(re.escape, _NOUNS_BEFORE_NAMES))})\s+$")
_POST_CUE_WINDOW = 40  # how far before a run _POST_CUE_BEFORE looks
_NOUN_WINDOW = 14  # and _NOUN_BEFORE
# A headline that starts with a title followed by what happens to it.
_SUBJECT_VERB_AT = re.compile(
    r"(?:Moves|Moved|Gets|Sets|Delayed|Dated|Opens|Lands|Pushed|Heads|Hits|Shifts|Trailer|"
    r"Teaser|Review|Box Office|Sequel|Release|Is|Will|Confirmed|Debuts|Tops|Leads|Crosses|"
    r"Passes|Soars|Stumbles|Flops|Scores)\b"
)


# Not frozen: one is made per title found, and a frozen dataclass is about three times
# slower to create. extract_titles() makes new ones on every call.
@dataclass(slots=True)
class TitleHit:
    """One title found: its text as written, where, and how it was found."""

    text: str
    start: int
    quoted: bool = False
    numbered: bool = False
    cued: bool = False
    known: bool = False


@lru_cache(maxsize=4096)
def is_company(words: str) -> bool:
    lowered = words.lower()
    first = lowered.split(None, 1)[:1]
    return bool(first) and _is_company(lowered, first[0])


def _is_company(lowered: str, first_word: str) -> bool:
    """is_company() of a text, lower-cased, that starts with first_word."""
    return first_word.replace("’", "'").strip(".,:;") in COMPANIES or lowered in COMPANIES


@lru_cache(maxsize=4096)  # a title's run is seen in the headline and again in the summary
def _tokens(run: str) -> list[re.Match[str]]:
    return list(_TOKEN_RE.finditer(run))


_CONNECTOR_WORDS = frozenset(
    "of the and a an in on at to for from with vs vs. de la le or &".split()
)
# Every later word of a run starts after a space, with a capital or a digit (or is a lower-case
# connector): only these words can begin a sequel marker ("2", "II", "Part Two", "Chapter 3"):
# a number, "Part" or "Chapter" in any case, or roman numerals (upper case, then at most ".",
# ":" or the end of the word: not the "V" of "Villeneuve" or the "P" of "Pugh").
_MAYBE_SEQUEL_MARKER = re.compile(r"\s(?:[0-9]|P(?i:art)|C(?i:hapter)|[IVX]+(?![a-zA-Z]))")
_DIGIT_NEXT = re.compile(r",?\s?\d")  # after a run: "June 4, 2027"
_TRAILING_CONNECTOR = re.compile(r"(?:\s+(?:of|the|and|a|an|in|on|at|to|for|from|with|or|&))+\s*$")
_TRAILING_CONNECTOR_WORDS = frozenset("of the and a an in on at to for from with or &".split())


@lru_cache(maxsize=4096)  # a quoted title is cleaned in the headline and again in the summary
def _clean(title: str) -> str:
    title = title.strip().strip("'\"‘’“”").strip()
    if title.endswith(("'s", "’s")):  # (stripped: there is no newline after it)
        title = title[:-2]
    words = title.split()
    if len(words) > 1 and words[-1] in _TRAILING_CONNECTOR_WORDS:  # every match ends so
        title = _TRAILING_CONNECTOR.sub("", title)  # "The Running Man for" (Paramount)
    return title.rstrip(" ,;:.-–—").strip()


_ADJECTIVE_RE = re.compile(
    r"-(?:nominated|winning|winner|directed|starring|led|based|produced|written|era|style|like|themed)$",
    re.IGNORECASE,
)
_NOT_A_TITLE = frozenset(
    """hollywood bollywood oscar oscars emmy emmys golden british american french italian korean
    japanese indian spanish german canadian australian irish horror action comedy veteran
    acclaimed former original franchise broadway the a an""".split()
)


@lru_cache(maxsize=4096)
def _looks_like_title(title: str) -> bool:
    if not title or not (title[0].isupper() or title[0].isdigit()) or len(title) > 90:
        return False
    lowered = title.lower()
    if lowered in _NOT_A_TITLE or _ADJECTIVE_RE.search(title):
        return False
    words = lowered.split()  # (lower() never joins or splits words)
    if len(words) > 9:
        return False
    first = words[0].strip(":")
    if first in _STOP or first in ("part", "chapter") or _is_company(lowered, words[0]):
        return False
    if _CONNECTOR_WORDS.issuperset(words):
        return False
    for word in words:
        if word.strip(":,") not in _STOP and word not in _MONTHS:
            return True
    return False


def _is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "s'", "s’"))


def _is_boundary(tokens: list[re.Match[str]], index: int, *, title_case: bool) -> bool:
    """Whether a run's word cannot be inside a title: a headline word, a company, an owner."""
    word = tokens[index].group().lower().replace("’", "'")
    if _is_possessive(word) or is_company(word):
        return True
    if word.strip(":.") not in _STOP:
        return False
    if index > 0 and tokens[index - 1].group().endswith(":"):
        return False  # a subtitle may start with any word: "Wicked: For Good"
    # In sentence case a capitalised "After" inside a run belongs to the title
    # ("One Battle After Another"); only the run's first word may be a sentence start.
    return title_case or index == 0


@lru_cache(maxsize=4096)
def _after_last_stop(run: str, end: int | None = None, *, title_case: bool = True) -> str:
    """The end of a capitalised run from after its last headline word or possessive."""
    tokens = [t for t in _tokens(run) if end is None or t.end() <= end]
    start = 0
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if _is_boundary(tokens, index, title_case=title_case) and not (
            last and _is_possessive(token.group())
        ):
            start = token.end()
    return _clean(run[start:end])


@lru_cache(maxsize=4096)
def _before_first_stop(run: str, *, title_case: bool = True) -> str:
    """The start of a capitalised run up to its first headline word; an owner ("Edgar Wright's") is skipped."""
    tokens = _tokens(run)
    start = 0
    for index, token in enumerate(tokens):
        if _is_possessive(token.group()):
            start = token.end()
        elif (
            index > 0
            and token.start() > start
            and _is_boundary(tokens, index, title_case=title_case)
        ):
            return _clean(run[start : token.start()])
    return _clean(run[start:])


def is_title_case(text: str) -> bool:
    """Headline Title Case, where every capitalised word is not a name."""
    if text.isascii():  # the same words, without a regex match for each
        letters = text.encode().translate(_LETTERS_APART).split()
        words: list[str] | list[bytes] = [w for w in letters if len(w) > 3 and w.isalpha()][1:]
    else:
        words = _LONG_WORD_RE.findall(text)[1:]
    if len(words) < 3:
        return True
    return len([w for w in words if w[:1].isupper()]) >= 0.7 * len(words)


# \b[^\W\d_]{4,}\b, with the word-start test after the first letter (see wordstart.py).
_LONG_WORD_RE = re.compile(r"[^\W\d_](?<!\w.)[^\W\d_]{3,}\b")
# For ASCII text: its letters as they are, its other word characters (digits, "_") as "0" and
# the rest as spaces, so that its words of letters alone are the words that isalpha().
_LETTERS_APART = bytes(
    char
    if chr(char).isalpha()
    else ord("0")
    if chr(char).isalnum() or char == ord("_")
    else ord(" ")
    for char in range(256)
)


def _is_speech(inner: str) -> bool:
    """Quoted speech, not a title: long, lower-case start, or punctuated like a sentence."""
    stripped = inner.strip()
    if not stripped or not (stripped[0].isupper() or stripped[0].isdigit()):
        return True
    return stripped[-1] in ",.!?" or len(stripped.split()) > 8


def _quoted_hits(text: str) -> list[TitleHit]:
    hits = []
    for match in _QUOTED_RE.finditer(text):
        group = match.lastgroup  # the one of a, b, c and d that matched
        assert group is not None  # every alternative is a named group
        inner = match.group(group)
        if _is_speech(inner):
            continue
        title = _clean(inner)
        if _looks_like_title(title) or (title and title.split()[0].lower() in ("the", "a")):
            hits.append(TitleHit(title, match.start(group), quoted=True))
    return hits


def _is_sequel_marker(tokens: list[str], index: int) -> int:
    """How many tokens make a sequel marker at index (0 when none): "2", "II", "Part Two"."""
    word = tokens[index]
    if index == 0:
        return 0
    previous = tokens[index - 1].lower().strip(":,")
    if word.lower() in ("part", "chapter") and index + 1 < len(tokens):
        return 2 if tokens[index + 1].lower().strip(":,.") in _NUMBER_WORDS else 0
    if (
        previous in _NOT_BEFORE_NUMBER
        or previous in ("part", "chapter")
        or tokens[index - 1].endswith(":")
    ):
        return 0  # "Season 2", "Breakdown: 10 Biggest Reveals"
    bare = word.rstrip(":,.")
    if bare.isdigit() and len(bare) <= 2 and bare != "0":
        return 1
    return 1 if bare in _ROMAN else 0


# The first characters a sequel marker can have (in ASCII): "Part", "Chapter", digits, roman.
_MARKER_FIRSTS = frozenset("0123456789PpCcIVX")


def _sequel_marker(
    text: str, run_match: re.Match[str], tokens: list[re.Match[str]]
) -> tuple[int, int] | None:
    """(index, size) of the tokens of a run's first sequel marker: "2", "II", "Part Two"."""
    words = [t.group() for t in tokens]  # (the caller has seen a possible sequel marker in it)
    for index in range(1, len(words)):  # the first word is never a marker
        first = words[index][:1]
        if first.isascii() and first not in _MARKER_FIRSTS:
            continue  # not "Part"/"Chapter", a number or a roman numeral: no marker here
        size = _is_sequel_marker(words, index)
        if not size:
            continue
        if index + size >= len(tokens) and _DIGIT_NEXT.match(
            text[run_match.end() : run_match.end() + 3]
        ):
            return None  # "June 4, 2027"
        return index, size
    return None


def _numbered_title(
    run_match: re.Match[str],
    tokens: list[re.Match[str]],
    marker: tuple[int, int],
    *,
    title_case: bool,
) -> TitleHit | None:
    run = run_match.group()
    index, size = marker
    title = _after_last_stop(run, tokens[index + size - 1].end(), title_case=title_case)
    marker_words = [t.group() for t in tokens[index : index + size]]
    if _looks_like_title(title) and title.split()[0] not in marker_words:
        return TitleHit(title, run_match.start() + run.find(title), numbered=True)
    return None


def _post_cue_before(text: str, start: int) -> bool:
    """Whether a cue such as "sequel to" or "joins" ends (with spaces) right before start."""
    if not text[start - 1 : start].isspace():  # every match ends with a space
        return False
    return _POST_CUE_BEFORE.search(text, max(0, start - _POST_CUE_WINDOW), start) is not None


# An owner before more of a run: "Edgar Wright's The Running Man".
_OWNER_INSIDE = re.compile(r"(?:'s|’s|s'|s’)\s")
_BLANK = re.compile(r"\s+")
_PRE, _POST, _NOUN = 1, 2, 4  # what a phrase of _CUE_PHRASES is


def _cue_phrases() -> ahocorasick.Automaton:
    kinds: dict[str, int] = {}
    for phrases, kind in (
        (_PRE_CUE_PHRASES, _PRE),
        (_POST_CUE_PHRASES, _POST),
        (_NOUNS_BEFORE_NAMES, _NOUN),
    ):
        for phrase in phrases:
            kinds[phrase] = kinds.get(phrase, 0) | kind
    automaton = ahocorasick.Automaton()
    for phrase, kind in kinds.items():
        automaton.add_word(phrase, (len(phrase) - 1, kind))
    automaton.make_automaton()
    return automaton


_CUE_PHRASES = _cue_phrases()


class _CueWords:
    """Where in one text the cue regexes and _NOUN_BEFORE may match.

    One Aho-Corasick pass over the lower-cased text finds where their phrases are: every
    place where they match is among those (and perhaps a few more), so that a run tries
    the regexes only where a phrase is in it or right next to it.
    """

    __slots__ = ("noun_after", "post_after", "pre_after", "words")

    def __init__(self, text: str, folded: str) -> None:
        self.words: list[int] = []  # where a pre-cue or a post cue starts
        self.pre_after: set[int] = set()  # where the blank before a pre-cue starts
        self.post_after: set[int] = set()  # where a post cue with its blank ends
        self.noun_after: set[int] = set()  # where a noun with its blank ends
        # lower() is what (?i) compares, but for two letters that it leaves as they are.
        if not folded.isascii():
            folded = folded.replace("ſ", "s").replace("ı", "i")
        size = len(text)
        for last, (length, kind) in _CUE_PHRASES.iter(folded):
            start = last - length
            # Every cue regex starts and ends at the edge of a word.
            if (start and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
                last + 1 < size and (text[last + 1].isalnum() or text[last + 1] == "_")
            ):
                continue
            if kind & _PRE:
                self.words.append(start)
                self.pre_after.add(len(text[:start].rstrip()))
            if kind & _POST:
                self.words.append(start)
                post = _POST_CUE_WORD_AT.match(text, start)
                if post:
                    self.post_after.add(post.end())
            if kind & _NOUN:
                blank = _BLANK.match(text, last + 1)
                if blank:
                    self.noun_after.add(blank.end())
        self.words.sort()


def _between(starts: list[int], low: int, high: int) -> bool:
    """Whether one of the sorted starts is in range(low, high)."""
    index = bisect_left(starts, low)
    return index < len(starts) and starts[index] < high


def _cued_in_run(
    text: str,
    run_match: re.Match[str],
    tokens: list[re.Match[str]],
    cues: _CueWords,
    *,
    headline: bool,
    title_case: bool,
) -> list[TitleHit]:
    run, base = run_match.group(), run_match.start()
    run_end = run_match.end()
    found: list[str] = []  # the cued titles, in the order they are tried
    appositive: bool | None = None  # "David Lynch, Visionary Director": worked out when needed

    after = _PRE_CUE_AT.match(text, run_end) if run_end in cues.pre_after else None
    if after and not after.group("poss") and not _is_possessive(run):
        appositive = text[max(0, base - 2) : base].strip() == ","
        if not appositive:
            found.append(_after_last_stop(run, title_case=title_case))  # "the Heat sequel"
    if (base in cues.post_after and _post_cue_before(text, base)) or (
        not title_case
        and base in cues.noun_after
        and text[base - 1 : base].isspace()  # every match ends with a space right before
        and _NOUN_BEFORE.search(text, max(0, base - _NOUN_WINDOW), base)
    ):
        found.append(_before_first_stop(run, title_case=title_case))  # "sequel to Heat"
    subject_verbs = headline and base == 0
    every_word = subject_verbs or not title_case  # else only words a cue may start at
    for index in range(1, len(tokens)):
        token = tokens[index]
        at = base + token.start()
        may_pre = may_post = at in cues.words
        if not (may_pre or may_post or every_word):
            continue
        # Title Case: "Oppenheimer Star Cillian Murphy", "Zendaya Joins Dune"
        if (
            may_pre
            and _PRE_CUE_WORD_AT.match(text, at)
            and not _is_possessive(tokens[index - 1].group())
        ):
            if appositive is None:
                appositive = text[max(0, base - 2) : base].strip() == ","
            if not appositive:
                found.append(_after_last_stop(run, token.start(), title_case=title_case))
        if may_post:
            post = _POST_CUE_WORD_AT.match(text, at)
            if post and post.end() < run_end:
                found.append(_before_first_stop(text[post.end() : run_end], title_case=title_case))
        if subject_verbs and _SUBJECT_VERB_AT.match(text, at):
            found.append(_after_last_stop(run, token.start(), title_case=title_case))
        if not title_case and index >= 2 and _is_possessive(tokens[index - 1].group()):
            found.append(
                _before_first_stop(run[token.start() :], title_case=False)
            )  # "Edgar Wright's The Running Man"
    if subject_verbs and _SUBJECT_VERB_AT.match(text, run_end + 1):
        found.append(_after_last_stop(run, title_case=title_case))
    if not found:  # as for most runs
        return []
    return [
        TitleHit(title, base + max(0, run.find(title)), cued=True)
        for title in found
        if _looks_like_title(title)
    ]


def _run_hits(text: str, folded: str, *, headline: bool) -> list[TitleHit]:
    hits = []
    # is_title_case() costs as much as a few runs: worked out only for a run that needs it.
    title_case: bool | None = None if headline else False
    cues = _CueWords(text, folded)
    subject_verb = _SUBJECT_VERB_AT.search(text, 1) if headline else None
    for run_match in _RUN_RE.finditer(text):
        start, end = run_match.span()
        # Most runs have no sequel marker: a quick test before _sequel_marker.
        sequel = (
            _sequel_marker(text, run_match, _tokens(run_match.group()))
            if _MAYBE_SEQUEL_MARKER.search(text, start, end)
            else None
        )
        # Where _cued_in_run can find anything: a cue in the run or next to it, a verb after
        # the run that starts a headline, and where a run is not in Title Case, a noun before it
        # or an owner in it ("Edgar Wright's The Running Man").
        cued = (
            end in cues.pre_after
            or start in cues.post_after
            or (bool(cues.words) and _between(cues.words, start + 1, end))
            or (start == 0 and subject_verb is not None and subject_verb.start() <= end + 1)
            or (
                title_case is not True
                and (start in cues.noun_after or _OWNER_INSIDE.search(text, start, end) is not None)
            )
        )
        if sequel is None and not cued:
            continue
        if title_case is None:
            title_case = is_title_case(text)
        tokens = _tokens(run_match.group())
        if sequel is not None:
            numbered = _numbered_title(run_match, tokens, sequel, title_case=title_case)
            if numbered is not None:
                hits.append(numbered)
        if cued:
            hits += _cued_in_run(
                text, run_match, tokens, cues, headline=headline, title_case=title_case
            )
    return hits


def _known_hits(text: str, folded: str, known: KnownTitles | None) -> list[TitleHit]:
    if known is None or not len(known):
        return []
    hits = []
    for start, end, canonical in known._find_folded(folded):
        written = text[start:end]
        # A one-word title ("Trap", "Weapons") only counts when written like a name.
        if " " not in written.strip() and not written[:1].isupper():
            continue
        hits.append(TitleHit(canonical, start, known=True))
    return hits


def extract_titles(
    text: str, known: KnownTitles | None = None, *, headline: bool = False
) -> list[TitleHit]:
    """Every title occurrence found in one text, in text order (duplicates kept)."""
    folded = _fold(text)
    hits = _quoted_hits(text) + _run_hits(text, folded, headline=headline)
    hits += _known_hits(text, folded, known)
    hits.sort(key=attrgetter("start"))
    return hits


@dataclass(slots=True)
class TitleEntry:
    key: str
    text: str
    first: int
    quoted: bool
    known: bool
    evidence: int
    strong: bool  # quoted, numbered or known at least once, not only next to a cue word


def merge_titles(hits: Sequence[TitleHit]) -> list[TitleEntry]:
    """One entry per film (same normal form), keeping the best-looking text of it."""
    merged: dict[str, TitleEntry] = {}
    keys: dict[str, str] = {}  # the same text is often found several times in one item
    for hit in hits:
        key = keys.get(hit.text)
        if key is None:
            key = keys[hit.text] = normalise_title(hit.text)
        if not key:
            continue
        entry = merged.get(key)
        if entry is None:
            strong = hit.quoted or hit.numbered or hit.known
            merged[key] = TitleEntry(key, hit.text, hit.start, hit.quoted, hit.known, 1, strong)
            continue
        entry.evidence += 1
        entry.strong = entry.strong or hit.quoted or hit.numbered or hit.known
        if hit.start < entry.first:
            entry.first = hit.start
        if hit.known and not entry.known:
            entry.text, entry.known = hit.text, True
        elif not entry.known and hit.quoted and not entry.quoted:
            entry.text, entry.quoted = hit.text, True
    return list(merged.values())


def drop_fragments(entries: list[TitleEntry]) -> list[TitleEntry]:
    """Drop a cue-found fragment of a longer title ("Beyond the Spider-Verse" inside the full one)."""
    keys = [entry.key for entry in entries]
    kept = []
    for entry in entries:
        if not entry.quoted and not entry.known:
            longer = [
                k
                for k in keys
                if k != entry.key and f" {entry.key}" in f" {k}" and len(k) > len(entry.key)
            ]
            if longer and all(sequel_number(k) == sequel_number(entry.key) for k in longer):
                continue
        kept.append(entry)
    return kept


def find_titles(text: str, known: KnownTitles | None = None) -> list[str]:
    """Canonical titles in one text, the main one (first seen) first."""
    entries = drop_fragments(merge_titles(extract_titles(text, known, headline=True)))
    entries.sort(key=lambda entry: entry.first)
    return [entry.text for entry in entries]
