-- PostgreSQL's differences from migrations/sqlite/0001_foundation.sql (the
-- rule is in migrate.go, applyDifferences).

-- PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the audit table by trigger.
-- instead of: trigger audit_events_no_update, trigger audit_events_no_delete
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
