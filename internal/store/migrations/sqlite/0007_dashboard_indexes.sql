-- The dashboard's order, most urgent first, read from indexes (urgency.go):
-- open cases whose clock runs by deadline, open cases whose clock is stopped
-- by the time they had left when it stopped. Partial, so that each holds
-- only the cases it orders.
CREATE INDEX cases_running ON cases (deadline_key, id)
    WHERE status IN ('submitted', 'in_review', 'awaiting_lab') AND open_stop_at IS NULL;
CREATE INDEX cases_paused ON cases ((deadline_key - open_stop_at), id)
    WHERE status IN ('submitted', 'in_review', 'awaiting_lab') AND open_stop_at IS NOT NULL;
