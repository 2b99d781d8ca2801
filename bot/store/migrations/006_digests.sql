-- Digests: targets (a person's DMs or a channel) that get one message a day listing the
-- stories, instead of one message per story; stories wait in the queue until then.
CREATE TABLE digest_settings (
    target      TEXT PRIMARY KEY,
    mode        TEXT NOT NULL CHECK (mode IN ('daily')),
    created_at  TEXT NOT NULL
);

CREATE TABLE digest_queue (
    target     TEXT NOT NULL,
    story_key  TEXT NOT NULL,      -- the idempotency key the story would have been sent under
    payload    TEXT NOT NULL,      -- the story's Message as JSON
    queued_at  TEXT NOT NULL,
    PRIMARY KEY (target, story_key)
);
