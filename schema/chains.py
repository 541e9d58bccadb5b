"""The types of chains of activities and of linked-item counts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kesher.schema.common import connection_field
from kesher.schema.node import Node

if TYPE_CHECKING:
    from kesher.schema.activities import Activity, ActivityKind

# Activities refer to chains and chains to activities; this side is resolved lazily.
LazyActivity = Annotated["Activity", strawberry.lazy("kesher.schema.activities")]
LazyKind = Annotated["ActivityKind", strawberry.lazy("kesher.schema.activities")]


@strawberry.type(description="Counts of the other activities in an activity's chain, by kind.")
class ActivityCounts:
    offers: int = strawberry.field(description="Offers in the same chain.")
    product_records: int = strawberry.field(description="Product records in the same chain.")
    events: int = strawberry.field(description="Events (meetings) in the same chain.")
    tasks: int = strawberry.field(description="Tasks in the same chain.")


@strawberry.type(description="One step of a chain, as its slowest step names it.")
class ChainAction:
    id: strawberry.ID = strawberry.field(description="The activity's id.")
    ref: str | None = strawberry.field(description="Its reference number, if its kind has one.")
    kind: LazyKind = strawberry.field(description="What it is.")
    subject: str = strawberry.field(description="Its subject line.")
    starts_at: datetime = strawberry.field(description="When it starts (a task: is due).")


@strawberry.type(
    description="The longest wait between two steps of a chain that follow each other in time."
)
class ChainStep:
    earlier: ChainAction = strawberry.field(description="The step waited after.")
    later: ChainAction = strawberry.field(description="The step that came next.")
    gap_seconds: float = strawberry.field(description="Seconds between their starts.")


@strawberry.type(
    description="Activities joined by `linkActivities`: when work with a customer started, "
    "what followed and how long it took."
)
class Chain(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    created_at: datetime = strawberry.field(description="When the chain was first made.")
    steps: int = strawberry.field(description="How many activities it holds.")
    started_at: datetime = strawberry.field(description="The earliest step's start.")
    last_at: datetime = strawberry.field(description="The latest step's start.")
    duration_seconds: float = strawberry.field(
        description="Seconds from the earliest step's start to the latest's."
    )
    slowest_step: ChainStep | None = strawberry.field(
        description="The longest wait between consecutive steps (by start time); where "
        "handling is slow."
    )

    actions = connection_field(
        "Chain.actions", "Every activity of the chain, newest first (the links view).", LazyActivity
    )


def chained(relation: str, what: str) -> Any:
    """A connection field of an activity listing the other `what` of its chain, newest
    first: where each of its `linkedCounts` leads."""
    return connection_field(
        f"Activity.{relation}", f"The {what} in the same chain, newest first.", LazyActivity
    )
