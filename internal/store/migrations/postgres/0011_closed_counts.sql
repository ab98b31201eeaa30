-- PostgreSQL's differences from migrations/sqlite/0011_closed_counts.sql (the
-- rule is in migrate.go, applyDifferences): one trigger function keeps the
-- counts, called by the same four triggers.

-- instead of: trigger closed_counts_insert, trigger closed_counts_leave, trigger closed_counts_enter, trigger closed_counts_delete
CREATE FUNCTION closed_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('decided', 'withdrawn') AND (TG_OP = 'DELETE' OR NEW.status NOT IN ('decided', 'withdrawn') OR NEW.org_id <> OLD.org_id) THEN UPDATE closed_counts SET n = n - 1 WHERE org_id = OLD.org_id; END IF; IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('decided', 'withdrawn') AND (TG_OP = 'INSERT' OR OLD.status NOT IN ('decided', 'withdrawn') OR NEW.org_id <> OLD.org_id) THEN INSERT INTO closed_counts (org_id, n) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET n = closed_counts.n + 1; END IF; RETURN NULL; END $$;
CREATE TRIGGER closed_counts_insert AFTER INSERT ON cases FOR EACH ROW WHEN (NEW.status IN ('decided', 'withdrawn')) EXECUTE FUNCTION closed_counts_keep();
CREATE TRIGGER closed_counts_update AFTER UPDATE OF status, org_id ON cases FOR EACH ROW EXECUTE FUNCTION closed_counts_keep();
CREATE TRIGGER closed_counts_delete AFTER DELETE ON cases FOR EACH ROW WHEN (OLD.status IN ('decided', 'withdrawn')) EXECUTE FUNCTION closed_counts_keep();
