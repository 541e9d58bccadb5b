"""Who sees whose calendar: managers and the users they manage, and calendars shared."""

from __future__ import annotations

import strawberry

from kesher.resolvers import calendar_access
from kesher.schema.common import Info
from kesher.schema.permissions import IsAdmin, IsAuthenticated
from kesher.schema.record_payloads import UserPayload, UserSuccess
from kesher.schema.root_fields import payload, saved_record


@strawberry.type(description="Granting and taking back sight of calendars.")
class CalendarAccessMutations:
    @strawberry.mutation(
        description="The manager starts managing these users (ADMIN): a MANAGER sees the "
        "calendars of the users they manage. Naming one already managed is harmless.",
        permission_classes=[IsAdmin],
    )
    async def manage_users(
        self, info: Info, manager_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> UserPayload:
        outcome = await calendar_access.manage(
            info.context, manager_id, list(user_ids), True, saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="The manager stops managing these users (ADMIN).",
        permission_classes=[IsAdmin],
    )
    async def stop_managing_users(
        self, info: Info, manager_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> UserPayload:
        outcome = await calendar_access.manage(
            info.context, manager_id, list(user_ids), False, saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Shares a calendar with these users, who may then see it: the signed-in "
        "user's own, or `ownerId`'s (ADMIN).",
        permission_classes=[IsAuthenticated],
    )
    async def share_calendar(
        self, info: Info, user_ids: list[strawberry.ID], owner_id: strawberry.ID | None = None
    ) -> UserPayload:
        outcome = await calendar_access.share(
            info.context, owner_id, list(user_ids), True, saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Stops sharing a calendar with these users.",
        permission_classes=[IsAuthenticated],
    )
    async def unshare_calendar(
        self, info: Info, user_ids: list[strawberry.ID], owner_id: strawberry.ID | None = None
    ) -> UserPayload:
        outcome = await calendar_access.share(
            info.context, owner_id, list(user_ids), False, saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))
