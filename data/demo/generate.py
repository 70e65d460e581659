#!/usr/bin/env python3
"""Generate the anju demonstration dataset (targets, reports, statuses).

The city-level splits, the 2019 and 2021 figures, and every quarter except
the 2020 province totals are SYNTHETIC demonstration data. Only the 2020
province totals are published figures: the annual targets (shantytown starts
10918, shantytown completions 10813, public rental completions 751, rent
subsidies 25140 households) and the 2020Q1 progress (7899 / 3734 / 19911;
rent relief 140000 households, 326000000 yuan). The 3734 basic completions
(308,247.65 m2) are the department's figure as 广州日报 reported it on
21 April 2020. The 21 cities' values add up to exactly these totals.

Deterministic: Python 3.11 standard library only, fixed seed random.Random(2020).
Writes targets.csv, reports.csv and statuses.csv next to this script.
"""

import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2020)

# (code, base weight for housing construction, base weight for rent subsidies)
CITIES = [
    ("440100", 16, 20), ("440200", 5, 3), ("440300", 11, 18), ("440400", 3, 3),
    ("440500", 5, 4), ("440600", 9, 9), ("440700", 4, 3), ("440800", 6, 4),
    ("440900", 5, 3), ("441200", 4, 3), ("441300", 6, 5), ("441400", 4, 2),
    ("441500", 2, 1.5), ("441600", 3, 2), ("441700", 3, 2), ("441800", 4, 2.5),
    ("441900", 8, 9), ("442000", 4, 4), ("445100", 2, 1.5), ("445200", 4, 2.5),
    ("445300", 2, 1.2),
]
CODES = [c for c, _, _ in CITIES]
YEARS = [2019, 2020, 2021]
INDICATORS = [
    "shantytown_starts", "shantytown_completions", "public_rental_starts",
    "public_rental_completions", "rent_subsidy_households",
    "rent_relief_households", "rent_relief_amount",
]
TARGETED = INDICATORS[:5]
RELIEF_CITIES = ["440100", "440200", "440300", "440600", "441300"]
MISSING = ("445300", "2021Q4")  # Yunfu never filed its 2021Q4 report

# Annual province totals (the 2020 ones are published figures).
TOTALS = {
    2019: {"shantytown_starts": 12560, "shantytown_completions": 11940,
           "public_rental_starts": 420, "public_rental_completions": 878,
           "rent_subsidy_households": 26830},
    2020: {"shantytown_starts": 10918, "shantytown_completions": 10813,
           "public_rental_completions": 751, "rent_subsidy_households": 25140},
    2021: {"shantytown_starts": 9760, "shantytown_completions": 10240,
           "public_rental_starts": 305, "public_rental_completions": 642,
           "rent_subsidy_households": 23480},
}
# 2020Q1 province sums (published).
Q1_2020 = {"shantytown_starts": 7899, "shantytown_completions": 3734,
           "rent_subsidy_households": 19911}
RELIEF_Q1_2020 = {"rent_relief_households": 140000,
                  "rent_relief_amount": 326000000}

# Cities pushed behind the time benchmark: (city, year, indicator, quarter) -> rate.
FORCED = {
    ("441400", 2020, "shantytown_starts", 2): 0.33,
    ("441500", 2020, "shantytown_starts", 2): 0.36,
    ("445200", 2020, "shantytown_starts", 2): 0.31,
    ("440800", 2020, "shantytown_completions", 2): 0.27,
    ("441600", 2020, "shantytown_completions", 2): 0.34,
    ("445100", 2020, "shantytown_completions", 2): 0.30,
    ("440900", 2021, "shantytown_completions", 3): 0.52,
    ("441700", 2021, "shantytown_completions", 3): 0.58,
    ("441800", 2021, "shantytown_completions", 3): 0.55,
    ("440500", 2021, "shantytown_completions", 3): 0.49,
    ("441200", 2021, "public_rental_completions", 3): 0.45,
    ("441400", 2021, "public_rental_completions", 3): 0.50,
    ("440700", 2019, "rent_subsidy_households", 3): 0.57,
    ("441600", 2019, "shantytown_starts", 4): 0.84,
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


def rate_key(cum, target):
    """Completion rate in per mille, half up (SPEC section 3)."""
    return (cum * 2000 + target) // (target * 2)


def is_behind(cum, target, q):
    return target > 0 and 250 * q - rate_key(cum, target) >= 100


# ---------------------------------------------------------------- targets
targets = {}  # (city, year, ind) -> int
for year in YEARS:
    for ind in TARGETED:
        total = TOTALS[year].get(ind)
        if total is None:
            continue
        col = 2 if ind == "rent_subsidy_households" else 1
        weights = []
        for row in CITIES:
            w = row[col] * rng.uniform(0.75, 1.25)
            weights.append(w)
        if ind == "public_rental_starts":
            chosen = set(rng.sample(CODES, 7))
            weights = [w if c in chosen else 0 for c, w in zip(CODES, weights)]
        elif ind == "public_rental_completions":
            small = [c for c in CODES
                     if c not in ("440100", "440300", "440600", "441900")]
            zeros = set(rng.sample(small, 2 if year == 2020 else 1))
            weights = [0 if c in zeros else w for c, w in zip(CODES, weights)]
        for c, v in zip(CODES, split(total, weights)):
            if ind == "public_rental_starts" and v == 0:
                continue  # no target set for this city
            targets[(c, year, ind)] = v

# ---------------------------------------------------------------- reports
values = {}  # (city, year, ind) -> [q1, q2, q3, q4] (None = not reported)

Q1_RANGE = {
    (2020, "shantytown_starts"): (0.55, 0.95),
    (2020, "shantytown_completions"): (0.20, 0.50),
    (2020, "rent_subsidy_households"): (0.65, 0.95),
}


def curve(year, ind, city, target):
    lo, hi = Q1_RANGE.get((year, ind), (0.18, 0.70))
    r1 = rng.uniform(lo, hi)
    r4 = max(r1, rng.uniform(0.96, 1.13))
    r2 = r1 + (r4 - r1) * rng.uniform(0.30, 0.65)
    r3 = r2 + (r4 - r2) * rng.uniform(0.45, 0.80)
    r = [r1, r2, r3, r4]
    for (fc, fy, fi, fq), x in FORCED.items():
        if (fc, fy, fi) == (city, year, ind):
            r[fq - 1] = x
            for j in range(fq - 2, -1, -1):
                r[j] = min(r[j], r[j + 1] * rng.uniform(0.55, 0.92))
    cap = target * 3 // 2
    out, prev = [], 0
    for x in r:
        v = min(cap, max(prev, round(target * x)))
        out.append(v)
        prev = v
    return out


for year in YEARS:
    for ind in TARGETED:
        for c in CODES:
            t = targets.get((c, year, ind))
            if t is None:
                if ind == "public_rental_starts":
                    if year == 2020:
                        # no 2020 target: a few cities still report small starts
                        if rng.random() < 0.3:
                            a = rng.randint(0, 40)
                            b = a + rng.randint(0, 60)
                            cc = b + rng.randint(0, 60)
                            values[(c, year, ind)] = [a, b, cc, cc + rng.randint(0, 40)]
                        else:
                            values[(c, year, ind)] = [None] * 4
                    else:
                        values[(c, year, ind)] = [0, 0, 0, 0]
                continue
            if t == 0:
                values[(c, year, ind)] = [0, 0, 0, 0]
                continue
            values[(c, year, ind)] = curve(year, ind, c, t)

# Make the 2020Q1 city values add up exactly to the published province sums,
# adjusting only cities that are not deliberately held behind.
forced_2020 = {(fc, fi) for (fc, fy, fi, fq) in FORCED if fy == 2020}
for ind, goal in Q1_2020.items():
    free = [c for c in CODES if (c, ind) not in forced_2020]
    diff = goal - sum(values[(c, 2020, ind)][0] for c in CODES)
    step = 1 if diff > 0 else -1
    while diff:
        moved = False
        for c in sorted(free, key=lambda c: -targets[(c, 2020, ind)]):
            if not diff:
                break
            v = values[(c, 2020, ind)]
            t = targets[(c, 2020, ind)]
            share = max(1, abs(diff) * t // sum(targets[(x, 2020, ind)] for x in free))
            share = min(share, abs(diff))
            room = (t * 3 // 2 - v[0]) if step > 0 else v[0]
            d = min(share, room)
            if d > 0:
                v[0] += step * d
                diff -= step * d
                moved = True
        if not moved:
            raise SystemExit(f"cannot reach 2020Q1 sum for {ind}")
    for c in CODES:
        v = values[(c, 2020, ind)]
        for j in range(1, 4):
            v[j] = max(v[j], v[j - 1])

# Rent relief (no targets): only five cities report, cumulative within the year.
hh_w = {"440100": 5.2, "440200": 0.9, "440300": 4.6, "440600": 2.3, "441300": 1.1}
per_hh = {"440100": 2600, "440200": 1300, "440300": 2900, "440600": 1900, "441300": 1500}
hh_q1 = split(RELIEF_Q1_2020["rent_relief_households"], [hh_w[c] for c in RELIEF_CITIES])
amt_q1 = split(RELIEF_Q1_2020["rent_relief_amount"],
               [h * per_hh[c] * rng.uniform(0.9, 1.1) for c, h in zip(RELIEF_CITIES, hh_q1)])
for c in CODES:
    for year in YEARS:
        for ind in ("rent_relief_households", "rent_relief_amount"):
            values[(c, year, ind)] = [None] * 4
for c, h, a in zip(RELIEF_CITIES, hh_q1, amt_q1):
    for year, base_h, base_a in ((2020, h, a),
                                 (2021, round(h * rng.uniform(0.25, 0.40)), None)):
        hs, amts = [base_h], []
        for _ in range(3):
            hs.append(hs[-1] + round(base_h * rng.uniform(0.05, 0.30)))
        if base_a is None:
            base_a = round(base_h * per_hh[c] * rng.uniform(0.85, 1.05) / 100) * 100
        amts.append(base_a)
        for j in range(1, 4):
            inc = (hs[j] - hs[j - 1]) * per_hh[c] * rng.uniform(0.8, 1.2)
            amts.append(amts[-1] + round(inc / 100) * 100)
        values[(c, year, "rent_relief_households")] = hs
        values[(c, year, "rent_relief_amount")] = amts

# ---------------------------------------------------------------- notes
NOTES_SHANTY = [
    "征地拆迁协调难度大，正在加快推进",
    "部分项目前期手续尚在办理中",
    "部分项目规划调整正在重新报批",
    "安置房源筹集进度滞后",
    "施工单位招标延迟导致开工推迟",
    "已约谈相关县区督促加快推进",
    "项目资金到位较慢影响施工进度",
    "雨季施工受阻已督促加快进度",
]
NOTES_PUBLIC_RENTAL = [
    "公租房项目配套设施建设滞后",
    "部分项目竣工验收尚未完成",
    "项目资金到位较慢影响施工进度",
]
NOTES_COVID = [
    "受疫情影响部分项目延期开工，预计下季度追回进度",
    "受疫情影响施工人员返岗不足",
]
NOTES_SUBSIDY = [
    "补贴申请审核集中在下半年发放",
    "部分县区补贴资金尚未拨付到位",
    "申请家庭资格复核工作尚未完成",
]
comma_used = {"ascii": 0, "cn": 0}


def pick_note(year, ind):
    base = {"rent_subsidy_households": NOTES_SUBSIDY,
            "public_rental_starts": NOTES_PUBLIC_RENTAL,
            "public_rental_completions": NOTES_PUBLIC_RENTAL}.get(ind, NOTES_SHANTY)
    pool = base
    if year >= 2020 and ind != "rent_subsidy_households":
        pool = base + NOTES_COVID
    # ASCII comma at least once (exercises CSV quoting), Chinese comma at most twice.
    if year >= 2020 and comma_used["ascii"] == 0 and ind != "rent_subsidy_households":
        note = NOTES_COVID[0]
    elif comma_used["cn"] == 0 and base is NOTES_SHANTY:
        note = NOTES_SHANTY[0]
    else:
        choices = [n for n in pool
                   if not ("，" in n and comma_used["cn"] >= 2)
                   and not ("," in n and comma_used["ascii"] >= 2)]
        note = rng.choice(choices)
    if "," in note:
        comma_used["ascii"] += 1
    if "，" in note:
        comma_used["cn"] += 1
    return note


periods = [(y, q) for y in YEARS for q in range(1, 5)]
report_rows = []
for y, q in periods:
    period = f"{y}Q{q}"
    for c in CODES:
        if (c, period) == MISSING:
            continue
        for ind in INDICATORS:
            v = values[(c, y, ind)][q - 1]
            t = targets.get((c, y, ind))
            note = ""
            if v is not None and t and is_behind(v, t, q):
                note = pick_note(y, ind)
            report_rows.append([c, period, ind, "" if v is None else v, note])

# ---------------------------------------------------------------- statuses
status_rows = [
    ["440400", "2021Q4", "submitted", ""],
    ["440700", "2021Q4", "submitted", ""],
    ["441200", "2021Q4", "submitted", ""],
    ["441500", "2021Q4", "returned", "棚改新开工数据与项目台账不一致，请核实后重新报送"],
    ["441600", "2021Q4", "submitted", ""],
    ["441800", "2021Q4", "draft", ""],
    ["445100", "2021Q4", "submitted", ""],
]

# ---------------------------------------------------------------- write
target_rows = [[c, y, ind, targets[(c, y, ind)]]
               for y in YEARS for ind in TARGETED for c in CODES
               if (c, y, ind) in targets]


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


write("targets.csv", ["region_code", "year", "indicator", "target"], target_rows)
write("reports.csv", ["region_code", "period", "indicator", "cumulative", "note"], report_rows)
write("statuses.csv", ["region_code", "period", "status", "comment"], status_rows)
