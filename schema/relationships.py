"""Relationship types, relationships as a card shows them, and the relation map."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry

from kesher.graph.kinds import PAIRS_BY_NAME, PARTY_KINDS, RECORD_KINDS, pair_name
from kesher.resolvers import relationships
from kesher.schema.common import Row
from kesher.schema.node import Node


def _enum(name: str, description: str, values: Iterable[Any]) -> Any:
    """A GraphQL enum whose members are `values`, in order, each named as its value (or
    its definition's value, when it has a description)."""
    members = [(getattr(value, "value", value), value) for value in values]
    enum: type[Enum] = Enum(name, members)  # type: ignore[misc]  # built from the registry
    return strawberry.enum(enum, description=description)


# The kinds' enums are derived from the registry in kesher.graph.kinds; a type checker
# sees plain enums.
if TYPE_CHECKING:

    class PartyKind(Enum): ...

    class RecordKind(Enum): ...

    class KindPair(Enum): ...

else:
    PartyKind = _enum(
        "PartyKind",
        "What kind of party a node of a relationship is.",
        (
            strawberry.enum_value(kind.name, description=kind.description)
            if kind.description
            else kind.name
            for kind in PARTY_KINDS
        ),
    )
    RecordKind = _enum(
        "RecordKind",
        "A kind of record a free-text party can become.",
        (kind.name for kind in RECORD_KINDS),
    )
    KindPair = _enum(
        "KindPair",
        "The pair of record kinds a relationship type joins; its edges point from the first "
        "kind to the second.",
        PAIRS_BY_NAME,
    )


@strawberry.type(
    description="A catalog entry: a kind of link between records, with its labels and colour. "
    "Its `key` is also the Neo4j relationship type of its edges."
)
class RelationshipType(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    key: str = strawberry.field(
        description="Immutable upper-snake key, e.g. FATHER_OF; the edges' Neo4j type."
    )
    label: str = strawberry.field(
        description='The role of the edge\'s start node ("father"); shown on the other '
        "party's card."
    )
    reciprocal_label: str = strawberry.field(
        description='The role of the edge\'s end node ("son"); equal to `label` when symmetric.'
    )
    symmetric: bool = strawberry.field(description="Reads the same from both sides (partner).")
    colour: str = strawberry.field(description="Hex colour, #RRGGBB, for maps and tables.")
    sort_order: int = strawberry.field(description="Position in the catalog; cards list by it.")
    limit_per_source: int | None = strawberry.field(
        description="At most this many links of the type in effect at one start-side record."
    )
    limit_per_target: int | None = strawberry.field(
        description="At most this many links of the type in effect at one end-side record."
    )
    description: str | None = strawberry.field(description="What the type means.")
    created_at: datetime = strawberry.field(description="When the type was defined.")
    updated_at: datetime = strawberry.field(description="When the type last changed.")

    @strawberry.field(description="The pair of record kinds the type joins, start side first.")
    @staticmethod
    def kinds(parent: strawberry.Parent[Row]) -> KindPair:
        return KindPair(pair_name(parent["from_kind"], parent["to_kind"]))


@strawberry.type(description="The other side of a relationship: enough to show and open it.")
class RelatedParty:
    id: strawberry.ID = strawberry.field(description="Its id (a customer's, contact's, …).")
    kind: PartyKind = strawberry.field(description="What kind of party it is.")
    name: str = strawberry.field(description="Its name.")
    archived: bool = strawberry.field(description="True when the record is archived.")


@strawberry.type(
    description="A link between two parties, the same whichever card it is read from: it "
    "points from `source` (playing the type's `label`) to `target` (its `reciprocalLabel`)."
)
class Relationship(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier of the link.")
    type_key: str = strawberry.field(description="The key of its relationship type.")
    type: RelationshipType = strawberry.field(description="Its relationship type.")
    colour: str = strawberry.field(description="The type's colour.")
    source: RelatedParty = strawberry.field(
        description='The party the edge starts at; it plays the type\'s `label` ("father").'
    )
    target: RelatedParty = strawberry.field(
        description='The party the edge ends at; it plays the type\'s `reciprocalLabel` ("son").'
    )
    starts_on: date | None = strawberry.field(description="When the link began, if known.")
    ends_on: date | None = strawberry.field(description="When the link ended or ends.")
    note: str | None = strawberry.field(description="A note on the link.")
    created_at: datetime = strawberry.field(description="When the link was recorded.")

    @strawberry.field(description="In effect today: started (or no start) and not ended.")
    @staticmethod
    def current(parent: strawberry.Parent[Row]) -> bool:
        return relationships.in_effect(parent)

    @strawberry.field(description="Ended: its end date is in the past.")
    @staticmethod
    def former(parent: strawberry.Parent[Row]) -> bool:
        return relationships.former(parent)


@strawberry.type(
    description="A relationship as one record's card lists it: what the other party is to "
    "this record, and the link itself. It has no id of its own, since it reads differently "
    "from each end; `relationship` is the link, the same from both."
)
class CardRelationship:
    label: str = strawberry.field(
        description="The other party's role as seen from here: on the father's card \"son\"."
    )
    outgoing: bool = strawberry.field(
        description="True when the edge starts at this record (it plays the type's `label`)."
    )
    other: RelatedParty = strawberry.field(description="The party at the other end.")
    relationship: Relationship = strawberry.field(description="The link itself.")


@strawberry.type(
    description="A node of a relation map: a party and how far this map reached it. It has "
    "no id of its own, since the same party lies at other depths in other maps."
)
class MapNode:
    party: RelatedParty = strawberry.field(description="The party.")
    depth: int = strawberry.field(description="Links from the nearest root (roots are 0).")


@strawberry.type(description="An edge of a relation map, from its start node to its end node.")
class MapEdge:
    id: strawberry.ID = strawberry.field(description="The link's id.")
    source: strawberry.ID = strawberry.field(description="The id of the start node.")
    target: strawberry.ID = strawberry.field(description="The id of the end node.")
    type_key: str = strawberry.field(
        description="The relationship type's key (WORKS_AT or FOR for structural edges)."
    )
    label: str = strawberry.field(description='The start node\'s role ("father").')
    reciprocal_label: str = strawberry.field(description='The end node\'s role ("son").')
    colour: str = strawberry.field(description="The type's colour, #RRGGBB.")
    structural: bool = strawberry.field(
        description="A contact's employer or a project's customer, not a catalog link."
    )
    starts_on: date | None = strawberry.field(description="When the link began, if known.")
    ends_on: date | None = strawberry.field(description="When the link ended or ends.")

    @strawberry.field(description="In effect today.")
    @staticmethod
    def current(parent: strawberry.Parent[Row]) -> bool:
        return relationships.in_effect(parent)


@strawberry.type(description="Parties and the links between them, each once.")
class RelationMap:
    nodes: list[MapNode] = strawberry.field(description="Each party once, roots first.")
    edges: list[MapEdge] = strawberry.field(
        description="Each link once, only between nodes of the map."
    )
    truncated: bool = strawberry.field(
        description="True when the node limit (or the links read per level) cut the map."
    )
