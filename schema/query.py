"""The query root. Each field is answered by one Cypher statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from kesher.graph.relation_map import RelationMap as Map
from kesher.resolvers import records, relationships
from kesher.resolvers.selected import selected
from kesher.schema.activity_catalogs import ActivityCatalogQueries
from kesher.schema.activity_operations import ActivityQueries
from kesher.schema.board import BoardQueries
from kesher.schema.calendar import CalendarQueries
from kesher.schema.chain_operations import ChainQueries
from kesher.schema.chain_stats import ChainStatsQueries
from kesher.schema.common import AFTER, FIRST, Before, Connection, Info, Last, RecordOrder, Row
from kesher.schema.exports import ExportQueries
from kesher.schema.imports import ImportQueries
from kesher.schema.inputs import CustomerFilter, CustomerRecordFilter, UserFilter, provided
from kesher.schema.merge import DuplicateQueries
from kesher.schema.network import NetworkQueries
from kesher.schema.node import NodeQueries
from kesher.schema.notes import NoteQueries
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.processes import ProcessQueries
from kesher.schema.records import Contact, Customer, Project, User
from kesher.schema.relationships import PartyKind, RelationMap, RelationshipType
from kesher.schema.timeline import TimelineQueries

SEARCH = (
    "Full-text search over names (Hebrew or English), e-mail and more; every word must "
    "match as a prefix. Results come by relevance."
)
TYPE_KEYS = "Only links of these relationship types (all types when left out)."
KINDS = "Only reach parties of these kinds (roots and ends always show)."
AS_OF = "Only links in effect on this day."
STRUCTURAL = "Also follow contact→customer (WORKS_AT) and project→customer (FOR) edges."


def _field(info: Info) -> SelectedField:
    field = selected(info)
    assert isinstance(field, SelectedField)
    return field


def _selections(info: Info) -> list[Selection]:
    return _field(info).selections


@strawberry.type(description="Everything that can be read.")
class Query(
    CalendarQueries,
    ActivityQueries,
    ActivityCatalogQueries,
    ChainStatsQueries,
    ProcessQueries,
    ChainQueries,
    BoardQueries,
    NoteQueries,
    NodeQueries,
    ImportQueries,
    ExportQueries,
    DuplicateQueries,
    NetworkQueries,
    TimelineQueries,
):
    @strawberry.field(
        description="The signed-in user.",
        permission_classes=[IsAuthenticated],
        graphql_type=User | None,
    )
    async def me(self, info: Info) -> Row | None:
        return await records.me(info.context, _selections(info))

    @strawberry.field(
        description="A user's card, or null when there is none with this id.",
        permission_classes=[IsAuthenticated],
        graphql_type=User | None,
    )
    async def user(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.USERS, id, _selections(info))

    @strawberry.field(
        description="Users, by name.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[User],
    )
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.USERS, _field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A customer's card: details, owner, contacts, projects and counts.",
        permission_classes=[IsAuthenticated],
        graphql_type=Customer | None,
    )
    async def customer(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.CUSTOMERS, id, _selections(info))

    @strawberry.field(
        description="The customer list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Customer],
    )
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.CUSTOMERS, _field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A contact's card.",
        permission_classes=[IsAuthenticated],
        graphql_type=Contact | None,
    )
    async def contact(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.CONTACTS, id, _selections(info))

    @strawberry.field(
        description="The contact list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Contact],
    )
    async def contacts(
        self,
        info: Info,
        filter: CustomerRecordFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.CONTACTS, _field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A project's card.",
        permission_classes=[IsAuthenticated],
        graphql_type=Project | None,
    )
    async def project(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.PROJECTS, id, _selections(info))

    @strawberry.field(
        description="The project list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Project],
    )
    async def projects(
        self,
        info: Info,
        filter: CustomerRecordFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.PROJECTS, _field(info), where, search, order_by.value
        )

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
