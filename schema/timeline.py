"""A customer's neighbourhood timeline."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from kesher.resolvers.timeline import neighbourhood_timeline
from kesher.schema.common import After, First, Info, PageInfo, Row
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.relationships import RelatedParty


@strawberry.enum(description="What a timeline entry is.")
class TimelineKind(Enum):
    ACTIVITY = strawberry.enum_value("ACTIVITY", description="An activity (not a task).")
    TASK = strawberry.enum_value("TASK", description="A task; its time is when it is due.")
    NOTE = strawberry.enum_value("NOTE", description="A note on a record or on an activity.")


@strawberry.type(description="One link of the chain that brought an entry's record in.")
class TimelineStep:
    type_key: str = strawberry.field(
        description="The link's relationship type (WORKS_AT, FOR or a catalog key)."
    )
    role: str | None = strawberry.field(
        description="The role the party reached plays, as its type labels it (none for "
        "WORKS_AT and FOR)."
    )
    party: Row = strawberry.field(graphql_type=RelatedParty, description="The party reached.")


@strawberry.type(description="An activity or note of the neighbourhood.")
class TimelineEntry:
    id: strawberry.ID = strawberry.field(description="The activity's or note's id.")
    kind: TimelineKind = strawberry.field(description="What it is.")
    at: datetime = strawberry.field(
        description="An activity's start (a task's due time), a note's writing."
    )
    summary: str | None = strawberry.field(description="An activity's subject, a note's text.")
    ref: str | None = strawberry.field(description="An activity's reference number.")
    record: Row = strawberry.field(
        graphql_type=RelatedParty, description="The record it is about, with or on."
    )
    hops: int = strawberry.field(description="How many links away that record is (0: itself).")
    path: list[Row] = strawberry.field(
        graphql_type=list[TimelineStep],
        description="The shortest chain of links from the customer to that record.",
    )


@strawberry.type(description="An entry with its cursor.")
class TimelineEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the entries after it.")
    node: TimelineEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of a timeline, newest first.")
class TimelineConnection:
    edges: list[TimelineEdge] = strawberry.field(description="The entries of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


def _connection(answer: Row) -> TimelineConnection:
    return TimelineConnection(
        edges=[
            TimelineEdge(
                cursor=edge["cursor"],
                node=TimelineEntry(
                    id=strawberry.ID(edge["node"]["id"]),
                    kind=TimelineKind(edge["node"]["kind"]),
                    at=edge["node"]["at"],
                    summary=edge["node"]["summary"],
                    ref=edge["node"]["ref"],
                    record=edge["node"]["record"],
                    hops=edge["node"]["hops"],
                    path=edge["node"]["steps"],
                ),
            )
            for edge in answer["edges"]
        ],
        page_info=PageInfo(**answer["page_info"]),
    )


HOPS = "How many links out to gather records (1 to 3; default 1)."


@strawberry.type
class TimelineQueries:
    @strawberry.field(
        description="One stream of the activities and notes of a customer and of the records "
        "linked to it up to `hops` links away (catalog links not yet ended, its contacts and "
        "projects), newest first, each saying through which links it came; activities the "
        "viewer may not see, and their notes, are left out. At most the 500 nearest records "
        "are gathered. One statement; null when no customer has the id.",
        permission_classes=[IsAuthenticated],
    )
    async def timeline(
        self,
        info: Info,
        customer_id: strawberry.ID,
        hops: Annotated[int, strawberry.argument(description=HOPS)] = 1,
        first: First = None,
        after: After = None,
    ) -> TimelineConnection | None:
        answer = await neighbourhood_timeline(info.context, str(customer_id), hops, first, after)
        return None if answer is None else _connection(answer)
