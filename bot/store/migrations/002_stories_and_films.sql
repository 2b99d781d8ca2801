-- The knowledge base: films and their aliases, stories (one piece of news, several sources),
-- and release facts with provenance; a superseded fact stays as history.
CREATE TABLE films (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    norm             TEXT NOT NULL UNIQUE,      -- bot.films.normalise.normalise_title(title)
    status           TEXT NOT NULL DEFAULT '',  -- "planned as a feature, per Michael Mann"
    status_story_id  INTEGER,
    created_at       TEXT NOT NULL
);

CREATE TABLE film_aliases (
    norm     TEXT PRIMARY KEY,
    film_id  INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    alias    TEXT NOT NULL
);
CREATE INDEX film_aliases_film ON film_aliases (film_id);

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT '',
    main_film_id  INTEGER REFERENCES films (id),
    published     TEXT NOT NULL,               -- when the first source published it
    created_at    TEXT NOT NULL,
    people        TEXT NOT NULL DEFAULT '[]'   -- JSON [[name, role], ...]
);
CREATE INDEX stories_published ON stories (published);
CREATE INDEX stories_film_kind ON stories (main_film_id, kind, published);
CREATE INDEX stories_kind_published ON stories (kind, published);

CREATE TABLE story_sources (
    item_id    INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    outlet     TEXT NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    published  TEXT NOT NULL
);
CREATE INDEX story_sources_story ON story_sources (story_id);

CREATE TABLE story_films (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    film_id   INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (story_id, film_id)
);
CREATE INDEX story_films_film ON story_films (film_id, story_id);

CREATE TABLE release_facts (
    id             INTEGER PRIMARY KEY,
    film_id        INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    region         TEXT NOT NULL DEFAULT '',
    release_date   TEXT,                      -- ISO date: the first day of the period
    precision      TEXT NOT NULL,
    medium         TEXT NOT NULL DEFAULT '',
    words          TEXT NOT NULL,             -- the exact words of the source
    story_id       INTEGER REFERENCES stories (id) ON DELETE SET NULL,
    outlet         TEXT NOT NULL,
    url            TEXT NOT NULL,
    stated_at      TEXT NOT NULL,             -- when the source published it
    learned_at     TEXT NOT NULL,
    superseded_at  TEXT,
    superseded_by  INTEGER REFERENCES release_facts (id)
);
CREATE INDEX release_facts_film ON release_facts (film_id, region, superseded_at);
CREATE INDEX release_facts_upcoming ON release_facts (superseded_at, release_date);
