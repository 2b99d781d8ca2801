"""/announce: which channels receive new stories, and which stories."""

from __future__ import annotations

from typing import Any

from bot.commands.dispatch import CommandContext, UsageError, error_reply
from bot.delivery.filters import KIND_WORDS, ChannelFilter
from bot.models import Message, Reply, StoryKind, Visibility

MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 60


def parse_filter(text: str) -> ChannelFilter:
    """'delay,release_date heat 2, dune' -> kinds {delay, release_date}, keywords (heat 2, dune).

    Leading words that name kinds are kinds; the rest, split on commas, are keywords or films.
    """
    words = text.replace('"', " ").split()
    kinds: set[StoryKind] = set()
    while words:
        parts = [part for part in words[0].lower().split(",") if part]
        if not parts or not all(part in KIND_WORDS for part in parts):
            break
        kinds.update(KIND_WORDS[part] for part in parts)
        words.pop(0)
    keywords = tuple(dict.fromkeys(k.strip() for k in " ".join(words).split(",") if k.strip()))
    if len(keywords) > MAX_KEYWORDS:
        raise UsageError(f"At most {MAX_KEYWORDS} keywords, separated by commas.")
    if any(len(keyword) > MAX_KEYWORD_CHARS for keyword in keywords):
        raise UsageError(f"A keyword is at most {MAX_KEYWORD_CHARS} characters.")
    if StoryKind.NOT_FILM in kinds:
        raise UsageError("filmbot announces film news only; not_film cannot be chosen.")
    return ChannelFilter(frozenset(kinds), keywords)


async def announce_here(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    target = ctx.invocation.target
    if target.user or not target.channel:
        return error_reply("Announcements go to channels: run /announce here in the channel.")
    try:
        wanted = parse_filter(args.get("filter", ""))
    except UsageError as exc:
        return error_reply(str(exc), "/announce here [kinds] [keywords, films...]")
    new = await ctx.services.store.subscriptions.subscribe_channel(
        target,
        ctx.invocation.user_name or ctx.invocation.user,
        ctx.services.clock(),
        wanted,
        # The id, not the name: it is whom a direct message reaches if the channel is disabled.
        created_by_user=ctx.invocation.user,
    )
    verb = "will now receive" if new else "now receives"
    return Reply(
        Message(body=f"This channel {verb} new film stories ({wanted.describe()})."),
        visibility=Visibility.PUBLIC,
    )


async def announce_off(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    removed = await ctx.services.store.subscriptions.unsubscribe_channel(ctx.invocation.target)
    if not removed:
        return error_reply("This channel was not receiving announcements.")
    return Reply(
        Message(body="This channel no longer receives announcements."),
        visibility=Visibility.PUBLIC,
    )


async def announce_list(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    here = ctx.invocation.target
    channels = [
        channel
        for channel in await ctx.services.store.subscriptions.channels()
        if channel.target.platform == here.platform and channel.target.place == here.place
    ]
    if not channels:
        return Reply(Message(body="No channel here receives announcements. Use /announce here."))
    return Reply(
        Message(
            title=f"Announcing channels ({len(channels)})",
            lines=tuple(f"#{c.target.channel}: {c.filter.describe()}" for c in channels),
        )
    )
