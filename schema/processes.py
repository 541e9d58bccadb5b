"""Processes (R4.3): child activities made under a parent for a segment of customers, and
the tree of activities a process made."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kesher.resolvers import processes
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.activities import Activity, ActivityFields
from kesher.schema.common import Info, Row, error_of
from kesher.schema.inputs import CustomerFilter, provided
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated


@strawberry.input(
    description="What every child activity of a process is. Give `startsAt` (and `endsAt`, "
    "by default the same) for every kind but a task, which has `dueAt`. Times carry their "
    "offset."
)
class ProcessTemplateInput(ActivityFields):
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The owner of every child (an active user). Left out, each child is "
        "owned by its customer's owner when that user is active, else by you.",
    )


@strawberry.type(description="One activity of a process tree.")
class ProcessNode:
    activity: Activity = strawberry.field(description="The activity.")
    parent_id: strawberry.ID | None = strawberry.field(
        description="Its parent's id; null for the root."
    )
    depth: int = strawberry.field(description="Steps from the root: 0 for the root itself.")


@strawberry.type(description="The activities a process made, from its root.")
class ProcessTree:
    root: Activity = strawberry.field(
        description="The activity at the top: the one asked about, or the ancestor it "
        "reaches by its parents that has no parent."
    )
    nodes: list[ProcessNode] = strawberry.field(
        description="Every activity of the tree, the root first, breadth first: by depth, "
        "then start time, then id."
    )
    truncated: bool = strawberry.field(
        description="True when the tree holds more nodes than a tree answer may (2,000 by "
        "default) and only the first are listed."
    )


@strawberry.type(description="Reading processes.")
class ProcessQueries:
    @strawberry.field(
        description="The whole tree of the process this activity belongs to, from its root, "
        "or null when there is no activity with this id. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=ProcessTree | None,
    )
    async def process(self, info: Info, activity_id: strawberry.ID) -> Row | None:
        field = selected(info)
        assert isinstance(field, strawberry.types.nodes.SelectedField)
        return await processes.tree(info.context, str(activity_id), field)


@payload_union("The parent and the children made, or why nothing was.")
@strawberry.type(description="A process that ran: its parent and how many children it made.")
class ProcessSuccess:
    parent: Row = strawberry.field(
        graphql_type=Activity, description="The parent, with its new children."
    )
    created: int = strawberry.field(description="How many child activities were made.")


ProcessPayload = Payload[ProcessSuccess]


@strawberry.type(description="Running processes.")
class ProcessMutations:
    @strawberry.mutation(
        description="Makes one child activity (`CHILD_OF` the parent, about its customer) "
        "from the template for every live customer of the segment, in one transaction: all "
        "of them or, when refused, none. Refused when the parent is unknown or closed, the "
        "segment is empty or larger than a process may reach (5,000 customers by default), "
        "or the template is not a valid activity (its fields are named `template.…`).",
        permission_classes=[IsAuthenticated],
    )
    async def run_process(
        self,
        info: Info,
        parent_id: Annotated[
            strawberry.ID, strawberry.argument(description="The activity the children go under.")
        ],
        segment: Annotated[
            CustomerFilter | None,
            strawberry.argument(
                description="The customers, as the customer list filters them (all live "
                "customers when left out); archived customers are always left out."
            ),
        ] = None,
        *,
        template: ProcessTemplateInput,
    ) -> ProcessPayload:
        outcome = await processes.run(
            info.context,
            str(parent_id),
            provided(segment) if segment else {},
            provided(template),
            child(selected(info).selections, "parent"),
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return ProcessSuccess(parent=outcome["parent"], created=outcome["created"])
