"""The activity-type and activity-status catalogs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from kesher.resolvers import activity_catalogs as catalogs
from kesher.resolvers.errors import Refusal
from kesher.schema.common import Info, MutationError, Row, error_of
from kesher.schema.inputs import provided
from kesher.schema.node import Node
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAdmin, IsAuthenticated


@strawberry.enum(description="What a status means for an activity's state.")
class StatusCategory(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Still to do (scheduled, postponed, …).")
    DONE = strawberry.enum_value("DONE", description="Done (done, succeeded, …).")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Will not happen.")


@strawberry.type(description="A kind of activity: sales meeting, kick-off, online presentation…")
class ActivityType(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    name: str = strawberry.field(description="Its name (Hebrew or any script); unique.")
    colour: str = strawberry.field(description="Hex colour, #RRGGBB, for calendars.")
    sort_order: int = strawberry.field(description="Position in the catalog.")
    created_at: datetime = strawberry.field(description="When it was defined.")
    updated_at: datetime = strawberry.field(description="When it last changed.")


@strawberry.type(description="Where an activity stands: scheduled, postponed, done, cancelled…")
class ActivityStatus(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    name: str = strawberry.field(description="Its name (Hebrew or any script); unique.")
    colour: str = strawberry.field(description="Hex colour, #RRGGBB.")
    category: StatusCategory = strawberry.field(
        description="Open, done or cancelled: decides the activity's state."
    )
    sort_order: int = strawberry.field(description="Position in the catalog.")
    created_at: datetime = strawberry.field(description="When it was defined.")
    updated_at: datetime = strawberry.field(description="When it last changed.")


@strawberry.input(description="A new activity type (ADMIN).")
class DefineActivityTypeInput:
    name: str = strawberry.field(description="Its name, 1 to 100 characters; unique.")
    colour: str = strawberry.field(description="Hex colour, #RRGGBB.")
    sort_order: int | None = strawberry.field(
        default=strawberry.UNSET, description="Position; last by default."
    )


@strawberry.input(description="Changes to an activity type: only the fields sent.")
class UpdateActivityTypeInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Its name.")
    colour: str | None = strawberry.field(default=strawberry.UNSET, description="#RRGGBB.")
    sort_order: int | None = strawberry.field(default=strawberry.UNSET, description="Position.")


@strawberry.input(description="A new activity status (ADMIN).")
class DefineActivityStatusInput:
    name: str = strawberry.field(description="Its name, 1 to 100 characters; unique.")
    colour: str = strawberry.field(description="Hex colour, #RRGGBB.")
    category: StatusCategory = strawberry.field(description="Open, done or cancelled.")
    sort_order: int | None = strawberry.field(
        default=strawberry.UNSET, description="Position; last by default."
    )


@strawberry.input(description="Changes to an activity status: only the fields sent.")
class UpdateActivityStatusInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Its name.")
    colour: str | None = strawberry.field(default=strawberry.UNSET, description="#RRGGBB.")
    category: StatusCategory | None = strawberry.field(
        default=strawberry.UNSET, description="Open, done or cancelled."
    )
    sort_order: int | None = strawberry.field(default=strawberry.UNSET, description="Position.")


@payload_union("The activity type, or why not.")
@strawberry.type(description="The activity type as saved (or as it was, when removed).")
class ActivityTypeSuccess:
    activity_type: Row = strawberry.field(graphql_type=ActivityType, description="The type.")


@payload_union("The catalog, or why not.")
@strawberry.type(description="Every activity type, in its new order.")
class ActivityTypesSuccess:
    activity_types: list[Row] = strawberry.field(
        graphql_type=list[ActivityType], description="The catalog."
    )


@payload_union("The activity status, or why not.")
@strawberry.type(description="The activity status as saved (or as it was, when removed).")
class ActivityStatusSuccess:
    activity_status: Row = strawberry.field(graphql_type=ActivityStatus, description="The status.")


@payload_union("The catalog, or why not.")
@strawberry.type(description="Every activity status, in its new order.")
class ActivityStatusesSuccess:
    activity_statuses: list[Row] = strawberry.field(
        graphql_type=list[ActivityStatus], description="The catalog."
    )


ActivityTypePayload = Payload[ActivityTypeSuccess]
ActivityTypesPayload = Payload[ActivityTypesSuccess]
ActivityStatusPayload = Payload[ActivityStatusSuccess]
ActivityStatusesPayload = Payload[ActivityStatusesSuccess]


@strawberry.type(description="Reading the activity catalogs.")
class ActivityCatalogQueries:
    @strawberry.field(
        description="The activity types, in sort order.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[ActivityType],
    )
    async def activity_types(self, info: Info) -> list[Row]:
        return await catalogs.entries(info.context, catalogs.ACTIVITY_TYPES)

    @strawberry.field(
        description="The activity statuses, in sort order.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[ActivityStatus],
    )
    async def activity_statuses(self, info: Info) -> list[Row]:
        return await catalogs.entries(info.context, catalogs.ACTIVITY_STATUSES)


def _type(outcome: Row | Refusal) -> ActivityTypeSuccess | MutationError:
    return (
        error_of(outcome)
        if isinstance(outcome, Refusal)
        else ActivityTypeSuccess(activity_type=outcome)
    )


def _status(outcome: Row | Refusal) -> ActivityStatusSuccess | MutationError:
    return (
        error_of(outcome)
        if isinstance(outcome, Refusal)
        else ActivityStatusSuccess(activity_status=outcome)
    )


@strawberry.type(description="Changing the activity catalogs (ADMIN).")
class ActivityCatalogMutations:
    @strawberry.mutation(description="Adds an activity type (ADMIN).", permission_classes=[IsAdmin])
    async def define_activity_type(
        self, info: Info, input: DefineActivityTypeInput
    ) -> ActivityTypePayload:
        return _type(await catalogs.define(info.context, catalogs.ACTIVITY_TYPES, provided(input)))

    @strawberry.mutation(
        description="Changes an activity type (ADMIN): only the fields sent.",
        permission_classes=[IsAdmin],
    )
    async def update_activity_type(
        self, info: Info, id: strawberry.ID, input: UpdateActivityTypeInput
    ) -> ActivityTypePayload:
        outcome = await catalogs.update(
            info.context, catalogs.ACTIVITY_TYPES, str(id), provided(input)
        )
        return _type(outcome)

    @strawberry.mutation(
        description="Puts the activity types in this order (ADMIN); name every id once.",
        permission_classes=[IsAdmin],
    )
    async def reorder_activity_types(
        self, info: Info, ids: list[strawberry.ID]
    ) -> ActivityTypesPayload:
        outcome = await catalogs.reorder(
            info.context, catalogs.ACTIVITY_TYPES, [str(i) for i in ids]
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return ActivityTypesSuccess(activity_types=outcome)

    @strawberry.mutation(
        description="Removes an activity type (ADMIN); refused while an activity has it.",
        permission_classes=[IsAdmin],
    )
    async def remove_activity_type(self, info: Info, id: strawberry.ID) -> ActivityTypePayload:
        return _type(await catalogs.remove(info.context, catalogs.ACTIVITY_TYPES, str(id)))

    @strawberry.mutation(
        description="Adds an activity status (ADMIN).", permission_classes=[IsAdmin]
    )
    async def define_activity_status(
        self, info: Info, input: DefineActivityStatusInput
    ) -> ActivityStatusPayload:
        outcome = await catalogs.define(info.context, catalogs.ACTIVITY_STATUSES, provided(input))
        return _status(outcome)

    @strawberry.mutation(
        description="Changes an activity status (ADMIN): only the fields sent.",
        permission_classes=[IsAdmin],
    )
    async def update_activity_status(
        self, info: Info, id: strawberry.ID, input: UpdateActivityStatusInput
    ) -> ActivityStatusPayload:
        outcome = await catalogs.update(
            info.context, catalogs.ACTIVITY_STATUSES, str(id), provided(input)
        )
        return _status(outcome)

    @strawberry.mutation(
        description="Puts the activity statuses in this order (ADMIN); name every id once.",
        permission_classes=[IsAdmin],
    )
    async def reorder_activity_statuses(
        self, info: Info, ids: list[strawberry.ID]
    ) -> ActivityStatusesPayload:
        outcome = await catalogs.reorder(
            info.context, catalogs.ACTIVITY_STATUSES, [str(i) for i in ids]
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return ActivityStatusesSuccess(activity_statuses=outcome)

    @strawberry.mutation(
        description="Removes an activity status (ADMIN); refused while an activity has it.",
        permission_classes=[IsAdmin],
    )
    async def remove_activity_status(self, info: Info, id: strawberry.ID) -> ActivityStatusPayload:
        return _status(await catalogs.remove(info.context, catalogs.ACTIVITY_STATUSES, str(id)))
