-- Audit rows about drafts (their values, notes and status changes) are private to the region's
-- officers and the province. Whether an older value or note was written in a draft cannot be
-- told afterwards, so those rows are kept private; readers of counted figures see every later
-- submission and approval.

ALTER TABLE audit_log ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1));

DROP TRIGGER audit_log_no_update;

UPDATE audit_log SET private = 1
WHERE action IN ('value', 'note')
   OR (action = 'status' AND new_value IN ('draft', 'returned'));

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
