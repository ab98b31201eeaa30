-- PostgreSQL's differences from migrations/sqlite/0012_memo_versions.sql (the
-- rule is in migrate.go, applyDifferences): one trigger function moves the
-- versions, deferred to commit and once per transaction and column. At
-- commit the version row is the last lock a writer takes (after its rows
-- and the audit head), so writers meet on it in one order and never
-- deadlock over it; it is held only while the commit is written, as the
-- audit head already is.
--
-- memo_bump's arguments are the columns to move: "x" always, "x!" not for an
-- INSERT, "x?" (cases) unless the row was and stays a draft.

-- instead of: trigger memo_cases_insert, trigger memo_cases_update, trigger memo_cases_delete, trigger memo_reviewers_insert, trigger memo_reviewers_update, trigger memo_reviewers_delete, trigger memo_orgs_update, trigger memo_orgs_delete, trigger memo_users_update, trigger memo_users_delete, trigger memo_tokens_update, trigger memo_tokens_delete, trigger memo_attestations_insert, trigger memo_attestations_update, trigger memo_attestations_delete, trigger memo_findings_insert, trigger memo_findings_update, trigger memo_findings_delete, trigger memo_clearinghouse_insert, trigger memo_clearinghouse_update, trigger memo_clearinghouse_delete
CREATE FUNCTION memo_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    arg text;
    col text;
    done text := coalesce(current_setting('docket.memo_bumped', true), '');
BEGIN
    FOREACH arg IN ARRAY TG_ARGV LOOP
        col := rtrim(arg, '!?');
        IF right(arg, 1) = '!' AND TG_OP = 'INSERT' THEN
            CONTINUE;
        END IF;
        IF right(arg, 1) = '?' THEN
            IF TG_OP = 'INSERT' THEN
                IF NEW.status = 'draft' THEN CONTINUE; END IF;
            ELSIF TG_OP = 'DELETE' THEN
                IF OLD.status = 'draft' THEN CONTINUE; END IF;
            ELSIF OLD.status = 'draft' AND NEW.status = 'draft' THEN
                CONTINUE;
            END IF;
        END IF;
        IF position(',' || col || ',' IN done) = 0 THEN
            -- Static statements, whose plans plpgsql keeps: this runs in
            -- every writer's commit.
            CASE col
                WHEN 'accounts' THEN UPDATE memo_versions SET accounts = accounts + 1;
                WHEN 'cases' THEN UPDATE memo_versions SET cases = cases + 1;
                WHEN 'attests' THEN UPDATE memo_versions SET attests = attests + 1;
                WHEN 'board' THEN UPDATE memo_versions SET board = board + 1;
                WHEN 'findings' THEN UPDATE memo_versions SET findings = findings + 1;
                WHEN 'clearinghouse' THEN UPDATE memo_versions SET clearinghouse = clearinghouse + 1;
            END CASE;
            done := done || ',' || col || ',';
        END IF;
    END LOOP;
    PERFORM set_config('docket.memo_bumped', done, true);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER memo_cases AFTER INSERT OR UPDATE OR DELETE ON cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('cases!', 'board?');
CREATE CONSTRAINT TRIGGER memo_reviewers AFTER INSERT OR UPDATE OR DELETE ON case_reviewers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('cases', 'board');
CREATE CONSTRAINT TRIGGER memo_orgs AFTER UPDATE OR DELETE ON orgs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('accounts', 'cases', 'board');
CREATE CONSTRAINT TRIGGER memo_users AFTER UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('accounts');
CREATE CONSTRAINT TRIGGER memo_tokens AFTER UPDATE OR DELETE ON tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('accounts');
CREATE CONSTRAINT TRIGGER memo_attestations AFTER INSERT OR UPDATE OR DELETE ON attestations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('attests');
CREATE CONSTRAINT TRIGGER memo_findings AFTER INSERT OR UPDATE OR DELETE ON findings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('findings');
CREATE CONSTRAINT TRIGGER memo_clearinghouse AFTER INSERT OR UPDATE OR DELETE ON clearinghouse_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION memo_bump('clearinghouse');
