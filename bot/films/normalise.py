"""One normal form for film titles, so "Heat II", "heat2" and "HEAT 2" are the same film.

normalise_title("Dune: Part Three") == "dune 3"
normalise_title("Mission: Impossible – Dead Reckoning Part Two") == "mission impossible dead reckoning 2"
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ROMAN = {
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15",
}  # fmt: skip
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "first": "1", "second": "2", "third": "3",
    "fourth": "4", "fifth": "5",
}  # fmt: skip
_PART_WORDS = {"part", "chapter", "vol", "volume", "episode", "pt"}
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_DIGIT = re.compile(r"\d")
_NOT_WORD = re.compile(r"[\W_]+")  # letters of any script and digits are kept
# The same for ASCII, as a table for bytes.translate(): letters lower-cased, digits kept and
# every other character a space (runs of spaces split as one).
_ASCII_WORD_CHARACTERS = bytes(
    ord(char.lower()) if char.isalnum() else ord(" ") for char in map(chr, range(256))
)
# Single-letter numerals are words too often ("Malcolm X", "Batman v Superman"): "v" counts
# only at the end ("Rocky V") and "x" never.
_ROMAN_ONLY_AT_END = {"v"}


@lru_cache(maxsize=16384)  # pure, and called several times per news item with the same titles
def normalise_title(title: str) -> str:
    if title.isascii():  # NFKD leaves ASCII as it is, with no combining marks to drop
        # What the steps below do, in one table: lower case, "'" dropped, the rest spaces.
        ascii_text = title.replace("&", " and ").encode()
        text = ascii_text.translate(_ASCII_WORD_CHARACTERS, b"'").decode()
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
        text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
        text = _NOT_WORD.sub(" ", text)
    if _DIGIT.search(text):  # (only beside a digit: most titles have none)
        text = _LETTER_DIGIT.sub(" ", text)  # "heat2" -> "heat 2", "mi8" -> "mi 8"
    words = text.split()
    # Most titles have no part word and no roman numeral: their words stay as they are.
    if _PART_WORDS.isdisjoint(words) and _ROMAN.keys().isdisjoint(words[1:]):
        out = words
    else:
        out = _renumbered(words)
    if len(out) > 1 and out[0] == "the":
        out = out[1:]
    return " ".join(out)


def _renumbered(words: list[str]) -> list[str]:
    """The words with "part"/"chapter" dropped and roman numerals and number words as digits."""
    out: list[str] = []
    for index, word in enumerate(words):
        after_part = bool(out) and words[index - 1] in _PART_WORDS
        if word in _PART_WORDS and index > 0:
            continue
        at_end = index == len(words) - 1
        if index > 0 and word in _ROMAN and (at_end or word not in _ROMAN_ONLY_AT_END):
            word = _ROMAN[word]
        elif after_part and word in _NUMBER_WORDS:
            word = _NUMBER_WORDS[word]
        out.append(word)
    return out


def sequel_number(normalised: str) -> int:
    """The instalment a normalised title names: "dune 3" -> 3, "heat" -> 1."""
    last = normalised.rsplit(" ", 1)[-1]
    if last.isdigit() and " " in normalised and int(last) < 100:
        return int(last)
    return 1
