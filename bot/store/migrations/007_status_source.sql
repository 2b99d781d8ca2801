-- Which outlet stated a film's status, and when: /when cites that item, not the story's first.
ALTER TABLE films ADD COLUMN status_outlet TEXT NOT NULL DEFAULT '';
ALTER TABLE films ADD COLUMN status_at TEXT;
