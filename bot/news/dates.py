"""Release dates in film-news text: which dates are a film's release, and nothing else.

find_release_mentions() finds date spans with precompiled regexes (never a general
date parser over running text: those read "Mickey 17" or "Avatar 2 and 3" as dates),
resolves relative spans against the item's publish time, and keeps a date only when
release words in the same sentence tie it to a film ("opens", "hits theaters", "dated
for", "pushed to", "a 2027 release"). Dates that belong to something else (a novel, a
4K re-release, filming, an album, a TV season, a festival screening, tickets, a
trailer) are dropped, and so are dates already past.

Attribution: the film named nearest before the date in the sentence, else one named
after it, else the main film (films[0]) unless the sentence names another, unknown
work in quotes. Coordinated dates ("Dec. 19, 2025 and Dec. 21, 2029") share their
release words; when the sentence names exactly as many films as there are dates, they
pair up in order ("Avatar 3 and 4 are dated for X and Y"), otherwise all go to the
film the first date went to.

Known limits: bare weekdays ("opens Friday") are not read; a bare month or
day-month without a year always resolves forwards, even after a past-tense verb;
"next <season/holiday>" means the one in the following calendar year; numeric
dates are read M/D/Y unless the first number is over 12.
"""

from __future__ import annotations

import calendar
import logging
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter

import ahocorasick

from bot.films.normalise import normalise_title
from bot.models import Precision, ReleaseMention
from bot.news.wordstart import at_word_start, skippable

_LOGGER = logging.getLogger(__name__)

__all__ = ["find_release_mentions", "split_sentences"]

# A day-month without a year a few days before the publish time is still this year's.
_GRACE_DAYS = 7
# Dates whose whole period ended this long before the publish time are history.
_PAST = timedelta(days=30)
# Years further ahead than this are not release dates ("Blade Runner 2049").
_MAX_YEARS_AHEAD = 12
# A bare year must follow its release words this closely: "hits theaters in 2027".
_BARE_YEAR_REACH = 25
# How far after a date its own qualifiers reach ("Dec. 18 in the UK").
_AFTER_REACH = 48

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2}
_QUARTER_WORDS |= {"3rd": 3, "4th": 4}
_NUMBER_ALTS = {
    "1": ("one", "i", "first"), "2": ("two", "ii", "second"), "3": ("three", "iii", "third"),
    "4": ("four", "iv", "fourth"), "5": ("five", "v", "fifth"), "6": ("six", "vi"),
    "7": ("seven", "vii"), "8": ("eight", "viii"), "9": ("nine", "ix"), "10": ("ten", "x"),
}  # fmt: skip

# Months are matched case-sensitively so "may", "march" and "august" stay words.
_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![a-z])"
)
_FULL_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![\w:])"
_YEAR = r"(?:19|20)\d\d(?!\w|-\d)"
_HOLIDAY = (
    r"Christmas\s+(?:Day|Eve)|Christmas|Xmas|Thanksgiving(?:\s+Day)?|Memorial\s+Day"
    r"|Labou?r\s+Day|Presidents['’]?\s+Day|President['’]s\s+Day|Independence\s+Day"
    r"|Fourth\s+of\s+July|Halloween|Valentine['’]?s\s+Day|New\s+Year['’]?s\s+(?:Day|Eve)"
    r"|Easter|MLK\s+Day|Martin\s+Luther\s+King(?:\s+Jr\.?)?\s+Day"
)
_HALF = r"(?:end|start|beginning|first\s+half|second\s+half|back\s+half|middle)\s+of"

# Where a date can start: a digit, a capital, or one of these words, at the start of a word.
# Trying the full pattern only there is several times faster than letting it scan every
# position. The capital words are prefixes ("Jan" for "January"); the others whole words.
_ANCHOR_PREFIXES = (
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Christmas Xmas Thanksgiving Memorial "
    "Labor Labour President Independence Halloween Valentine New Easter MLK Martin Q1 Q2 Q3 Q4"
).split()
_ANCHOR_WORDS = (
    "this next early late mid later earlier sometime some end start beginning first second "
    "third fourth middle back holiday holidays spring summer fall autumn winter today tomorrow"
).split()


def _anchor_pattern() -> str:
    """The anchors that start with a digit or a capital, each at a word start."""
    alternatives = list("0123456789")
    alternatives += [re.escape(word) for word in _ANCHOR_PREFIXES]
    alternatives += [re.escape(word.capitalize()) + r"\b" for word in _ANCHOR_WORDS]
    return at_word_start(alternatives)


# Digits and capitals are rare enough for the regex engine to skip to; the lower-case
# anchor words start with most letters, so they are found with Aho-Corasick instead.
_DATE_ANCHOR = re.compile(_anchor_pattern())
_ANCHOR_WORD_FINDER = ahocorasick.Automaton()
for _word in _ANCHOR_WORDS:
    _ANCHOR_WORD_FINDER.add_word(_word, len(_word))
_ANCHOR_WORD_FINDER.make_automaton()
# The forms of a date, most specific first (at one position the first that matches wins).
_DATE_FORMS = {
    "NUM": r"(?P<NUM>(?P<n_a>\d{1,2})/(?P<n_b>\d{1,2})/(?P<n_y>(?:19|20)\d\d)(?![\d/]))",
    "ISO": r"(?P<ISO>(?P<i_y>(?:19|20)\d\d)-(?P<i_m>0[1-9]|1[0-2])-(?P<i_d>[0-3]\d)(?![\d-]))",
    "MD": rf"(?P<MD>(?P<md_m>{_MON})\s+(?P<md_d>{_DAY})(?:(?:,\s*|\s+)(?P<md_y>{_YEAR}))?)",
    "DM": rf"(?P<DM>(?P<dm_d>{_DAY})\s+(?:of\s+)?(?P<dm_m>{_MON})(?:,?\s+(?P<dm_y>{_YEAR}))?)",
    "MY": rf"(?P<MY>(?P<my_m>{_MON}),?\s+(?:of\s+)?(?P<my_y>{_YEAR}))",
    "HOL": (
        rf"(?P<HOL>(?:(?P<h_rel>(?i:this|next))\s+)?(?P<h_name>{_HOLIDAY})"
        rf"(?P<h_wk>\s+(?i:weekend|frame|corridor))?(?:,?\s+(?P<h_y>{_YEAR}))?)"
    ),
    "HS": (
        rf"(?P<HS>(?:(?P<hs_rel>(?i:this|next))\s+)?"
        rf"(?i:holiday\s+season|holidays|holiday(?=,?\s+{_YEAR}))"
        rf"(?:,?\s+(?:of\s+)?(?P<hs_y>{_YEAR}))?)"
    ),
    "QTR": (
        rf"(?P<QTR>(?:Q(?P<q_n>[1-4])|(?P<q_w>(?i:first|second|third|fourth|1st|2nd|3rd|4th))"
        rf"\s+(?i:quarter))(?:,?\s+(?:of\s+)?(?P<q_y>{_YEAR}))?(?!\w))"
    ),
    "SEA": (
        rf"(?P<SEA>(?P<s_pre>(?i:early|late|mid|later|earlier)[-\s]+)?"
        rf"(?:(?P<s_rel>(?i:this|next|last))\s+)?(?P<s_n>(?i:spring|summer|fall|autumn|winter))"
        rf"(?:,?\s+(?:of\s+)?(?P<s_y>{_YEAR}))?(?![\w-]))"
    ),
    "YREL": (
        rf"(?P<YREL>(?i:(?:(?:later|early|earlier|late|mid|sometime|some\s+time)[-\s]+(?:in\s+)?)?"
        rf"(?P<yr_rel>this|next|last)\s+year|{_HALF}\s+(?P<yr_rel2>this|next|the)\s+year"
        rf"|later\s+in\s+the\s+year|year['’]s\s+end)(?!\w))"
    ),
    "MREL": (
        r"(?P<MREL>(?i:(?:(?:later|early|late|mid)[-\s]+)?(?P<mr_rel>this|next)\s+month)(?!\w))"
    ),
    "EY": rf"(?P<EY>(?i:early|late|mid|{_HALF})[-\s]+(?P<ey_y>{_YEAR}))",
    "TODAY": r"(?P<TODAY>(?i:today|tomorrow)(?!\w))",
    "BM": (
        rf"(?P<BM>(?:(?P<bm_pre>(?i:this|next|early|late|mid|later\s+this))[-\s]+)?"
        rf"(?P<bm_m>{_FULL_MON})(?![\w'’]|\s+\d))"
    ),
    "BY": r"(?P<BY>(?P<by>20\d\d)(?![\w%]|[-/.,]\d))",
}
# Forms that can start with a digit, and forms that start with a letter ("1st quarter" is
# both): a date is tried only with the forms that can start at its anchor, in their order.
_DIGIT_FORMS = ("NUM", "ISO", "DM", "QTR", "BY")
_LETTER_FORMS = tuple(name for name in _DATE_FORMS if name not in ("NUM", "ISO", "DM", "BY"))


def _date_pattern(names: Iterable[str]) -> re.Pattern[str]:
    forms = "|".join(_DATE_FORMS[name] for name in names)
    return re.compile(rf"(?<![\w$£€#@/.])(?:{forms})")


_DATE_AT_DIGIT = _date_pattern(_DIGIT_FORMS)
_DATE_AT_LETTER = _date_pattern(_LETTER_FORMS)

# A bare season or month counts only where it reads as a time: "in the fall", "a summer
# release"; not "box office will fall", not "March" as a verb or name.
_TIME_BEFORE = re.compile(
    r"(?i)\b(?:in|by|for|until|till|the|a|an|this|next|its|their|from|to|into|before)\s+$"
)
_RELEASE_AFTER = re.compile(
    r"(?i)\s*(?:(?:theatrical|wide|limited|global|worldwide|domestic|international|digital"
    r"|streaming|imax|nationwide|north\s+american|u\.?s\.?|u\.?k\.?|big[-\s]screen|cinema"
    r"|theater|theatre|netflix|day-and-date|tentpole|film|movie)\s+)*"
    r"(?:release(?:\s+date)?|opening|debut|bow|premiere|launch|roll-?out|arrival|slot|date)(?!\w)"
)
_TRIGGER = re.compile(
    at_word_start(
        [
            r"open(?:s|ed|ing)?",
            r"r(?<!re-r)eleas(?:e|es|ed|ing)",  # not "re-release"
            r"arriv(?:e|es|ed|ing|al)",
            r"premier(?:e|es|ed|ing)",
            r"debut(?:s|ed|ing)?",
            r"launch(?:es|ed|ing)?",
            r"bow(?:s|ed|ing)?",
            r"land(?:s|ed|ing)?",
            r"dat(?:ed|es|ing)",
            r"set(?:s)?(?!\s+(?:in|during|on|against|at|among|amid|after|before|around|inside"
            r"|aboard|photos?|pics|visits?|design|pieces?|to\s+star)\b)",
            *"slated scheduled skedded penciled pencilled calendared".split(),
            *(rf"{verb}(?:s|es|ed|ing)?" for verb in ("bump", "push", "delay", "shift")),
            r"mov(?:e|es|ed|ing)",
            r"postpon(?:e|es|ed|ing)",
            r"reschedul(?:e|es|ed|ing)",
            r"brought\s+forward",
            r"due(?!\s+to\b)",
            *(rf"{verb}\s+out" for verb in ("be", "is", "are", "comes?", "coming", "came")),
            r"com(?:e|es|ing)",
            r"stream(?:s|ing)?",
            r"available",
            r"hit(?:s|ting)?\s+(?:the\s+)?(?:[\w.+'-]+\s+){0,2}?(?:theaters|theatres|cinemas"
            r"|screens|big\s+screens?|netflix|hulu|max|peacock|disney\+|prime\s+video"
            r"|apple\s+tv\+?|paramount\+|streaming|digital|vod|imax|home|platforms?)",
            *(
                rf"{word}\s+(?:[\w.+'-]+\s+){{0,2}}?(?:theaters|theatres|cinemas)"
                for word in ("in", "to", "into")
            ),
            r"on\s+(?:netflix|hulu|peacock|disney\+|prime\s+video|apple\s+tv\+|paramount\+"
            r"|hbo\s+max)",
        ],
        r"(?![\w+])",
    )
)
# Things other than a film that get released, premiered or dated.
_THING = re.compile(
    skippable(
        r"""(?x)\b(?:
        novels? | books? | memoir | graphic\s+novel | comics? | audiobook
      | albums? | soundtracks? | (?:film|the|its|original)\s+score | (?:lead|first|new|debut)\s+single
      | songs? | vinyl | mixtape
      | (?:video\s+)?games?
      | (?:tv|limited|streaming|animated|docu-?)\s*series | miniseries | docuseries
      | series\s+(?:premiere|finale)
      | season\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)
      | (?:first|second|third|fourth|fifth|sixth|new|final|next|latest)\s+season
      | season\s+premiere | episodes? | the\s+show | tv\s+show | sitcom
      | tours? | concerts?
      | trailers? | teasers? | first[-\s]look | posters? | featurettes? | sneak\s+peek
      | footage | clips?
      | 4k | uhd | ultra\s+hd | blu-?rays? | dvds? | home\s+(?:video|entertainment|release)
      | steelbook | box\s+set | collector['’]?s\s+edition | special\s+edition
      | director['’]?s\s+cut | extended\s+(?:cut|edition)
      | re-?releases? | re-?issues? | remaster(?:ed)? | restoration | restored | anniversary
      | tickets? | pre-?sales?
      | podcast | panel | ceremony | oscars | academy\s+awards | golden\s+globes | baftas?
      | emmys? | awards?
      | toys? | merch(?:andise)? | lego\s+sets? | collectibles?
    )(?![\w+])"""
    )
)
# Activities and venues: a date after these words is not a release.
_ACT = re.compile(
    skippable(
        r"""(?x)\b(?:
        filming | films?\s+in | to\s+film | shoot(?:s|ing)? | shot | principal\s+photography
      | photography | production | pre-?production | post-?production | cameras?
      | wrap(?:s|ped|ping)? | casting | auditions? | rehearsals?
      | on\s+sale | pre-?orders?
      | for\s+the\s+first\s+time | back\s+(?:in|to|into) | return(?:s|ing|ed)?\s+to
      | announc(?:e|es|ed|ing|ement) | reveal(?:s|ed|ing)? | unveil(?:s|ed|ing)?
      | festival | fest | cannes | venice | tiff | toronto\s+(?:international|film)
      | sundance | sxsw | south\s+by\s+southwest | berlinale | berlin\s+(?:film|international)
      | telluride | tribeca | new\s+york\s+film | cinemacon | comic-con | d23 | cineeurope
      | annecy | locarno | busan
    )(?![\w+])"""
    )
)
# Release words whose subject is the shoot, not the film: "with filming set to begin in
# Italy on August 1", "production on the film is scheduled for May 4", "cameras are set to
# roll August 1". The activity must head the clause the release word is in.
# (Here and below, a lookahead for the first letters of a (?i) alternation lets the search
# fail at once at the other letters: the regex engine cannot skip to such a pattern.)
_ACT_SUBJECT = re.compile(
    r"""(?xi)\b(?=[fspcar])
      (?:filming|shooting|shoot|principal\s+photography|photography|cameras?|casting
      | auditions?|rehearsals?|(?:pre-?|post-?)?production(?!\s+(?:company|companies|banner
        |house|outfit|designers?|design|studio|partners?|deals?|notes|values?)\b)
    )\b(?:(?!\b(?:and|but|while|before|after|ahead|as|when|then|so|because|since|once
        |with|which|that|who|now)\b)[^.,;:'’"”()])*$"""
)
_WORD_BEFORE_ACT = re.compile(r"(\S+)\s+$")
_DETERMINERS = frozenset("the a an this that its their his her whose our new latest next".split())
_TO_BEGIN = re.compile(
    r"(?i)\s+to\s+(?:begin|start|commence|roll|resume|kick\s+off|get\s+(?:underway|going))\b"
)
# Words that point back at a film: they stop the search for a non-film subject.
_REF = re.compile(
    at_word_start(
        "film movie sequel prequel follow-?up spin-?off reboot remake threequel pic feature "
        "installment instalment adaptation blockbuster biopic tentpole".split(),
        r"(?![\w+])",
    )
)
# Asides whose words say nothing about the clause's subject.
_ASIDE = re.compile(
    r",\s*(?:which|who|whose|where|after|following|based\s+on|adapted\s+from|starring"
    r"|directed\s+by|from\s+director|fresh\s+off|coming\s+off"
    r"|(?:the|a)\s+(?:sequel|follow-?up|prequel|spin-?off|remake)\s+(?:to|of))\b[^,;]*,"
    r"|\([^()]*\)"
)
# What a film name must not be the object of: "filming on Dune 3", "the trailer for Dune 3".
_NOT_OF_FILM = re.compile(
    r"(?i)\b(?=[fspwtnbagd4r])(?:filming|shooting|production|photography|work|trailer|teaser"
    r"|novel|book|soundtrack|album|score|season\s+\w+|tickets|first\s+look|poster|4K|Blu-ray"
    r"|DVD|game|re-?release|anniversary)"
    r"\s+(?:(?:on|of|for|to|from)\s+)?['‘\"“]?(?:the\s+)?['‘\"“]?$"
)
_CONNECTOR = re.compile(
    r"(?i)(?:\s+(?:in|on|across)\s+(?:the\s+)?[\w.+'-]+(?:\s+[\w.+'-]+)?)?\s*(?:,\s*)?"
    r"(?:(?P<range>to|through|thru|until|till|[-–—])\s+|(?:and|or|&|then|and\s+then"
    r"|followed\s+by)\s+)?(?:(?:on|in|for)\s+)?"
)
_FROM_END = re.compile(
    r"(?i)\bfrom\s+(?:(?:its|the|a|an|their|his|her|original|originally|previous|previously"
    r"|planned|current|earlier|prior|old|former|scheduled)\s+)*$"
)
_OLD = re.compile(
    r"(?i)\b(?=[opifhwe])(?:originally|previously|initially|formerly|had\s+been|was\s+once"
    r"|(?:previous|prior|original|old|former|earlier)\s+(?:release\s+)?(?:date|slot|plan)s?)\b"
)
_NOW = re.compile(r"(?i)\b(?:now|instead|new)\b")
# A date the film is taken off: "removed 'Mickey 17' from its January 31, 2025 release
# date", "pulled from its March 2025 slot", "vacates its Nov. 7 date". The verb must not
# be followed by release words of its own ("takes it to theaters from Oct. 17").
_TAKEN_FROM = re.compile(
    r"(?i)\b(?:pull|remov|yank|drop|tak(?:e|en|es|ing)\b|took\b|bump|push|mov|shift|delay"
    r"|postpon|scrap|strip)\w*[^.;!?]{0,70}?\b(?:from|off)\s+(?:(?:its|the|their|a|an|his|her"
    r"|original|originally|planned|previous|previously|scheduled|current|earlier|prior|old"
    r"|former)\s+)*$"
    r"|\b(?:vacat(?:e|es|ed|ing)|exit(?:s|ed|ing)?|los(?:e|es|t|ing)|giv(?:e|es|ing)\s+up"
    r"|gave\s+up|abandon(?:s|ed|ing)?|forfeit(?:s|ed|ing)?)\s+(?:(?:its|the|their|a|an"
    r"|original|planned|previous|scheduled|current|prior)\s+)*$"
)
# Every _TAKEN_FROM match contains one of these (a quick test before the slow search).
_TAKEN_WORDS = ("from", "off", "vacat", "exit", "los", "giv", "gave", "abandon", "forfeit")


def _may_be_taken(window: str) -> bool:
    """Whether _TAKEN_FROM may match in this text (outside ASCII, (?i) matches more than
    lower() says: there it always runs)."""
    if not window.isascii():
        return True
    lowered = window.lower()
    return any(word in lowered for word in _TAKEN_WORDS)


# "will no longer arrive this spring", "won't hit theaters in March": the release words
# are denied. "won't open until 2027" still dates the film.
_DENIED = re.compile(r"(?i)(?=n)(?:\b(?:no\s+longer|not|never)|n['’]t)\s+(?:[\w-]+\s+){0,2}$")
_UNTIL = re.compile(r"(?i)\b(?:until|till|before|prior\s+to|earlier\s+than|sooner\s+than)\b")
# A possessive right before a date and its release noun ties the two on its own, whatever
# came earlier: "the trailer is here ahead of the film's July 17, 2026 release".
_POSSESSIVE = re.compile(
    r"(?i)(?:\b(?:its|their)|\w['’]s)\s+(?:(?:planned|scheduled|expected|upcoming"
    r"|anticipated|official|confirmed)\s+)?$"
)
# Words right after a film's name that make the film, not the trailer or book before it,
# what the release words are about: "the trailer for 'Weapons', which hits theaters
# Aug. 8", "the trailer for 'Marty Supreme', in theaters Dec. 25".
_FILM_CLAUSE = re.compile(
    r"(?i)['’\"”]?\s*,\s*(?:(?:which|that|who)\b|(?:(?:now|also|out|arriving|coming|opening"
    r"|playing|hitting|landing|streaming|due)\s+)?(?:in|on)\s)"
)
# An opening quote after a space or "(", or at the very start (no two characters before the
# quote's end): the quote comes first so that the regex engine can skip straight to quotes.
_QUOTED = re.compile(
    r"['‘\"“](?:(?<=[\s(].)|(?<![\s\S]{2}))"
    r"(?P<t>[A-Z0-9][^'’\"”\n]{0,60}?)['’\"”](?![a-z])"
)

_MEDIA = (
    (r"(?i:netflix)\b", "Netflix"),
    (r"(?i:(?:amazon\s+)?prime\s+video\b|amazon\s+prime\b)", "Prime Video"),
    (r"(?i:disney\s*(?:\+|plus\b))", "Disney+"),
    (r"(?i:apple\s+tv\s*(?:\+|plus\b))", "Apple TV+"),
    (r"(?:HBO\s+Max|(?<=on\s)Max|(?<=to\s)Max)\b", "Max"),
    (r"(?i:hulu)\b", "Hulu"),
    (r"(?i:peacock)\b", "Peacock"),
    (r"(?i:paramount\s*(?:\+|plus\b))", "Paramount+"),
    (r"IMAX(?:\s+(?i:theaters|theatres|cinemas|screens))?\b", "IMAX"),
    (
        r"(?i:theaters|theatres|theater|theatre|cinemas|cinema|theatrical(?:ly)?"
        r"|big[-\s]screens?|multiplex(?:es)?)\b",
        "theaters",
    ),
    (r"(?i:p?vod|on[-\s]demand)\b", "VOD"),
    (r"(?i:digital(?:ly)?)\b", "digital"),
    (r"(?i:stream(?:s|ing|er)?)\b", "streaming"),
)
_REGIONS = (
    (r"(?:UK|U\.K\.?|United\s+Kingdom|Britain|British)(?!\w)", "UK"),
    (r"(?:US|U\.S\.?|United\s+States|[Ss]tateside|North\s+America(?:n)?)(?!\w)", "US"),
    (r"(?i:domestic(?:ally)?)\b", "US"),
    (r"(?i:worldwide|globally|global|around\s+the\s+world)\b", "worldwide"),
    (r"(?i:international(?:ly)?|overseas)\b", "international"),
    (r"(?:China|Chinese)\b", "China"),
    (r"(?:Japan|Japanese)\b", "Japan"),
    (r"(?:India|Indian)\b", "India"),
    (r"(?:South\s+Korea|Korea|Korean)\b", "South Korea"),
    (r"(?:Australia|Australian)\b", "Australia"),
    (r"(?:Canada|Canadian)\b", "Canada"),
    (r"(?:France|French)\b", "France"),
    (r"(?:Germany|German)\b", "Germany"),
)


def _labelled() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """One pattern for both tables: group name -> ("region" | "medium", label)."""
    names: dict[str, tuple[str, str]] = {}
    parts: list[str] = []
    for kind, table in (("region", _REGIONS), ("medium", _MEDIA)):
        for source, label in table:
            name = f"g{len(names)}"
            names[name] = (kind, label)
            parts.append(f"(?P<{name}>{source})")
    # (every alternative starts with one of these: elsewhere the scan fails at once)
    first = r"(?=[UBSNCJIKAFGHM]|(?i:[dwgaionphtcbmvs]))"
    return re.compile(rf"\b{first}(?:{'|'.join(parts)})"), names


_QUALIFIER_PATTERN, _QUALIFIER_LABELS = _labelled()
# Where a match starts, and its (start, end): for map() over an iterator of matches.
_start = re.Match.start
_span = re.Match.span
# (start, end) of a film hit or a date span, also for map().
_bounds = attrgetter("start", "end")

# Quick tests before a slow scan: each pattern can only match where one of these plain
# strings occurs (every match of it contains one). One Aho-Corasick pass answers whether any
# occurs between two offsets, many times faster than a regex alternation of them.


class _AnyOf:
    """Whether any of some plain strings occurs wholly inside text[start:end]."""

    def __init__(self, words: str) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in words.split("|"):
            self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def search(self, text: str, start: int, end: int) -> bool:
        return next(self._automaton.iter(text, start, end), None) is not None


class _WhichOf:
    """Which of some lists of plain strings occur wholly inside text[start:end]: bit
    1 << index for each list, from one Aho-Corasick pass for all of them."""

    def __init__(self, *lists: str) -> None:
        bits: dict[str, int] = {}
        for index, words in enumerate(lists):
            for word in words.split("|"):
                bits[word] = bits.get(word, 0) | 1 << index
        self._automaton = ahocorasick.Automaton()
        for word, bit in bits.items():
            self._automaton.add_word(word, bit)
        self._automaton.make_automaton()

    def search(self, text: str, start: int, end: int) -> int:
        found = 0
        for _, bits in self._automaton.iter(text, start, end):
            found |= bits
        return found


_QUALIFIER_HINT = _AnyOf(  # the case-sensitive alternatives, in the text
    "UK|US|U.|United|Brit|Stateside|stateside|North|Chin|Japan|India|Korea|Australia|Canad"
    "|France|French|German|Max|IMAX"
)
_QUALIFIER_FOLDED_WORDS = (  # the case-insensitive ones, in the folded text
    "domestic|worldwide|global|around|international|overseas|netflix|prime|disney|apple"
    "|hulu|peacock|paramount|theat|cinema|big|multiplex|vod|demand|digital|stream"
)
_QUALIFIER_FOLDED_HINT = _AnyOf(_QUALIFIER_FOLDED_WORDS)
_OLD_WORDS = "original|previous|initially|formerly|been|once|prior|old|former|earlier"
_OLD_HINT = _AnyOf(_OLD_WORDS)  # in the folded text, as _OLD
_THING_WORDS = (  # as _THING in the lowered text
    "novel|book|memoir|comic|album|soundtrack|score|single|song|vinyl|mixtape|game|series"
    "|season|episode|show|sitcom|tour|concert|trailer|teaser|look|poster|featurette|sneak"
    "|footage|clip|4k|uhd|ultra|blu|dvd|home|steelbook|box|collector|edition|cut"
    "|re-releas|rereleas|re-issue|reissue|remaster|restor|anniversary|ticket|pre-sale"
    "|presale|podcast|panel|ceremony|oscars|academy|golden|bafta|emmy|award|toy|merch"
    "|lego|collectible"
)
_ACT_WORDS = (  # as _ACT in the lowered text ("time" for "for the first time")
    "film|shoot|shot|photography|production|camera|wrap|casting|audition|rehearsal|sale"
    "|order|time|back|return|announc|reveal|unveil|fest|cannes|venice|tiff|toronto"
    "|sundance|sxsw|south|berlin|telluride|tribeca|york|cinemacon|comic|d23|cineeurope"
    "|annecy|locarno|busan"
)
_REF_WORDS = (  # as _REF in the lowered text
    "film|movie|quel|follow|spin|reboot|remake|pic|feature|instal|adaptation|blockbuster|tentpole"
)
_ACT_SUBJECT_WORDS = (  # as _ACT_SUBJECT in the folded text
    "filming|shoot|photography|camera|casting|audition|rehearsal|production"
)
_NOT_OF_FILM_WORDS = (  # as _NOT_OF_FILM in the folded text
    "filming|shooting|production|photography|work|trailer|teaser|novel|book|soundtrack"
    "|album|score|season|tickets|first|poster|4k|blu-ray|dvd|game|release|anniversary"
)
# All of a sentence's quick tests at once, in the folded text (where every ASCII string of
# the lowered text also is, at the same offsets).
(
    _THING_BIT,
    _ACT_BIT,
    _REF_BIT,
    _QUALIFIER_BIT,
    _OLD_BIT,
    _ACT_SUBJECT_BIT,
    _NOT_OF_FILM_BIT,
    _TAKEN_BIT,
) = (1 << index for index in range(8))
_SENTENCE_HINTS = _WhichOf(
    _THING_WORDS,
    _ACT_WORDS,
    _REF_WORDS,
    _QUALIFIER_FOLDED_WORDS,
    _OLD_WORDS,
    _ACT_SUBJECT_WORDS,
    _NOT_OF_FILM_WORDS,
    "|".join(_TAKEN_WORDS),  # (as _may_be_taken in ASCII)
)
_LEADING_COMMA = re.compile(r",\s*")
_AFTER_STOP = re.compile(
    r"(?i)(?=[abwt])\b(?:and|but|while|before|after|then|with|as|when)\b|[,;(]"
)

# Sentence ends: a full stop, ! or ? (with closing quotes) before a capital or a quote;
# semicolons and line breaks always end a clause.
# (The first character comes first, so that the regex engine can skip straight to it.)
_BOUNDARY = re.compile(
    r"[.!?;\n](?:(?<=[.!?])[.!?]*[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?<=;)\s+|(?<=\n)\s*)"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs v no nos bros inc ltd corp co prof gen sen rep gov capt lt col "
    "sgt mt ft vol pt ep ch fig jan feb mar apr jun jul aug sep sept oct nov dec approx est "
    "dept univ ave".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_WORD_END = frozenset(string.ascii_letters + ".")  # what _WORD_BEFORE can have before its dot


# These dataclasses are made per date, film and sentence of every item: not frozen, since a
# frozen one costs about three times as much to create. Treat them as read-only.
@dataclass(slots=True)
class _DateSpan:
    start: int
    end: int
    first: date
    last: date
    precision: Precision
    bare_year: bool


@dataclass(slots=True)
class _FilmHit:
    start: int
    end: int
    film: str


@dataclass(slots=True)
class _Verdict:
    film: str | None  # None: not a release of a film
    trigger: tuple[int, int] | None  # the release word before it; None: tied by words after it
    region: str
    medium: str


@dataclass(slots=True)
class _Found:
    span: _DateSpan
    film: str
    region: str
    medium: str
    group: int  # dates joined by "and" share a group; pairing with films happens per group


def find_release_mentions(
    text: str, *, published: datetime, films: Sequence[str]
) -> list[ReleaseMention]:
    """The releases of films this text states, in text order, each (film, date, precision) once."""
    if not films or not text:
        return []
    today = _utc_date(published)
    spans = _find_date_spans(text, today)
    if not spans:
        return []
    cutoff = today - _PAST
    for span in spans:
        if span.last >= cutoff:
            break
    else:
        return []  # only history ("released in 1995")
    lowered = _lower_in_place(text)
    folded = lowered if text.isascii() else _fold(text)  # (in ASCII both are text.lower())
    found: list[_Found] = []
    for start, end in split_sentences(text):
        inside = [s for s in spans if start <= s.start and s.end <= end]
        if not inside:
            continue
        # No release words at all: the dates here are about something else (the test
        # _sentence_releases would make, made before the films are looked for).
        triggers = list(map(_span, _TRIGGER.finditer(lowered, start, end)))
        if not triggers and not any(_RELEASE_AFTER.match(text, s.end, end) for s in inside):
            continue
        hits = _find_films(text, films, start, end, folded)
        # (where no film overlaps a date, neither is inside the other)
        if hits and _any_overlap(hits, inside):
            # A "title" that is only a date ("Dec. 25" taken for a film upstream) is the date.
            hits = [h for h in hits if not any(_is_date_only(h, s) for s in inside)]
            # A date inside a title is part of the title: "Blade Runner 2049", "Halloween Ends".
            inside = [
                s for s in inside if not any(h.start <= s.start and s.end <= h.end for h in hits)
            ]
        if inside:
            found.extend(
                _sentence_releases(
                    text, lowered, folded, (start, end), inside, hits, films, triggers
                )
            )
    mentions: list[ReleaseMention] = []
    # Each mention's key, at its index (a list, not a dict: a text has only a few releases,
    # and hashing a Precision runs Python code while comparing one does not).
    keys: list[tuple[str, date, Precision]] = []
    for item in found:
        span = item.span
        if span.last < cutoff:
            continue
        key = (item.film, span.first, span.precision)
        if key in keys:
            # The same release said twice: keep the first words, fill in what it left out
            # ("sets December 18, 2026" in the title, "in theaters" in the summary).
            index = keys.index(key)
            earlier = mentions[index]
            if (item.region and not earlier.region) or (item.medium and not earlier.medium):
                mentions[index] = replace(
                    earlier,
                    region=earlier.region or item.region,
                    medium=earlier.medium or item.medium,
                )
            continue
        keys.append(key)
        mentions.append(
            ReleaseMention(
                film=item.film,
                date=span.first,
                precision=span.precision,
                words=text[span.start : span.end],
                region=item.region,
                medium=item.medium,
            )
        )
    return mentions


def _any_overlap(hits: list[_FilmHit], spans: list[_DateSpan]) -> bool:
    # (a loop, not any() over a generator: this runs for every sentence with a date)
    for hit in hits:
        for span in spans:
            if hit.start < span.end and span.start < hit.end:
                return True
    return False


def _is_date_only(hit: _FilmHit, span: _DateSpan) -> bool:
    return not span.bare_year and span.start <= hit.start and hit.end <= span.end


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or clause; abbreviations, initials and decimals hold."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        mark = match.group(0)
        if mark[0] == "." and _holds(text, match.start()):
            continue
        # Keep the closing punctuation and quotes; drop the separator itself.
        end = match.start() if mark[0] in ";\n" else match.start() + len(mark.rstrip())
        _add_span(text, start, end, spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _holds(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` belongs to an abbreviation or an initial."""
    if text[dot - 1 : dot] not in _WORD_END:  # ("2027.": no word of _WORD_BEFORE ends here)
        return False
    low = max(0, dot - 20)
    # (no word runs across a space: searching from after the last one finds the same word)
    found = _WORD_BEFORE.search(text, max(low, text.rfind(" ", low, dot) + 1), dot + 1)
    if found is None:
        return False
    word = found.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "Michael B. Jordan"
    if "." in word:
        return True  # "U.S.", "J.J."
    if word.lower() in ("no", "nos"):
        return text[dot + 1 : dot + 3].strip()[:1].isdigit()  # "No. 1", not "No. Is it?"
    return word.lower() in _ABBREVIATIONS


def _lower_in_place(text: str) -> str:
    """The text in lower case with every character where it was (for the cue patterns,
    which run several times faster case-sensitively)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None or moment.tzinfo is UTC:  # (already UTC: astimezone is a no-op)
        return moment.date()
    return moment.astimezone(UTC).date()


# --- date spans -------------------------------------------------------------------------


def _find_date_spans(text: str, today: date) -> list[_DateSpan]:
    spans: list[_DateSpan] = []
    resume = 0
    for at in _date_anchors(text):
        if at < resume:
            continue
        pattern = _DATE_AT_DIGIT if text[at].isdigit() else _DATE_AT_LETTER
        match = pattern.match(text, at)
        if match is None:
            continue
        resume = match.end()
        span = _resolve(match, text, today)
        if span is not None and span.first.year <= today.year + _MAX_YEARS_AHEAD:
            spans.append(span)
    return spans


def _date_anchors(text: str) -> list[int]:
    """Where a date may start, in order (every anchor starts a word and lies inside it)."""
    anchors = list(map(_start, _DATE_ANCHOR.finditer(text)))
    size = len(text)
    words = False
    for last, length in _ANCHOR_WORD_FINDER.iter(text):
        start, end = last - length + 1, last + 1
        # A whole word: no word character (\w: alphanumeric or "_") either side.
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if end < size and (text[end].isalnum() or text[end] == "_"):
            continue
        anchors.append(start)
        words = True
    if words:
        anchors.sort()
    return anchors


def _resolve(match: re.Match[str], text: str, today: date) -> _DateSpan | None:
    kind = match.lastgroup
    start, end = match.span()
    try:
        if kind == "BY":  # (the commonest kind first)
            return _year_span(start, end, int(match["by"]), True)
        if kind == "NUM":
            return _numeric(match, start, end)
        if kind == "ISO":
            day = date(int(match["i_y"]), int(match["i_m"]), int(match["i_d"]))
            return _DateSpan(start, end, day, day, Precision.DAY, False)
        if kind in ("MD", "DM"):
            prefix = "md" if kind == "MD" else "dm"
            return _day_month(match, prefix, start, end, today)
        if kind == "MY":
            return _month_span(start, end, int(match["my_y"]), _month(match["my_m"]))
        if kind == "HOL":
            return _holiday(match, start, end, today)
        if kind == "HS":
            year = _rel_year(match["hs_y"], match["hs_rel"], today, 12, 3)
            return _season_span(start, end, year, 12)
        if kind == "QTR":
            return _quarter(match, start, end, today)
        if kind == "SEA":
            return _season(match, text, start, end, today)
        if kind == "YREL":
            rel = (match["yr_rel"] or match["yr_rel2"] or "this").lower()
            year = today.year + {"next": 1, "last": -1}.get(rel, 0)
            return _year_span(start, end, year, False)
        if kind == "MREL":
            month_index = today.month + (1 if match["mr_rel"].lower() == "next" else 0)
            return _month_span(
                start, end, today.year + (month_index - 1) // 12, (month_index - 1) % 12 + 1
            )
        if kind == "EY":
            return _year_span(start, end, int(match["ey_y"]), False)
        if kind == "TODAY":
            day = today + timedelta(days=1 if match.group(0).lower() == "tomorrow" else 0)
            return _DateSpan(start, end, day, day, Precision.DAY, False)
        if kind == "BM":
            return _bare_month(match, text, start, end, today)
    except ValueError:  # "February 30", an impossible date: no date at all
        return None
    return None


def _month(name: str) -> int:
    return _MONTHS[_fold(name.rstrip("."))]


def _numeric(match: re.Match[str], start: int, end: int) -> _DateSpan:
    first, second, year = int(match["n_a"]), int(match["n_b"]), int(match["n_y"])
    # US outlets write M/D/Y; only a first number over 12 proves D/M/Y.
    month, day_of_month = (second, first) if first > 12 else (first, second)
    day = date(year, month, day_of_month)
    return _DateSpan(start, end, day, day, Precision.DAY, False)


def _day_month(match: re.Match[str], prefix: str, start: int, end: int, today: date) -> _DateSpan:
    month = _month(match[f"{prefix}_m"])
    day_of_month = int(match[f"{prefix}_d"].rstrip("stndrh"))
    year_text = match[f"{prefix}_y"]
    if year_text:
        day = date(int(year_text), month, day_of_month)
    else:
        day = date(today.year, month, day_of_month)
        if day < today - timedelta(days=_GRACE_DAYS):
            day = date(today.year + 1, month, day_of_month)
    return _DateSpan(start, end, day, day, Precision.DAY, False)


def _month_span(start: int, end: int, year: int, month: int) -> _DateSpan:
    last = date(year, month, _days_in(year, month))
    return _DateSpan(start, end, date(year, month, 1), last, Precision.MONTH, False)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without the weekday it also works out."""
    return _MONTH_DAYS[month] + (month == 2 and calendar.isleap(year))


def _season_span(start: int, end: int, year: int, month: int) -> _DateSpan:
    after = month + 3
    last = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return _DateSpan(start, end, date(year, month, 1), last, Precision.SEASON, False)


def _year_span(start: int, end: int, year: int, bare: bool) -> _DateSpan:
    return _DateSpan(start, end, date(year, 1, 1), date(year, 12, 31), Precision.YEAR, bare)


def _rel_year(
    year_text: str | None, rel: str | None, today: date, month: int, months_long: int
) -> int:
    """The year of a recurring period: explicit, "this"/"next", or the next one not yet over."""
    if year_text:
        return int(year_text)
    this = today.year
    if month == 12 and today.month <= 2:
        this -= 1  # in January "this winter" is the winter that began in December
    if rel and rel.lower() == "this":
        return this
    if rel and rel.lower() == "next":
        return this + 1
    if rel and rel.lower() == "last":
        return this - 1
    end_month = month + months_long - 1
    if this == today.year and (today.year * 12 + today.month) > (this * 12 + end_month):
        return this + 1
    return this


def _season(match: re.Match[str], text: str, start: int, end: int, today: date) -> _DateSpan | None:
    if not (match["s_y"] or match["s_rel"] or match["s_pre"]) and not _reads_as_time(
        text, start, end
    ):
        return None
    # (folded, not lowered: (?i) reads "ſummer" as "summer", and so must the lookup)
    month = _SEASON_MONTH[_fold(match["s_n"])]
    year = _rel_year(match["s_y"], match["s_rel"], today, month, 3)
    if (
        match["s_pre"]
        and match["s_pre"].strip().lower() in ("later", "earlier")
        and not match["s_rel"]
    ):
        year = _rel_year(match["s_y"], "this", today, month, 3)
    return _season_span(start, end, year, month)


def _quarter(match: re.Match[str], start: int, end: int, today: date) -> _DateSpan:
    number = int(match["q_n"]) if match["q_n"] else _QUARTER_WORDS[_fold(match["q_w"])]
    month = number * 3 - 2
    year = _rel_year(match["q_y"], None, today, month, 3)
    return _season_span(start, end, year, month)


def _bare_month(
    match: re.Match[str], text: str, start: int, end: int, today: date
) -> _DateSpan | None:
    pre = (match["bm_pre"] or "").lower()
    if not pre and not _reads_as_time(text, start, end):
        return None
    month = _month(match["bm_m"])
    year = today.year if month >= today.month else today.year + 1
    if pre == "next" and month <= today.month:
        year = today.year + 1
    return _month_span(start, end, year, month)


def _reads_as_time(text: str, start: int, end: int) -> bool:
    if _TIME_BEFORE.search(text, max(0, start - 12), start):
        return True
    return _RELEASE_AFTER.match(text, end, min(len(text), end + 40)) is not None


def _holiday(match: re.Match[str], start: int, end: int, today: date) -> _DateSpan:
    name = " ".join(match["h_name"].lower().replace("’", "'").split())
    weekend = bool(match["h_wk"])
    year_text, rel = match["h_y"], match["h_rel"]

    def on(year: int) -> date:
        return _holiday_date(name, year)

    if year_text:
        year = int(year_text)
    elif rel and rel.lower() == "next":
        year = today.year + 1
    else:
        year = today.year
        if on(year) < today - timedelta(days=_GRACE_DAYS) and not (rel and rel.lower() == "this"):
            year += 1
    day = on(year)
    exact = name.endswith((" day", " eve")) or name in ("halloween",)
    moving = name.startswith(
        ("memorial", "labor", "labour", "president", "mlk", "martin", "easter")
    )
    if exact and not weekend and not moving:
        return _DateSpan(start, end, day, day, Precision.DAY, False)
    if moving or weekend:
        # The release weekend starts on the Friday before a Monday holiday (or Good Friday).
        friday = day - timedelta(days=(day.weekday() - 4) % 7)
        return _month_span(start, end, friday.year, friday.month)
    return _month_span(start, end, day.year, day.month)


def _holiday_date(name: str, year: int) -> date:
    if name.startswith(("christmas", "xmas")):
        return date(year, 12, 24 if name.endswith("eve") else 25)
    if name.startswith("thanksgiving"):
        return _nth_weekday(year, 11, 3, 4)
    if name.startswith("memorial"):
        return _last_weekday(year, 5, 0)
    if name.startswith(("labor", "labour")):
        return _nth_weekday(year, 9, 0, 1)
    if name.startswith("president"):
        return _nth_weekday(year, 2, 0, 3)
    if name.startswith(("mlk", "martin")):
        return _nth_weekday(year, 1, 0, 3)
    if name.startswith(("independence", "fourth")):
        return date(year, 7, 4)
    if name.startswith("halloween"):
        return date(year, 10, 31)
    if name.startswith("valentine"):
        return date(year, 2, 14)
    if name.startswith("new year"):
        return date(year, 12, 31) if name.endswith("eve") else date(year, 1, 1)
    return _easter(year)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, _days_in(year, month))
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


# --- films ------------------------------------------------------------------------------
#
# A film is found by its normal form's tokens (normalise_title), with no regex per title:
# the same matches, in the same order, as the pattern
#     \b TOKEN ([\W_]* TOKEN)* (?![\w+])            (case-insensitive)
# where a number token also reads as a word or roman numeral after an optional "part",
# "chapter", "vol(ume)", "pt" or "episode" ("Part Three", "III", "heat2"), "and" also
# reads "&", and a token ending in "s" also reads "'s" ("Ocean's"); and, for a title
# ending in a number, the shorthand "Avatar 2 and 3", which names Avatar 3 where its
# number stands. Texts are compared case-folded as the regex engine does (simple
# lowercase, plus the few letters it treats as one: "ı"/"i", "ſ"/"s", "σ"/"ς" ...).

_LIT, _PLURAL, _AND, _NUM = range(4)
_NUM_PREFIXES = ("part", "chapter", "volume", "vol", "pt", "episode")
# Letters the regex engine matches case-insensitively beyond their lower case
# (re._casefix): each maps to one member of its group.
_FOLD_GROUPS = (
    "i\u0131",
    "s\u017f",
    "\u00b5\u03bc",
    "\u0345\u03b9\u1fbe",
    "\u0390\u1fd3",
    "\u03b0\u1fe3",
    "\u03b2\u03d0",
    "\u03b5\u03f5",
    "\u03b8\u03d1",
    "\u03ba\u03f0",
    "\u03c0\u03d6",
    "\u03c1\u03f1",
    "\u03c2\u03c3",
    "\u03c6\u03d5",
    "\u0432\u1c80",
    "\u0434\u1c81",
    "\u043e\u1c82",
    "\u0441\u1c83",
    "\u0442\u1c84\u1c85",
    "\u044a\u1c86",
    "\u0463\u1c87",
    "\u1c88\ua64b",
    "\u1e61\u1e9b",
    "\ufb05\ufb06",
)
_FOLD_TABLE = {ord(ch): min(group) for group in _FOLD_GROUPS for ch in group if ch != min(group)}
_NEEDS_FOLD = re.compile("[" + "".join(chr(c) for c in _FOLD_TABLE) + "]")


def _fold(text: str) -> str:
    """`text` in the case the film matcher compares, with every character where it was."""
    lowered = text.lower()
    if text.isascii():
        return lowered
    if len(lowered) != len(text):  # "İ": its full lower case is two characters
        lowered = "".join(ch.lower()[0] for ch in text)
    if _NEEDS_FOLD.search(lowered):
        lowered = lowered.translate(_FOLD_TABLE)
    return lowered


@dataclass(slots=True)
class _Title:  # not frozen either (see _DateSpan): shared by _title_form's cache, read-only
    pieces: tuple[tuple[int, object], ...]
    firsts: tuple[str, ...]  # what the text can have where the title starts
    last: str  # the number at the end, for the shorthand; "" when none
    capital: bool  # whether the title has a capital letter


@lru_cache(maxsize=16384)
def _title_form(title: str) -> _Title | None:
    normal = normalise_title(title)
    # (a normal form is in lower case: in ASCII, folding leaves it as it is)
    tokens = normal.split() if normal.isascii() else [_fold(token) for token in normal.split()]
    if not tokens:
        return None
    pieces: list[tuple[int, object]] = []
    for token in tokens:
        if token.isdigit():
            pieces.append((_NUM, (token, *_NUMBER_ALTS.get(token, ()))))
        elif token == "and":
            pieces.append((_AND, None))
        elif len(token) > 2 and token.endswith("s"):
            pieces.append((_PLURAL, token[:-1]))
        else:
            pieces.append((_LIT, token))
    kind, data = pieces[0]
    if kind == _NUM:
        firsts: tuple[str, ...] = _NUM_PREFIXES + data  # type: ignore[operator]
    elif kind == _AND:
        firsts = ("and", "&")
    else:
        firsts = (data,)  # type: ignore[assignment]
    last = tokens[-1] if len(tokens) > 1 and tokens[-1].isdigit() else ""
    return _Title(tuple(pieces), firsts, last, title != title.lower())


def _piece_ends(
    piece: tuple[int, object], text: str, folded: str, at: int, end: int
) -> tuple[int, ...]:
    """Where `piece` can end when it starts at `at`, most preferred first."""
    kind, data = piece
    if kind == _LIT:
        return (at + len(data),) if folded.startswith(data, at, end) else ()  # type: ignore[arg-type]
    if kind == _PLURAL:
        if not folded.startswith(data, at, end):  # type: ignore[arg-type]
            return ()
        after = at + len(data)  # type: ignore[arg-type]
        if after < end and folded[after] in "'’":
            after += 1
        return (after + 1,) if folded.startswith("s", after, end) else ()
    if kind == _AND:
        if folded.startswith("and", at, end):
            return (at + 3,)
        return (at + 1,) if folded.startswith("&", at, end) else ()
    ends: list[int] = []
    for prefix in _NUM_PREFIXES if folded.startswith(_NUM_PREFIXES, at, end) else ():
        if folded.startswith(prefix, at, end):
            number = at + len(prefix)
            while number < end and not text[number].isalnum():  # \.?[\W_]*
                number += 1
            found = _numeral_end(data, text, folded, number, end)  # type: ignore[arg-type]
            if found >= 0:
                ends.append(found)
    found = _numeral_end(data, text, folded, at, end)  # type: ignore[arg-type]
    if found >= 0:
        ends.append(found)
    return tuple(ends)


def _numeral_end(alts: tuple[str, ...], text: str, folded: str, at: int, end: int) -> int:
    for alt in alts:
        if folded.startswith(alt, at, end):
            after = at + len(alt)
            if after == end or not (text[after].isalnum() or text[after] == "_"):
                return after
    return -1


def _match_pieces(
    pieces: tuple[tuple[int, object], ...],
    index: int,
    count: int,
    text: str,
    folded: str,
    at: int,
    end: int,
    then: Callable[[int], tuple[int, int] | None],
) -> tuple[int, int] | None:
    """The first match of pieces[index:count] from `at` (then `then`), as a regex
    backtracks: each piece's choices in order of preference."""
    # A literal or plural piece has one start and at most one end: nothing to backtrack
    # into, so a run of them is walked in a loop (most titles are only such pieces).
    piece = pieces[index]
    while piece[0] == _LIT or piece[0] == _PLURAL:
        if index:
            while at < end and not text[at].isalnum():  # [\W_]* before the piece
                at += 1
        data: str = piece[1]  # type: ignore[assignment]
        if not folded.startswith(data, at, end):
            return None
        at += len(data)
        if piece[0] == _PLURAL:
            if at < end and folded[at] in "'’":
                at += 1
            if not folded.startswith("s", at, end):
                return None
            at += 1
        index += 1
        if index == count:
            return then(at)
        piece = pieces[index]
    if index:
        run = at  # [\W_]* before the piece, greedy
        while run < end and not text[run].isalnum():
            run += 1
        if piece[0] == _AND:
            # "and" after the whole run, else an "&" in it, the last one first.
            starts = [run] + [s for s in range(run - 1, at - 1, -1) if text[s] == "&"]
        else:
            starts = [run]  # every other piece starts with a letter or digit
    else:
        starts = [at]
    for start in starts:
        for after in _piece_ends(piece, text, folded, start, end):
            if index + 1 == count:
                found = then(after)
            else:
                found = _match_pieces(pieces, index + 1, count, text, folded, after, end, then)
            if found is not None:
                return found
    return None


def _shorthand_tail(text: str, folded: str, at: int, end: int, last: str) -> tuple[int, int] | None:
    r"""[\W_]*\d{1,2}(?:\s*,\s*\d{1,2})*,?\s*(?:and|&|or)\s*LAST(?!\w): (end, start of LAST)."""
    at = _skip(text, at, end, _not_alnum)
    at = _two_digits(text, at, end)
    if at < 0:
        return None
    while True:  # (?:\s*,\s*\d{1,2})*
        step = _skip(text, at, end, str.isspace)
        if step < end and text[step] == ",":
            step = _two_digits(text, _skip(text, step + 1, end, str.isspace), end)
            if step >= 0:
                at = step
                continue
        break
    if at < end and text[at] == ",":
        at += 1
    at = _skip(text, at, end, str.isspace)
    if folded.startswith(("and", "or"), at, end):
        at += 2 if folded.startswith("or", at, end) else 3
    elif folded.startswith("&", at, end):
        at += 1
    else:
        return None
    at = _skip(text, at, end, str.isspace)
    if not folded.startswith(last, at, end):
        return None
    after = at + len(last)
    if after < end and (text[after].isalnum() or text[after] == "_"):
        return None
    return after, at


def _not_alnum(ch: str) -> bool:
    return not ch.isalnum()


def _skip(text: str, at: int, end: int, skip: Callable[[str], bool]) -> int:
    while at < end and skip(text[at]):
        at += 1
    return at


def _two_digits(text: str, at: int, end: int) -> int:
    r"""After \d{1,2} from `at` where nothing after it may be a digit, or -1."""
    stop = _skip(text, at, end, str.isdecimal)
    return stop if 1 <= stop - at <= 2 else -1


def _title_matches(
    form: _Title, text: str, folded: str, start: int, end: int
) -> list[tuple[int, int, int]]:
    """(start, end, where the film is named) of each non-overlapping match, in order."""
    pieces = form.pieces
    candidates: list[int] = []
    for first in form.firsts:
        at = folded.find(first, start, end)
        while at >= 0:
            candidates.append(at)
            at = folded.find(first, at + 1, end)
    if not candidates:
        return []
    if len(form.firsts) > 1:
        candidates = sorted(set(candidates))

    def closes(after: int) -> tuple[int, int] | None:  # (?![\w+])
        if after < end and (text[after].isalnum() or text[after] in "_+"):
            return None
        return after, -1

    def shorthand(after: int) -> tuple[int, int] | None:
        return _shorthand_tail(text, folded, after, end, form.last)

    found: list[tuple[int, int, int]] = []
    resume = start
    for at in candidates:
        if at < resume:
            continue
        before = at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_")
        if before == (text[at].isalnum() or text[at] == "_"):
            continue  # \b
        match = _match_pieces(pieces, 0, len(pieces), text, folded, at, end, closes)
        if match is None and form.last:
            match = _match_pieces(pieces, 0, len(pieces) - 1, text, folded, at, end, shorthand)
        if match is not None:
            found.append((at, match[0], match[1] if match[1] >= 0 else at))
            resume = match[0]
    return found


def _find_films(
    text: str, films: Sequence[str], start: int, end: int, folded: str | None = None
) -> list[_FilmHit]:
    if folded is None:
        folded = _fold(text)
    hits: list[_FilmHit] = []
    for film in dict.fromkeys(films):
        form = _title_form(film)
        if form is not None:
            # A shorthand ("Avatar 2 and 3") names this film where its number stands.
            # A capitalised title written all in lower case is a common word: "its
            # world premiere" does not name a film called World.
            for first, last, named in _title_matches(form, text, folded, start, end):
                if not form.capital or not text[first:last].islower():
                    hits.append(_FilmHit(named, last, film))
    if len(hits) < 2:
        return _add_quoted_aliases(text, films, hits, start, end)
    # Where two titles overlap ("Heat" inside "Heat 2"), the longer one is what was named.
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[_FilmHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            if hit.end - hit.start > kept[-1].end - kept[-1].start:
                kept[-1] = hit
            continue
        kept.append(hit)
    return _add_quoted_aliases(text, films, kept, start, end)


def _add_quoted_aliases(
    text: str, films: Sequence[str], hits: list[_FilmHit], start: int, end: int
) -> list[_FilmHit]:
    """Quoted titles that are another spelling of a known film ("'Now You See Me 3'" for
    Now You See Me: Now You Don't) count as that film; others stay unknown works."""
    extra: list[_FilmHit] = []
    for match in _QUOTED.finditer(text, start, end):
        first, last = match.span("t")
        if _overlaps_hit(first, last, hits):
            continue
        film = _alias_of(match["t"], films)
        if film is not None:
            extra.append(_FilmHit(first, last, film))
    if not extra:
        return hits
    return sorted(hits + extra, key=lambda hit: hit.start)


def _overlaps_hit(start: int, end: int, hits: list[_FilmHit]) -> bool:
    for hit in hits:
        if hit.start < end and start < hit.end:
            return True
    return False


def _alias_of(quoted: str, films: Sequence[str]) -> str | None:
    words = normalise_title(quoted).split()
    number = next((w for w in words if w.isdigit()), "")
    named = [w for w in words if not w.isdigit()]
    if not named:
        return None
    for film in films:
        tokens = normalise_title(film).split()
        own_number = next((t for t in tokens if t.isdigit()), "")
        if own_number and number != own_number:
            continue  # a sequel number is a hard filter: 'Heat' is not Heat 2
        if not set(named) <= set(tokens):
            continue
        if len(named) >= 2 or (len(named[0]) >= 5 and tokens[0] == named[0]):
            return film
    return None


# --- tying dates to films ---------------------------------------------------------------


@dataclass(slots=True)
class _Sentence:  # not frozen either: see _DateSpan
    text: str
    folded: str  # _fold(text)
    start: int
    end: int
    dates: list[_DateSpan]
    films: list[_FilmHit]
    film_spans: list[tuple[int, int]]
    triggers: list[tuple[int, int]]
    blockers: list[tuple[int, int]]  # things and activities: a release of something else
    things: list[tuple[int, int]]  # subjects that are not a film: "the novel", "the trailer"
    refs: list[tuple[int, int]]  # subjects that point back at a film: "the sequel"
    asides: list[tuple[int, int]]
    hinted: int  # _SENTENCE_HINTS found in it
    qualified: bool  # whether the sentence may name a region or medium at all


# What a date is when no film's release words tie it (shared: treat as read-only).
_NOT_A_RELEASE = _Verdict(None, None, "", "")


def _sentence_releases(
    text: str,
    lowered: str,
    folded: str,
    bounds: tuple[int, int],
    dates: list[_DateSpan],
    hits: list[_FilmHit],
    films: Sequence[str],
    triggers: list[tuple[int, int]],
) -> list[_Found]:
    start, end = bounds
    if not triggers and not any(_RELEASE_AFTER.match(text, d.end, end) for d in dates):
        return []  # no release words at all: the dates here are about something else
    sentence = _index_sentence(text, lowered, folded, bounds, dates, hits, triggers)
    verdicts: list[_Verdict] = []
    groups: list[int] = []
    drop: set[int] = set()
    last = len(dates) - 1
    for index, span in enumerate(dates):
        prev_end = dates[index - 1].end if index else start
        # The date's own phrase reaches no further than the next date.
        limit = min(end, span.end + _AFTER_REACH, dates[index + 1].start if index < last else end)
        connector = _CONNECTOR.fullmatch(text, prev_end, span.start) if index else None
        if connector is not None:
            previous = verdicts[-1]
            own = _qualifiers(sentence, span, span.start, limit)
            verdicts.append(
                _Verdict(
                    previous.film,
                    previous.trigger,
                    own[0] or previous.region,
                    own[1] or previous.medium,
                )
            )
            # A range ("Dec. 18 to Dec. 25") is not a list of releases to pair with films.
            groups.append(groups[-1] + 1 if connector["range"] else groups[-1])
            continue
        verdict = _judge(sentence, span, prev_end, limit, films)
        verdicts.append(verdict)
        groups.append(groups[-1] + 1 if groups else 0)
        if verdict.film is not None and (
            _is_old(sentence, span, prev_end, verdict.trigger)
            or _is_withdrawn(sentence, span, prev_end, verdict.trigger)
        ):
            drop.add(index)
    if last:  # (one date alone supersedes nothing and has no other date to be dropped for)
        _drop_superseded(sentence, dates, verdicts, drop)
        _drop_from_dates(sentence, dates, verdicts, drop)
    return _pair(sentence, dates, verdicts, groups, drop)


def _index_sentence(
    text: str,
    lowered: str,
    folded: str,
    bounds: tuple[int, int],
    dates: list[_DateSpan],
    hits: list[_FilmHit],
    triggers: list[tuple[int, int]],
) -> _Sentence:
    start, end = bounds
    film_spans = list(map(_bounds, hits))  # (the hits are all in this sentence)
    taken = film_spans + list(map(_bounds, dates))
    hinted = _SENTENCE_HINTS.search(folded, start, end)
    things = (
        _free(map(_span, _THING.finditer(lowered, start, end)), taken)
        if hinted & _THING_BIT
        else []
    )
    acts = _free(map(_span, _ACT.finditer(lowered, start, end)), taken) if hinted & _ACT_BIT else []
    refs = _free(map(_span, _REF.finditer(lowered, start, end)), taken) if hinted & _REF_BIT else []
    asides = (
        [m.span() for m in _ASIDE.finditer(lowered, start, end)]
        # (an aside is between two commas or in brackets)
        if lowered.count(",", start, end) > 1 or lowered.find("(", start, end) >= 0
        else []
    )
    qualified = bool(hinted & _QUALIFIER_BIT) or _QUALIFIER_HINT.search(text, start, end)
    return _Sentence(
        text,
        folded,
        start,
        end,
        dates,
        hits,
        film_spans,
        _free(triggers, taken),
        sorted(things + acts),
        things,
        refs,
        asides,
        hinted,
        qualified,
    )


def _free(spans: Iterable[tuple[int, int]], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that overlap nothing taken (a film or a date)."""
    free = []
    for first, last in spans:
        for start, end in taken:
            if start < last and first < end:
                break
        else:
            free.append((first, last))
    return free


def _judge(
    sentence: _Sentence, span: _DateSpan, prev_end: int, limit: int, films: Sequence[str]
) -> _Verdict:
    text = sentence.text
    trigger = None  # the last release word before the date
    for words in sentence.triggers:
        if words[1] > span.start:
            break
        trigger = words
    post = _RELEASE_AFTER.match(text, span.end, sentence.end) is not None
    if span.bare_year and not post:
        if trigger is None or span.start - trigger[1] > _BARE_YEAR_REACH:
            return _NOT_A_RELEASE
    # "ahead of its Aug. 8 release": the possessive, not an earlier verb, ties the date.
    owned = post and _POSSESSIVE.search(text, max(prev_end, span.start - 40), span.start)
    by_trigger = (
        not owned
        and trigger is not None
        and not _blocked(sentence, trigger[1], span.start)
        and not _starts_an_activity(sentence, trigger)
    )
    tied = owned or by_trigger or (post and not _blocked(sentence, prev_end, span.start))
    if not tied:
        return _NOT_A_RELEASE
    # Only the date's own phrase can veto it: "Aug. 29 for its 50th anniversary", not
    # "Dec. 18, citing post-production".
    if sentence.blockers and _blocked(
        sentence, span.end, _after_end(sentence, span, limit, past_comma=False)
    ):
        return _NOT_A_RELEASE
    film = _subject_film(sentence, span, films, by_trigger)
    if film is None:
        return _NOT_A_RELEASE
    region, medium = _qualifiers(sentence, span, prev_end, limit)
    return _Verdict(film, trigger, region, medium)


def _starts_an_activity(sentence: _Sentence, trigger: tuple[int, int]) -> bool:
    """ "Filming is set for August 1", "'Ferrari' is set to begin in Italy on August 1":
    the release word dates the start of a shoot, not a release."""
    if _TO_BEGIN.match(sentence.text, trigger[1]):
        return True
    if not sentence.hinted & _ACT_SUBJECT_BIT:
        return False
    window = max(sentence.start, trigger[0] - 45)
    act = _ACT_SUBJECT.search(sentence.text, window, trigger[0])
    if act is None:
        return False
    # "the A24 production hits theaters Friday": there the production is the film.
    before = _WORD_BEFORE_ACT.search(
        sentence.text, max(sentence.start, act.start() - 30), act.start()
    )
    return not (
        act.group(0).lower().startswith(("production", "pre", "post"))
        and before is not None
        and (
            before[1].lower() in _DETERMINERS
            or before[1][0].isupper()
            or before[1].endswith(("'s", "’s"))
        )
    )


def _blocked(sentence: _Sentence, start: int, end: int) -> bool:
    for s, e in sentence.blockers:
        if start <= s and e <= end:
            return True
    return False


def _after_end(sentence: _Sentence, span: _DateSpan, limit: int, *, past_comma: bool = True) -> int:
    # "Friday, Dec. 19, 2025, in theaters": a comma right after the date does not end it.
    lead = _LEADING_COMMA.match(sentence.text, span.end, limit) if past_comma else None
    stop = _AFTER_STOP.search(sentence.text, lead.end() if lead else span.end, limit)
    return stop.start() if stop else limit


def _in_aside(sentence: _Sentence, start: int, end: int, span: _DateSpan) -> bool:
    for s, e in sentence.asides:
        if s <= start and end <= e and not (s <= span.start < e):
            return True
    return False


def _last_end(sentence: _Sentence, spans: list[tuple[int, int]], span: _DateSpan) -> int:
    """Where the last of the spans ends before the date, outside asides (-1: none does)."""
    last = -1
    for start, end in spans:
        if end <= span.start and end > last and not _in_aside(sentence, start, end, span):
            last = end
    return last


def _subject_film(
    sentence: _Sentence, span: _DateSpan, films: Sequence[str], by_trigger: bool
) -> str | None:
    """The film the date belongs to, or None when its subject is something else."""
    # The subject that ends last before the date is a thing (or a thing ends there too).
    thing_end = _last_end(sentence, sentence.things, span)
    if thing_end >= 0 and thing_end >= max(
        _last_end(sentence, sentence.refs, span), _last_end(sentence, sentence.film_spans, span)
    ):
        return None
    asides = sentence.asides
    for hit in reversed(sentence.films):  # the nearest film named before the date
        if hit.end <= span.start and not (asides and _in_aside(sentence, hit.start, hit.end, span)):
            window = sentence.text[max(sentence.start, hit.start - 40) : hit.start]
            # "Filming on Dune 3 is set for January": the film is not what the words date.
            if by_trigger and sentence.hinted & _NOT_OF_FILM_BIT and _NOT_OF_FILM.search(window):
                return hit.film if _FILM_CLAUSE.match(sentence.text, hit.end, span.start) else None
            return hit.film
    for hit in sentence.films:
        if hit.start >= span.end:
            return hit.film
    if _names_other_work(sentence):
        return None
    return films[0]


def _names_other_work(sentence: _Sentence) -> bool:
    for match in _QUOTED.finditer(sentence.text, sentence.start, sentence.end):
        title = match["t"]
        if len(title.split()) <= 8 and not any(
            h.start < match.end() and match.start() < h.end for h in sentence.films
        ):
            return True
    return False


def _is_old(
    sentence: _Sentence, span: _DateSpan, prev_end: int, trigger: tuple[int, int] | None
) -> bool:
    """A date the text gives as the former one: "originally set for", "previous date of"."""
    if (
        trigger is None
        or not sentence.hinted & _OLD_BIT
        or not _OLD_HINT.search(sentence.folded, prev_end, span.start)
    ):
        return False
    trigger_end = trigger[1]
    for match in _OLD.finditer(sentence.text, prev_end, span.start):
        if 0 <= trigger_end - match.end() <= 25 or match.start() >= trigger_end:
            return True
    return False


def _is_withdrawn(
    sentence: _Sentence, span: _DateSpan, prev_end: int, trigger: tuple[int, int] | None
) -> bool:
    """A date the film no longer has: "pulled from its March 2025 slot", "no longer opens
    Nov. 7", "will not arrive this spring"."""
    text = sentence.text
    window = max(prev_end, span.start - 100)
    # (in ASCII, _may_be_taken finds its words only where the sentence's hints have them)
    taken = (
        _TAKEN_FROM.search(text, window, span.start)
        if (sentence.hinted & _TAKEN_BIT or not text.isascii())
        and _may_be_taken(text[window : span.start])
        else None
    )
    if taken is not None and not any(
        taken.start() < s and e <= span.start for s, e in sentence.triggers
    ):
        # The first trigger may be the verb itself ("pushed"); a later one re-dates it.
        return True
    if trigger is None:
        return False
    return bool(
        _DENIED.search(text, max(prev_end, trigger[0] - 30), trigger[0])
        and not _UNTIL.search(text, trigger[1], span.start)
    )


def _drop_superseded(
    sentence: _Sentence, dates: list[_DateSpan], verdicts: list[_Verdict], drop: set[int]
) -> None:
    """ "Set for May 2026 but now opens June 2026": the date said to be now/instead wins."""
    for index in range(1, len(dates)):
        film = verdicts[index].film
        if film is None or not _NOW.search(sentence.text, dates[index - 1].end, dates[index].start):
            continue
        for earlier in range(index):
            if verdicts[earlier].film == film:
                drop.add(earlier)


def _drop_from_dates(
    sentence: _Sentence, dates: list[_DateSpan], verdicts: list[_Verdict], drop: set[int]
) -> None:
    """ "Moved to Nov. 20 from Nov. 27": a from-date is the old one when the same film has
    another date in the sentence. Alone, "in cinemas from 8 November" is the release."""
    starts = [dates[i - 1].end if i else sentence.start for i in range(len(dates))]
    froms = {
        i
        for i, span in enumerate(dates)
        # (a quick test in the folded text first: there "from" is where (?i) finds it)
        if sentence.folded.find("from", starts[i], span.start) >= 0
        and _FROM_END.search(sentence.text, starts[i], span.start)
    }
    for index in froms:
        film = verdicts[index].film
        if film is not None and any(
            verdicts[other].film == film and other not in froms and other not in drop
            for other in range(len(dates))
        ):
            drop.add(index)


def _qualifiers(sentence: _Sentence, span: _DateSpan, prev_end: int, limit: int) -> tuple[str, str]:
    """(region, medium) the sentence gives this date: after it first, then nearest before."""
    if not sentence.qualified:
        return "", ""
    taken = sentence.film_spans
    after: dict[str, str] = {}
    for match in _qualifier_matches(sentence, span.end, _after_end(sentence, span, limit)):
        if match.lastgroup and not _overlaps(match, taken):
            kind, label = _QUALIFIER_LABELS[match.lastgroup]
            after.setdefault(kind, label)
    before: dict[str, str] = {}
    for match in _qualifier_matches(sentence, prev_end, span.start):
        if match.lastgroup and not _overlaps(match, taken):
            kind, label = _QUALIFIER_LABELS[match.lastgroup]
            before[kind] = label
    return (
        after.get("region") or before.get("region", ""),
        after.get("medium") or before.get("medium", ""),
    )


def _qualifier_matches(sentence: _Sentence, start: int, end: int) -> Iterable[re.Match[str]]:
    if start < end and (
        _QUALIFIER_HINT.search(sentence.text, start, end)
        # (the folded words are nowhere in a sentence whose hints lack them)
        or (
            sentence.hinted & _QUALIFIER_BIT
            and _QUALIFIER_FOLDED_HINT.search(sentence.folded, start, end)
        )
    ):
        return _QUALIFIER_PATTERN.finditer(sentence.text, start, end)
    return ()


def _overlaps(match: re.Match[str], taken: list[tuple[int, int]]) -> bool:
    start, end = match.span()
    for s, e in taken:
        if s < end and start < e:
            return True
    return False


def _pair(
    sentence: _Sentence,
    dates: list[_DateSpan],
    verdicts: list[_Verdict],
    groups: list[int],
    drop: set[int],
) -> list[_Found]:
    """Coordinated dates pair with as many films named before them, in order."""
    if len(dates) == 1:  # (the common case: a date alone keeps the film its verdict gave it)
        verdict = verdicts[0]
        if verdict.film is None or drop:
            return []
        return [_Found(dates[0], verdict.film, verdict.region, verdict.medium, 0)]
    found: list[_Found] = []
    for group in sorted(set(groups)):
        members = [i for i, g in enumerate(groups) if g == group]
        kept = [i for i in members if i not in drop and verdicts[i].film is not None]
        if not kept:
            continue
        # (a date alone pairs with nothing: it keeps the film its verdict gave it)
        titles = _titles_before(sentence, dates[members[0]]) if len(members) > 1 else []
        paired = len(members) > 1 and len(titles) == len(members)
        for position, index in enumerate(members):
            if index not in kept:
                continue
            verdict = verdicts[index]
            film = titles[position] if paired else verdict.film
            if film is None:
                continue
            found.append(_Found(dates[index], film, verdict.region, verdict.medium, group))
    return found


def _titles_before(sentence: _Sentence, span: _DateSpan) -> list[str]:
    """The films named before the date, each once, in order."""
    return list(
        dict.fromkeys(
            h.film
            for h in sentence.films
            if h.end <= span.start and not _in_aside(sentence, h.start, h.end, span)
        )
    )
