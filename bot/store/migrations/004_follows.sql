-- What each person follows: a film, a person or a keyword. Followers get a direct message
-- for each new story about it, and (films, unless turned off) a reminder the day before release.
CREATE TABLE follows (
    id           INTEGER PRIMARY KEY,
    user_target  TEXT NOT NULL,   -- the Target key of the person's direct messages
    platform     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('film', 'person', 'keyword')),
    value        TEXT NOT NULL,   -- as shown: the film's title, the name, the keyword
    norm         TEXT NOT NULL,   -- film: normalised title; person and keyword: casefolded
    film_id      INTEGER REFERENCES films (id) ON DELETE CASCADE,
    reminders    INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    UNIQUE (user_target, kind, norm)
);
CREATE INDEX follows_film ON follows (film_id);
CREATE INDEX follows_kind_norm ON follows (kind, norm);

-- Reminders already planned, so a restart or a second check never plans one twice.
CREATE TABLE reminders_sent (
    fact_id      INTEGER NOT NULL REFERENCES release_facts (id) ON DELETE CASCADE,
    user_target  TEXT NOT NULL,
    planned_at   TEXT NOT NULL,
    PRIMARY KEY (fact_id, user_target)
);
