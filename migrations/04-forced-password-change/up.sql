-- A password an admin set in the web UI is the admin's, not the user's: the user must choose a
-- new one at their next sign-in.

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
