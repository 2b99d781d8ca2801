-- Delivery health: when a row went dead, how each target is doing, and announce configs the
-- deliverer turned off, so /status can show why something was not delivered.
ALTER TABLE outbox ADD COLUMN dead_at TEXT;
CREATE INDEX outbox_target_status ON outbox (target, status);
CREATE INDEX outbox_dead_at ON outbox (status, dead_at);

-- One row per target that has failed at least once; a successful send resets the streak.
CREATE TABLE delivery_targets (
    target                 TEXT PRIMARY KEY,   -- Target.key
    consecutive_permanent  INTEGER NOT NULL DEFAULT 0,
    last_error             TEXT,
    last_error_at          TEXT,
    last_sent_at           TEXT,
    blocked_until          TEXT                -- rate limited: nothing goes to it before this
);

-- A disabled subscription is kept (with its filter) so /status can say why; /announce here
-- enables it again, /announce off removes it.
ALTER TABLE channel_subscriptions ADD COLUMN disabled_at TEXT;
ALTER TABLE channel_subscriptions ADD COLUMN disabled_reason TEXT;
