"""The mutation root. Each mutation is one write transaction: it happens fully or not at
all, and a refusal comes back as a `MutationError` with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from kesher.resolvers import auth, calendar_access, records, relationships
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.activity_catalogs import ActivityCatalogMutations
from kesher.schema.activity_operations import ActivityMutations
from kesher.schema.assignment import AssignmentMutations
from kesher.schema.attachments import AttachmentMutations
from kesher.schema.board import BoardMutations
from kesher.schema.calendar import CalendarMutations
from kesher.schema.chain_operations import ChainMutations
from kesher.schema.common import Info, MutationError, Row, error_of
from kesher.schema.emails import EmailMutations
from kesher.schema.imports import ImportMutations
from kesher.schema.inputs import (
    AddRelationshipInput,
    CreateContactInput,
    CreateCustomerInput,
    CreateProjectInput,
    CreateUserInput,
    DefineRelationshipTypeInput,
    UpdateContactInput,
    UpdateCustomerInput,
    UpdateProjectInput,
    UpdateRelationshipInput,
    UpdateRelationshipTypeInput,
    UpdateUserInput,
    provided,
)
from kesher.schema.merge import MergeMutations
from kesher.schema.notes import NoteMutations
from kesher.schema.permissions import IsAdmin, IsAuthenticated, IsManager
from kesher.schema.processes import ProcessMutations
from kesher.schema.record_payloads import (
    ContactPayload,
    ContactSuccess,
    CustomerPayload,
    CustomerSuccess,
    LoginPayload,
    LoginSuccess,
    ProjectPayload,
    ProjectSuccess,
    PromotePayload,
    PromoteSuccess,
    RelationshipPayload,
    RelationshipSuccess,
    RelationshipTypePayload,
    RelationshipTypesPayload,
    RelationshipTypesSuccess,
    RelationshipTypeSuccess,
    RemoveRelationshipPayload,
    RemoveRelationshipSuccess,
    UserPayload,
    UserSuccess,
)
from kesher.schema.relationships import (
    RecordKind,
)
from kesher.schema.tasks import TaskMutations

S = TypeVar("S")


def _payload(outcome: Row | Refusal, success: Callable[[Row], S]) -> S | MutationError:
    return error_of(outcome) if isinstance(outcome, Refusal) else success(outcome)


def _relationship_success(row: Row) -> RelationshipSuccess:
    return RelationshipSuccess(relationship=row["relationship"], on_card=row)


def _record(info: Info, name: str) -> list[strawberry.types.nodes.Selection]:
    """What the client asked to see of the saved record in the success payload."""
    return child(selected(info).selections, name)


@strawberry.type(description="Everything that changes data.")
class Mutation(
    CalendarMutations,
    ActivityMutations,
    ActivityCatalogMutations,
    ProcessMutations,
    ChainMutations,
    AttachmentMutations,
    BoardMutations,
    NoteMutations,
    EmailMutations,
    AssignmentMutations,
    TaskMutations,
    ImportMutations,
    MergeMutations,
):
    @strawberry.mutation(
        description="Signs in with e-mail and password; returns a bearer token. After too "
        "many failed attempts for the account or from the client's address, an attempt is "
        "refused unchecked with a `TOO_MANY_ATTEMPTS` error whose `retryAfterSeconds` says "
        "how long to wait."
    )
    async def login(self, info: Info, email: str, password: str) -> LoginPayload:
        outcome = await auth.login(info.context, email, password, _record(info, "user"))
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        token, expires, user = outcome
        return LoginSuccess(token=token, expires_at=expires, user=user)

    @strawberry.mutation(description="Creates a customer.", permission_classes=[IsAuthenticated])
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerPayload:
        outcome = await records.create(
            info.context, records.CUSTOMERS, provided(input), _record(info, "customer")
        )
        return _payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Changes a customer: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_customer(
        self, info: Info, id: strawberry.ID, input: UpdateCustomerInput
    ) -> CustomerPayload:
        outcome = await records.update(
            info.context, records.CUSTOMERS, id, provided(input), _record(info, "customer")
        )
        return _payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Archives a customer: it leaves lists but its card stays readable.",
        permission_classes=[IsManager],
    )
    async def archive_customer(self, info: Info, id: strawberry.ID) -> CustomerPayload:
        outcome = await records.archive(
            info.context, records.CUSTOMERS, id, _record(info, "customer")
        )
        return _payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Creates a contact at a customer.", permission_classes=[IsAuthenticated]
    )
    async def create_contact(self, info: Info, input: CreateContactInput) -> ContactPayload:
        outcome = await records.create(
            info.context, records.CONTACTS, provided(input), _record(info, "contact")
        )
        return _payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(
        description="Changes a contact: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_contact(
        self, info: Info, id: strawberry.ID, input: UpdateContactInput
    ) -> ContactPayload:
        outcome = await records.update(
            info.context, records.CONTACTS, id, provided(input), _record(info, "contact")
        )
        return _payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(description="Archives a contact.", permission_classes=[IsManager])
    async def archive_contact(self, info: Info, id: strawberry.ID) -> ContactPayload:
        outcome = await records.archive(
            info.context, records.CONTACTS, id, _record(info, "contact")
        )
        return _payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(
        description="Creates a project for a customer.", permission_classes=[IsAuthenticated]
    )
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectPayload:
        outcome = await records.create(
            info.context, records.PROJECTS, provided(input), _record(info, "project")
        )
        return _payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(
        description="Changes a project: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_project(
        self, info: Info, id: strawberry.ID, input: UpdateProjectInput
    ) -> ProjectPayload:
        outcome = await records.update(
            info.context, records.PROJECTS, id, provided(input), _record(info, "project")
        )
        return _payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(description="Archives a project.", permission_classes=[IsManager])
    async def archive_project(self, info: Info, id: strawberry.ID) -> ProjectPayload:
        outcome = await records.archive(
            info.context, records.PROJECTS, id, _record(info, "project")
        )
        return _payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(description="Creates a user (ADMIN).", permission_classes=[IsAdmin])
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        outcome = await records.create(
            info.context, records.USERS, provided(input), _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Changes a user (ADMIN): only the fields sent.",
        permission_classes=[IsAdmin],
    )
    async def update_user(
        self, info: Info, id: strawberry.ID, input: UpdateUserInput
    ) -> UserPayload:
        outcome = await records.update(
            info.context, records.USERS, id, provided(input), _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Deactivates a user (ADMIN): they can no longer sign in or change data.",
        permission_classes=[IsAdmin],
    )
    async def deactivate_user(self, info: Info, id: strawberry.ID) -> UserPayload:
        outcome = await records.deactivate_user(info.context, id, _record(info, "user"))
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Adds a relationship type to the catalog (ADMIN).",
        permission_classes=[IsAdmin],
    )
    async def define_relationship_type(
        self, info: Info, input: DefineRelationshipTypeInput
    ) -> RelationshipTypePayload:
        outcome = await relationships.define_type(info.context, provided(input))
        return _payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Changes a relationship type's labels, colour, order or limits (ADMIN). "
        "A limit lower than a record already has is refused.",
        permission_classes=[IsAdmin],
    )
    async def update_relationship_type(
        self, info: Info, key: str, input: UpdateRelationshipTypeInput
    ) -> RelationshipTypePayload:
        outcome = await relationships.update_type(info.context, key, provided(input))
        return _payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Puts the catalog in this order (ADMIN); name every key once.",
        permission_classes=[IsAdmin],
    )
    async def reorder_relationship_types(
        self, info: Info, keys: list[str]
    ) -> RelationshipTypesPayload:
        outcome = await relationships.reorder_types(info.context, keys)
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return RelationshipTypesSuccess(relationship_types=outcome)

    @strawberry.mutation(
        description="Removes a relationship type (ADMIN); refused while any link has it.",
        permission_classes=[IsAdmin],
    )
    async def remove_relationship_type(self, info: Info, key: str) -> RelationshipTypePayload:
        outcome = await relationships.remove_type(info.context, key)
        return _payload(outcome, lambda row: RelationshipTypeSuccess(relationship_type=row))

    @strawberry.mutation(
        description="Links a record to another party: an existing record, free text, or a "
        "customer created with it. Refused for kinds the type does not join, a record "
        "linked to itself, a link that repeats one in effect, or over the type's limit.",
        permission_classes=[IsAuthenticated],
    )
    async def add_relationship(
        self, info: Info, input: AddRelationshipInput
    ) -> RelationshipPayload:
        outcome = await relationships.add_relationship(info.context, provided(input))
        return _payload(outcome, _relationship_success)

    @strawberry.mutation(
        description="Changes a relationship's dates or note; `onCard` is seen from "
        "`seenFrom` (default: the record the link starts at).",
        permission_classes=[IsAuthenticated],
    )
    async def update_relationship(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateRelationshipInput,
        seen_from: strawberry.ID | None = None,
    ) -> RelationshipPayload:
        outcome = await relationships.update_relationship(
            info.context, id, provided(input), seen_from
        )
        return _payload(outcome, _relationship_success)

    @strawberry.mutation(
        description="Removes a relationship; a free-text party left without links goes too.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_relationship(self, info: Info, id: strawberry.ID) -> RemoveRelationshipPayload:
        outcome = await relationships.remove_relationship(info.context, id)
        return _payload(outcome, lambda row: RemoveRelationshipSuccess(id=row["id"]))

    @strawberry.mutation(
        description="Turns a free-text party into a customer, contact or project, keeping its "
        "id and links. A contact or project needs `customerId`.",
        permission_classes=[IsAuthenticated],
    )
    async def promote_external_party(
        self,
        info: Info,
        id: strawberry.ID,
        kind: RecordKind,
        customer_id: strawberry.ID | None = None,
    ) -> PromotePayload:
        outcome = await relationships.promote(info.context, id, kind.value, customer_id)
        return _payload(outcome, lambda row: PromoteSuccess(party=row))

    @strawberry.mutation(
        description="The manager starts managing these users (ADMIN): a MANAGER sees the "
        "calendars of the users they manage. Naming one already managed is harmless.",
        permission_classes=[IsAdmin],
    )
    async def manage_users(
        self, info: Info, manager_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> UserPayload:
        outcome = await calendar_access.manage(
            info.context, manager_id, list(user_ids), True, _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="The manager stops managing these users (ADMIN).",
        permission_classes=[IsAdmin],
    )
    async def stop_managing_users(
        self, info: Info, manager_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> UserPayload:
        outcome = await calendar_access.manage(
            info.context, manager_id, list(user_ids), False, _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Shares a calendar with these users, who may then see it: the signed-in "
        "user's own, or `ownerId`'s (ADMIN).",
        permission_classes=[IsAuthenticated],
    )
    async def share_calendar(
        self, info: Info, user_ids: list[strawberry.ID], owner_id: strawberry.ID | None = None
    ) -> UserPayload:
        outcome = await calendar_access.share(
            info.context, owner_id, list(user_ids), True, _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Stops sharing a calendar with these users.",
        permission_classes=[IsAuthenticated],
    )
    async def unshare_calendar(
        self, info: Info, user_ids: list[strawberry.ID], owner_id: strawberry.ID | None = None
    ) -> UserPayload:
        outcome = await calendar_access.share(
            info.context, owner_id, list(user_ids), False, _record(info, "user")
        )
        return _payload(outcome, lambda row: UserSuccess(user=row))
