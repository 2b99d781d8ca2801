"""Finding film titles in news text: quotes, numbered sequels, cue words and known titles.

Feed text rarely marks a title for us. Trade headlines quote titles ('Heat 2', ‘Dune: Part
Three’); elsewhere a title shows as a capitalised run next to a cue word ("the Heat
sequel", "Dune star Zendaya") or ending in a sequel number ("Heat 2"). Titles the knowledge
base already knows are found with Aho-Corasick, which stays fast with 50,000 titles.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

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
        if not self._canonical or not text:
            return []
        # A built automaton is never changed, so reading the reference needs no lock.
        automaton = self._automaton or self._built()
        folded = _fold(text)
        size = len(folded)
        hits: list[tuple[int, int, str]] = []
        for end_index, (length, canonical) in automaton.iter(folded):
            start, end = end_index - length + 1, end_index + 1
            # Whole words only: nothing alphanumeric (or "_") right before or after.
            if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            if end < size and (folded[end].isalnum() or folded[end] == "_"):
                continue
            hits.append((start, end, canonical))
        if len(hits) > 1:
            hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
        chosen: list[tuple[int, int, str]] = []
        for hit in hits:
            if chosen and hit[0] < chosen[-1][1]:
                if hit[1] - hit[0] > chosen[-1][1] - chosen[-1][0]:
                    chosen[-1] = hit  # a longer match that starts inside wins
                continue
            chosen.append(hit)
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
_RUN_RE = re.compile(rf"[A-Z0-9](?<![\w'’][A-Z0-9])[\w'’&.\-]*{_MORE_WORDS}")
_TOKEN_RE = re.compile(r"[\w'’&.\-]+:?")  # a colon stays on its word: "Dune:" "Part" "Three"

# Quoted spans: straight quotes must not be apostrophes ("Mann's", "doesn't"); the
# lookbehinds come after the quote, as in _RUN_RE.
_QUOTED_RE = re.compile(
    r"'(?<![\w']')(?P<a>\S(?:[^\n']|'(?=\w))*?)'(?!\w)"
    r"|‘(?P<b>[^‘’\n]+?)’(?!\w)"
    r"|\"(?<![\w\"]\")(?P<c>[^\"\n]+?)\""
    r"|“(?P<d>[^“”\n]+?)”"
)

_PRE_CUES = (
    r"sequel|sequels|prequel|spin-?off|remake|reboot|franchise|star|stars|co-star|director|"
    r"filmmaker|helmer|trailer|teaser|review|box office|release date|cast|actor|actress|"
    r"premiere|adaptation|first look|opening weekend|"
    r"(?:has been |is being |is |was |will be )?(?:delayed|pushed|moved|dated|postponed|"
    r"set for|slated for)|hits theaters|opens|will open|gets (?:a )?(?:release|sequel|trailer)"
)
_POST_CUES = (
    r"sequel to|prequel to|follow-up to|remake of|reboot of|adaptation of|director of|"
    r"star of|starring in|stars in|star in|cast of|role in|review of|trailer for|teaser for|"
    r"joins|joined|boards|titled|called"
)
# Cues are matched at a position (after a run, or at a word inside a Title Case run), so
# each capitalised run is scanned once rather than re-tried at every capital letter.
_PRE_CUE_AT = re.compile(rf"(?P<poss>'s|’s)?\s+(?i:{_PRE_CUES})\b")
_PRE_CUE_WORD_AT = re.compile(rf"(?i:{_PRE_CUES})\b")
_POST_CUE_BEFORE = re.compile(rf"\b(?i:{_POST_CUES})\s+(?:the\s+cast\s+of\s+)?$")
# The last word of every _POST_CUE_BEFORE match: a quick test before searching for one.
_POST_CUE_LAST_WORD = re.compile(r"(?i:to|of|in|for|joins|joined|boards|titled|called)\Z")
_POST_CUE_LAST_WORDS = ("to", "of", "in", "for", "joins", "joined", "boards", "titled", "called")
# A common noun right before a name in running text: "the horror film Weapons", "biopic Ferrari".
_NOUN_BEFORE = re.compile(
    r"\b(?:film|movie|thriller|comedy|drama|epic|biopic|adaptation|sequel|prequel|spinoff|"
    r"spin-off|remake|reboot|musical|documentary|blockbuster|feature|hit|mystery|follow-up)\s+$"
)
_POST_CUE_WORD_AT = re.compile(rf"(?i:{_POST_CUES})\s+(?:the\s+cast\s+of\s+)?")
# The first two letters (lower case) of every cue: a cue can only start where they do.
# Outside ASCII the regexes match more than lower() says ("ſ" is "s" to them): there they run.
_PRE_CUE_STARTS = frozenset(
    "se pr sp re fr st co di fi he tr te bo ca ac ad op ha is wa wi de pu mo da po sl hi ge".split()
)
_POST_CUE_STARTS = frozenset("se pr fo re ad di st ca ro tr te jo bo ti".split())
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
    tokens = [token.strip(".,:;") for token in words.lower().replace("’", "'").split()]
    return bool(tokens) and (tokens[0] in COMPANIES or words.lower() in COMPANIES)


@lru_cache(maxsize=4096)  # a title's run is seen in the headline and again in the summary
def _tokens(run: str) -> list[re.Match[str]]:
    return list(_TOKEN_RE.finditer(run))


_POSSESSIVE_END = re.compile(r"(?:'s|’s)$")
_CONNECTOR_RE = re.compile(_CONNECTORS)
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
    title = _POSSESSIVE_END.sub("", title)
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
    if _ADJECTIVE_RE.search(title) or title.lower() in _NOT_A_TITLE:
        return False
    if not title or not (title[0].isupper() or title[0].isdigit()):
        return False
    words = title.split()
    if len(words) > 9 or len(title) > 90:
        return False
    first = words[0].lower().strip(":")
    if first in _STOP or first in ("part", "chapter") or is_company(title):
        return False
    if all(_CONNECTOR_RE.fullmatch(w.lower()) for w in words):
        return False
    return not all(w.lower().strip(":,") in _STOP or w.lower() in _MONTHS for w in words)


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
    words = [w for w in _LONG_WORD_RE.findall(text)[1:]]
    if len(words) < 3:
        return True
    return sum(1 for w in words if w[0].isupper()) >= 0.7 * len(words)


# \b[^\W\d_]{4,}\b, with the word-start test after the first letter (see wordstart.py).
_LONG_WORD_RE = re.compile(r"[^\W\d_](?<!\w.)[^\W\d_]{3,}\b")


def _is_speech(inner: str) -> bool:
    """Quoted speech, not a title: long, lower-case start, or punctuated like a sentence."""
    stripped = inner.strip()
    if not stripped or not (stripped[0].isupper() or stripped[0].isdigit()):
        return True
    if len(stripped.split()) > 8 or stripped[-1] in ",.!?":
        return True
    return False


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


def _numbered_hit(
    text: str, run_match: re.Match[str], tokens: list[re.Match[str]], *, title_case: bool
) -> TitleHit | None:
    run = run_match.group()  # (the caller has seen a possible sequel marker in it)
    words = [t.group() for t in tokens]
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
        title = _after_last_stop(run, tokens[index + size - 1].end(), title_case=title_case)
        if _looks_like_title(title) and title.split()[0] not in words[index : index + size]:
            return TitleHit(title, run_match.start() + run.find(title), numbered=True)
        return None
    return None


def _post_cue_before(text: str, start: int) -> bool:
    """Whether a cue such as "sequel to" or "joins" ends (with spaces) right before start."""
    if not text[start - 1 : start].isspace():  # every match ends with a space
        return False
    window = max(0, start - 40)
    last = text[window:start].rstrip()[-6:]
    if last.isascii():  # there lower() is what (?i) compares
        if not last.lower().endswith(_POST_CUE_LAST_WORDS):
            return False
    elif not _POST_CUE_LAST_WORD.search(last):
        return False
    return _POST_CUE_BEFORE.search(text, window, start) is not None


def _cued_in_run(
    text: str,
    run_match: re.Match[str],
    tokens: list[re.Match[str]],
    *,
    headline: bool,
    title_case: bool,
) -> list[TitleHit]:
    run, base = run_match.group(), run_match.start()
    run_end = run_match.end()
    found: list[str] = []  # the cued titles, in the order they are tried
    appositive: bool | None = None  # "David Lynch, Visionary Director": worked out when needed

    after = _PRE_CUE_AT.match(text, run_end)  # (a quick test first would cost more)
    if after and not after.group("poss") and not _is_possessive(run):
        appositive = text[max(0, base - 2) : base].strip() == ","
        if not appositive:
            found.append(_after_last_stop(run, title_case=title_case))  # "the Heat sequel"
    if _post_cue_before(text, base) or (
        not title_case
        and text[base - 1 : base].isspace()  # every match ends with a space right before
        and _NOUN_BEFORE.search(text, max(0, base - 14), base)
    ):
        found.append(_before_first_stop(run, title_case=title_case))  # "sequel to Heat"
    subject_verbs = headline and base == 0
    every_word = subject_verbs or not title_case  # else only words a cue may start with
    for index in range(1, len(tokens)):
        token = tokens[index]
        at = base + token.start()
        pair = text[at : at + 2]
        if pair.isascii():  # a quick test of the first two letters of every cue
            pair = pair.lower()
            may_pre, may_post = pair in _PRE_CUE_STARTS, pair in _POST_CUE_STARTS
        else:  # outside ASCII the regexes match more than lower() says ("ſ" is "s" to them)
            may_pre = may_post = True
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


def _run_hits(text: str, *, headline: bool) -> list[TitleHit]:
    hits = []
    title_case = headline and is_title_case(text)
    for run_match in _RUN_RE.finditer(text):
        run = run_match.group()
        tokens = _tokens(run)
        # Most runs have no sequel marker: a quick test before _numbered_hit.
        if _MAYBE_SEQUEL_MARKER.search(run):
            numbered = _numbered_hit(text, run_match, tokens, title_case=title_case)
            if numbered is not None:
                hits.append(numbered)
        hits += _cued_in_run(text, run_match, tokens, headline=headline, title_case=title_case)
    return hits


def _known_hits(text: str, known: KnownTitles | None) -> list[TitleHit]:
    if known is None or not len(known):
        return []
    hits = []
    for start, end, canonical in known.find(text):
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
    hits = _quoted_hits(text) + _run_hits(text, headline=headline)
    hits += _known_hits(text, known)
    return sorted(hits, key=lambda hit: hit.start)


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
    for hit in hits:
        key = normalise_title(hit.text)
        if not key:
            continue
        entry = merged.get(key)
        if entry is None:
            strong = hit.quoted or hit.numbered or hit.known
            merged[key] = TitleEntry(key, hit.text, hit.start, hit.quoted, hit.known, 1, strong)
            continue
        entry.evidence += 1
        entry.strong = entry.strong or hit.quoted or hit.numbered or hit.known
        entry.first = min(entry.first, hit.start)
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
        longer = [
            k
            for k in keys
            if k != entry.key and f" {entry.key}" in f" {k}" and len(k) > len(entry.key)
        ]
        if longer and not entry.quoted and not entry.known:
            if all(sequel_number(k) == sequel_number(entry.key) for k in longer):
                continue
        kept.append(entry)
    return kept


def find_titles(text: str, known: KnownTitles | None = None) -> list[str]:
    """Canonical titles in one text, the main one (first seen) first."""
    entries = drop_fragments(merge_titles(extract_titles(text, known, headline=True)))
    entries.sort(key=lambda entry: entry.first)
    return [entry.text for entry in entries]
