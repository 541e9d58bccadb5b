"""Boards (R3.1): records in columns by the values of a field, and moving cards between
columns. A column's cards, and a move's answer, come in the field named after the kind
(`customers`, `projects`, `activities`); the others are null."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from kesher.resolvers import board as boards
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.schema.activities import Activity, ActivityFilter
from kesher.schema.common import Info, Row, error_of
from kesher.schema.inputs import CustomerFilter, CustomerRecordFilter, provided
from kesher.schema.items import AuditLine
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.records import Customer, Project


@strawberry.enum(description="The kind of record a board shows.")
class BoardKind(Enum):
    CUSTOMER = "CUSTOMER"
    PROJECT = "PROJECT"
    ACTIVITY = "ACTIVITY"


@strawberry.enum(
    description="The field whose values are a board's columns: STATUS (customers, projects "
    "and activities) or TYPE (activities)."
)
class BoardField(Enum):
    STATUS = strawberry.enum_value(
        "STATUS",
        description="A customer's or project's status (its enum values), or an activity's "
        "status (the status catalog, in sort order).",
    )
    TYPE = strawberry.enum_value(
        "TYPE", description="An activity's type (the type catalog, in sort order)."
    )


@strawberry.input(
    one_of=True,
    description="Narrows a board as the list of its kind is narrowed: give the part for the "
    "board's kind. Archived records are always left out.",
)
class BoardFilter:
    customers: CustomerFilter | None = strawberry.field(
        default=strawberry.UNSET, description="For a customer board."
    )
    projects: CustomerRecordFilter | None = strawberry.field(
        default=strawberry.UNSET, description="For a project board."
    )
    activities: ActivityFilter | None = strawberry.field(
        default=strawberry.UNSET, description="For an activity board."
    )


@strawberry.type(description="One column of a board: a value of its field.")
class BoardColumn:
    value: str = strawberry.field(
        description="The value: an enum value (e.g. LEAD) or a catalog entry's id; what "
        "`moveOnBoard` takes."
    )
    label: str = strawberry.field(description="The value as a person reads it.")
    colour: str | None = strawberry.field(
        description="The catalog entry's colour (#RRGGBB); null for an enum value."
    )
    count: int = strawberry.field(description="How many records matching the filter it holds.")
    customers: list[Row] | None = strawberry.field(
        graphql_type=list[Customer] | None,
        description="Its first cards on a customer board, last changed first; else null.",
    )
    projects: list[Row] | None = strawberry.field(
        graphql_type=list[Project] | None,
        description="Its first cards on a project board, last changed first; else null.",
    )
    activities: list[Row] | None = strawberry.field(
        graphql_type=list[Activity] | None,
        description="Its first cards on an activity board, last changed first; else null.",
    )


@strawberry.type(description="Records in columns, one per value of a field.")
class Board:
    kind: BoardKind = strawberry.field(description="The kind of record shown.")
    field: BoardField = strawberry.field(description="The field the columns are values of.")
    columns: list[BoardColumn] = strawberry.field(
        description="Every value of the field in order (enum order, or catalog sort order), "
        "even those no record has."
    )


@payload_union("The moved card, or why nothing changed.")
@strawberry.type(
    description="The card in its new column (in the field named after its kind; the others "
    "are null) and the audit line written."
)
class BoardMoveSuccess:
    customer: Row | None = strawberry.field(
        graphql_type=Customer | None, description="The customer moved."
    )
    project: Row | None = strawberry.field(
        graphql_type=Project | None, description="The project moved."
    )
    activity: Row | None = strawberry.field(
        graphql_type=Activity | None, description="The activity moved."
    )
    audit_line: Row = strawberry.field(graphql_type=AuditLine, description="The audit line.")


BoardMovePayload = Payload[BoardMoveSuccess]


@strawberry.type(description="Reading boards.")
class BoardQueries:
    @strawberry.field(
        description="A board: one column per value of `field` for records of `kind`, each "
        "with the count of records matching `filter` and its first cards. Archived records "
        "are left out, and closed activities unless `includeClosed`. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=Board,
    )
    async def board(
        self,
        info: Info,
        kind: BoardKind,
        field: BoardField,
        filter: BoardFilter | None = None,
        include_closed: Annotated[
            bool, strawberry.argument(description="Include closed activities.")
        ] = False,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Cards per column (default 10, at most the page cap, 100 by "
                "default); the count is of all."
            ),
        ] = None,
    ) -> Row:
        chosen = selected(info)
        return await boards.board(
            info.context,
            kind.value,
            field.name,
            provided(filter) if filter else {},
            include_closed,
            first,
            chosen,
        )


@strawberry.type(description="Moving cards on boards.")
class BoardMutations:
    @strawberry.mutation(
        description="Moves a customer, project or activity to another column of its board: "
        "sets the field to `value` (an enum value, or a catalog entry's id for an activity's "
        "status or type) and writes an audit line. Refused, changing nothing: an unknown or "
        "archived record, a closed activity, a field its kind has no board for, a value the "
        "field cannot take, the value it already has.",
        permission_classes=[IsAuthenticated],
    )
    async def move_on_board(
        self, info: Info, record_id: strawberry.ID, field: BoardField, value: str
    ) -> BoardMovePayload:
        outcome = await boards.move(
            info.context, str(record_id), field.name, value, selected(info).selections
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return BoardMoveSuccess(
            customer=outcome["customer"],
            project=outcome["project"],
            activity=outcome["activity"],
            audit_line=outcome["audit_line"],
        )
