"""Likely duplicates among customers or contacts: pairs of live records with the same
normalised name, the same e-mail or the same phone number.

A name is compared in lower case without spaces, punctuation, Hebrew points (niqqud) or
Hebrew final letter forms, and without a trailing company form (Ltd, Inc, בע"מ); an
e-mail in lower case; a phone by its digits, an Israeli +972 number as its local 0 form.

One statement reads every live record of the kind once (a label scan) and groups them by
each key; a group gives at most `GROUP_CAP` records (so at most GROUP_CAP·(GROUP_CAP-1)/2
pairs), which bounds the rows after the scan. Pairs come ordered by their two ids and are
paged by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from kesher.graph.driver import Graph, Row

# The most records one shared key pairs up.
GROUP_CAP = 20

# Characters a name loses before comparing: spacing and punctuation, then Hebrew points.
_DROPPED: tuple[LiteralString, ...] = (
    " ",
    ".",
    ",",
    "-",
    "\\'",
    '\\"',
    "(",
    ")",
    "/",
    "&",
    "_",
    "`",
    "!",
    "?",
    ":",
    ";",
    "+",
    "\\u2019",
    "\\u05F3",
    "\\u05F4",
    "\\u05BE",
    # Hebrew points: sheva to dagesh, rafe, the shin and sin dots, qamats qatan.
    *(f"\\u05{code:02X}" for code in (*range(0xB0, 0xBE), 0xBF, 0xC1, 0xC2, 0xC7)),
)

# Hebrew final letters and the form they take elsewhere in a word.
_FINALS: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("\\u05DA", "\\u05DB"),
    ("\\u05DD", "\\u05DE"),
    ("\\u05DF", "\\u05E0"),
    ("\\u05E3", "\\u05E4"),
    ("\\u05E5", "\\u05E6"),
)

# Company forms a name may end with, once spacing and punctuation are gone.
_FORMS: tuple[LiteralString, ...] = ("ltd", "inc", "llc", "\\u05D1\\u05E2\\u05DE")

_PHONE_DROPPED: tuple[LiteralString, ...] = (" ", "-", "(", ")", "+", ".", "/")


def _replaced(
    expression: LiteralString, pairs: tuple[tuple[LiteralString, LiteralString], ...]
) -> LiteralString:
    for old, new in pairs:
        expression = f"replace({expression}, '{old}', '{new}')"
    return expression


def name_key(n: LiteralString) -> LiteralString:
    """The normalised name of record `n`, as a Cypher expression."""
    bare = _replaced(
        f"toLower({n}.name)",
        tuple((ch, "") for ch in _DROPPED) + _FINALS,
    )
    # A company form only goes when something is left of the name.
    forms = " ".join(
        f"WHEN size(name_bare) > size('{form}') AND name_bare ENDS WITH '{form}' "
        f"THEN left(name_bare, size(name_bare) - size('{form}'))"
        for form in _FORMS
    )
    return f"[name_bare IN [{bare}] | CASE {forms} ELSE name_bare END][0]"


def phone_key(n: LiteralString) -> LiteralString:
    """The phone of record `n` as its digits, +972 as the local 0, as a Cypher expression."""
    digits = _replaced(f"{n}.phone", tuple((ch, "") for ch in _PHONE_DROPPED))
    return (
        f"[phone_digits IN [{digits}] | CASE WHEN phone_digits STARTS WITH '972' "
        "THEN '0' + substring(phone_digits, 3) ELSE phone_digits END][0]"
    )


@dataclass(frozen=True)
class PairPage:
    """The pairs after `after` (the ids of a pair), one more than `size` when more follow."""

    size: int
    after: tuple[str, str] | None = None


def _statement(label: LiteralString) -> LiteralString:
    return (
        f"MATCH (n:{label}) WHERE n.archivedAt IS NULL "
        f"WITH n, [['NAME', {name_key('n')}], ['EMAIL', toLower(trim(n.email))], "
        f"['PHONE', {phone_key('n')}]] AS keys "
        "UNWIND keys AS key "
        "WITH key[0] AS reason, key[1] AS value, n.id AS id "
        "WHERE value IS NOT NULL AND (size(value) >= 7 OR (reason = 'NAME' AND size(value) >= 2)) "
        "WITH reason, value, collect(id) AS ids WHERE size(ids) > 1 "
        "WITH reason, ids[..$cap] AS ids "
        "UNWIND ids AS a UNWIND ids AS b WITH reason, a, b WHERE a < b "
        "AND ($after IS NULL OR a > $after[0] OR (a = $after[0] AND b > $after[1])) "
        "WITH a, b, collect(DISTINCT reason) AS reasons ORDER BY a, b LIMIT $size "
        f"MATCH (x:{label} {{id: a}}) MATCH (y:{label} {{id: b}}) "
        "RETURN x {.id, .name, .email, .phone} AS first, y {.id, .name, .email, .phone} AS second, "
        "[r IN ['NAME', 'EMAIL', 'PHONE'] WHERE r IN reasons] AS reasons ORDER BY a, b"
    )


_STATEMENTS: dict[str, LiteralString] = {
    "Customer": _statement("Customer"),
    "Contact": _statement("Contact"),
}


async def duplicate_pairs(graph: Graph, label: str, page: PairPage) -> list[Row]:
    """One page of likely duplicate pairs of `label` ("Customer" or "Contact")."""
    return await graph.rows(
        _STATEMENTS[label],
        {
            "cap": GROUP_CAP,
            "after": list(page.after) if page.after else None,
            "size": page.size + 1,
        },
    )
