"""/follow, /unfollow and /following: direct messages about the films, people and words a
person cares about, and a reminder the day before a followed film's release."""

from __future__ import annotations

import re
from typing import Any

from bot.commands.dispatch import CommandContext, error_reply
from bot.commands.films import find_film
from bot.delivery.follows import Follow, FollowKind
from bot.feeds.text import clean_text, truncate
from bot.films.normalise import normalise_title
from bot.models import Message, Reply, Target

MAX_FOLLOW_CHARS = 100
_NO_REMINDERS = re.compile(r"\s*(?:--|—)no-?reminders?\b", re.IGNORECASE)
_PREFIX = re.compile(r"^(film|person|keyword)\s*:\s*", re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){1,3}$")


def dm_target(ctx: CommandContext) -> Target:
    here = ctx.invocation.target
    return Target(platform=here.platform, place=here.place, user=ctx.invocation.user)


async def follow_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    text = clean_text(args["what"])
    reminders = not _NO_REMINDERS.search(text)
    text = _NO_REMINDERS.sub("", text).strip()
    if not text:
        return error_reply("Follow what?", "/follow <film | person | keyword> [--no-reminders]")
    if len(text) > MAX_FOLLOW_CHARS:
        return error_reply(
            f"That is too long to follow; keep it under {MAX_FOLLOW_CHARS} characters."
        )
    prefix = _PREFIX.match(text)
    kind = FollowKind(prefix.group(1).lower()) if prefix else None
    text = text[prefix.end() :] if prefix else text
    user = dm_target(ctx)
    note = ""
    if kind in (None, FollowKind.FILM):
        found = await find_film(ctx, text)
        if not isinstance(found, Reply):
            follow = Follow(
                user,
                FollowKind.FILM,
                found.title,
                normalise_title(found.title),
                found.id,
                reminders,
            )
            return await _save(ctx, follow, "")
        if kind is FollowKind.FILM or "Did you mean" in found.message.body:
            return found  # did you mean …, or an honest "no news yet" for an explicit film
        note = f" I don't know a film called '{truncate(text, 60)}' yet."
    if kind is FollowKind.PERSON or (kind is None and _NAME.match(text)):
        follow = Follow(user, FollowKind.PERSON, text, text.casefold(), None, reminders)
    else:
        follow = Follow(user, FollowKind.KEYWORD, text, text.casefold(), None, reminders)
    return await _save(ctx, follow, note)


async def _save(ctx: CommandContext, follow: Follow, note: str) -> Reply:
    new = await ctx.services.store.follows.add(follow, ctx.services.clock())
    what = {
        FollowKind.FILM: f"the film {follow.value}",
        FollowKind.PERSON: f"{follow.value} (a person)",
        FollowKind.KEYWORD: f"stories that mention '{follow.value}'",
    }[follow.kind]
    lead = "You now follow" if new else "You already follow"
    reminder = ""
    if follow.kind is FollowKind.FILM:
        reminder = (
            " You'll get a reminder the day before its release."
            if follow.reminders
            else " No release reminders."
        )
    return Reply(
        Message(body=f"{lead} {what}: I'll message you about new stories.{reminder}{note}")
    )


async def unfollow_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    text = _PREFIX.sub("", clean_text(args["what"])).strip()
    norms = [text.casefold(), normalise_title(text)]
    found = await find_film(ctx, text)
    if not isinstance(found, Reply):
        norms.append(normalise_title(found.title))
    removed = await ctx.services.store.follows.remove(dm_target(ctx), norms)
    if not removed:
        return error_reply(
            f"You don't follow '{truncate(text, 60)}'. /following lists what you do."
        )
    return Reply(Message(body="You no longer follow " + ", ".join(f.value for f in removed) + "."))


async def following_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    follows = await ctx.services.store.follows.of_user(dm_target(ctx))
    if not follows:
        return Reply(Message(body="You follow nothing yet. Try /follow heat 2."))
    lines = tuple(
        f"{follow.kind.value}: {follow.value}"
        + (" (no reminders)" if follow.kind is FollowKind.FILM and not follow.reminders else "")
        for follow in follows
    )
    return Reply(Message(title=f"You follow ({len(follows)})", lines=lines))
