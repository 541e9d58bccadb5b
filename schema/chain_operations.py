"""Reading activities by reference number, and linking them into chains."""

from __future__ import annotations

import strawberry

from kesher.resolvers import chains
from kesher.resolvers.selected import selected
from kesher.schema.activities import Activity, ActivityPayload
from kesher.schema.activity_operations import activity_payload, selected_activity
from kesher.schema.common import Info, Row
from kesher.schema.permissions import IsAuthenticated


@strawberry.type(description="Reading activities by reference number.")
class ChainQueries:
    @strawberry.field(
        description="An activity's card by its reference number (e.g. OF-000123), or null.",
        permission_classes=[IsAuthenticated],
        graphql_type=Activity | None,
    )
    async def activity_by_ref(self, info: Info, ref: str) -> Row | None:
        return await chains.card_by_ref(info.context, ref, selected(info).selections)


@strawberry.type(description="Linking activities into chains.")
class ChainMutations:
    @strawberry.mutation(
        description="Records that an activity followed an earlier one of a customer they "
        "share. Linking to an activity already in a chain joins the whole chain; linking two "
        "chains merges them. Answers with the later activity.",
        permission_classes=[IsAuthenticated],
    )
    async def link_activities(
        self, info: Info, activity_id: strawberry.ID, previous_id: strawberry.ID
    ) -> ActivityPayload:
        outcome = await chains.link(
            info.context, str(activity_id), str(previous_id), selected_activity(info)
        )
        return activity_payload(outcome)

    @strawberry.mutation(
        description="Takes an activity out of its chain; what followed it then follows what "
        "it followed.",
        permission_classes=[IsAuthenticated],
    )
    async def unlink_activity(self, info: Info, activity_id: strawberry.ID) -> ActivityPayload:
        return activity_payload(
            await chains.unlink(info.context, str(activity_id), selected_activity(info))
        )
