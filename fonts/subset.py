#!/usr/bin/env python3
"""Makes the browsers' CJK font, static/fonts/DroidSansFallback-subset.woff2, from
fonts/DroidSansFallbackFull.ttf: every character of GB2312 (its 6,763 hanzi and its symbols),
CJK punctuation, full-width forms, general punctuation, ASCII, and every character the product's
own text uses (data/, src/, static/), as WOFF2.

A character outside the subset falls to the next font of the CSS stack (the system's CJK fonts
come first anyway). Needs `pip install fonttools brotli`. Run from the repository's root:
    python3 fonts/subset.py
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fonts" / "DroidSansFallbackFull.ttf"
TARGET = ROOT / "static" / "fonts" / "DroidSansFallback-subset.woff2"


def gb2312() -> set[str]:
    """Every character GB2312 encodes: rows 0xA1-0xF7, cells 0xA1-0xFE."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def ranges() -> set[str]:
    blocks = [
        (0x0020, 0x007E),  # ASCII
        (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0xFF00, 0xFFEF),  # half- and full-width forms
    ]
    return {chr(c) for start, end in blocks for c in range(start, end + 1)}


def product_text() -> set[str]:
    """The characters of the product's own labels, names and messages."""
    chars = set()
    for folder, patterns in [("data", ["*.csv"]), ("src", ["*.rs"]), ("static", ["*.css", "*.js"])]:
        for pattern in patterns:
            for path in (ROOT / folder).rglob(pattern):
                chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
    return chars


def main() -> None:
    wanted = gb2312() | ranges() | product_text()
    font = TTFont(SOURCE)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in wanted))
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    font.save(TARGET)
    kept = len(font.getBestCmap())
    print(f"{TARGET.relative_to(ROOT)}: {kept} characters, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
