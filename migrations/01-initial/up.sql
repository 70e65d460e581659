-- The whole schema of anju. Timestamps are UTC, ISO 8601 with milliseconds.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- data_version is bumped by every write; pages and charts use it as their ETag.
INSERT INTO meta (key, value) VALUES ('data_version', '1'), ('demo', '0');

CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 6 AND code NOT GLOB '*[^0-9]*'),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('country', 'province', 'city', 'county')),
    parent_code TEXT REFERENCES regions (code)
) WITHOUT ROWID;

CREATE INDEX regions_by_parent ON regions (parent_code);

CREATE TABLE indicators (
    key        TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    unit       TEXT NOT NULL,
    has_target INTEGER NOT NULL CHECK (has_target IN (0, 1)),
    sort       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'admin', 'leader', 'analyst')),
    region_code   TEXT REFERENCES regions (code),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((role = 'officer') = (region_code IS NOT NULL))
);

CREATE TABLE targets (
    region_code TEXT NOT NULL REFERENCES regions (code),
    indicator   TEXT NOT NULL REFERENCES indicators (key),
    year        INTEGER NOT NULL,
    target      INTEGER NOT NULL CHECK (target BETWEEN 0 AND 1000000000000),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_by  INTEGER REFERENCES users (id),
    PRIMARY KEY (year, region_code, indicator)
) WITHOUT ROWID;

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    year          INTEGER NOT NULL,
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    created_by    INTEGER REFERENCES users (id),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_by    INTEGER REFERENCES users (id),
    submitted_at  TEXT,
    submitted_by  INTEGER REFERENCES users (id),
    approved_at   TEXT,
    approved_by   INTEGER REFERENCES users (id),
    admin_comment TEXT,
    UNIQUE (year, quarter, region_code)
);

CREATE INDEX reports_by_region ON reports (region_code, year, quarter);

CREATE TABLE report_values (
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    indicator  TEXT NOT NULL REFERENCES indicators (key),
    -- NULL is "not reported", which is not zero.
    cumulative INTEGER CHECK (cumulative IS NULL OR cumulative BETWEEN 0 AND 1000000000000),
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, indicator)
) WITHOUT ROWID;

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX login_failures_by_user ON login_failures (username, address, at);

-- Who changed what, when, from what to what. Append-only: see the triggers below.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user_id     INTEGER REFERENCES users (id),
    username    TEXT NOT NULL,
    action      TEXT NOT NULL,
    region_code TEXT,
    period      TEXT,
    indicator   TEXT,
    old_value   TEXT,
    new_value   TEXT,
    detail      TEXT
);

CREATE INDEX audit_by_region ON audit_log (region_code, period);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
