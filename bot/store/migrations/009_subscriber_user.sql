-- Who turned a channel's announcements on, as the platform's user id (created_by holds a
-- display name), so the deliverer can tell that person by direct message when it has to turn
-- them off. '' for subscriptions made before this, by configuration, or where the platform
-- has no people (console, webhooks): nobody is told.
ALTER TABLE channel_subscriptions ADD COLUMN created_by_user TEXT NOT NULL DEFAULT '';
