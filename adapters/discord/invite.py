"""The invite link and what it asks for: the exact permissions the bot uses, nothing more."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

# Discord's permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10  # see the channel it announces in
SEND_MESSAGES = 1 << 11  # post announcements there
EMBED_LINKS = 1 << 14  # announcements are embeds; without it Discord drops them
SEND_MESSAGES_IN_THREADS = 1 << 38  # /announce here also works inside a thread

# Slash commands and their answers need no permission: the applications.commands scope and
# the interaction token cover them. Direct messages need none either.
REQUIRED_PERMISSIONS: int = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | SEND_MESSAGES_IN_THREADS

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")


def invite_url(application_id: str, *, guild_id: str | None = None) -> str:
    """The link a server admin opens to add the bot, with its commands and permissions."""
    if not application_id.isdigit():
        raise ValueError(f"a Discord application id is a number, not {application_id!r}")
    query = {
        "client_id": application_id,
        "permissions": str(REQUIRED_PERMISSIONS),
        "integration_type": "0",  # installed to a server, not to a user
        "scope": " ".join(SCOPES),
    }
    if guild_id:
        query["guild_id"] = guild_id
        query["disable_guild_select"] = "true"
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def application_id_from_token(token: str) -> str | None:
    """A bot token's first part is the bot's user id (= its application id) in base64."""
    first = token.strip().split(".", 1)[0]
    if not first:
        return None
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isdigit() and 15 <= len(decoded) <= 21 else None
