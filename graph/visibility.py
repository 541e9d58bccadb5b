"""Who may see and change an activity, as Cypher predicates a statement carries (rows a
user may not see never leave the database).

A user's calendar is visible to the user, an ADMIN, the user's managers
(`(:User)-[:MANAGES]->(:User)`) and those the user shares it with
(`(:User)-[:SHARES_CALENDAR_WITH]->(:User)`). An activity is visible to whoever sees the
calendar of its owner or of one of its participants. It may be changed by its owner, the
owner's managers and an ADMIN. An activity the viewer may not see reads as missing.
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
