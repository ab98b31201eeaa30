-- Evaluation evidence: the Inspect logs imported on a case. The log itself is
-- an attachment of kind eval_log; this row keeps what Docket read of its
-- header (never a sample). A case holds a run (eval_id, run_id) and a file
-- (its SHA-256) once: a second import is refused naming the first.
CREATE TABLE evaluations (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    attachment_id     TEXT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    file_name         TEXT NOT NULL,
    file_size         BIGINT NOT NULL,
    sha256            TEXT NOT NULL,
    format            TEXT NOT NULL CHECK (format IN ('eval', 'json')),
    task              TEXT NOT NULL,
    task_version      TEXT NOT NULL,
    task_args         TEXT NOT NULL,
    model             TEXT NOT NULL,
    eval_id           TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    created           TEXT NOT NULL,
    inspect_version   TEXT NOT NULL,
    total_samples     BIGINT NOT NULL,
    completed_samples BIGINT NOT NULL,
    scores            TEXT NOT NULL,
    run_by            TEXT NOT NULL CHECK (run_by IN ('lab', 'agency')),
    notes             TEXT NOT NULL DEFAULT '',
    imported_by       TEXT NOT NULL REFERENCES users(id),
    imported_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX evaluations_case_file ON evaluations(case_id, sha256);
CREATE INDEX evaluations_case_run ON evaluations(case_id, eval_id, run_id);
CREATE INDEX evaluations_case ON evaluations(case_id, imported_at, id);

-- A benchmark result an evaluation made names it and the log's hash (its
-- source); a result recorded by hand has neither.
ALTER TABLE benchmark_results ADD COLUMN evaluation_id TEXT REFERENCES evaluations(id) ON DELETE CASCADE;
ALTER TABLE benchmark_results ADD COLUMN log_sha256 TEXT;

-- Capability jumps between versions: since when an open case holds a result
-- at least two tiers above the same benchmark's latest on the line's previous
-- case (the same lab's case of the same model name received before it). The
-- sweep escalates to the case lead and every lead from then.
ALTER TABLE cases ADD COLUMN capability_jump_at BIGINT;
CREATE INDEX cases_capability_jump ON cases(capability_jump_at);
CREATE INDEX cases_line ON cases(org_id, model_name, received_at);

-- Risk acceptance expires: the date a risk acceptance ends (YYYY-MM-DD; ''
-- for a finding accepted before this rule, which keeps no expiry). At 00:00
-- agency time that day the sweep reopens the finding as shared.
ALTER TABLE findings ADD COLUMN accepted_until TEXT NOT NULL DEFAULT '';
CREATE INDEX findings_accepted_until ON findings(status, accepted_until);
