"""Adding tasks from a record's card (R3.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.resolvers import tasks
from kesher.schema.activities import ActivityPayload
from kesher.schema.activity_operations import activity_payload, selected_activity
from kesher.schema.common import Info
from kesher.schema.permissions import IsAuthenticated


@strawberry.type(description="Adding tasks from a card.")
class TaskMutations:
    @strawberry.mutation(
        description="Adds a task (an activity of kind TASK, numbered TS-…) from a card. From "
        "a customer it is about that customer; from a contact, about the contact's customer "
        "and with the contact; from a project, about the project's customer; from an "
        "activity, about the same customers and a child of it. Its assignee (the task's "
        "owner) is notified once when it falls due. Refused, changing nothing, for an "
        "unknown or archived record, a closed activity, an unknown or deactivated assignee, "
        "and whatever createActivity refuses.",
        permission_classes=[IsAuthenticated],
    )
    async def add_task(
        self,
        info: Info,
        record_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The customer, contact, project or activity."),
        ],
        subject: Annotated[str, strawberry.argument(description="What to do, 1 to 300 chars.")],
        due_at: Annotated[datetime, strawberry.argument(description="When it is due.")],
        assignee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Who is to do it (an active user); the caller when left out."
            ),
        ] = None,
        text: Annotated[
            str | None, strawberry.argument(description="More about it, up to 5,000 chars.")
        ] = None,
        type_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Its activity type; the first in the catalog when left out."
            ),
        ] = None,
        status_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Its status; the catalog's first OPEN status when left out."
            ),
        ] = None,
    ) -> ActivityPayload:
        outcome = await tasks.add_task(
            info.context,
            str(record_id),
            subject,
            due_at,
            None if assignee_id is None else str(assignee_id),
            text,
            None if type_id is None else str(type_id),
            None if status_id is None else str(status_id),
            selected_activity(info),
        )
        return activity_payload(outcome)
