-- When each case can next have something due (notify.go): the sweep plans
-- only the cases whose instant has come, so that a sweep with nothing due
-- reads one index range, however many cases and escalations a deployment
-- holds. Triggers set a case back to 0 (plan it at the next sweep) in the
-- transaction that changes anything its rules read: the case, its
-- reviewers, its information requests, its findings and their recipients;
-- changes counts those resets, so that a sweep never writes an instant
-- planned from what a concurrent change replaced. The sweep's settings and
-- the users' changes (who is active in which role) are in sweep_settings: a
-- change to either plans every open case again.
CREATE TABLE sweep_due (
    case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    due_at  BIGINT NOT NULL DEFAULT 0,
    changes BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sweep_due_at ON sweep_due (due_at);
INSERT INTO sweep_due (case_id) SELECT id FROM cases;
CREATE TABLE sweep_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint   TEXT NOT NULL DEFAULT '',
    users_version BIGINT NOT NULL DEFAULT 0,
    planned_users BIGINT NOT NULL DEFAULT -1
);
INSERT INTO sweep_settings (id) VALUES (1);
CREATE TRIGGER sweep_cases_insert AFTER INSERT ON cases
    BEGIN INSERT INTO sweep_due (case_id) VALUES (NEW.id); END;
CREATE TRIGGER sweep_cases_update AFTER UPDATE ON cases
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.id; END;
CREATE TRIGGER sweep_reviewers_insert AFTER INSERT ON case_reviewers
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.case_id; END;
CREATE TRIGGER sweep_reviewers_delete AFTER DELETE ON case_reviewers
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = OLD.case_id; END;
CREATE TRIGGER sweep_requests_insert AFTER INSERT ON info_requests
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.case_id; END;
CREATE TRIGGER sweep_requests_update AFTER UPDATE ON info_requests
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.case_id; END;
CREATE TRIGGER sweep_requests_delete AFTER DELETE ON info_requests
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = OLD.case_id; END;
CREATE TRIGGER sweep_findings_insert AFTER INSERT ON findings
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.case_id; END;
CREATE TRIGGER sweep_findings_update AFTER UPDATE ON findings
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = NEW.case_id; END;
CREATE TRIGGER sweep_findings_delete AFTER DELETE ON findings
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = OLD.case_id; END;
CREATE TRIGGER sweep_recipients_insert AFTER INSERT ON finding_recipients
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1
        WHERE case_id = (SELECT case_id FROM findings WHERE findings.id = NEW.finding_id); END;
CREATE TRIGGER sweep_recipients_delete AFTER DELETE ON finding_recipients
    BEGIN UPDATE sweep_due SET due_at = 0, changes = changes + 1
        WHERE case_id = (SELECT case_id FROM findings WHERE findings.id = OLD.finding_id); END;
CREATE TRIGGER sweep_users_insert AFTER INSERT ON users
    BEGIN UPDATE sweep_settings SET users_version = users_version + 1; END;
CREATE TRIGGER sweep_users_update AFTER UPDATE ON users
    WHEN OLD.role IS NOT NEW.role OR OLD.disabled IS NOT NEW.disabled OR OLD.org_id IS NOT NEW.org_id
    BEGIN UPDATE sweep_settings SET users_version = users_version + 1; END;
CREATE TRIGGER sweep_users_delete AFTER DELETE ON users
    BEGIN UPDATE sweep_settings SET users_version = users_version + 1; END;
