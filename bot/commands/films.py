"""The film commands: /when, /news, /film and /upcoming. They only state what sources say."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.commands.dispatch import CommandContext, error_reply
from bot.delivery.plan import KIND_LABELS
from bot.feeds.text import truncate
from bot.films.facts import describe_date
from bot.models import Message, Precision, Reply
from bot.store import FactRecord, FilmRecord, StoryRecord

QUERY_LIMIT = 200
STORY_LINES = 5


async def find_film(ctx: CommandContext, query: str) -> FilmRecord | Reply:
    """The film a user means, or a reply that says we don't know it (with 'did you mean')."""
    query = query.strip()
    shown = truncate(query, 80)
    if len(query) > QUERY_LIMIT:
        return error_reply(f"That is a long title ({len(query)} characters). Try a shorter one.")
    store = ctx.services.store
    film = await store.knowledge.film_by_title(query)
    if film is not None:
        return await store.knowledge.film(film.id) or film
    resolution = ctx.services.films.titles.resolve(query)
    if resolution.film_id is not None:
        found = await store.knowledge.film(resolution.film_id)
        if found is not None:
            return found
    if resolution.candidates:
        names = ", ".join(candidate.title for candidate in resolution.candidates[:3])
        return error_reply(f"I don't know a film called '{shown}'. Did you mean: {names}?")
    return Reply(Message(body=f"I have no news about '{shown}' yet."), ok=False)


def _fact_text(fact: FactRecord) -> str:
    when = describe_date(fact.release_date, fact.precision)
    details = [part for part in (fact.region, fact.medium) if part]
    text = when + (f" ({', '.join(details)})" if details else "")
    if (
        fact.words
        and fact.precision is not Precision.DAY
        and fact.words.lower() not in when.lower()
    ):
        text += f' — "{fact.words}"'
    return text


def _cite(outlet: str, moment_text: str) -> str:
    return f"per {outlet}, {moment_text}"


def _story_line(story: StoryRecord) -> str:
    outlets = ", ".join(dict.fromkeys(source.outlet for source in story.sources))
    # The local summary usually restates the headline; then the summary alone is enough.
    text = story.summary if story.title in story.summary else f"{story.title} — {story.summary}"
    return (
        f"{story.published:%d %b %Y} · {KIND_LABELS[story.kind]} · {truncate(text.strip(' —'), 200)}"
        + (f" ({outlets})" if outlets else "")
    )


def _status_line(film: FilmRecord) -> str | None:
    if not film.status:
        return None
    if not film.status_outlet or film.status_at is None:
        return f"Status: {film.status}."
    return f"Status: {film.status} ({film.status_outlet}, {film.status_at:%d %b %Y})."


def _history_lines(facts: Iterable[FactRecord]) -> list[str]:
    """'Moved from 12 June 2026 to 18 December 2026 (per Variety, 10 Nov 2025)', per region."""
    lines = []
    by_region: dict[str, list[FactRecord]] = {}
    for fact in facts:
        by_region.setdefault(fact.region, []).append(fact)
    for region, region_facts in by_region.items():
        for before, after in zip(region_facts, region_facts[1:], strict=False):
            where = f" [{region}]" if region else ""
            lines.append(
                f"Moved{where} from {describe_date(before.release_date, before.precision)} to "
                f"{describe_date(after.release_date, after.precision)} "
                f"({_cite(after.outlet, f'{after.stated_at:%d %b %Y}')})"
            )
    return lines


async def when_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    found = await find_film(ctx, args["film"])
    if isinstance(found, Reply):
        return found
    film = found
    knowledge = ctx.services.store.knowledge
    facts = await knowledge.facts(film.id)
    current = [fact for fact in facts if fact.superseded_at is None]
    if current:
        main = next((fact for fact in current if not fact.region), current[0])
        body = (
            f"{film.title}: {_fact_text(main)}. Source: {main.outlet}, {main.stated_at:%d %b %Y}."
        )
        others = [
            f"{fact.region or 'everywhere else'}: {_fact_text(fact)} "
            f"({_cite(fact.outlet, f'{fact.stated_at:%d %b %Y}')})"
            for fact in current
            if fact is not main
        ]
        return Reply(
            Message(
                title=f"When is {film.title} out?",
                url=main.url,
                body=body,
                lines=tuple(others + _history_lines(facts)),
            )
        )
    stories = await knowledge.stories(film_id=film.id, limit=3)
    status = _status_line(film)
    body = f"No release date announced yet for {film.title}."
    if status:
        body += f" {status}"
    latest_url = stories[0].sources[0].url if stories and stories[0].sources else ""
    return Reply(
        Message(
            title=f"When is {film.title} out?",
            url=latest_url,
            body=body,
            lines=tuple(_story_line(story) for story in stories),
            footer="Latest news about it above." if stories else "",
        )
    )


async def film_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    found = await find_film(ctx, args["film"])
    if isinstance(found, Reply):
        return found
    film = found
    knowledge = ctx.services.store.knowledge
    facts = await knowledge.facts(film.id)
    stories = await knowledge.stories(film_id=film.id, limit=STORY_LINES)
    lines: list[str] = []
    aliases = [alias for alias in film.aliases if alias != film.title]
    if aliases:
        lines.append("Also known as: " + ", ".join(aliases))
    status = _status_line(film)
    if status:
        lines.append(status)
    current = [fact for fact in facts if fact.superseded_at is None]
    if current:
        lines.extend(
            f"Release{f' [{f.region}]' if f.region else ''}: {_fact_text(f)} "
            f"({_cite(f.outlet, f'{f.stated_at:%d %b %Y}')})"
            for f in current
        )
    else:
        lines.append("Release: no date announced yet")
    lines.extend(_history_lines(facts))
    people: dict[str, str] = {}
    for story in stories:
        for person in story.people:
            if person.name not in people or (person.role and not people[person.name]):
                people[person.name] = person.role
    if people:
        lines.append(
            "People: "
            + ", ".join(f"{name} ({role})" if role else name for name, role in people.items())
        )
    lines.extend(_story_line(story) for story in stories)
    return Reply(Message(title=film.title, lines=tuple(lines)))


async def news_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    knowledge = ctx.services.store.knowledge
    if args.get("film"):
        found = await find_film(ctx, args["film"])
        if isinstance(found, Reply):
            return found
        stories = await knowledge.stories(film_id=found.id, limit=STORY_LINES)
        title = f"Latest news about {found.title}"
    else:
        stories = await knowledge.stories(limit=STORY_LINES)
        title = "Latest film news"
    if not stories:
        return Reply(
            Message(
                body="No stories stored yet. Feeds are polled in the background; try again soon."
            )
        )
    lines = []
    for story in stories:
        links = " ".join(f"<{source.url}>" for source in story.sources if source.url)
        lines.append(_story_line(story) + (f" {links}" if links else ""))
    return Reply(Message(title=title, lines=tuple(lines)))


async def upcoming_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    count = args.get("count", 10)
    today = ctx.services.clock().date()
    releases = await ctx.services.store.knowledge.upcoming(today, count)
    if not releases:
        return Reply(Message(body="No upcoming release dates known yet."))
    lines = tuple(
        f"{describe_date(fact.release_date, fact.precision)} · {title}"
        + (
            f" ({', '.join(p for p in (fact.region, fact.medium) if p)})"
            if fact.region or fact.medium
            else ""
        )
        + f" · {fact.outlet}"
        for title, fact in releases
    )
    return Reply(Message(title=f"Next {len(lines)} known releases", lines=lines))
