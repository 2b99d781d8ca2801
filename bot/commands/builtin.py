"""The command registry's contents: /help and /feeds here, the film commands from films.py."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.commands.announce import announce_here, announce_list, announce_off
from bot.commands.digest import digest_command
from bot.commands.dispatch import CommandContext, error_reply
from bot.commands.films import film_command, news_command, upcoming_command, when_command
from bot.commands.follow import follow_command, following_command, unfollow_command
from bot.commands.registry import CommandSpec, OptionSpec, OptionType, Permission, Registry
from bot.commands.status import status_command
from bot.feeds.netguard import BlockedAddressError, check_url_host
from bot.feeds.text import clean_text, truncate
from bot.models import Message, Reply, Visibility
from bot.store import FeedAlreadyExists, FeedRecord

NAME_LIMIT = 60
_NAME_OK = re.compile(r"^[\w .&'/:+-]+$")


async def help_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    lines = []
    for spec in ctx.registry:
        if spec.handler is not None:
            lines.append(_help_line(spec, ""))
        for sub in spec.subcommands:
            lines.append(_help_line(sub, spec.name))
    return Reply(
        Message(
            title="filmbot commands",
            lines=tuple(lines),
            footer="Commands marked (admin) need permission to manage the server or workspace.",
        )
    )


def _help_line(spec: CommandSpec, parent: str) -> str:
    admin = " (admin)" if spec.permission is Permission.MANAGE else ""
    return f"{spec.usage(parent)} — {spec.description}{admin}"


async def feeds_list(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    feeds = await ctx.services.store.feeds.active()
    if not feeds:
        return Reply(
            Message(body="No feeds yet. An admin can add one with /feeds add <url> [name].")
        )
    now = ctx.services.clock()
    return Reply(
        Message(
            title=f"Feeds ({len(feeds)})",
            lines=tuple(_feed_line(feed, now) for feed in feeds),
            footer="Times are UTC. Admins: /feeds add <url> [name], /feeds remove <name>.",
        )
    )


def _feed_line(feed: FeedRecord, now: datetime) -> str:
    if feed.disabled_reason:
        health = f"DISABLED: {feed.disabled_reason}"
    elif feed.last_success_at is None and feed.last_error_at is None:
        health = "not polled yet"
    elif feed.last_error_at and (
        not feed.last_success_at or feed.last_error_at > feed.last_success_at
    ):
        health = (
            f"failing ({feed.consecutive_failures}x): {feed.last_error or feed.last_error_kind}"
        )
    else:
        health = "ok"
    parts = [f"{feed.name} [{health}]", feed.url]
    parts.append(f"last success {_ago(feed.last_success_at, now)}")
    if feed.next_poll_at and not feed.disabled_reason:
        parts.append(f"next poll {_until(feed.next_poll_at, now)}")
    if feed.source == "chat":
        parts.append("added in chat")
    return " · ".join(parts)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return f"{_span((now - moment).total_seconds())} ago"


def _until(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    return "now" if seconds <= 0 else f"in {_span(seconds)}"


def _span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return f"{seconds}s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)}m"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)}h"
    return f"{round(seconds / 86400)}d"


async def feeds_add(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    url = args["url"].strip("<>")  # Slack wraps links in <...>
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return error_reply(
            f"'{truncate(url, 80)}' is not a web address. Give the feed's full http(s) URL, "
            "for example https://deadline.com/feed/."
        )
    try:
        check_url_host(url, allow_private=ctx.services.settings.allow_private_addresses)
    except BlockedAddressError as exc:
        return error_reply(str(exc))
    name = clean_text(args.get("name") or parts.hostname.removeprefix("www."))
    if len(name) > NAME_LIMIT or not _NAME_OK.match(name):
        return error_reply(
            f"A feed name is up to {NAME_LIMIT} letters, digits, spaces and . & ' / : + -; "
            f"'{truncate(name, 80)}' is not."
        )
    try:
        feed = await ctx.services.store.feeds.add_chat_feed(
            name, url, ctx.invocation.user_name or ctx.invocation.user, ctx.services.clock()
        )
    except FeedAlreadyExists as exc:
        return error_reply(
            f"There is already a feed {exc.existing.name} ({exc.existing.url}). "
            "Pick another name: /feeds add <url> <name>."
        )
    await ctx.services.feeds_changed()
    return Reply(
        Message(
            body=(
                f"Added feed {feed.name} ({feed.url}). It is polled in a moment; its current items "
                "are stored as seen, and news from then on is announced. /feeds shows its health."
            )
        ),
        visibility=Visibility.PUBLIC,
    )


async def feeds_remove(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    removed = await ctx.services.store.feeds.remove_chat_feed(args["name"])
    if removed is None:
        return error_reply(
            f"There is no feed named '{truncate(args['name'], 80)}'. /feeds lists them."
        )
    if removed.source == "config":
        where = ctx.services.settings.config_path or "feeds.yaml"
        return error_reply(
            f"{removed.name} comes from {where}; remove it there and restart the bot."
        )
    await ctx.services.feeds_changed()
    return Reply(Message(body=f"Removed feed {removed.name}."), visibility=Visibility.PUBLIC)


def build_registry() -> Registry:
    registry = Registry()
    registry.add(
        CommandSpec(
            name="help",
            description="List the commands and what they do.",
            handler=help_command,
        )
    )
    registry.add(
        CommandSpec(
            name="feeds",
            description="The feeds filmbot reads, and their health.",
            default_subcommand="list",
            subcommands=(
                CommandSpec(
                    name="list",
                    description="List the feeds with last success, last error and next poll.",
                    handler=feeds_list,
                ),
                CommandSpec(
                    name="add",
                    description="Add a feed by its URL.",
                    handler=feeds_add,
                    permission=Permission.MANAGE,
                    options=(
                        OptionSpec("url", "The feed's http(s) address.", OptionType.URL),
                        OptionSpec("name", "A short name for it.", required=False, rest=True),
                    ),
                    examples=("/feeds add https://deadline.com/feed/ Deadline",),
                ),
                CommandSpec(
                    name="remove",
                    description="Remove a feed that was added in chat.",
                    handler=feeds_remove,
                    permission=Permission.MANAGE,
                    options=(
                        OptionSpec("name", "The feed's name, as /feeds shows it.", rest=True),
                    ),
                ),
            ),
        )
    )
    registry.add(
        CommandSpec(
            name="status",
            description="Delivery queue, dead letters, and the last errors of targets and feeds.",
            handler=status_command,
            permission=Permission.MANAGE,
        )
    )
    registry.add(
        CommandSpec(
            name="announce",
            description="Which channels receive new stories, and which stories.",
            permission=Permission.MANAGE,
            subcommands=(
                CommandSpec(
                    name="here",
                    description="Announce new stories in this channel, all or only some.",
                    handler=announce_here,
                    permission=Permission.MANAGE,
                    options=(
                        OptionSpec(
                            "filter",
                            "Kinds (e.g. release_date,delay) and/or keywords or films, by commas.",
                            required=False,
                            rest=True,
                        ),
                    ),
                    examples=("/announce here release_date,delay heat 2, dune",),
                ),
                CommandSpec(
                    name="off",
                    description="Stop announcing in this channel.",
                    handler=announce_off,
                    permission=Permission.MANAGE,
                ),
                CommandSpec(
                    name="list",
                    description="The channels here that receive announcements.",
                    handler=announce_list,
                    permission=Permission.MANAGE,
                ),
            ),
        )
    )
    film = OptionSpec(
        "film", "A film title, e.g. heat2 or Dune: Part Three.", OptionType.FILM, rest=True
    )
    registry.add(
        CommandSpec(
            name="when",
            description="When a film comes out, as far as the sources say, with its history.",
            handler=when_command,
            options=(film,),
            examples=("/when heat2",),
        )
    )
    registry.add(
        CommandSpec(
            name="news",
            description="The latest stories, or the latest about one film.",
            handler=news_command,
            options=(replace(film, required=False),),
        )
    )
    registry.add(
        CommandSpec(
            name="film",
            description="A film's card: aliases, status, release facts, people, recent stories.",
            handler=film_command,
            options=(film,),
        )
    )
    what = OptionSpec(
        "what", "A film, a person or a keyword (prefix person: or keyword: to be sure).", rest=True
    )
    registry.add(
        CommandSpec(
            name="follow",
            description="Get a direct message about new stories on a film, person or keyword.",
            handler=follow_command,
            options=(what,),
            examples=(
                "/follow heat 2",
                "/follow person: Greta Gerwig",
                "/follow dune --no-reminders",
            ),
        )
    )
    registry.add(
        CommandSpec(
            name="unfollow",
            description="Stop following a film, person or keyword.",
            handler=unfollow_command,
            options=(what,),
        )
    )
    registry.add(
        CommandSpec(
            name="following",
            description="What you follow.",
            handler=following_command,
        )
    )
    registry.add(
        CommandSpec(
            name="digest",
            description="One message a day listing new stories, instead of one per story.",
            handler=digest_command,
            options=(
                OptionSpec("mode", "daily or off."),
                OptionSpec(
                    "where", "'channel' for this channel (admins); else your DMs.", required=False
                ),
            ),
            examples=("/digest daily", "/digest daily channel", "/digest off"),
        )
    )
    registry.add(
        CommandSpec(
            name="upcoming",
            description="The next known releases, soonest first.",
            handler=upcoming_command,
            options=(
                OptionSpec(
                    "count",
                    "How many (1-25).",
                    OptionType.INTEGER,
                    required=False,
                    min_value=1,
                    max_value=25,
                ),
            ),
        )
    )
    return registry
