"""Untrusted feed text to plain, printable text.

Feed text ends up in chat messages, logs and terminals, so besides stripping
HTML this removes everything that could change how it is displayed: control
characters, ANSI escape sequences, zero-width and bidi-override characters.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

__all__ = ["clean_text", "html_to_text", "truncate"]

_LOGGER = logging.getLogger(__name__)

ELLIPSIS = "…"

# Elements whose content is never text a reader should see.
_DROPPED_ELEMENTS = frozenset({"script", "style", "template"})

# Elements that separate words; inline ones (b, a, span...) must not, or "Hel<b>lo</b>" splits.
_BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "img", "li", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \; an unterminated one runs to the next
# ESC, as a terminal would swallow it), other two-character escapes, and the 8-bit CSI.
# The character classes are disjoint, so matching stays linear.
_ANSI_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)

_WHITESPACE_CONTROLS = "\t\n\v\f\r"
_INVISIBLE = (
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in _WHITESPACE_CONTROLS]
    + [chr(c) for c in range(0x7F, 0xA0)]  # DEL and C1
    + [chr(c) for c in range(0x200B, 0x2010)]  # zero-width spaces/joiners, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # bidi isolates
    + ["\u061c", "\ufeff"]  # Arabic letter mark, BOM / zero-width no-break space
)
_REMOVE_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_ELEMENTS:
            self._dropping += 1
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> opens nothing; only the separating effect of <br/> and the like matters.
        if tag in _BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_ELEMENTS:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Strip HTML to plain text: tags removed, entities decoded once, text cleaned."""
    if "<" not in value and "&" not in value:
        return clean_text(value)
    value = _defuse_unterminated(value)
    try:
        return _extract(value)
    except AssertionError:
        # Python 3.11's html.parser asserts on malformed "<![" and "<!DOCTYPE" declarations;
        # read every declaration other than comments as text instead.
        _LOGGER.debug("html.parser failed on a declaration; retrying with declarations as text")
        return _extract(_DECLARATION.sub("&lt;!", value))


_DECLARATION = re.compile(r"<!(?!--)")


def _extract(value: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    return clean_text("".join(extractor.parts))


# (opening, closing): a construct opened after the last closing of its kind can never end.
_CONSTRUCTS = (("<!--", "-->"), ("<![", "]]>"), ("<", ">"))


def _defuse_unterminated(value: str) -> str:
    """Turn the "<" of constructs that never end into text.

    On close(), html.parser rescans the rest of the input from each of them, which takes
    quadratic time on input such as "<a<a<a..." or "<!--<!--...". As text they read the same.
    """
    for opening, closing in _CONSTRUCTS:
        cut = value.rfind(closing) + len(closing) if closing in value else 0
        if opening in value[cut:]:
            value = value[:cut] + value[cut:].replace(opening, "&lt;" + opening[1:])
    return value


def clean_text(value: str) -> str:
    """Remove escape sequences and invisible characters, and fold whitespace to single spaces."""
    value = _ANSI_ESCAPE.sub("", value)
    value = value.translate(_REMOVE_INVISIBLE)
    return " ".join(value.split())


def truncate(value: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters, cutting at a word boundary where possible."""
    if len(value) <= limit:
        return value
    if limit <= 0:
        return ""
    head = value[: limit - 1]
    if not value[limit - 1].isspace():
        space = head.rfind(" ")
        # Only cut back to a space when that keeps most of the text; one long word is cut hard.
        if space >= limit // 2 and space > 0:
            head = head[:space]
    return head.rstrip(" ,;:-–—") + ELLIPSIS
