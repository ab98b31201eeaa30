-- The dashboard's count of closed cases per organisation, kept by the
-- database as cases are decided or withdrawn (bands.go): counting them on
-- every read would be a pass over every case ever closed. The open ones are
-- counted from the partial indexes of 0007, which hold only open cases.
CREATE TABLE closed_counts (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    n      BIGINT NOT NULL
);
INSERT INTO closed_counts (org_id, n)
    SELECT org_id, COUNT(*) FROM cases WHERE status IN ('decided', 'withdrawn') GROUP BY org_id;
CREATE TRIGGER closed_counts_insert AFTER INSERT ON cases
    WHEN NEW.status IN ('decided', 'withdrawn')
    BEGIN INSERT INTO closed_counts (org_id, n) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER closed_counts_leave AFTER UPDATE OF status, org_id ON cases
    WHEN OLD.status IN ('decided', 'withdrawn') AND (NEW.status NOT IN ('decided', 'withdrawn') OR NEW.org_id <> OLD.org_id)
    BEGIN UPDATE closed_counts SET n = n - 1 WHERE org_id = OLD.org_id; END;
CREATE TRIGGER closed_counts_enter AFTER UPDATE OF status, org_id ON cases
    WHEN NEW.status IN ('decided', 'withdrawn') AND (OLD.status NOT IN ('decided', 'withdrawn') OR NEW.org_id <> OLD.org_id)
    BEGIN INSERT INTO closed_counts (org_id, n) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER closed_counts_delete AFTER DELETE ON cases
    WHEN OLD.status IN ('decided', 'withdrawn')
    BEGIN UPDATE closed_counts SET n = n - 1 WHERE org_id = OLD.org_id; END;
