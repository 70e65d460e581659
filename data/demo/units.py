#!/usr/bin/env python3
"""Split two demo cities' figures over their county-level units (demonstration data).

韶关市 (440200) and 湛江市 (440800) report through their counties in the demo. This script reads
the city figures generate.py wrote (reports.csv, targets.csv) and writes unit_reports.csv and
unit_targets.csv: every city figure split over the city's units so that the units add up to it
exactly. Each unit has one fixed weight per indicator (random.Random(17)); every quarter's
increment and every annual target is split by those weights with largest remainders, so a
unit's cumulative figures never fall within a year. 韶关市 also reports its directly managed
figures as 440201 韶关市本级. The splits are SYNTHETIC. Python 3.11 standard library only.
"""

import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(17)

UNITS = {
    "440200": ["440201", "440203", "440204", "440205", "440222", "440224", "440229",
               "440232", "440233", "440281", "440282"],
    "440800": ["440802", "440803", "440804", "440811", "440823", "440825", "440881",
               "440882", "440883"],
}


def split(total, weights):
    """Largest-remainder split of an integer total proportionally to weights."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


reports = read("reports.csv")
targets = read("targets.csv")
indicators = list(dict.fromkeys(r["indicator"] for r in reports))
weights = {(city, ind): [rng.uniform(0.4, 1.6) for _ in units]
           for city, units in UNITS.items() for ind in indicators}

target_rows = []
for row in targets:
    city = row["region_code"]
    if city not in UNITS:
        continue
    for unit, v in zip(UNITS[city], split(int(row["target"]), weights[(city, row["indicator"])])):
        target_rows.append([unit, row["year"], row["indicator"], v])

unit_targets = {(r[0], r[1], r[2]): r[3] for r in target_rows}
DEFAULT_NOTES = {
    "rent_subsidy_households": "本县区补贴申请审核集中在下半年发放",
    "public_rental_starts": "本县区公租房项目前期手续尚在办理中",
    "public_rental_completions": "本县区公租房项目竣工验收尚未完成",
}


def is_behind(cum, target, q):
    """As generate.py: ten or more percentage points behind the time benchmark."""
    return target > 0 and 250 * q - (cum * 2000 + target) // (target * 2) >= 100


report_rows = []
previous = {}  # (city, year, indicator) -> (city cumulative, [unit cumulatives])
for row in reports:
    city = row["region_code"]
    if city not in UNITS:
        continue
    year = row["period"][:4]
    key = (city, year, row["indicator"])
    if row["cumulative"] == "":
        for unit in UNITS[city]:
            report_rows.append([unit, row["period"], row["indicator"], "", ""])
        continue
    cumulative = int(row["cumulative"])
    before, parts = previous.get(key, (0, [0] * len(UNITS[city])))
    increment = split(cumulative - before, weights[(city, row["indicator"])])
    parts = [p + i for p, i in zip(parts, increment)]
    previous[key] = (cumulative, parts)
    quarter = int(row["period"][-1])
    for unit, v in zip(UNITS[city], parts):
        # A unit behind its benchmark explains itself: with the city's note, or its own.
        target = unit_targets.get((unit, year, row["indicator"]))
        note = ""
        if target and is_behind(v, target, quarter):
            note = row["note"] or DEFAULT_NOTES.get(row["indicator"], "本县区征地拆迁协调难度大，正在加快推进")
        report_rows.append([unit, row["period"], row["indicator"], v, note])


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


write("unit_targets.csv", ["region_code", "year", "indicator", "target"], target_rows)
write("unit_reports.csv", ["region_code", "period", "indicator", "cumulative", "note"], report_rows)
