"""Likely duplicates among customers or contacts: pairs of live records with the same
normalised name, the same e-mail or the same phone number.

A name is compared in lower case without spaces, punctuation, Hebrew points (niqqud) or
Hebrew final letter forms, and without a trailing company form (Ltd, Inc, בע"מ); an
e-mail in lower case; a phone by its digits, an Israeli +972 number as its local 0 form.

The keys are kept on the records (`nameKey`, `emailKey`, `phoneKey`, range-indexed). One
statement walks each key's index in order from the cursor and stops once it has found
the page's groups: a group is found from its smallest id, with at most `GROUP_CAP`
records (the smallest ids). A walk costs an index seek or two per record it passes, so
where duplicates are rare it may pass many records to fill a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from neo4j import AsyncDriver

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


# The keys a record is compared by, kept on the record by every write of its name, e-mail or
# phone (`kesher.graph.records`) and filled in for older records at start-up.
MATCH_KEYS: dict[str, LiteralString] = {"NAME": "nameKey", "EMAIL": "emailKey", "PHONE": "phoneKey"}
REASONS: tuple[str, ...] = tuple(MATCH_KEYS)


def set_keys(n: LiteralString) -> LiteralString:
    """A SET clause keeping record `n`'s match keys in step with its fields; a phone of
    fewer than 7 digits and a name of fewer than 2 characters match nothing."""
    return (
        f"SET {n}.nameKey = [k IN [{name_key(n)}] WHERE size(k) >= 2][0], "
        f"{n}.emailKey = [k IN [toLower(trim({n}.email))] WHERE k CONTAINS '@'][0], "
        f"{n}.phoneKey = [k IN [{phone_key(n)}] WHERE size(k) >= 7][0]"
    )


LABELS: tuple[LiteralString, ...] = ("Customer", "Contact")

INDEXES: tuple[LiteralString, ...] = tuple(
    f"CREATE RANGE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
    for label in LABELS
    for prop in MATCH_KEYS.values()
)


async def fill_keys(driver: AsyncDriver, database: str) -> None:
    """Gives every record written without match keys (by an older version, or loaded
    straight into the graph) its keys, in batches."""
    for label in LABELS:
        async with driver.session(database=database) as session:
            result = await session.run(
                f"MATCH (n:{label}) WHERE n.nameKey IS NULL AND n.emailKey IS NULL "
                f"AND n.phoneKey IS NULL AND n.name IS NOT NULL "
                f"CALL (n) {{ {set_keys('n')} }} IN TRANSACTIONS OF 10000 ROWS"
            )
            await result.consume()


@dataclass(frozen=True)
class PairPage:
    """The groups of records sharing a key from the cursor on (`after`: the reason and
    key of the last pair seen, inclusive), at most `groups` of each reason."""

    groups: int
    after: tuple[str, str] | None = None


def _branch(label: LiteralString, reason: str, prop: LiteralString) -> LiteralString:
    """The first groups of one reason from the cursor on, added to `found`: each group
    found from its smallest id among at most `$walk` records read in the key's index
    order. It reads only while the page is short and no reason before it was `cut`
    (stopped before its end: at the page's groups, or at the walk's bound, at `key`)."""
    index = REASONS.index(reason)
    return (
        "CALL (found, cut) { WITH found, cut WHERE size(found) < $groups AND cut IS NULL "
        f"MATCH (x:{label}) WHERE $reason <= {index} AND x.{prop} >= "
        f"CASE WHEN $reason = {index} THEN $key ELSE '' END AND x.archivedAt IS NULL "
        f"WITH x ORDER BY x.{prop} LIMIT $walk WITH collect(x) AS walked "
        "CALL (walked) { UNWIND walked AS x WITH x "
        f"WHERE NOT EXISTS {{ MATCH (z:{label}) WHERE z.{prop} = x.{prop} AND z.id < x.id "
        "AND z.archivedAt IS NULL } "
        f"WITH x, COLLECT {{ MATCH (y:{label}) WHERE y.{prop} = x.{prop} "
        "AND y.id > x.id AND y.archivedAt IS NULL RETURN y ORDER BY y.id LIMIT $cap } "
        f"AS others WHERE others <> [] WITH x, others ORDER BY x.{prop} LIMIT $groups "
        f"RETURN collect({{reason: '{reason}', key: x.{prop}, records: "
        "[r IN [x] + others | r {.id, .name, .email, .phone, .nameKey, .emailKey, "
        ".phoneKey}]}) AS more } "
        "RETURN more, CASE WHEN size(more) >= $groups THEN more[-1].key "
        f"WHEN size(walked) >= $walk THEN walked[-1].{prop} END AS cutKey }} "
        "WITH found + more AS found, coalesce(cut, CASE WHEN cutKey IS NOT NULL "
        f"THEN {{reason: '{reason}', key: cutKey}} END) AS cut "
    )


def _statement(label: LiteralString) -> LiteralString:
    return (
        "WITH [] AS found, null AS cut "
        + "".join(_branch(label, reason, prop) for reason, prop in MATCH_KEYS.items())
        + "RETURN found, cut"
    )


_STATEMENTS: dict[str, LiteralString] = {label: _statement(label) for label in LABELS}


# The most index entries one reason's walk reads for a page.
WALK = 2000


async def duplicate_groups(graph: Graph, label: str, page: PairPage) -> Row:
    """Groups of live records of `label` ("Customer" or "Contact") sharing a key, by
    reason then key, from the cursor on (`found`), each of at most `GROUP_CAP` records
    (the smallest ids); and where the reading stopped before the end (`cut`: a reason
    and key, or None), past which more groups may lie."""
    reason, key = page.after if page.after else (REASONS[0], "")
    rows = await graph.rows(
        _STATEMENTS[label],
        {
            "cap": GROUP_CAP - 1,
            "reason": REASONS.index(reason),
            "key": key,
            "groups": page.groups,
            "walk": WALK,
        },
    )
    return rows[0]
