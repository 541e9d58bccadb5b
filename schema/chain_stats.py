"""Chain analytics: how long the work with customers took, and which actions come with
faster chains."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import chain_stats
from kesher.schema.activity_catalogs import ActivityType
from kesher.schema.common import Info, Row
from kesher.schema.inputs import CustomerFilter, provided
from kesher.schema.permissions import IsAuthenticated

PERCENTILES = (
    "Medians and the 90th percentile interpolate linearly between neighbouring values "
    "(Cypher's percentileCont): the median of an even count is the mean of the two middle "
    "values."
)


@strawberry.type(description="One activity type against the chains: with it and without it.")
class ChainTypeStats:
    type: ActivityType = strawberry.field(description="The activity type.")
    chains_with: int = strawberry.field(
        description="How many of the chains hold at least one activity of this type."
    )
    chains_without: int = strawberry.field(description="How many hold none.")
    median_duration_with: float | None = strawberry.field(
        description="The median duration, in seconds, of the chains with this type; null when "
        "there are none."
    )
    median_duration_without: float | None = strawberry.field(
        description="The median duration, in seconds, of the chains without it; null when "
        "there are none."
    )


@strawberry.type(
    description="Figures over a set of chains. A chain's duration runs from its first "
    "activity's start to its last one's; its steps are its activities. " + PERCENTILES
)
class ChainStats:
    chains: int = strawberry.field(description="How many chains there are.")
    median_duration_seconds: float | None = strawberry.field(
        description="The median duration, in seconds; null when there are no chains."
    )
    p90_duration_seconds: float | None = strawberry.field(
        description="The 90th percentile of the durations, in seconds; null when there are no "
        "chains."
    )
    median_steps: float | None = strawberry.field(
        description="The median number of activities in a chain; null when there are no chains."
    )
    by_type: list[ChainTypeStats] = strawberry.field(
        description="Every activity type of the catalog, in its sort order, with the chains "
        "that hold it against those that do not."
    )


@strawberry.type(description="Reading chain analytics.")
class ChainStatsQueries:
    @strawberry.field(
        description="Over the chains of the customers `filter` picks (as the customer list "
        "does: archived customers only with `includeArchived`; null picks every live "
        "customer): how long they took, how many steps they had, and for each activity type "
        "the median duration of the chains with it against those without, so a team sees "
        "which actions come with faster chains. A chain belongs to each customer one of its "
        "activities is primarily about; it counts once. Only chains that started (their "
        "first activity's start) in [from, to) when those are given. " + PERCENTILES + " "
        "One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=ChainStats,
    )
    async def chain_stats(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        from_: Annotated[
            datetime | None,
            strawberry.argument(name="from", description="Chains that started at or after this."),
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Chains that started before this.")
        ] = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await chain_stats.chain_stats(info.context, where, from_, to)
