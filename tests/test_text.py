"""Untrusted text to plain text: a table of cases for each function."""

from __future__ import annotations

import time

import pytest

from bot.feeds.text import ELLIPSIS, clean_text, html_to_text, truncate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # tags
        ("<b>Heat 2</b> is <i>coming</i>", "Heat 2 is coming"),
        ("Hel<b>lo</b>", "Hello"),
        ('<a href="https://example.com/">link</a> text', "link text"),
        ("<p>one</p><p>two</p>", "one two"),
        ("one<br>two<br/>three", "one two three"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("<div>a</div><div>b</div>", "a b"),
        ("<!-- hidden -->shown", "shown"),
        ("<img src=x onerror=alert(1)>after", "after"),
        # text that only looks like markup
        ("a < b and c > d", "a < b and c > d"),
        ("x<3", "x<3"),
        ("AT&T", "AT&T"),
        # entities: named, numeric, hex, double-encoded decoded once
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("&lt;b&gt;", "<b>"),
        ("caf&eacute; &#233; &#xE9;", "café é é"),
        ("&amp;amp;", "&amp;"),
        ("&amp;lt;script&amp;gt;", "&lt;script&gt;"),
        ("a&nbsp;b&#160;c", "a b c"),
        ("&#0;x", "\ufffdx"),
        # dropped elements
        ("<script>alert(1)</script>ok", "ok"),
        ("<SCRIPT type='text/javascript'>var a = '<p>';</SCRIPT>ok", "ok"),
        ("<style>p { color: red }</style>ok", "ok"),
        ("<template><p>hidden</p></template>ok", "ok"),
        ("before<script>never closed", "before"),
        # control characters and escape sequences
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;pwned title\x07text", "text"),
        ("\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("\x9b2Jcleared", "cleared"),
        ("bell\x07 nul\x00 del\x7f c1\x85", "bell nul del c1"),
        ("&#27;[2Jx", "[2Jx"),
        # invisible and bidi characters
        ("a\u200bb\u200cc\u200dd\u200ee\u200ff", "abcdef"),
        ("user\u202egnp.exe", "usergnp.exe"),
        ("\u2066x\u2067y\u2068z\u2069", "xyz"),
        ("\ufeffbom", "bom"),
        ("&#x202E;reversed", "reversed"),
        # whitespace
        ("  lots \t of\n\n white\r\nspace  ", "lots of white space"),
        ("a\u00a0b\u2028c", "a b c"),
        ("", ""),
        ("<p>  </p>", ""),
    ],
)
def test_html_to_text(raw: str, expected: str) -> None:
    assert html_to_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<![]]><![]]>]]><![]]", "<![]]><![]]>]]><![]]"),  # html.parser asserts on these
        ("ok <!DOCTYPE x [ <!x>", "ok"),
        ("text <!-- never closed", "text <!-- never closed"),
        ("x<y", "x<y"),
    ],
)
def test_html_to_text_never_raises_on_broken_markup(raw: str, expected: str) -> None:
    assert html_to_text(raw) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "<a" * 50_000,
        "<!--" * 25_000,
        "<!--]]>" * 15_000,
        "</" * 50_000,
        "<?" * 50_000,
        "<![>" * 25_000,
    ],
)
def test_html_to_text_stays_linear_on_unterminated_markup(hostile: str) -> None:
    started = time.perf_counter()
    html_to_text(hostile)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fast & Furious <Sequel>", "Fast & Furious <Sequel>"),
        ("&amp; stays", "&amp; stays"),
        ("\x1b[1mBold\x1b[0m  title\n", "Bold title"),
        ("zero\u200bwidth \u202eoverride", "zerowidth override"),
        ("tab\tand\x0bvtab", "tab and vtab"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("hello world again", 12, "hello world" + ELLIPSIS),
        ("hello world again", 11, "hello" + ELLIPSIS),  # "world" would not fit whole
        ("hello world", 6, "hello" + ELLIPSIS),
        ("supercalifragilistic", 8, "superca" + ELLIPSIS),  # one long word: hard cut
        ("a verylongwordthatgoeson", 10, "a verylon" + ELLIPSIS),  # cutting back loses too much
        ("one, two, three", 10, "one, two" + ELLIPSIS),
        ("abc", 1, ELLIPSIS),
        ("abc", 0, ""),
        ("", 5, ""),
    ],
)
def test_truncate(value: str, limit: int, expected: str) -> None:
    result = truncate(value, limit)
    assert result == expected
    assert len(result) <= max(limit, 0)
