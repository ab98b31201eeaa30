-- PostgreSQL's differences from migrations/sqlite/0013_sweep_due.sql (the
-- rule is in migrate.go, applyDifferences): two trigger functions, one that
-- sets a case back to 0 and one that counts the users' changes.

-- instead of: trigger sweep_cases_insert, trigger sweep_cases_update, trigger sweep_reviewers_insert, trigger sweep_reviewers_delete, trigger sweep_requests_insert, trigger sweep_requests_update, trigger sweep_requests_delete, trigger sweep_findings_insert, trigger sweep_findings_update, trigger sweep_findings_delete, trigger sweep_recipients_insert, trigger sweep_recipients_delete, trigger sweep_users_insert, trigger sweep_users_update, trigger sweep_users_delete
CREATE FUNCTION sweep_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target text;
BEGIN
    IF TG_TABLE_NAME = 'cases' THEN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO sweep_due (case_id) VALUES (NEW.id);
            RETURN NULL;
        END IF;
        target := NEW.id;
    ELSIF TG_TABLE_NAME = 'finding_recipients' THEN
        IF TG_OP = 'DELETE' THEN
            SELECT case_id INTO target FROM findings WHERE findings.id = OLD.finding_id;
        ELSE
            SELECT case_id INTO target FROM findings WHERE findings.id = NEW.finding_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        target := OLD.case_id;
    ELSE
        target := NEW.case_id;
    END IF;
    UPDATE sweep_due SET due_at = 0, changes = changes + 1 WHERE case_id = target;
    RETURN NULL;
END $$;
CREATE FUNCTION sweep_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sweep_settings SET users_version = users_version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER sweep_cases AFTER INSERT OR UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION sweep_touch();
CREATE TRIGGER sweep_reviewers AFTER INSERT OR DELETE ON case_reviewers FOR EACH ROW EXECUTE FUNCTION sweep_touch();
CREATE TRIGGER sweep_requests AFTER INSERT OR UPDATE OR DELETE ON info_requests FOR EACH ROW EXECUTE FUNCTION sweep_touch();
CREATE TRIGGER sweep_findings AFTER INSERT OR UPDATE OR DELETE ON findings FOR EACH ROW EXECUTE FUNCTION sweep_touch();
CREATE TRIGGER sweep_recipients AFTER INSERT OR DELETE ON finding_recipients FOR EACH ROW EXECUTE FUNCTION sweep_touch();
CREATE TRIGGER sweep_users_change AFTER INSERT OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION sweep_users();
CREATE TRIGGER sweep_users_update AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION sweep_users();
