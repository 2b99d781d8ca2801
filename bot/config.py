"""Settings for filmbot, read once from the environment, an optional .env file and feeds.yaml.

This is the only module that reads the environment or the config file. Everything it finds
wrong is gathered into one ConfigError whose lines name the file, the line, the key and the fix.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import yaml
from dotenv import dotenv_values

from bot import __version__

_LOGGER = logging.getLogger(__name__)

DEFAULT_CONFIG_NAME = "feeds.yaml"
DEFAULT_DB_PATH = Path("data") / "filmbot.db"
MIN_INTERVAL = 1.0  # seconds; anything shorter is a mistake, not a setting
POLITE_INTERVAL = 60.0  # seconds; polling a remote host faster than this earns a warning
SUMMARIZERS = ("local", "openai")
LOG_FORMATS = ("text", "json")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

_KeyPath = tuple[str | int, ...]
_T = TypeVar("_T")

_TOP_KEYS = ("defaults", "allow_private_addresses", "feeds", "announce")
_ANNOUNCE_KEYS = ("name", "webhook", "format", "kinds", "films", "keywords")
WEBHOOK_FORMATS = ("discord", "slack", "json")
STORY_KINDS = (
    "sequel_announced", "release_date", "delay", "casting", "trailer", "box_office", "review",
    "other",
)  # fmt: skip
_DEFAULT_KEYS = ("interval", "timeout", "max_body_bytes", "max_redirects", "backfill", "user_agent")
_FEED_KEYS = ("name", "url", "interval", "timeout", "max_body_bytes", "backfill", "fetch_articles")
_SECRET_KEYS = frozenset(
    {"token", "bot_token", "app_token", "signing_secret", "password", "api_key", "apikey", "secret"}
)
_SECRET_SUFFIXES = ("_token", "_secret", "_password", "_api_key")
# Keys people reach for that belong in the environment rather than in feeds.yaml.
_ENV_ONLY_KEYS = {
    "db": "FILMBOT_DB",
    "db_path": "FILMBOT_DB",
    "database": "FILMBOT_DB",
    "log_level": "LOG_LEVEL",
    "guild_id": "DISCORD_GUILD_ID",
    "discord_guild_id": "DISCORD_GUILD_ID",
}

_NUMBER = r"\d+(?:\.\d+)?"
_DURATION_RE = re.compile(rf"(?:({_NUMBER})d)?(?:({_NUMBER})h)?(?:({_NUMBER})m)?(?:({_NUMBER})s)?")
_DURATION_UNITS = (86400.0, 3600.0, 60.0, 1.0)
_DURATION_FIX = "Write seconds (90) or a duration such as 15m, 1h30m"
_SIZE_RE = re.compile(rf"({_NUMBER})([kmg]i?b?|b)?")
# KB, MB and GB are read as KiB, MiB and GiB: nobody sizing a feed body means the difference.
_SIZE_FACTORS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_SIZE_FIX = (
    "Write bytes (1048576) or a size such as 512KiB, 10MiB, 1GiB (KB, MB, GB mean KiB, MiB, GiB)"
)
_HOST_LIKE = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?/")
_YAML_PLAIN_WORDS = (
    (
        "mapping values are not allowed",
        "a ':' appears where YAML expects none (an unquoted value holding ': ', or a key indented wrongly)",
    ),
    ("could not find expected ':'", "a key is missing the ':' after it"),
    (
        "cannot start any token",
        "a character here cannot start a value (tabs cannot indent YAML: use spaces)",
    ),
    ("expected <block end>", "this line's indentation does not line up with the lines around it"),
    ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
    ("'<stream end>'", "a bracket or brace is opened and never closed"),
    ("found undefined alias", "a '*name' alias refers to no '&name' anchor"),
    ("expected a single document", "the file holds more than one YAML document ('---')"),
    ("could not determine a constructor", "'!!' tags are not read here: write plain values"),
)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """One configured feed with every limit filled in from the defaults."""

    name: str
    url: str  # http(s) URL as written, or an absolute file:/// URL for a local feed
    interval: float  # seconds between polls
    timeout: float  # seconds for one fetch
    max_body_bytes: int
    backfill: int  # newest items announced on the first poll of a new feed; 0 announces none
    fetch_articles: bool = False

    @property
    def is_local(self) -> bool:
        return self.url.startswith("file:")


@dataclass(frozen=True, slots=True)
class Defaults:
    interval: float = 900.0
    timeout: float = 20.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    backfill: int = 0
    user_agent: str = f"filmbot/{__version__} (+https://github.com/filmbot/filmbot)"


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """An announcement target without a bot: a Discord or Slack incoming webhook, or any URL
    that takes a JSON POST."""

    name: str
    url: str = field(repr=False)  # a webhook URL carries its own credential
    format: str  # one of WEBHOOK_FORMATS
    kinds: tuple[str, ...] = ()
    films: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    config_path: Path | None
    db_path: Path
    defaults: Defaults
    feeds: tuple[FeedSettings, ...]
    allow_private_addresses: bool = False
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: str | None = None
    discord_application_id: str | None = None  # for the invite URL; else read from the token
    discord_shards: int | None = None  # None: discord.py decides (AutoShardedClient)
    discord_api_url: str | None = None  # REST root; None is Discord's own (tests point it home)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_http_port: int = 3000
    slack_http_host: str = "0.0.0.0"  # HTTP mode's bind address
    slack_admin_users: tuple[str, ...] = ()  # Slack user ids allowed admin commands
    log_level: str = "INFO"
    log_format: str = "text"  # one of LOG_FORMATS
    health_port: int | None = None  # the /healthz and /metrics listener; None: off
    health_host: str = "127.0.0.1"
    warnings: tuple[str, ...] = ()  # non-fatal notes, each formatted like a ConfigProblem
    summarizer: str = "local"  # one of SUMMARIZERS
    openai_base_url: str | None = None  # e.g. http://localhost:11434/v1 (Ollama)
    openai_model: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    summarizer_timeout: float = 15.0  # seconds for one summary before the local one is used
    announce: tuple[WebhookTarget, ...] = ()


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    where: str  # "feeds.yaml:12", "feeds.yaml" or "environment"
    key: str  # dotted path such as "feeds[3].interval", or a variable name; "" when none applies
    problem: str
    fix: str

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{self.where}: {key}{_sentence(self.problem)} {_sentence(self.fix)}"


class ConfigError(Exception):
    """Every problem found in the configuration, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(problem) for problem in self.problems]
        if len(lines) > 1:
            lines.insert(0, f"Configuration is not valid ({len(lines)} problems):")
        super().__init__("\n".join(lines))


class _BadValue(ValueError):
    """A ValueError that keeps what is wrong apart from what to write instead."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{_sentence(problem)} {_sentence(fix)}")
        self.problem = problem
        self.fix = fix


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _seconds(value: float) -> str:
    return f"{value:g} s"


def parse_duration(value: object) -> float:
    """Seconds from 90, 90.5, "90", "90s", "15m", "1h30m" or "2d"; raises ValueError unless > 0."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = "".join(value.split()).lower()
        if re.fullmatch(_NUMBER, text):
            seconds = float(text)
        elif (match := _DURATION_RE.fullmatch(text)) and any(match.groups()):
            seconds = sum(
                float(amount) * unit
                for amount, unit in zip(match.groups(), _DURATION_UNITS, strict=True)
                if amount
            )
    if seconds is None or not math.isfinite(seconds):
        raise _BadValue(f"{_show(value)} is not a duration", _DURATION_FIX)
    if seconds <= 0:
        raise _BadValue(f"{_show(value)} is not more than 0 seconds", _DURATION_FIX)
    return seconds


def parse_size(value: object) -> int:
    """Bytes from 1048576, "512KiB", "10MiB", "1MB" or "1GiB"; KB/MB/GB are binary like KiB/MiB/GiB."""
    size: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str):
        match = _SIZE_RE.fullmatch("".join(value.split()).lower())
        if match:
            size = int(Decimal(match[1]) * _SIZE_FACTORS[(match[2] or "")[:1]])
    if size is None:
        raise _BadValue(f"{_show(value)} is not a size", _SIZE_FIX)
    if size <= 0:
        raise _BadValue(f"{_show(value)} is not more than 0 bytes", _SIZE_FIX)
    return size


def _dotted(path: _KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _is_secret_key(key: str) -> bool:
    key = key.lower()
    return key in _SECRET_KEYS or key.endswith(_SECRET_SUFFIXES)


class _Checker:
    """Collects problems and warnings for one config file, each placed at its line."""

    def __init__(self, display: str, root: yaml.Node | None) -> None:
        self.display = display
        self.root = root
        self.problems: list[tuple[int, ConfigProblem]] = []
        self.warnings: list[tuple[int, ConfigProblem]] = []

    def line(self, path: _KeyPath) -> int:
        """The 1-based line of the deepest part of path that exists in the file; 0 if none."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 0
        for part in path:
            if isinstance(node, yaml.MappingNode):
                pair = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def where(self, line: int) -> str:
        return f"{self.display}:{line}" if line else self.display

    def error(self, path: _KeyPath, problem: str, fix: str, line: int | None = None) -> None:
        line = self.line(path) if line is None else line
        self.problems.append((line, ConfigProblem(self.where(line), _dotted(path), problem, fix)))

    def warn(self, path: _KeyPath, problem: str, fix: str) -> None:
        line = self.line(path)
        self.warnings.append((line, ConfigProblem(self.where(line), _dotted(path), problem, fix)))

    # Each value check records a problem and returns the fallback, so checking goes on.

    def duration(self, path: _KeyPath, value: object, fallback: float) -> float:
        try:
            return parse_duration(value)
        except _BadValue as exc:
            self.error(path, exc.problem, exc.fix)
            return fallback

    def interval(self, path: _KeyPath, value: object, fallback: float) -> float:
        seconds = self.duration(path, value, fallback)
        if seconds < MIN_INTERVAL:
            self.error(
                path,
                f"{_show(value)} is under 1 second",
                "Write 1s or more; 15m suits most news feeds",
            )
            return fallback
        return seconds

    def size(self, path: _KeyPath, value: object, fallback: int) -> int:
        try:
            return parse_size(value)
        except _BadValue as exc:
            self.error(path, exc.problem, exc.fix)
            return fallback

    def count(self, path: _KeyPath, value: object, fallback: int) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        what = (
            "below 0"
            if isinstance(value, int) and not isinstance(value, bool)
            else "not a whole number"
        )
        self.error(path, f"{_show(value)} is {what}", "Write a whole number, 0 or more, such as 3")
        return fallback

    def flag(self, path: _KeyPath, value: object, fallback: bool) -> bool:
        if isinstance(value, bool):
            return value
        self.error(path, f"{_show(value)} is not true or false", "Write true or false")
        return fallback

    def text(self, path: _KeyPath, value: object, example: str) -> str | None:
        if isinstance(value, str) and value.strip() and value.isprintable():
            return value.strip()
        what = "empty" if isinstance(value, str) and not value.strip() else "not one line of text"
        if value is None or isinstance(value, str):
            problem = f"{_show(value)} is {what}"
        else:
            problem = f"{_show(value)} is {_kind(value)}, not text"
        self.error(path, problem, f"Write one line of text, quoted if needed: {example}")
        return None

    def keys(self, path: _KeyPath, mapping: Mapping[Any, Any], known: tuple[str, ...]) -> None:
        for raw in mapping:
            key = str(raw)
            if key in known or _is_secret_key(key):
                continue
            listing = ", ".join(known)
            if key.lower() in _ENV_ONLY_KEYS:
                fix = f"Remove it and set {_ENV_ONLY_KEYS[key.lower()]} in the environment or .env instead"
            elif close := difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6):
                fix = f"Did you mean '{close[0]}'? Known keys here: {listing}"
            else:
                fix = f"Remove it; known keys here: {listing}"
            self.error((*path, key), f"unknown key {key!r}", fix)

    def secrets(self, path: _KeyPath, value: object, seen: set[int]) -> None:
        # seen guards against YAML aliases, which share (and may nest) one object many times
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, dict):
            for key, child in value.items():
                if _is_secret_key(str(key)):
                    self.error(
                        (*path, str(key)),
                        f"{str(key)!r} looks like a secret, and secrets never live in feeds.yaml",
                        "Delete it here and set DISCORD_TOKEN, SLACK_BOT_TOKEN, SLACK_APP_TOKEN, "
                        "SLACK_SIGNING_SECRET or OPENAI_API_KEY in the environment or .env "
                        "(see .env.example)",
                    )
                else:
                    self.secrets((*path, str(key)), child, seen)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                self.secrets((*path, index), child, seen)

    def duplicate_keys(self, node: yaml.Node, path: _KeyPath, seen: set[int]) -> None:
        # PyYAML lets a repeated key silently replace the first one; say so instead.
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                key, line = str(key_node.value), key_node.start_mark.line + 1
                if key in first:
                    self.error(
                        (*path, key),
                        f"the key {key!r} appears twice (lines {first[key]} and {line}); only the last one would count",
                        "Keep one of them",
                        line,
                    )
                first.setdefault(key, line)
                self.duplicate_keys(value_node, (*path, key), seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self.duplicate_keys(child, (*path, index), seen)


def _local_url(
    chk: _Checker, path: _KeyPath, written: str, file_path: str, base_dir: Path
) -> str | None:
    relative = not Path(file_path).expanduser().is_absolute()
    target = base_dir / Path(file_path).expanduser()
    try:
        target = target.resolve()
        if target.is_file():
            return target.as_uri()
        found = "a folder" if target.is_dir() else "no file"
    except (OSError, RuntimeError):  # a name too long, a symlink loop, no permission
        found = "no readable file"
    problem = f"{_show(written)} is a local path, and there is {found} at {target}"
    if relative:
        problem += " (relative paths start from the config file's folder)"
    if _HOST_LIKE.match(written):
        fix = f"For a web feed write the full URL: https://{written}"
    else:
        fix = f"Write the path of an existing feed file, absolute or relative to {base_dir}, or an http(s) URL"
    chk.error(path, problem, fix)
    return None


def _feed_url(chk: _Checker, path: _KeyPath, value: object, base_dir: Path) -> str | None:
    written = chk.text(path, value, "url: https://deadline.com/feed/")
    if written is None:
        return None
    try:
        parts = urlsplit(written)
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError as exc:
        chk.error(
            path,
            f"{_show(written)} is not a valid URL ({exc})",
            "Write a full URL such as https://deadline.com:443/feed/, with any port as digits",
        )
        return None
    scheme = parts.scheme.lower()
    if not scheme:
        return _local_url(chk, path, written, written, base_dir)
    if any(char.isspace() for char in written):
        chk.error(
            path,
            f"{_show(written)} contains spaces",
            "Remove them, or write each space in the URL as %20",
        )
        return None
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            chk.error(
                path,
                f"{_show(written)} names a host, and file URLs read local files only",
                "Write file:///absolute/path.xml or a path relative to the config file",
            )
            return None
        return _local_url(chk, path, written, unquote(parts.path), base_dir)
    if scheme not in ("http", "https"):
        chk.error(
            path,
            f"{_show(written)} uses {scheme!r}, which filmbot cannot fetch",
            "Write a URL starting with https://, http:// or file://",
        )
        return None
    if not parts.hostname:
        chk.error(
            path,
            f"{_show(written)} has no host",
            "Write a full URL such as https://deadline.com/feed/",
        )
        return None
    return written


def _pick(
    check: Callable[[_KeyPath, object, _T], _T],
    raw: Mapping[Any, Any],
    path: _KeyPath,
    key: str,
    fallback: _T,
) -> _T:
    return check((*path, key), raw[key], fallback) if key in raw else fallback


def _check_defaults(chk: _Checker, raw: object) -> Defaults:
    base = Defaults()
    if raw is None:
        return base
    if not isinstance(raw, dict):
        chk.error(
            ("defaults",),
            f"defaults is {_kind(raw)}, not a mapping",
            "Indent its keys under it: 'defaults:' then '  interval: 15m' on the next line",
        )
        return base
    chk.keys(("defaults",), raw, _DEFAULT_KEYS)
    at = ("defaults",)
    user_agent = base.user_agent
    if "user_agent" in raw:
        example = 'user_agent: "filmbot/1.0 (+https://example.com/contact)"'
        user_agent = chk.text((*at, "user_agent"), raw["user_agent"], example) or user_agent
    return Defaults(
        interval=_pick(chk.interval, raw, at, "interval", base.interval),
        timeout=_pick(chk.duration, raw, at, "timeout", base.timeout),
        max_body_bytes=_pick(chk.size, raw, at, "max_body_bytes", base.max_body_bytes),
        max_redirects=_pick(chk.count, raw, at, "max_redirects", base.max_redirects),
        backfill=_pick(chk.count, raw, at, "backfill", base.backfill),
        user_agent=user_agent,
    )


_SLOW_DOWN = "Use 5m or more for a site on the internet: news sites change a few times an hour and may block fast pollers"


def _check_feeds(
    chk: _Checker, raw: object, defaults: Defaults, base_dir: Path
) -> list[FeedSettings]:
    if raw is None or raw == []:
        chk.warn(
            ("feeds",),
            "no feeds are listed",
            "That is fine if feeds are only added from chat (/feeds add); otherwise list them under 'feeds:'",
        )
        return []
    if not isinstance(raw, list):
        chk.error(
            ("feeds",),
            f"feeds is {_kind(raw)}, not a list",
            "Start each feed with '- name: ...' indented under 'feeds:'",
        )
        return []
    feeds: list[FeedSettings] = []
    names: dict[str, int] = {}  # casefolded name -> index of the first feed using it
    urls: dict[str, int] = {}
    inheriting_fast: list[str] = []
    for index, entry in enumerate(raw):
        path: _KeyPath = ("feeds", index)
        if not isinstance(entry, dict):
            chk.error(
                path,
                f"this feed is {_kind(entry)}, not a mapping",
                "Write each feed as '- name: ...' with 'url: ...' on the next line, lined up under 'name'",
            )
            continue
        chk.keys(path, entry, _FEED_KEYS)
        name: str | None = None
        url: str | None = None
        if "name" in entry:
            name = chk.text((*path, "name"), entry["name"], 'name: "Deadline"')
        else:
            chk.error(
                path,
                "this feed has no name",
                "Add 'name: Deadline': chat commands such as /feeds remove find a feed by its name",
            )
        if "url" in entry:
            url = _feed_url(chk, (*path, "url"), entry["url"], base_dir)
        else:
            chk.error(
                path, "this feed has no url", "Add 'url: https://...' with the address of the feed"
            )
        interval = _pick(chk.interval, entry, path, "interval", defaults.interval)
        timeout = _pick(chk.duration, entry, path, "timeout", defaults.timeout)
        max_body_bytes = _pick(chk.size, entry, path, "max_body_bytes", defaults.max_body_bytes)
        backfill = _pick(chk.count, entry, path, "backfill", defaults.backfill)
        fetch_articles = _pick(chk.flag, entry, path, "fetch_articles", False)

        if name is not None:
            first = names.setdefault(name.casefold(), index)
            if first != index:
                chk.error(
                    (*path, "name"),
                    f"the name {name!r} is already used by feeds[{first}] on line {chk.line(('feeds', first, 'name'))}",
                    "Give each feed its own name (names are compared ignoring case)",
                )
        if url is not None:
            first = urls.setdefault(url, index)
            if first != index:
                chk.warn(
                    (*path, "url"),
                    f"feeds[{first}] on line {chk.line(('feeds', first, 'url'))} has the same url",
                    "Remove one of them: each entry is fetched on its own",
                )
            if not url.startswith("file:") and interval < POLITE_INTERVAL:
                if "interval" in entry:
                    chk.warn(
                        (*path, "interval"),
                        f"polling a remote feed every {_seconds(interval)} is under a minute",
                        _SLOW_DOWN,
                    )
                else:
                    inheriting_fast.append(name or f"feeds[{index}]")
        if name is not None and url is not None:
            feeds.append(
                FeedSettings(name, url, interval, timeout, max_body_bytes, backfill, fetch_articles)
            )
    if inheriting_fast:
        chk.warn(
            ("defaults", "interval"),
            f"polling every {_seconds(defaults.interval)} is under a minute, and remote feeds use it: "
            + ", ".join(inheriting_fast),
            _SLOW_DOWN,
        )
    return feeds


def _check_document(
    chk: _Checker, data: object, base_dir: Path
) -> tuple[Defaults, bool, tuple[FeedSettings, ...], tuple[WebhookTarget, ...]]:
    if data is None:  # an empty file: no feeds, every default
        data = {}
    if not isinstance(data, dict):
        chk.error(
            (),
            f"the file holds {_kind(data)}, not a mapping of settings",
            "Start lines with keys such as 'defaults:' and 'feeds:' (see the project's feeds.yaml)",
        )
        return Defaults(), False, (), ()
    chk.secrets((), data, set())
    chk.keys((), data, _TOP_KEYS)
    defaults = _check_defaults(chk, data.get("defaults"))
    allow_private = _pick(chk.flag, data, (), "allow_private_addresses", False)
    feeds = _check_feeds(chk, data.get("feeds"), defaults, base_dir)
    announce = _check_announce(chk, data.get("announce"))
    return defaults, allow_private, tuple(feeds), tuple(announce)


def _webhook_format(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        return "discord"
    if host == "hooks.slack.com":
        return "slack"
    return None


def _string_list(chk: _Checker, path: _KeyPath, value: object, example: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        chk.error(path, f"this is {_kind(value)}, not a list of words", f"Write a list: {example}")
        return ()
    return tuple(v.strip() for v in value)


def _check_announce(chk: _Checker, raw: object) -> list[WebhookTarget]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        chk.error(
            ("announce",),
            f"announce is {_kind(raw)}, not a list",
            "Start each target with '- name: ...' and 'webhook: https://...' under 'announce:'",
        )
        return []
    targets: list[WebhookTarget] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(raw):
        path: _KeyPath = ("announce", index)
        if not isinstance(entry, dict):
            chk.error(
                path,
                f"this target is {_kind(entry)}, not a mapping",
                "Write '- name: team-news' and 'webhook: https://...'",
            )
            continue
        chk.keys(path, entry, _ANNOUNCE_KEYS)
        name = (
            chk.text((*path, "name"), entry["name"], "name: team-news") if "name" in entry else None
        )
        if name is None and "name" not in entry:
            chk.error(path, "this target has no name", "Add 'name: team-news'")
        url = entry.get("webhook")
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).hostname
        ):
            chk.error(
                (*path, "webhook"),
                "the webhook is missing or not an http(s) URL",
                "Write the webhook's full address: webhook: https://discord.com/api/webhooks/...",
            )
            url = None
        chosen = entry.get("format")
        if chosen is not None and chosen not in WEBHOOK_FORMATS:
            chk.error(
                (*path, "format"),
                f"{chosen!r} is not a format",
                "Write format: discord, slack or json",
            )
            chosen = None
        elif chosen is None and url is not None:
            chosen = _webhook_format(url)
            if chosen is None:
                chk.error(
                    (*path, "format"),
                    "the format cannot be told from this URL",
                    "Add format: json (or discord / slack)",
                )
        kinds = _string_list(
            chk, (*path, "kinds"), entry.get("kinds"), "kinds: [release_date, delay]"
        )
        unknown = [kind for kind in kinds if kind not in STORY_KINDS]
        if unknown:
            chk.error(
                (*path, "kinds"),
                f"unknown kind(s): {', '.join(unknown)}",
                "Use some of: " + ", ".join(STORY_KINDS),
            )
        films = _string_list(
            chk, (*path, "films"), entry.get("films"), "films: [heat 2, dune part three]"
        )
        keywords = _string_list(
            chk, (*path, "keywords"), entry.get("keywords"), "keywords: [marvel, a24]"
        )
        if name is not None:
            first = names.setdefault(name.casefold(), index)
            if first != index:
                chk.error(
                    (*path, "name"),
                    f"the name {name!r} is already used by announce[{first}]",
                    "Give each target its own name",
                )
        if name is not None and url is not None and chosen is not None and not unknown:
            targets.append(WebhookTarget(name, url, chosen, kinds, films, keywords))
    return targets


_YAML_FIX = "Indent with spaces, put ': ' after each key, and quote values that hold ': ' or ' #'"


def _yaml_problem(display: str, exc: yaml.YAMLError) -> ConfigProblem:
    if not isinstance(exc, yaml.MarkedYAMLError):
        said = " ".join(str(exc).split())  # the reader's message spans lines
        return ConfigProblem(display, "", f"the file is not valid YAML ({said})", _YAML_FIX)
    said = ", ".join(part for part in (exc.context, exc.problem) if part) or "unreadable YAML"
    plain = next((words for needle, words in _YAML_PLAIN_WORDS if needle in said), said)
    mark = exc.problem_mark or exc.context_mark
    if ("end of stream" in said or "<stream end>" in said) and exc.context_mark is not None:
        mark = exc.context_mark  # where the unclosed quote or bracket opened, not the last line
    where, problem = display, f"the file is not valid YAML: {plain}"
    if mark is not None:
        where = f"{display}:{mark.line + 1}"
        problem += f" (column {mark.column + 1}"
        if exc.context_mark is not None and exc.context_mark.line != mark.line:
            problem += f"; the part being read starts on line {exc.context_mark.line + 1}"
        problem += ")"
    if plain != said:
        problem += f"; the parser says: {said}"
    return ConfigProblem(where, "", problem, _YAML_FIX)


def _parse_yaml(display: str, text: str) -> tuple[yaml.Node | None, object, ConfigProblem | None]:
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return node, data, None
    except yaml.YAMLError as exc:
        return None, None, _yaml_problem(display, exc)
    finally:
        if loader is not None:
            loader.dispose()


def _read_config(path: Path, origin: str) -> tuple[str | None, ConfigProblem | None]:
    display = str(path)
    key = "FILMBOT_CONFIG" if origin == "FILMBOT_CONFIG" else ""
    named = {
        "FILMBOT_CONFIG": " (named by FILMBOT_CONFIG)",
        "default": f" (the default: {DEFAULT_CONFIG_NAME} in the current folder)",
    }.get(origin, "")
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        problem = f"there is no config file at {path.absolute()}{named}"
    except IsADirectoryError:
        problem = f"{path.absolute()}{named} is a folder, not a config file"
    except UnicodeDecodeError as exc:
        problem = f"the file is not UTF-8 text (byte {exc.start})"
        return None, ConfigProblem(display, "", problem, "Save it as UTF-8")
    except OSError as exc:
        problem = f"the config file cannot be read: {exc.strerror or exc}"
        return None, ConfigProblem(
            display, key, problem, "Check that the file exists and is readable"
        )
    fix = f"Point at your config with --config PATH or FILMBOT_CONFIG=PATH, or copy the project's documented {DEFAULT_CONFIG_NAME} there"
    return None, ConfigProblem(display, key, problem, fix)


def default_config_path(env: Mapping[str, str]) -> Path:
    """FILMBOT_CONFIG when set, else feeds.yaml in the current folder."""
    named = env.get("FILMBOT_CONFIG", "").strip()
    return Path(named).expanduser() if named else Path(DEFAULT_CONFIG_NAME)


def _environment(
    env: Mapping[str, str] | None, dotenv_path: Path | None
) -> tuple[dict[str, str], list[str]]:
    """The real environment laid over .env; empty values count as unset."""
    notes: list[str] = []
    path = dotenv_path if dotenv_path is not None else Path(".env")
    merged: dict[str, str] = {}
    if path.is_file():
        # interpolate=False: a "$" in a token is part of the token
        for key, value in dotenv_values(path, interpolate=False).items():
            if value and value.strip():
                merged[key] = value.strip()
    elif dotenv_path is not None:
        notes.append(
            str(
                ConfigProblem(
                    str(path),
                    "",
                    "there is no .env file here",
                    "Create it from .env.example, or rely on the environment alone",
                )
            )
        )
    real = os.environ if env is None else env
    merged.update((key, value.strip()) for key, value in real.items() if value.strip())
    return merged, notes


def _env_problem(key: str, problem: str, fix: str) -> ConfigProblem:
    return ConfigProblem("environment", key, problem, fix)


def _check_environment(
    environ: Mapping[str, str], problems: list[ConfigProblem], warnings: list[str]
) -> str:
    """Checks the variables that have a shape; returns the log level's canonical name."""
    level = environ.get("LOG_LEVEL", "INFO").upper()
    levels = logging.getLevelNamesMapping()
    if level in levels:
        level = logging.getLevelName(levels[level])  # "WARN" -> "WARNING"
    else:
        problems.append(
            _env_problem(
                "LOG_LEVEL",
                f"{_show(environ['LOG_LEVEL'])} is not a logging level",
                "Write DEBUG, INFO, WARNING, ERROR or CRITICAL",
            )
        )
        level = "INFO"
    guild = environ.get("DISCORD_GUILD_ID")
    if guild is not None and not guild.isdigit():
        problems.append(
            _env_problem(
                "DISCORD_GUILD_ID",
                "the guild id is not a number",
                "Copy the id from Discord (Developer Mode, right-click the server, Copy Server ID)",
            )
        )
    for key, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
        if key in environ and not environ[key].startswith(prefix):
            warnings.append(
                str(
                    _env_problem(
                        key,
                        f"the value does not start with {prefix!r}",
                        "Check it is the right token from your Slack app's settings",
                    )
                )
            )
    return level


_OLLAMA_HINT = "OPENAI_BASE_URL=http://localhost:11434/v1 for a local Ollama"


@dataclass(frozen=True, slots=True)
class _SummariserEnv:
    summarizer: str = "local"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout: float = 15.0


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(parts.hostname)
        and not any(char.isspace() for char in value)
    )


def _choice(
    environ: Mapping[str, str],
    key: str,
    choices: tuple[str, ...],
    default: str,
    what: str,
    fix: str,
    problems: list[ConfigProblem],
) -> str:
    """One of `choices` (case-insensitive), else a problem and the default."""
    value = environ.get(key, default).lower()
    if value in choices:
        return value
    problems.append(_env_problem(key, f"{_show(environ[key])} is not {what}", fix))
    return default


def _http_url(
    environ: Mapping[str, str], key: str, fix: str, problems: list[ConfigProblem]
) -> str | None:
    """An http(s) URL, or None when unset or (with a problem) when it is not one."""
    value = environ.get(key)
    if value is None or _is_http_url(value):
        return value
    problems.append(_env_problem(key, f"{_show(value)} is not an http(s) URL", fix))
    return None


def _check_summariser(
    environ: Mapping[str, str], problems: list[ConfigProblem], warnings: list[str]
) -> _SummariserEnv:
    """SUMMARIZER and the OPENAI_* variables an OpenAI-compatible summariser needs."""
    base = _SummariserEnv()
    summarizer = _choice(
        environ,
        "SUMMARIZER",
        SUMMARIZERS,
        base.summarizer,
        "a summariser",
        "Write local (the built-in summary) or openai (any OpenAI-compatible API: "
        "OpenAI, Ollama, vLLM)",
        problems,
    )
    base_url = _http_url(
        environ,
        "OPENAI_BASE_URL",
        f"Write the API root, such as {_OLLAMA_HINT} or https://api.openai.com/v1",
        problems,
    )
    model = environ.get("OPENAI_MODEL")
    timeout = base.timeout
    if "SUMMARIZER_TIMEOUT" in environ:
        try:
            timeout = parse_duration(environ["SUMMARIZER_TIMEOUT"])
        except _BadValue as exc:
            problems.append(_env_problem("SUMMARIZER_TIMEOUT", exc.problem, exc.fix))
    if summarizer == "openai":
        if "OPENAI_BASE_URL" not in environ:
            problems.append(
                _env_problem(
                    "OPENAI_BASE_URL",
                    "SUMMARIZER=openai needs the address of the API",
                    f"Set {_OLLAMA_HINT}, http://localhost:8000/v1 for vLLM, or "
                    "https://api.openai.com/v1 for OpenAI",
                )
            )
        if model is None:
            problems.append(
                _env_problem(
                    "OPENAI_MODEL",
                    "SUMMARIZER=openai needs a model name",
                    "Set OPENAI_MODEL to a model the endpoint serves, such as llama3.2 for "
                    "Ollama or gpt-4o-mini for OpenAI",
                )
            )
    elif "OPENAI_BASE_URL" in environ or model is not None:
        warnings.append(
            str(
                _env_problem(
                    "SUMMARIZER",
                    "OPENAI_BASE_URL or OPENAI_MODEL is set, but summaries are made locally",
                    "Set SUMMARIZER=openai to use the endpoint, or remove the OPENAI_* variables",
                )
            )
        )
    return _SummariserEnv(summarizer, base_url, model, environ.get("OPENAI_API_KEY"), timeout)


@dataclass(frozen=True, slots=True)
class _ServiceEnv:
    """The platform and operations variables with a shape (ports, URLs, counts)."""

    log_format: str = "text"
    health_port: int | None = None
    health_host: str = "127.0.0.1"
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_http_port: int = 3000
    slack_http_host: str = "0.0.0.0"
    slack_admin_users: tuple[str, ...] = ()
    discord_shards: int | None = None
    discord_api_url: str | None = None
    discord_application_id: str | None = None


def _port(environ: Mapping[str, str], key: str, problems: list[ConfigProblem]) -> int | None:
    if key not in environ:
        return None
    value = environ[key]
    if value.isdigit() and 1 <= int(value) <= 65535:
        return int(value)
    problems.append(
        _env_problem(key, f"{_show(value)} is not a TCP port", "Write a number from 1 to 65535")
    )
    return None


def _check_services(environ: Mapping[str, str], problems: list[ConfigProblem]) -> _ServiceEnv:
    base = _ServiceEnv()
    log_format = _choice(
        environ,
        "LOG_FORMAT",
        LOG_FORMATS,
        base.log_format,
        "a log format",
        "Write text (key=value lines for people) or json (one JSON object a line)",
        problems,
    )
    own_api = "Leave it unset for the platform's own API, or write its full root URL"
    slack_api_url = _http_url(environ, "SLACK_API_URL", own_api, problems) or base.slack_api_url
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"
    shards: int | None = None
    raw_shards = environ.get("DISCORD_SHARDS", "auto").lower()
    if raw_shards != "auto":
        if raw_shards.isdigit() and int(raw_shards) >= 1:
            shards = int(raw_shards)
        else:
            problems.append(
                _env_problem(
                    "DISCORD_SHARDS",
                    f"{_show(environ['DISCORD_SHARDS'])} is not a shard count",
                    "Write auto (Discord's recommendation) or a whole number of shards, 1 or more",
                )
            )
    application_id = environ.get("DISCORD_APPLICATION_ID")
    if application_id is not None and not application_id.isdigit():
        problems.append(
            _env_problem(
                "DISCORD_APPLICATION_ID",
                "the application id is not a number",
                "Copy the Application ID from the General Information page of your Discord app",
            )
        )
        application_id = None
    admins = tuple(
        user for user in re.split(r"[\s,]+", environ.get("SLACK_ADMIN_USERS", "")) if user
    )
    bad_admins = [user for user in admins if not re.fullmatch(r"[UW][A-Z0-9]+", user)]
    if bad_admins:
        problems.append(
            _env_problem(
                "SLACK_ADMIN_USERS",
                f"{', '.join(map(_show, bad_admins))} is not a Slack user id",
                "List member ids such as U012AB3CD, separated by commas (profile, ⋮, Copy member ID)",
            )
        )
    return _ServiceEnv(
        log_format=log_format,
        health_port=_port(environ, "HEALTH_PORT", problems),
        health_host=environ.get("HEALTH_HOST", base.health_host),
        slack_api_url=slack_api_url,
        slack_http_port=_port(environ, "SLACK_HTTP_PORT", problems) or base.slack_http_port,
        slack_http_host=environ.get("SLACK_HTTP_HOST", base.slack_http_host),
        slack_admin_users=tuple(user for user in admins if user not in bad_admins),
        discord_shards=shards,
        discord_api_url=_http_url(environ, "DISCORD_API_URL", own_api, problems),
        discord_application_id=application_id,
    )


def load_settings(
    config_path: Path | None,
    *,
    db_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """Reads and checks everything once; raises ConfigError listing every problem found.

    env defaults to os.environ. Values from a .env file (dotenv_path, else ".env" in the
    current folder when there is one) fill in whatever the environment leaves unset.
    """
    environ, warnings = _environment(env, dotenv_path)
    problems: list[ConfigProblem] = []
    log_level = _check_environment(environ, problems, warnings)
    summariser = _check_summariser(environ, problems, warnings)
    services = _check_services(environ, problems)

    if config_path is not None:
        path, origin = config_path.expanduser(), ""
    else:
        path = default_config_path(environ)
        origin = "FILMBOT_CONFIG" if "FILMBOT_CONFIG" in environ else "default"
    defaults, allow_private = Defaults(), False
    feeds: tuple[FeedSettings, ...] = ()
    announce: tuple[WebhookTarget, ...] = ()
    text, unreadable = _read_config(path, origin)
    if unreadable is not None:
        problems.append(unreadable)
    if text is not None:
        node, data, invalid = _parse_yaml(str(path), text)
        if invalid is not None:
            problems.append(invalid)
        else:
            chk = _Checker(str(path), node)
            if node is not None:
                chk.duplicate_keys(node, (), set())
            defaults, allow_private, feeds, announce = _check_document(
                chk, data, path.resolve().parent
            )
            problems.extend(
                problem for _, problem in sorted(chk.problems, key=lambda pair: pair[0])
            )
            warnings.extend(
                str(warning) for _, warning in sorted(chk.warnings, key=lambda pair: pair[0])
            )
    if problems:
        raise ConfigError(problems)

    chosen_db = db_path or (
        Path(environ["FILMBOT_DB"]) if "FILMBOT_DB" in environ else DEFAULT_DB_PATH
    )
    settings = Settings(
        config_path=path.resolve(),
        db_path=chosen_db.expanduser().absolute(),
        defaults=defaults,
        feeds=feeds,
        allow_private_addresses=allow_private,
        discord_token=environ.get("DISCORD_TOKEN"),
        discord_guild_id=environ.get("DISCORD_GUILD_ID"),
        discord_application_id=services.discord_application_id,
        discord_shards=services.discord_shards,
        discord_api_url=services.discord_api_url,
        slack_bot_token=environ.get("SLACK_BOT_TOKEN"),
        slack_app_token=environ.get("SLACK_APP_TOKEN"),
        slack_signing_secret=environ.get("SLACK_SIGNING_SECRET"),
        slack_api_url=services.slack_api_url,
        slack_http_port=services.slack_http_port,
        slack_http_host=services.slack_http_host,
        slack_admin_users=services.slack_admin_users,
        log_level=log_level,
        log_format=services.log_format,
        health_port=services.health_port,
        health_host=services.health_host,
        warnings=tuple(warnings),
        summarizer=summariser.summarizer,
        openai_base_url=summariser.base_url,
        openai_model=summariser.model,
        openai_api_key=summariser.api_key,
        summarizer_timeout=summariser.timeout,
        announce=announce,
    )
    _LOGGER.debug(
        "loaded %d feeds from %s (%d warnings)", len(feeds), settings.config_path, len(warnings)
    )
    return settings
