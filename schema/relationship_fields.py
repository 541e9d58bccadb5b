"""The root fields of relationships: the type catalog, relation maps and paths, and adding,
changing and removing links."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kesher.graph.relation_map import RelationMap as Map
from kesher.resolvers import relationships
from kesher.resolvers.errors import Refusal
from kesher.schema.common import Info, Row, error_of
from kesher.schema.inputs import (
    AddRelationshipInput,
    DefineRelationshipTypeInput,
    UpdateRelationshipInput,
    UpdateRelationshipTypeInput,
    provided,
)
from kesher.schema.permissions import IsAdmin, IsAuthenticated
from kesher.schema.record_payloads import (
    PromotePayload,
    PromoteSuccess,
    RelationshipPayload,
    RelationshipSuccess,
    RelationshipTypePayload,
    RelationshipTypesPayload,
    RelationshipTypesSuccess,
    RelationshipTypeSuccess,
    RemoveRelationshipPayload,
    RemoveRelationshipSuccess,
)
from kesher.schema.relationships import PartyKind, RecordKind, RelationMap, RelationshipType
from kesher.schema.root_fields import payload

TYPE_KEYS = "Only links of these relationship types (all types when left out)."
KINDS = "Only reach parties of these kinds (roots and ends always show)."
AS_OF = "Only links in effect on this day."
STRUCTURAL = "Also follow contact→customer (WORKS_AT) and project→customer (FOR) edges."


def _relationship_success(row: Row) -> RelationshipSuccess:
    return RelationshipSuccess(relationship=row["relationship"], on_card=row)


@strawberry.type(description="Reading relationships.")
class RelationshipQueries:
    @strawberry.field(
        description="The relationship-type catalog, in sort order.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[RelationshipType],
    )
    async def relationship_types(self, info: Info) -> list[Row]:
        return await relationships.relationship_types(info.context)

    @strawberry.field(
        description="The relationships around one or more records, as a graph to draw: each "
        "party and link once, breadth-first from the roots, bounded by depth and limit.",
        permission_classes=[IsAuthenticated],
        graphql_type=RelationMap,
    )
    async def relation_map(
        self,
        info: Info,
        root_ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Where the map starts.")
        ],
        depth: Annotated[
            int | None, strawberry.argument(description="Links to follow out (default 2, max 4).")
        ] = None,
        type_keys: Annotated[list[str] | None, strawberry.argument(description=TYPE_KEYS)] = None,
        kinds: Annotated[list[PartyKind] | None, strawberry.argument(description=KINDS)] = None,
        as_of: Annotated[date | None, strawberry.argument(description=AS_OF)] = None,
        include_structural: Annotated[bool, strawberry.argument(description=STRUCTURAL)] = False,
        limit: Annotated[
            int | None,
            strawberry.argument(description="At most this many nodes (default 200, max 1000)."),
        ] = None,
    ) -> Map:
        walk = relationships.WalkArguments(
            type_keys,
            None if kinds is None else [kind.value for kind in kinds],
            as_of,
            include_structural,
        )
        return await relationships.relation_map_of(
            info.context, [str(i) for i in root_ids], depth, limit, walk
        )

    @strawberry.field(
        description="The shortest chain of links joining two parties, shaped like a map "
        "(depth counts from `fromId`); null when none is within `maxDepth`.",
        permission_classes=[IsAuthenticated],
        graphql_type=RelationMap | None,
    )
    async def relationship_path(
        self,
        info: Info,
        from_id: strawberry.ID,
        to_id: strawberry.ID,
        max_depth: Annotated[
            int | None,
            strawberry.argument(description="At most this many links (default 4, max 6)."),
        ] = None,
        type_keys: Annotated[list[str] | None, strawberry.argument(description=TYPE_KEYS)] = None,
        kinds: Annotated[list[PartyKind] | None, strawberry.argument(description=KINDS)] = None,
        as_of: Annotated[date | None, strawberry.argument(description=AS_OF)] = None,
        include_structural: Annotated[bool, strawberry.argument(description=STRUCTURAL)] = False,
    ) -> Map | None:
        walk = relationships.WalkArguments(
            type_keys,
            None if kinds is None else [kind.value for kind in kinds],
            as_of,
            include_structural,
        )
        return await relationships.relationship_path(
            info.context, str(from_id), str(to_id), max_depth, walk
        )


@strawberry.type(description="Keeping the relationship-type catalog and the links themselves.")
class RelationshipMutations:
    @strawberry.mutation(
        description="Adds a relationship type to the catalog (ADMIN).",
        permission_classes=[IsAdmin],
    )
    async def define_relationship_type(
        self, info: Info, input: DefineRelationshipTypeInput
    ) -> RelationshipTypePayload:
        outcome = await relationships.define_type(info.context, provided(input))
        return payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Changes a relationship type's labels, colour, order or limits (ADMIN). "
        "A limit lower than a record already has is refused.",
        permission_classes=[IsAdmin],
    )
    async def update_relationship_type(
        self, info: Info, key: str, input: UpdateRelationshipTypeInput
    ) -> RelationshipTypePayload:
        outcome = await relationships.update_type(info.context, key, provided(input))
        return payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Puts the catalog in this order (ADMIN); name every key once.",
        permission_classes=[IsAdmin],
    )
    async def reorder_relationship_types(
        self, info: Info, keys: list[str]
    ) -> RelationshipTypesPayload:
        outcome = await relationships.reorder_types(info.context, keys)
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return RelationshipTypesSuccess(relationship_types=outcome)

    @strawberry.mutation(
        description="Removes a relationship type (ADMIN); refused while any link has it.",
        permission_classes=[IsAdmin],
    )
    async def remove_relationship_type(self, info: Info, key: str) -> RelationshipTypePayload:
        outcome = await relationships.remove_type(info.context, key)
        return payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Links a record to another party: an existing record, free text, or a "
        "customer created with it. Refused for kinds the type does not join, a record "
        "linked to itself, a link that repeats one in effect, or over the type's limit.",
        permission_classes=[IsAuthenticated],
    )
    async def add_relationship(
        self, info: Info, input: AddRelationshipInput
    ) -> RelationshipPayload:
        outcome = await relationships.add_relationship(info.context, provided(input))
        return payload(outcome, _relationship_success)

    @strawberry.mutation(
        description="Changes a relationship's dates or note; `onCard` is seen from "
        "`seenFrom` (default: the record the link starts at).",
        permission_classes=[IsAuthenticated],
    )
    async def update_relationship(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateRelationshipInput,
        seen_from: strawberry.ID | None = None,
    ) -> RelationshipPayload:
        outcome = await relationships.update_relationship(
            info.context, id, provided(input), seen_from
        )
        return payload(outcome, _relationship_success)

    @strawberry.mutation(
        description="Removes a relationship; a free-text party left without links goes too.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_relationship(self, info: Info, id: strawberry.ID) -> RemoveRelationshipPayload:
        outcome = await relationships.remove_relationship(info.context, id)
        return payload(outcome, lambda row: RemoveRelationshipSuccess(id=row["id"]))

    @strawberry.mutation(
        description="Turns a free-text party into a customer, contact or project, keeping its "
        "id and links. A contact or project needs `customerId`.",
        permission_classes=[IsAuthenticated],
    )
    async def promote_external_party(
        self,
        info: Info,
        id: strawberry.ID,
        kind: RecordKind,
        customer_id: strawberry.ID | None = None,
    ) -> PromotePayload:
        outcome = await relationships.promote(info.context, id, kind.value, customer_id)
        return payload(outcome, lambda row: PromoteSuccess(party=row))
