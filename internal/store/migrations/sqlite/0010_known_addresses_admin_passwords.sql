-- Sign-in: an address the account signed in from is known for a while, and
-- attempts from it are not held back by the account's slow-down (only by its
-- own lock), so that strangers guessing elsewhere cannot keep the owner out.
ALTER TABLE login_throttles ADD COLUMN known_until BIGINT NOT NULL DEFAULT 0;
-- Whether the user's current password was set by an administrator (at
-- creation or by a reset) and not changed by the user since: such an
-- account is not raised to a role that reads case content without a new password.
ALTER TABLE users ADD COLUMN password_by_admin BOOLEAN NOT NULL DEFAULT FALSE;
