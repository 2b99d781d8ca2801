"""Discord: slash commands from the registry, announcements as embeds, follows as DMs."""

from adapters.discord.adapter import DiscordAdapter, build_discord_adapter
from adapters.discord.invite import REQUIRED_PERMISSIONS, application_id_from_token, invite_url

__all__ = [
    "REQUIRED_PERMISSIONS",
    "DiscordAdapter",
    "application_id_from_token",
    "build_discord_adapter",
    "invite_url",
]
