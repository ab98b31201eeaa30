-- Webhooks an owner can pause, and rotate the secret of: disabled stops new
-- deliveries; after a rotation the previous secret (sealed as the current one
-- is) still signs each delivery beside the new one until previous_until, so
-- that a receiver can change its secret without dropping a message. An
-- endpoint's owners list its deliveries, newest first, by deliveries_of_target.
ALTER TABLE webhooks ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_until BIGINT;
CREATE INDEX deliveries_of_target ON deliveries(target_id, created_at, id);
