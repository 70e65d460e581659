-- What each write changed, one row per data version: caches drop only the periods whose figures
-- a write can change, and a cached progress table is updated along the changed regions'
-- ancestor paths instead of recomputed. Old rows are pruned; `changes_from` is the first version
-- whose change is still on file (a reader holding anything older computes afresh).
CREATE TABLE data_changes (
    version     INTEGER PRIMARY KEY,
    -- NULL: anything may have changed.
    year        INTEGER,
    -- NULL with a year: the whole year (a target).
    quarter     INTEGER CHECK (quarter IS NULL OR quarter BETWEEN 1 AND 4),
    region_code TEXT
);

INSERT INTO meta (key, value)
SELECT 'changes_from', CAST(CAST(value AS INTEGER) + 1 AS TEXT) FROM meta WHERE key = 'data_version';
