"""Messages and replies as Discord embeds, inside Discord's limits, unable to ping anyone."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from bot.models import Message

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # title + description + field names and values + footer
URL_LIMIT = 2048
NONCE_LIMIT = 25
CHOICE_LIMIT = 100  # an autocomplete choice's name and value

ZERO_WIDTH_SPACE = "\u200b"
COLOUR_OK = 0x3B82F6
COLOUR_ERROR = 0xDC2626

# Nothing the bot posts may ping, whatever the feed or the user typed: the API is told so on
# every message, and the text is defused as well (see defuse).
NO_MENTIONS: dict[str, Any] = {"parse": []}

_URL = re.compile(r"^https?://[^\s<>\"]+$")


def defuse(text: str) -> str:
    """'@everyone', '@here', '<@123>' and '<@&123>' stay readable and can never ping: a
    zero-width space after every '@' breaks the mention syntax, even outside an embed."""
    return text.replace("@", "@" + ZERO_WIDTH_SPACE)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe(text: str, limit: int) -> str:
    return cut(defuse(text.strip()), limit)


def embed(message: Message, *, ok: bool = True) -> dict[str, Any]:
    """One embed of a Message: title linking to the source, the text, its fields, the footer."""
    body = "\n".join(part for part in (message.body, *message.lines) if part)
    out: dict[str, Any] = {"type": "rich", "color": COLOUR_OK if ok else COLOUR_ERROR}
    title = _safe(message.title, TITLE_LIMIT)
    if title:
        out["title"] = title
        if len(message.url) <= URL_LIMIT and _URL.match(message.url):
            out["url"] = message.url
    footer = _safe(message.footer, FOOTER_LIMIT)
    budget = EMBED_TOTAL_LIMIT - len(title) - len(footer)
    fields: list[dict[str, Any]] = []
    for f in message.fields[:FIELDS_LIMIT]:
        name = _safe(f.name, FIELD_NAME_LIMIT) or ZERO_WIDTH_SPACE
        value = _safe(f.value, FIELD_VALUE_LIMIT) or ZERO_WIDTH_SPACE
        if len(name) + len(value) > budget:
            break  # the total limit: later fields are dropped whole, not cut mid-word
        budget -= len(name) + len(value)
        fields.append({"name": name, "value": value, "inline": f.inline})
    if fields:
        out["fields"] = fields
    if footer:
        out["footer"] = {"text": footer}
    # The description gets what the other parts leave of the 6,000 characters.
    room = min(DESCRIPTION_LIMIT, budget)
    description = _safe(body, room) if room > 0 else ""
    if description:
        out["description"] = description
    if "title" not in out and "description" not in out and not fields:
        out["description"] = ZERO_WIDTH_SPACE  # Discord refuses an empty embed
    return out


def embed_size(payload: dict[str, Any]) -> int:
    """The characters Discord counts toward the 6,000 of an embed."""
    size = len(payload.get("title", "")) + len(payload.get("description", ""))
    size += len(payload.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in payload.get("fields", []))
    return size


def message_payload(message: Message, idempotency_key: str) -> dict[str, Any]:
    """The body of POST /channels/{id}/messages: the embed, no pings, and a nonce Discord
    enforces, so the same outbox row sent twice (a resend after a crash) posts once."""
    return {
        "embeds": [embed(message)],
        "allowed_mentions": NO_MENTIONS,
        "nonce": nonce(idempotency_key),
        "enforce_nonce": True,
    }


def nonce(idempotency_key: str) -> str:
    """25 hex characters (100 bits) of the key's SHA-256: stable across restarts."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:NONCE_LIMIT]
