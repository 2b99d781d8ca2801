"""The film knowledge base in SQL: films and aliases, stories with their sources, release facts.

Writes happen inside the ingest transaction (bot/store/ingest.py) through the
functions taking a connection; reads go through KnowledgeStore.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.films.facts import Statement, Verdict, judge
from bot.films.normalise import normalise_title
from bot.models import Person, Precision, ReleaseMention, StoryKind
from bot.store.db import Database
from bot.store.timefmt import from_db, to_db


@dataclass(frozen=True, slots=True)
class FilmRecord:
    id: int
    title: str
    status: str
    status_story_id: int | None = None
    aliases: tuple[str, ...] = ()
    status_outlet: str = ""
    status_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FactRecord:
    id: int
    film_id: int
    region: str
    release_date: date | None
    precision: Precision
    medium: str
    words: str
    outlet: str
    url: str
    stated_at: datetime
    learned_at: datetime
    superseded_at: datetime | None


@dataclass(frozen=True, slots=True)
class SourceRecord:
    outlet: str
    url: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class StoryRecord:
    id: int
    kind: StoryKind
    title: str
    summary: str
    status: str
    published: datetime
    main_film: str | None
    people: tuple[Person, ...]
    sources: tuple[SourceRecord, ...]


# Writing, inside a transaction the caller holds


async def film_id_for(
    conn: aiosqlite.Connection, title: str, now: datetime
) -> tuple[int, bool] | None:
    """The film a title names and whether it was created now; None for a title with no words."""
    norm = normalise_title(title)
    if not norm:
        return None
    async with conn.execute("SELECT film_id FROM film_aliases WHERE norm = ?", (norm,)) as cursor:
        row = await cursor.fetchone()
    if row is not None:
        return int(row[0]), False
    cursor = await conn.execute(
        "INSERT INTO films (title, norm, created_at) VALUES (?, ?, ?)", (title, norm, to_db(now))
    )
    film_id = cursor.lastrowid
    assert film_id is not None
    await conn.execute(
        "INSERT INTO film_aliases (norm, film_id, alias) VALUES (?, ?, ?)", (norm, film_id, title)
    )
    return film_id, True


async def recent_stories(
    conn: aiosqlite.Connection,
    *,
    main_film_id: int | None,
    kind: StoryKind,
    since: datetime,
    until: datetime,
) -> list[tuple[int, str, frozenset[str]]]:
    """(id, title, people's names) of the stories a new item might be one more source of."""
    if main_film_id is None:
        query = (
            "SELECT id, title, people FROM stories WHERE main_film_id IS NULL AND kind = ? "
            "AND published BETWEEN ? AND ? ORDER BY published DESC LIMIT 200"
        )
        params: tuple[object, ...] = (kind.value, to_db(since), to_db(until))
    else:
        query = (
            "SELECT id, title, people FROM stories WHERE main_film_id = ? AND kind = ? "
            "AND published BETWEEN ? AND ? ORDER BY published DESC LIMIT 50"
        )
        params = (main_film_id, kind.value, to_db(since), to_db(until))
    async with conn.execute(query, params) as cursor:
        return [
            (int(row[0]), row[1], frozenset(name for name, _ in json.loads(row[2])))
            for row in await cursor.fetchall()
        ]


async def insert_story(
    conn: aiosqlite.Connection,
    *,
    kind: StoryKind,
    title: str,
    summary: str,
    status: str,
    film_ids: list[int],
    people: tuple[Person, ...],
    published: datetime,
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO stories (kind, title, summary, status, main_film_id, published, created_at, "
        "people) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            title,
            summary,
            status,
            film_ids[0] if film_ids else None,
            to_db(published),
            to_db(now),
            json.dumps([[p.name, p.role] for p in people]),
        ),
    )
    story_id = cursor.lastrowid
    assert story_id is not None
    await conn.executemany(
        "INSERT OR IGNORE INTO story_films (story_id, film_id, position) VALUES (?, ?, ?)",
        [(story_id, film_id, position) for position, film_id in enumerate(film_ids)],
    )
    return story_id


async def add_source(
    conn: aiosqlite.Connection,
    *,
    story_id: int,
    item_id: int,
    outlet: str,
    url: str,
    title: str,
    published: datetime,
) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO story_sources (item_id, story_id, outlet, url, title, published) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (item_id, story_id, outlet, url, title, to_db(published)),
    )


async def record_release(
    conn: aiosqlite.Connection,
    *,
    film_id: int,
    mention: ReleaseMention,
    story_id: int,
    outlet: str,
    url: str,
    stated_at: datetime,
    now: datetime,
) -> Verdict:
    async with conn.execute(
        "SELECT id, release_date, precision, stated_at FROM release_facts "
        "WHERE film_id = ? AND region = ? AND superseded_at IS NULL",
        (film_id, mention.region),
    ) as cursor:
        row = await cursor.fetchone()
    current = (
        Statement(_date(row[1]), Precision(row[2]), _moment(row[3])) if row is not None else None
    )
    verdict = judge(current, Statement(mention.date, mention.precision, stated_at))
    if verdict is Verdict.REDUNDANT:
        return verdict
    cursor = await conn.execute(
        "INSERT INTO release_facts (film_id, region, release_date, precision, medium, words, "
        "story_id, outlet, url, stated_at, learned_at, superseded_at, superseded_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            film_id,
            mention.region,
            mention.date.isoformat() if mention.date else None,
            mention.precision.value,
            mention.medium,
            mention.words,
            story_id,
            outlet,
            url,
            to_db(stated_at),
            to_db(now),
            to_db(now) if verdict is Verdict.HISTORY else None,
            row[0] if verdict is Verdict.HISTORY and row is not None else None,
        ),
    )
    if verdict is Verdict.CURRENT and row is not None:
        await conn.execute(
            "UPDATE release_facts SET superseded_at = ?, superseded_by = ? WHERE id = ?",
            (to_db(now), cursor.lastrowid, row[0]),
        )
    return verdict


async def set_status(
    conn: aiosqlite.Connection,
    *,
    film_id: int,
    status: str,
    story_id: int,
    outlet: str,
    published: datetime,
) -> None:
    """The newest item that states a status sets it, and is the one cited for it."""
    await conn.execute(
        "UPDATE films SET status = ?, status_story_id = ?, status_outlet = ?, status_at = ? "
        "WHERE id = ? AND (status_at IS NULL OR status_at <= ?)",
        (status, story_id, outlet, to_db(published), film_id, to_db(published)),
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _moment(text: str) -> datetime:
    moment = from_db(text)
    assert moment is not None
    return moment


# Reading

_FACT_FIELDS = (
    "id", "film_id", "region", "release_date", "precision", "medium", "words", "outlet", "url",
    "stated_at", "learned_at", "superseded_at",
)  # fmt: skip
_FACT_COLUMNS = ", ".join(_FACT_FIELDS)


def _fact(row: aiosqlite.Row | tuple) -> FactRecord:  # type: ignore[type-arg]
    return FactRecord(
        id=row[0],
        film_id=row[1],
        region=row[2],
        release_date=_date(row[3]),
        precision=Precision(row[4]),
        medium=row[5],
        words=row[6],
        outlet=row[7],
        url=row[8],
        stated_at=_moment(row[9]),
        learned_at=_moment(row[10]),
        superseded_at=from_db(row[11]),
    )


class KnowledgeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def film_by_title(self, title: str) -> FilmRecord | None:
        """Exact match on the normal form of a title or alias: the fast path of resolution."""
        norm = normalise_title(title)
        if not norm:
            return None
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT f.id, f.title, f.status, f.status_story_id FROM film_aliases a "
                "JOIN films f ON f.id = a.film_id WHERE a.norm = ?",
                (norm,),
            ) as cursor:
                row = await cursor.fetchone()
        return FilmRecord(row[0], row[1], row[2], row[3]) if row else None

    async def film(self, film_id: int) -> FilmRecord | None:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT id, title, status, status_story_id, status_outlet, status_at FROM films "
                "WHERE id = ?",
                (film_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            async with conn.execute(
                "SELECT alias FROM film_aliases WHERE film_id = ? ORDER BY alias", (film_id,)
            ) as cursor:
                aliases = tuple(r[0] for r in await cursor.fetchall())
        return FilmRecord(row[0], row[1], row[2], row[3], aliases, row[4], from_db(row[5]))

    async def all_titles(self) -> list[tuple[int, str, list[str]]]:
        """Every film with its aliases: what the in-memory title indexes are built from."""
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT f.id, f.title, a.alias FROM films f JOIN film_aliases a ON a.film_id = f.id "
                "ORDER BY f.id"
            ) as cursor:
                rows = await cursor.fetchall()
        films: dict[int, tuple[str, list[str]]] = {}
        for film_id, title, alias in rows:
            films.setdefault(film_id, (title, []))[1].append(alias)
        return [(film_id, title, aliases) for film_id, (title, aliases) in films.items()]

    async def facts(self, film_id: int) -> list[FactRecord]:
        """Every release fact of a film, current and superseded, oldest statement first."""
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT {_FACT_COLUMNS} FROM release_facts WHERE film_id = ? "
                "ORDER BY stated_at, id",
                (film_id,),
            ) as cursor:
                return [_fact(row) for row in await cursor.fetchall()]

    async def upcoming(self, today: date, limit: int) -> list[tuple[str, FactRecord]]:
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT f.title, {', '.join('r.' + field for field in _FACT_FIELDS)} "
                "FROM release_facts r JOIN films f ON f.id = r.film_id "
                "WHERE r.superseded_at IS NULL AND r.release_date >= ? "
                "ORDER BY r.release_date, f.title LIMIT ?",
                (today.isoformat(), limit),
            ) as cursor:
                rows = await cursor.fetchall()
        return [(row[0], _fact(row[1:])) for row in rows]

    async def stories(self, *, film_id: int | None = None, limit: int = 10) -> list[StoryRecord]:
        """The latest stories, newest first; about one film (any position) when film_id is given."""
        if film_id is None:
            query = (
                "SELECT s.id FROM stories s WHERE s.kind != 'not_film' "
                "ORDER BY s.published DESC, s.id DESC LIMIT ?"
            )
            params: tuple[object, ...] = (limit,)
        else:
            query = (
                "SELECT s.id FROM story_films sf JOIN stories s ON s.id = sf.story_id "
                "WHERE sf.film_id = ? ORDER BY s.published DESC, s.id DESC LIMIT ?"
            )
            params = (film_id, limit)
        async with self._db.reading() as conn:
            async with conn.execute(query, params) as cursor:
                ids = [row[0] for row in await cursor.fetchall()]
            return [await _story(conn, story_id) for story_id in ids]

    async def story(self, story_id: int) -> StoryRecord | None:
        async with self._db.reading() as conn:
            async with conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)) as cursor:
                if await cursor.fetchone() is None:
                    return None
            return await _story(conn, story_id)

    async def counts(self) -> dict[str, int]:
        async with self._db.reading() as conn:
            result = {}
            for table in ("films", "stories", "story_sources", "release_facts"):
                async with conn.execute(f"SELECT COUNT(*) FROM {table}") as cursor:  # noqa: S608
                    row = await cursor.fetchone()
                result[table] = int(row[0]) if row else 0
        return result


async def _story(conn: aiosqlite.Connection, story_id: int) -> StoryRecord:
    async with conn.execute(
        "SELECT s.id, s.kind, s.title, s.summary, s.status, s.published, f.title, s.people "
        "FROM stories s LEFT JOIN films f ON f.id = s.main_film_id WHERE s.id = ?",
        (story_id,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    async with conn.execute(
        "SELECT outlet, url, title, published FROM story_sources WHERE story_id = ? "
        "ORDER BY published, item_id",
        (story_id,),
    ) as cursor:
        sources = tuple(
            SourceRecord(r[0], r[1], r[2], _moment(r[3])) for r in await cursor.fetchall()
        )
    return StoryRecord(
        id=row[0],
        kind=StoryKind(row[1]),
        title=row[2],
        summary=row[3],
        status=row[4],
        published=_moment(row[5]),
        main_film=row[6],
        people=tuple(Person(name, role) for name, role in json.loads(row[7])),
        sources=sources,
    )
