-- Feeds: the ones from feeds.yaml (source 'config') and the ones added in chat (source 'chat'),
-- with everything a user needs to see why a feed is quiet.
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL COLLATE NOCASE UNIQUE,
    url                  TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('config', 'chat')),
    added_by             TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    retired_at           TEXT,              -- a config feed no longer in feeds.yaml; kept so its items stay seen
    etag                 TEXT,
    last_modified        TEXT,
    body_sha256          TEXT,
    polls                INTEGER NOT NULL DEFAULT 0,
    last_polled_at       TEXT,
    last_success_at      TEXT,
    last_error_at        TEXT,
    last_error_kind      TEXT,
    last_error           TEXT,
    last_outcome         TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    consecutive_404s     INTEGER NOT NULL DEFAULT 0,
    disabled_reason      TEXT,
    next_poll_at         TEXT
);

-- Every entry ever seen, once per feed. An item is the unit that is never lost.
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    url         TEXT NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    published   TEXT NOT NULL,
    authors     TEXT NOT NULL DEFAULT '[]',
    categories  TEXT NOT NULL DEFAULT '[]',
    fetched_at  TEXT NOT NULL,
    announced   INTEGER NOT NULL DEFAULT 0,  -- 1 when deliveries were planned for it
    UNIQUE (feed_id, key)
);
CREATE INDEX items_feed_url ON items (feed_id, url);
CREATE INDEX items_published ON items (published);

-- Channels that asked for announcements.
CREATE TABLE channel_subscriptions (
    id          INTEGER PRIMARY KEY,
    target      TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT ''
);

-- What must be sent, written in the same transaction as what caused it.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    target           TEXT NOT NULL,
    platform         TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    receipt          TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (status, platform, next_attempt_at);
