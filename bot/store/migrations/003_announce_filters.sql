-- What each announcing channel wants: every story (no filter), or only some kinds and/or
-- stories matching keywords or films. Empty means "no filter on this".
ALTER TABLE channel_subscriptions ADD COLUMN kinds TEXT NOT NULL DEFAULT '';     -- "delay,release_date"
ALTER TABLE channel_subscriptions ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]'; -- JSON list
