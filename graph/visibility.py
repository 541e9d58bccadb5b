"""Who may see and change an activity, as Cypher predicates a statement carries (rows a
user may not see never leave the database).

A user's calendar is visible to the user, an ADMIN, the user's managers
(`(:User)-[:MANAGES]->(:User)`) and those the user shares it with
(`(:User)-[:SHARES_CALENDAR_WITH]->(:User)`). An activity is visible to whoever sees the
calendar of its owner or of one of its participants. It may be changed by its owner, the
owner's managers and an ADMIN. An activity the viewer may not see reads as missing.

What is on a record (a note, a file, a call log, an e-mail, an audit line, and a file on a
note) is seen with the record: one on activities alone that the viewer may not see reads
as missing too, and so does a chain none of whose steps they may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

CANNOT_CHANGE = (
    "{field}: only the activity's owner, a manager of the owner or an ADMIN may change it."
)


@dataclass(frozen=True)
class Audience:
    """Who a statement answers: the viewer, and whether they are an ADMIN."""

    viewer_id: str
    admin: bool


def sees_calendar(u: LiteralString, viewer: LiteralString) -> LiteralString:
    """The viewer (a parameter holding their id) may see the calendar of user `u`. An ADMIN
    sees every calendar; the caller says so before asking."""
    return (
        f"({u}.id = {viewer} "
        f"OR EXISTS {{ (:User {{id: {viewer}}})-[:MANAGES]->({u}) }} "
        f"OR EXISTS {{ ({u})-[:SHARES_CALENDAR_WITH]->(:User {{id: {viewer}}}) }})"
    )


def sees_activity(a: LiteralString, viewer: LiteralString, x: LiteralString) -> LiteralString:
    """The viewer may see activity `a`: they see the calendar of its owner or of one of its
    participants. `x` is a variable name free in the statement."""
    return f"EXISTS {{ ({a})-[:OWNED_BY|WITH_USER]->({x}:User) WHERE {sees_calendar(x, viewer)} }}"


def changes_activity(a: LiteralString, viewer: LiteralString, x: LiteralString) -> LiteralString:
    """The viewer may change activity `a`: they own it or manage its owner."""
    return (
        f"EXISTS {{ ({a})-[:OWNED_BY]->({x}:User) WHERE {x}.id = {viewer} "
        f"OR EXISTS {{ (:User {{id: {viewer}}})-[:MANAGES]->({x}) }} }}"
    )


# The labels of what is written on a record, reached from it by `ON` or `ATTACHED_TO`.
ITEM_LABELS: frozenset[str] = frozenset({"Note", "Attachment", "CallLog", "Email", "AuditLine"})


def sees_item(
    n: LiteralString, viewer: LiteralString, r: LiteralString, x: LiteralString
) -> LiteralString:
    """The viewer may see item `n`: it is on a record (a file on a note: on the note's
    record) that is not an activity, or on an activity they may see. `r` and `x` are
    variable names free in the statement."""
    return (
        f"EXISTS {{ ({n})-[:ON|ATTACHED_TO]->{{1,2}}({r}) WHERE NOT {r}:Note "
        f"AND (NOT {r}:Activity OR {sees_activity(r, viewer, x)}) }}"
    )


def sees_chain(
    n: LiteralString, viewer: LiteralString, a: LiteralString, x: LiteralString
) -> LiteralString:
    """The viewer may see chain `n`: they may see one of its steps."""
    return f"EXISTS {{ ({n})<-[:IN_CHAIN]-({a}:Activity) WHERE {sees_activity(a, viewer, x)} }}"
