-- Who reports a city's figures: the city itself ('self', as before) or its county-level units
-- ('units'), whose sum is then the city's figure. Counties of a city that reports as itself
-- are kept in the catalogue but take no part in reporting.

ALTER TABLE regions ADD COLUMN reported_by TEXT NOT NULL DEFAULT 'self'
    CHECK (reported_by IN ('self', 'units'));

-- Admins, leaders and analysts may be bound to a city (its subtree) instead of the whole
-- province: scope_code. An officer's region stays in region_code (a county or a city).
ALTER TABLE users ADD COLUMN scope_code TEXT REFERENCES regions (code)
    CHECK (scope_code IS NULL OR role != 'officer');

-- Why a unit has no approved report when its city's consolidated report went up without it,
-- as the city admin recorded it.
CREATE TABLE missing_reasons (
    region_code TEXT NOT NULL REFERENCES regions (code),
    year        INTEGER NOT NULL,
    quarter     INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    reason      TEXT NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    recorded_by INTEGER REFERENCES users (id),
    PRIMARY KEY (year, quarter, region_code)
) WITHOUT ROWID;
