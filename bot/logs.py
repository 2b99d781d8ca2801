"""Structured logs: one event a line, key=value for people or JSON for machines, no secrets.

    ts=2026-12-01T21:00:00.000Z level=info logger=bot.poll msg="feed Variety: 3 new" feed=Variety
    {"ts": "2026-12-01T21:00:00.000Z", "level": "info", "logger": "bot.poll", "msg": "...", ...}

Context ids travel on the log call, `_LOGGER.info("...", extra={"feed": name, "story": 12,
"target": target.key})`, and become fields after msg; a traceback is the last field, exc,
kept on the same line. Every configured secret, and anything shaped like a chat token or
an Authorization header value, is replaced by [redacted] in each field and in the final line,
so neither a message, an exception text, a traceback nor an extra field can leak one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

REDACTED = "[redacted]"
FORMATS = ("text", "json")
MIN_SECRET_LENGTH = 6  # shorter "secrets" would blank ordinary words out of every line

# Libraries whose loggers must reach our one handler (they propagate to the root logger),
# and the least level each keeps: their INFO/DEBUG are per-job or per-statement chatter.
LIBRARY_LOGGERS = {
    "discord": logging.NOTSET,
    "slack_bolt": logging.NOTSET,
    "slack_sdk": logging.NOTSET,
    "aiohttp": logging.NOTSET,
    "apscheduler": logging.WARNING,
    "aiosqlite": logging.INFO,
}

_TOKEN_SHAPES = re.compile(
    "|".join(
        (
            r"\bxox[abeoprs]-[A-Za-z0-9-]{6,}",  # Slack bot, user, app-config tokens
            r"\bxapp-[A-Za-z0-9-]{6,}",  # Slack app-level (Socket Mode) token
            # Discord bot token: base64 user id, timestamp, HMAC
            r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}",
            r"\bsk-[A-Za-z0-9_-]{20,}",  # OpenAI-style API key
            r"(?<=/api/webhooks/)\d+/[A-Za-z0-9_-]+",  # Discord webhook id and token
            r"(?<=hooks\.slack\.com/services/)[A-Za-z0-9/]+",  # Slack incoming webhook
            r"(?<=\b[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
            r"(?<=\bBEARER )[A-Za-z0-9._~+/=-]{8,}",
        )
    )
)
# The credential after an Authorization header name, in any quoting ("Authorization: Bot x",
# {'Authorization': 'Bearer x'}, authorization=x): the scheme stays, the value goes.
_AUTHORIZATION = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:(?:bot|bearer|basic|token)\s+)?)[^\s'\",}]+"
)
_NEEDS_QUOTES = re.compile(r'[\s"=\\]|^$')

# Everything a LogRecord holds by itself; the rest came in through `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class Redactor:
    """Replaces secret values and token-shaped text with [redacted]."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        found = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted(found, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        text = _TOKEN_SHAPES.sub(REDACTED, text)
        return _AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, text)


class StructuredFormatter(logging.Formatter):
    """One record, one line: key=value (fmt="text") or a JSON object (fmt="json")."""

    def __init__(self, fmt: str = "text", redact: Redactor | None = None) -> None:
        super().__init__()
        if fmt not in FORMATS:
            raise ValueError(f"log format {fmt!r} is not one of {', '.join(FORMATS)}")
        self._json = fmt == "json"
        self._redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "ts": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                fields[f"extra_{key}" if key in fields else key] = value
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        # Field by field first: quoting and JSON escaping could split a secret's spelling.
        clean = {key: self._clean(value) for key, value in fields.items()}
        if self._json:
            line = json.dumps(clean, ensure_ascii=False, default=str)
        else:
            line = " ".join(f"{key}={_quote(str(value))}" for key, value in clean.items())
        return self._redact(line)

    def _clean(self, value: object) -> object:
        if isinstance(value, bool | int | float) or value is None:
            return value
        return self._redact(str(value))


class _Handler(logging.StreamHandler[TextIO]):
    """The one handler configure_logging installs; with no stream it writes to whatever
    sys.stderr is at the time (so a test's capture, or a redirect, sees the lines)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._follow_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow_stderr:
            self.stream = sys.stderr
        super().emit(record)


def configure_logging(
    level: str,
    fmt: str,
    secrets: Iterable[str | None],
    *,
    stream: TextIO | None = None,
    quiet: bool = False,
) -> None:
    """Route every log record (the bot's and its libraries') through one redacting handler
    on the root logger, replacing the one an earlier call installed.

    level: a level name (DEBUG, INFO, ...); quiet raises it to WARNING (the console's
    prompt stays readable). fmt: "text" or "json". secrets: values never to print.
    stream: where the lines go (default: sys.stderr)."""
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"log level {level!r} is not one of DEBUG, INFO, WARNING, ERROR")
    if quiet:
        numeric = max(numeric, logging.WARNING)
    handler = _Handler(stream)
    handler.setFormatter(StructuredFormatter(fmt, Redactor(secrets)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(numeric)
    for name, least in LIBRARY_LOGGERS.items():
        library = logging.getLogger(name)
        library.propagate = True
        library.setLevel(max(numeric, least))


def _timestamp(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _quote(value: str) -> str:
    if not _NEEDS_QUOTES.search(value):
        return value
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'
