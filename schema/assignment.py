"""Assigning users to customers and activities, and removing them (R4.2). Assignment
says who looks after a record; it grants no access."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kesher.resolvers import assignment
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.schema.activities import Activity
from kesher.schema.common import Info, Row, error_of
from kesher.schema.items import AuditLine
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.records import Customer, User

_RECORD = "The customer or activity."
_USERS = "The users, each once."
_REFUSALS = (
    "Refused, changing nothing: an unknown record (NOT_FOUND), a contact or project "
    "(KIND_MISMATCH), an archived customer (ARCHIVED), a closed activity (CLOSED), an "
    "empty or repeating `userIds` (INVALID_INPUT), an unknown user (NOT_FOUND)"
)
_AFTER = (
    " In one write transaction it writes an audit line per user and notifies each of them "
    "but the signed-in user; after it, everyone it concerns (those users, everyone assigned "
    "afterwards and the record's owner, not the signed-in user) is mailed. A mail that "
    "fails does not undo the change: the answer says so in `mailError`. Assignment grants "
    "no access."
)


@payload_union("The change, or why nothing changed.")
@strawberry.type(
    description="Who is assigned now (the record in the field named after its kind, the "
    "other null), the audit lines written, and whom it was mailed to."
)
class AssignmentSuccess:
    customer: Row | None = strawberry.field(
        graphql_type=Customer | None, description="The customer, when it was one."
    )
    activity: Row | None = strawberry.field(
        graphql_type=Activity | None, description="The activity, when it was one."
    )
    assigned_users: list[Row] = strawberry.field(
        graphql_type=list[User], description="Everyone assigned to it now, by name."
    )
    audit_lines: list[Row] = strawberry.field(
        graphql_type=list[AuditLine], description="One audit line per user assigned or removed."
    )
    mailed_to: list[str] = strawberry.field(
        description="The addresses the news was mailed to (after the change was saved)."
    )
    mail_error: str | None = strawberry.field(
        description="Why the news did not reach someone; null when every mail went. The "
        "change stands either way."
    )


AssignmentPayload = Payload[AssignmentSuccess]


def _success(outcome: Row) -> AssignmentSuccess:
    return AssignmentSuccess(
        customer=outcome["customer"],
        activity=outcome["activity"],
        assigned_users=outcome["assigned_users"],
        audit_lines=outcome["audit_lines"],
        mailed_to=outcome["mailed_to"],
        mail_error=outcome["mail_error"],
    )


async def _change(
    info: Info, record_id: strawberry.ID, user_ids: list[strawberry.ID], *, assign: bool
) -> AssignmentPayload:
    outcome = await assignment.change(
        info.context,
        str(record_id),
        [str(each) for each in user_ids],
        assign,
        selected(info).selections,
    )
    return error_of(outcome) if isinstance(outcome, Refusal) else _success(outcome)


@strawberry.type(description="Assigning users to records.")
class AssignmentMutations:
    @strawberry.mutation(
        description="Assigns active users to a customer or activity. "
        + _REFUSALS
        + " or a deactivated one (NOT_FOUND), someone assigned already (CONFLICT)."
        + _AFTER,
        permission_classes=[IsAuthenticated],
    )
    async def assign_users(
        self,
        info: Info,
        record_id: Annotated[strawberry.ID, strawberry.argument(description=_RECORD)],
        user_ids: Annotated[list[strawberry.ID], strawberry.argument(description=_USERS)],
    ) -> AssignmentPayload:
        return await _change(info, record_id, user_ids, assign=True)

    @strawberry.mutation(
        description="Removes users from a customer or activity (a deactivated user too). "
        + _REFUSALS
        + ", someone not assigned (CONFLICT)."
        + _AFTER,
        permission_classes=[IsAuthenticated],
    )
    async def unassign_users(
        self,
        info: Info,
        record_id: Annotated[strawberry.ID, strawberry.argument(description=_RECORD)],
        user_ids: Annotated[list[strawberry.ID], strawberry.argument(description=_USERS)],
    ) -> AssignmentPayload:
        return await _change(info, record_id, user_ids, assign=False)
