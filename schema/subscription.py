"""The subscription root: live updates over WebSocket (`graphql-transport-ws`), fed by the
API's own committed writes through the broadcaster (`kesher.resolvers.broadcast`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import subscriptions
from kesher.resolvers.selected import selected
from kesher.schema.common import Info, Row
from kesher.schema.notes import Notification
from kesher.schema.permissions import IsAuthenticated


@strawberry.type(description="A committed change on a record.")
class RecordChange:
    record_id: strawberry.ID = strawberry.field(description="The record that changed.")
    action: str = strawberry.field(
        description="What was done: an audit line's action (`CHANGED`, `LINK_ADDED`, "
        "`MOVED_ON_BOARD` …), or `NOTE_ADDED`, `ATTACHMENT_ADDED`, `CALL_LOGGED` and the like."
    )
    summary: str = strawberry.field(description="The change in words, for a person.")
    at: datetime = strawberry.field(description="When it was made.")
    actor_id: strawberry.ID | None = strawberry.field(
        description="The user who made it; null when the service itself did (mail that "
        "came in, a reminder)."
    )


@strawberry.type(
    description="Live updates, over a WebSocket speaking `graphql-transport-ws` on the "
    "GraphQL path. Send the bearer token in the `connection_init` payload "
    '(`{"Authorization": "Bearer <token>"}`) or as the upgrade request\'s Authorization '
    "header; a connection without a valid one is closed with 4403. Events are told once "
    "their write has committed; a subscriber that falls far behind loses the oldest. A "
    "subscription ends with an `UNAUTHENTICATED` error when its token expires or its "
    "user's tokens are revoked; one over the user's cap of open subscriptions is refused "
    "with `TOO_MANY_SUBSCRIPTIONS`."
)
class Subscription:
    @strawberry.subscription(
        description="The signed-in user's notifications, each as it is made.",
        permission_classes=[IsAuthenticated],
        graphql_type=Notification,
    )
    async def my_notifications(self, info: Info) -> AsyncGenerator[Row, None]:
        selections = selected(info).selections
        async with aclosing(subscriptions.notifications(info.context, selections)) as rows:
            async for row in rows:
                yield row

    @strawberry.subscription(
        description="Every committed change on a customer, contact, project, activity or "
        "user: audit lines, notes, attachments, calls and mails. An unknown record is "
        "refused, naming `recordId`.",
        permission_classes=[IsAuthenticated],
        graphql_type=RecordChange,
    )
    async def record_changed(
        self,
        info: Info,
        record_id: Annotated[
            strawberry.ID, strawberry.argument(description="The record to follow.")
        ],
    ) -> AsyncGenerator[Row, None]:
        async with aclosing(subscriptions.record_changes(info.context, record_id)) as rows:
            async for row in rows:
                yield row
