#!/usr/bin/env python3
"""Generate src/dates/locale/data.rs from CLDR (the cldr-json npm packages).

Usage (from the repository root):

    npm install --no-audit --no-fund --prefix /tmp/cldr \
        cldr-core@48.2.0 cldr-dates-full@48.2.0 cldr-numbers-full@48.2.0
    python3 src/dates/locale/generate.py /tmp/cldr/node_modules > src/dates/locale/data.rs

What it takes from CLDR, per locale: the Gregorian month names (wide and
abbreviated, format and stand-alone contexts: the format context holds the
genitive forms such as Russian `января`), the weekday names (wide and
abbreviated, both contexts), the digits of the default and the native
numbering systems, and the order of day, month and year in the short date
pattern. Names are stored folded (see `fold` below, mirrored by
`fold_char` in mod.rs) and without a trailing abbreviation mark, longest
first, so the Rust side compares them without allocating. A key that two
months (or two weekdays) of one locale fold to is left out, and listed in a
comment of the output (Slovak `st` and `št`).
"""

import json
import os
import sys
import unicodedata

# The languages of the web's content, most common first, plus scripts and
# regional forms whose dates differ (en-GB writes day/month/year).
LOCALES = (
    "en en-GB es de ja fr ru pt it tr nl pl fa zh zh-Hant vi id cs ko uk ar el hu "
    "sv ro da he th sk fi bg sr sr-Latn nb hr lt bn hi ca ms"
).split()

# Locales whose names are matched by the English rules of date.rs (a prefix
# of at least three letters); only their numeric order is taken from CLDR.
ENGLISH = {"en", "en-GB"}

DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # ISO 1..7

# Trailing marks of abbreviations: `févr.`, Hindi `जन॰`, Hebrew `ינו׳`.
ABBREVIATION_MARKS = ".\u0970\u05f3"

# Combining marks folded away: Latin, Greek and Cyrillic accents, Hebrew
# points, Arabic vowel signs and hamza, and the Devanagari and Bengali nukta
# (`फ़रवरी` is often written `फरवरी`). Other marks of Indic and Thai scripts
# are vowels of the word there and are kept.
MARK_BLOCKS = [
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x06ED),
    (0x093C, 0x093C),
    (0x09BC, 0x09BC),
]

# Letters whose decomposition is not a base letter plus marks, or whose
# variants are written interchangeably.
EXTRA_FOLD = {
    "\u0131": "i",  # Turkish dotless i (KASIM -> kasim = kasım)
    "\u0142": "l",  # Polish ł
    "\u00f8": "o",  # Danish/Norwegian ø
    "\u0111": "d",  # Croatian/Vietnamese đ
    "\u03c2": "\u03c3",  # Greek final sigma: uppercase text lowercases to σ
    "\u064a": "\u06cc",  # Arabic yeh / Persian yeh
    "\u0649": "\u06cc",  # alef maksura
    "\u0643": "\u06a9",  # Arabic kaf / Persian keheh
    "\u2019": "'",  # Catalan d’abril, d'abril
    "\u02bc": "'",
    "\u200c": " ",  # Persian zero-width non-joiner (سه‌شنبه, سه شنبه)
}

# Blocks whose precomposed letters are folded to their base letter.
FOLD_BLOCKS = [
    (0x00C0, 0x024F),
    (0x0370, 0x03FF),
    (0x0400, 0x04FF),
    (0x0620, 0x06FF),
    (0x0958, 0x095F),
    (0x09DC, 0x09DF),
    (0x1E00, 0x1FFF),
]

SPACES = {"\u00a0", "\u202f", "\u2007"}


def is_mark(c):
    cp = ord(c)
    return unicodedata.category(c) == "Mn" and any(a <= cp <= b for a, b in MARK_BLOCKS)


def base_fold_table():
    table = {}
    for a, b in FOLD_BLOCKS:
        for cp in range(a, b + 1):
            c = chr(cp)
            if unicodedata.category(c) == "Cn" or c.lower() != c:
                continue
            stripped = "".join(x for x in unicodedata.normalize("NFD", c) if not is_mark(x))
            if len(stripped) == 1 and stripped != c and stripped.isalpha():
                table[c] = stripped
    for k, v in EXTRA_FOLD.items():
        table[k] = v
    # Follow chains (ǿ -> ø -> o): the Rust side folds once.
    for k in list(table):
        while table[k] in table and table[table[k]] != table[k]:
            table[k] = table[table[k]]
    return table


FOLD = base_fold_table()


def fold(s):
    """Lowercase char by char (as Rust's char::to_lowercase), drop marks, fold."""
    out = []
    for ch in s:
        for low in ch.lower():
            if is_mark(low):
                continue
            if low in SPACES or low.isspace():
                low = " "
            out.append(FOLD.get(low, low))
    return "".join(out)


def mark_ranges():
    ranges = []
    for a, b in MARK_BLOCKS:
        for cp in range(a, b + 1):
            if is_mark(chr(cp)):
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return ranges


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def date_order(pattern):
    seen = []
    quoted = False
    for ch in pattern:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "dMLy" and (ch if ch != "L" else "M") not in seen:
            seen.append(ch if ch != "L" else "M")
    order = "".join(seen)
    return {"dMy": "Dmy", "Mdy": "Mdy", "yMd": "Ymd"}[order]


def glued_prefix(pattern):
    """A literal written against the month name (Hebrew `d בMMMM y`)."""
    i = pattern.find("MMM")
    j = i
    while j > 0 and pattern[j - 1].isalpha() and pattern[j - 1] not in "dMyEGLc":
        j -= 1
    return pattern[j:i] if i >= 0 else ""


def strip_abbreviation(name):
    return name.rstrip(ABBREVIATION_MARKS).strip()


def names(groups, keys, tag, what, extra_prefix=""):
    """Folded name -> value; a key two values fold to is dropped (and reported)."""
    out, clashes = {}, {}
    for ctx in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for i, k in enumerate(keys):
                raw = groups[ctx][width][k]
                for variant in sorted({raw, extra_prefix + raw}):
                    key = fold(strip_abbreviation(variant))
                    if not key:
                        continue
                    value = i + 1
                    if out.get(key, value) != value:
                        clashes.setdefault(key, {out[key]}).add(value)
                    out[key] = value
    for key, values in sorted(clashes.items()):
        del out[key]
        DROPPED.append(f"{tag}: {what} `{key}` ({', '.join(str(v) for v in sorted(values))})")
    return sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0]))


DROPPED = []


def initials(names):
    """Bit (code point of the first letter mod 64) of every name: a word whose
    first letter's bit is clear starts no name (one test per word)."""
    mask = 0
    for key, _ in names:
        mask |= 1 << (ord(key[0]) % 64)
    return mask


def rust_str(s):
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch in "\\\"" or not (cat[0] in "LMN" or ch in " .'-"):
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def rust_char(c):
    return "'\\u{%x}'" % ord(c)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    version = load(os.path.join(root, "cldr-dates-full", "package.json"))["version"]
    for pkg in ("cldr-core", "cldr-numbers-full"):
        other = load(os.path.join(root, pkg, "package.json"))["version"]
        if other != version:
            sys.exit(f"{pkg} is {other}, cldr-dates-full is {version}: install the same version")
    systems = load(os.path.join(root, "cldr-core", "supplemental", "numberingSystems.json"))
    systems = systems["supplemental"]["numberingSystems"]

    lines = [
        "// @generated by src/dates/locale/generate.py: do not edit by hand.",
        f"// Data from the Unicode CLDR, version {version.split('.')[0]} (cldr-json {version}),",
        "// Copyright © Unicode, Inc., under the Unicode License v3",
        "// (https://www.unicode.org/license.txt).",
        "// Regenerate from the repository root:",
        "//   npm install --no-audit --no-fund --prefix /tmp/cldr \\",
        f"//       cldr-core@{version} cldr-dates-full@{version} cldr-numbers-full@{version}",
        "//   python3 src/dates/locale/generate.py /tmp/cldr/node_modules > src/dates/locale/data.rs",
        "",
        "//! The locale tables, generated from CLDR (see the header comment).",
        "",
        "use super::{DateOrder, Locale};",
        "",
        f'/// The CLDR version the tables come from.\npub const CLDR_VERSION: &str = "{version}";',
        "",
        "/// The locales, sorted by tag.",
        "#[rustfmt::skip]",
        "pub(super) static LOCALES: &[Locale] = &[",
    ]
    for tag in sorted(LOCALES):
        cal = load(os.path.join(root, "cldr-dates-full", "main", tag, "ca-gregorian.json"))
        greg = cal["main"][tag]["dates"]["calendars"]["gregorian"]
        num = load(os.path.join(root, "cldr-numbers-full", "main", tag, "numbers.json"))
        num = num["main"][tag]["numbers"]
        digit_sets = []
        for ns in (num["defaultNumberingSystem"], num.get("otherNumberingSystems", {}).get("native")):
            if ns and ns != "latn":
                digits = systems[ns]["_digits"]
                assert len(digits) == 10, (tag, ns)
                if digits not in digit_sets:
                    digit_sets.append(digits)
        order = date_order(greg["dateFormats"]["short"])
        english = tag in ENGLISH
        if english:
            months, weekdays = [], []
        else:
            prefix = glued_prefix(greg["dateFormats"]["long"])
            months = names(greg["months"], [str(i) for i in range(1, 13)], tag, "month", prefix)
            weekdays = names(greg["days"], DAY_KEYS, tag, "weekday")
        lines.append(f"    Locale {{ tag: {rust_str(tag)}, english: {'true' if english else 'false'}, order: DateOrder::{order},")
        lines.append("        digits: &[" + ", ".join(rust_str(d) for d in digit_sets) + "],")
        lines.append(f"        month_initials: {initials(months):#x}, weekday_initials: {initials(weekdays):#x},")
        lines.append("        months: &[" + ", ".join(f"({rust_str(k)}, {v})" for k, v in months) + "],")
        lines.append("        weekdays: &[" + ", ".join(f"({rust_str(k)}, {v})" for k, v in weekdays) + "] },")
    lines.append("];")
    lines.append("")
    if DROPPED:
        lines.append("// Names left out because two values fold to them (accents off):")
        lines.extend(f"//   {d}" for d in DROPPED)
        lines.append("")
    lines.append("/// Lowercase letters folded to another letter (accents off, variants joined), sorted.")
    lines.append("#[rustfmt::skip]")
    lines.append("pub(super) static FOLD: &[(char, char)] = &[")
    items = [f"({rust_char(k)}, {rust_char(v)})" for k, v in sorted(FOLD.items())]
    for i in range(0, len(items), 6):
        lines.append("    " + ", ".join(items[i : i + 6]) + ",")
    lines.append("];")
    lines.append("")
    lines.append("/// Combining marks dropped when folding (inclusive ranges, sorted).")
    lines.append("#[rustfmt::skip]")
    lines.append("pub(super) static MARKS: &[(char, char)] = &[")
    items = [f"({rust_char(chr(a))}, {rust_char(chr(b))})" for a, b in mark_ranges()]
    for i in range(0, len(items), 6):
        lines.append("    " + ", ".join(items[i : i + 6]) + ",")
    lines.append("];")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
