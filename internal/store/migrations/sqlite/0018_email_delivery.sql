-- How notifications reach each user by e-mail: each on its own, in a daily
-- digest, or none (a lapse is e-mailed whatever the choice).
ALTER TABLE users ADD COLUMN email_delivery TEXT NOT NULL DEFAULT 'each';

-- How each notification reaches its recipient by e-mail, decided when it is
-- made: each (on its own), digest (held for the recipient's next daily
-- digest) or none. The inbox shows every notification whatever its mail.
ALTER TABLE notifications ADD COLUMN mail TEXT NOT NULL DEFAULT 'each';

-- The notifications held for a digest, by when they were made; and each
-- recipient's digests by their instant, which tell what a digest carries
-- (what was held since the recipient's previous digest).
CREATE INDEX notifications_held ON notifications(created_at) WHERE mail = 'digest';
CREATE INDEX notifications_digests ON notifications(recipient_id, deadline_at) WHERE rule = 'digest.daily';
