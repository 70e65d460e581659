#!/bin/sh
# The yardstick for benches/export.rs: the progress rows of every period with data, read and
# written as CSV by the sqlite3 shell. Same 16 columns and row count as /export/history.csv;
# parents' roll-ups are not summed here (SQL would need a recursive query), so this is the
# cost of reading and formatting the rows, a lower bound for any export.
# Usage: sh benches/sqlite3-yardstick.sh DB > out.csv
set -eu
exec sqlite3 -csv -header "$1" <<'SQL'
SELECT g.code AS region_code, g.name_zh AS region_name, g.level, i.key AS indicator,
       i.name_zh AS indicator_name, i.unit, p.year, p.quarter,
       v.cumulative,
       CASE WHEN p.quarter = 1 THEN v.cumulative ELSE v.cumulative - pv.cumulative END AS quarter_increment,
       t.target,
       CASE WHEN t.target > 0 THEN round(v.cumulative * 100.0 / t.target, 1) END AS completion_rate,
       printf('%.1f', p.quarter * 25.0) AS time_progress,
       CASE WHEN t.target > 0 THEN round(v.cumulative * 100.0 / t.target - p.quarter * 25.0, 1) END AS gap_pp,
       CASE WHEN v.cumulative IS NULL THEN 'not_reported'
            WHEN t.target IS NULL OR t.target = 0 THEN 'no_target'
            WHEN v.cumulative * 100.0 / t.target >= p.quarter * 25.0 THEN 'on_track'
            WHEN v.cumulative * 100.0 / t.target > p.quarter * 25.0 - 10 THEN 'lagging'
            ELSE 'behind' END AS status,
       r.status AS report_status
FROM (SELECT DISTINCT year, quarter FROM reports) p
CROSS JOIN regions g
CROSS JOIN indicators i
LEFT JOIN reports r ON r.region_code = g.code AND r.year = p.year AND r.quarter = p.quarter
                   AND r.status IN ('submitted', 'approved')
LEFT JOIN report_values v ON v.report_id = r.id AND v.indicator = i.key
LEFT JOIN reports pr ON pr.region_code = g.code AND pr.year = p.year AND pr.quarter = p.quarter - 1
                    AND pr.status IN ('submitted', 'approved')
LEFT JOIN report_values pv ON pv.report_id = pr.id AND pv.indicator = i.key
LEFT JOIN targets t ON t.year = p.year AND t.region_code = g.code AND t.indicator = i.key
ORDER BY p.year, p.quarter, g.code, i.sort;
SQL
