-- Follower messages of a story are expanded in batches after the story is stored: ingest
-- writes one fan-out row in its transaction, the delivery loop turns it into outbox rows
-- a batch at a time (each batch in its own transaction, progress kept here).
CREATE TABLE fanouts (
    story_id        INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    payload         TEXT NOT NULL,              -- the story's Message as JSON
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    film_ids        TEXT NOT NULL DEFAULT '[]', -- JSON
    films           TEXT NOT NULL DEFAULT '[]', -- JSON canonical titles
    people          TEXT NOT NULL DEFAULT '[]', -- JSON [[name, role], ...]
    last_follow_id  INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX fanouts_pending ON fanouts (done, story_id);
