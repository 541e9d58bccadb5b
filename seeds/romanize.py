"""ASCII spellings of Hebrew and Latin names, for e-mail addresses and handles."""

from __future__ import annotations

import re
import unicodedata

# Faker spells Hebrew in ASCII without vowels ("dnh lvy"). Reading vav and yod after the
# first letter as vowels and a final he as "a" gives addresses a person can say
# ("liron.biton").
_LATIN_BY_LETTER = {
    "ALEF": "a", "BET": "b", "GIMEL": "g", "DALET": "d", "HE": "h", "VAV": "v",
    "ZAYIN": "z", "HET": "ch", "TET": "t", "YOD": "y", "KAF": "k", "FINAL KAF": "ch",
    "LAMED": "l", "MEM": "m", "FINAL MEM": "m", "NUN": "n", "FINAL NUN": "n", "SAMEKH": "s",
    "AYIN": "a", "PE": "p", "FINAL PE": "f", "TSADI": "tz", "FINAL TSADI": "tz", "QOF": "k",
    "RESH": "r", "SHIN": "sh", "TAV": "t",
}  # fmt: skip
# Keyed by Unicode name: several Hebrew letters look like Latin ones in source text.
_HEBREW_LETTERS = {
    unicodedata.lookup(f"HEBREW LETTER {name}"): latin for name, latin in _LATIN_BY_LETTER.items()
}
VAV = "\N{HEBREW LETTER VAV}"
YOD = "\N{HEBREW LETTER YOD}"
HE = "\N{HEBREW LETTER HE}"
_WITH_GERESH = {"ג'": "j", "ז'": "zh", "צ'": "ch", "ץ'": "ch"}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def romanize(text: str) -> str:
    """A lowercase ASCII slug of a Hebrew or Latin name, words joined by '-'."""
    for letters, latin in _WITH_GERESH.items():
        text = text.replace(letters, latin)
    words = []
    for word in text.split():
        last = len(word) - 1
        words.append("".join(_latin(char, index, last) for index, char in enumerate(word)))
    return _NOT_SLUG.sub("-", " ".join(words).lower()).strip("-")


def _latin(char: str, index: int, last: int) -> str:
    if index > 0:
        if char == VAV:
            return "o"
        if char == YOD:
            return "i"
        if char == HE and index == last:
            return "a"
    return _HEBREW_LETTERS.get(char, char)
