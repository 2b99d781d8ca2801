"""/digest daily|off [channel]: one message a day instead of one per story."""

from __future__ import annotations

from typing import Any

from bot.commands.dispatch import CommandContext, error_reply
from bot.commands.follow import dm_target
from bot.models import Message, Reply, Visibility

USAGE = "/digest daily|off [channel]"


async def digest_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    mode = args["mode"].lower()
    if mode not in ("daily", "off"):
        return error_reply(f"'{mode[:20]}' is not a digest mode: daily or off.", USAGE)
    where = args.get("where", "").lower()
    if where not in ("", "channel", "me"):
        return error_reply("Say 'channel' for this channel, or nothing for your DMs.", USAGE)
    here = ctx.invocation.target
    if where == "channel":
        if not ctx.invocation.can_manage:
            return error_reply(
                "Only people who can manage this server or workspace may change a channel's digest."
            )
        if here.user or not here.channel:
            return error_reply("Run /digest daily channel in the channel itself.")
        target, whose = here, "This channel"
    else:
        target, whose = dm_target(ctx), "You"
    daily = mode == "daily"
    changed = await ctx.services.store.digests.set_daily(target, daily, ctx.services.clock())
    if daily:
        text = f"{whose} will get one message a day listing the new stories."
    else:
        text = f"{whose} will get each story as it comes."
        if changed:
            text += " Stories that were waiting for the digest are on their way."
    if not changed:
        text = "Nothing changed: " + text[0].lower() + text[1:]
    visibility = Visibility.PUBLIC if where == "channel" else Visibility.PRIVATE
    return Reply(Message(body=text), visibility=visibility)
