-- PostgreSQL's differences from migrations/sqlite/0017_second_factors.sql
-- (the rule is in migrate.go, applyDifferences): the rebuilt approvals table
-- takes back the constraint names it had, which PostgreSQL named after the
-- table they were made on (approvals_next).

-- instead of: index approvals_email
CREATE INDEX approvals_email ON approvals(email, status);
ALTER TABLE approvals RENAME CONSTRAINT approvals_next_pkey TO approvals_pkey;
ALTER TABLE approvals RENAME CONSTRAINT approvals_next_kind_check TO approvals_kind_check;
ALTER TABLE approvals RENAME CONSTRAINT approvals_next_status_check TO approvals_status_check;
ALTER TABLE approvals RENAME CONSTRAINT approvals_next_requested_by_fkey TO approvals_requested_by_fkey;
ALTER TABLE approvals RENAME CONSTRAINT approvals_next_decided_by_fkey TO approvals_decided_by_fkey;
