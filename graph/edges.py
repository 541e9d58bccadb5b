"""The structural edge types, declared once: the fixed relationship types the graph model
itself uses, as opposed to the catalog's admin-defined ones. No catalog key may take one
of these names (tests/security checks that every type the code's Cypher names is here),
and the ones a relation map may show carry the labels and colour it shows them with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True)
class MapLook:
    """How a relation map shows a structural edge, as the catalog would show a link."""

    label: str
    reciprocal_label: str
    colour: str


@dataclass(frozen=True)
class StructuralEdge:
    """A fixed edge type: `joins` says what it joins, start node first; `map` is set when
    a relation map may follow it."""

    key: LiteralString
    joins: str
    map: MapLook | None = None


WORKS_AT = StructuralEdge(
    "WORKS_AT", "a contact to its customer", MapLook("works at", "employs", "#9E9E9E")
)
FOR = StructuralEdge(
    "FOR", "a project to its customer", MapLook("project for", "client", "#BDBDBD")
)

STRUCTURAL_EDGES: tuple[StructuralEdge, ...] = (
    WORKS_AT,
    FOR,
    StructuralEdge("OWNED_BY", "an activity or customer to the user who owns it"),
    StructuralEdge("WITH_USER", "an activity to a user taking part"),
    StructuralEdge("ABOUT", "an activity to a record it is about"),
    StructuralEdge("WITH_CONTACT", "an activity to a contact taking part"),
    StructuralEdge("CHILD_OF", "an activity to its parent"),
    StructuralEdge("FOLLOWS", "an activity to the one before it in a chain"),
    # The name ARCHITECTURE.md gives assignment; the code writes ASSIGNED_TO.
    StructuralEdge("ASSIGNED", "a record to a user assigned to it"),
    StructuralEdge("ASSIGNED_TO", "a record to a user assigned to it"),
    StructuralEdge("MANAGES", "a user to a user they manage"),
    StructuralEdge("SHARES_CALENDAR_WITH", "a user to a user who may see their calendar"),
    StructuralEdge("HAS_TYPE", "an activity to its activity type"),
    StructuralEdge("HAS_STATUS", "an activity to its activity status"),
    StructuralEdge("MENTIONS", "a note to a user it mentions"),
    StructuralEdge("ATTACHED_TO", "an attachment to its record or note"),
    StructuralEdge("ON", "a note, call log, email or notification to what it is on"),
    StructuralEdge("NOTIFIES", "a notification to its user"),
    StructuralEdge("IN_CHAIN", "an activity to its chain"),
    StructuralEdge("UPLOADED_BY", "an attachment to the user who uploaded it"),
    StructuralEdge("BY", "a note, call log, email, audit line or import to its user"),
    StructuralEdge("ON_CALENDAR", "an activity to a calendar month it falls in"),
)

STRUCTURAL_KEYS: frozenset[str] = frozenset(edge.key for edge in STRUCTURAL_EDGES)

# The structural edges a relation map may follow, by key.
MAP_EDGES: dict[LiteralString, MapLook] = {
    edge.key: edge.map for edge in STRUCTURAL_EDGES if edge.map is not None
}
