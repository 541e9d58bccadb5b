"""Adding a task from a card: a TASK activity made the way createActivity makes one (R3.3)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.graph import records as graph_records
from kesher.graph import tasks as graph_tasks
from kesher.graph.audit import write_audit
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.graph.model import ACTIVITY
from kesher.resolvers import activities
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

TASK_ADDED = "TASK_ADDED"

# createActivity's fields as addTask names them: what the task takes from the record is
# the record's fault, the rest the argument it came from.
_ARGUMENTS: Mapping[str, str] = {
    "ownerId": "assigneeId",
    "description": "text",
    "customerId": "recordId",
    "contactId": "recordId",
    "otherCustomerIds": "recordId",
}


class _Refused(GraphError):
    """A refusal of createActivity's checks, in addTask's words."""

    def __init__(self, refusal: Refusal) -> None:
        field = refusal.field
        message = refusal.message
        if field is not None:
            named = _ARGUMENTS.get(field.split(".")[0], field)
            if message.startswith(f"{field}:"):
                message = named + message[len(field) :]
            else:
                message = f"{named}: {message}"
            field = named
        super().__init__(message, field=field)
        self.code = refusal.code


def _refused(error: GraphError) -> _Refused:
    return _Refused(Refusal.of(error))


async def add_task(
    context: Context,
    record_id: str,
    subject: str,
    due_at: datetime,
    assignee_id: str | None,
    text: str | None,
    type_id: str | None,
    status_id: str | None,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Adds a task about the record (a customer, a contact's customer, a project's
    customer, or an activity's customers as its child), assigned to `assignee_id` or the
    caller, with an audit line on the record; answers with the task's card."""
    actor = viewer_id(context)
    activity_id = f"{activities.PREFIX}_{secrets.token_hex(12)}"
    shape = shape_of(ACTIVITY, selections, context.settings)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        found = await graph_tasks.anchor(tx, audience(context), record_id)
        kind_id, state_id = await graph_tasks.default_entries(tx, type_id, status_id)
        if kind_id is None:
            raise GraphError("typeId: define an activity type first.", field="typeId")
        if state_id is None:
            raise GraphError(
                "statusId: define an activity status of the OPEN category first.",
                field="statusId",
            )
        data: dict[str, Any] = {
            "kind": "TASK",
            "typeId": kind_id,
            "statusId": state_id,
            "subject": subject,
            "description": text if text and text.strip() else None,
            "dueAt": due_at,
            "ownerId": assignee_id or actor,
            "customerId": found["customerId"],
            "contactId": found["contactId"],
            "otherCustomerIds": found["otherCustomerIds"],
        }
        new = activities.new_activity(data)
        if isinstance(new, Refusal):
            raise _Refused(new)
        try:
            ref = await activities.insert(tx, activity_id, new, actor)
        except GraphError as error:
            raise _refused(error) from error
        if found["parentId"] is not None:
            await graph_tasks.set_parent(tx, activity_id, found["parentId"])
        await write_audit(
            tx,
            record_id,
            actor,
            TASK_ADDED,
            "tasks",
            None,
            ref,
            f"Added task {ref} {new.subject}",
        )
        return await graph_records.card_in(
            context.graph, tx, audience(context), shape, activity_id, written=True
        )

    return await write(context, work)
