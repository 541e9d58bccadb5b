"""The root fields of records: reading users, customers, contacts and projects as cards and
lists, and creating, changing and archiving them."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kesher.resolvers import records
from kesher.schema.common import AFTER, FIRST, Before, Connection, Info, Last, RecordOrder, Row
from kesher.schema.inputs import (
    CreateContactInput,
    CreateCustomerInput,
    CreateProjectInput,
    CreateUserInput,
    CustomerFilter,
    CustomerRecordFilter,
    UpdateContactInput,
    UpdateCustomerInput,
    UpdateProjectInput,
    UpdateUserInput,
    UserFilter,
    provided,
)
from kesher.schema.permissions import IsAdmin, IsAuthenticated, IsManager
from kesher.schema.record_payloads import (
    ContactPayload,
    ContactSuccess,
    CustomerPayload,
    CustomerSuccess,
    ProjectPayload,
    ProjectSuccess,
    UserPayload,
    UserSuccess,
)
from kesher.schema.records import Contact, Customer, Project, User
from kesher.schema.root_fields import payload, saved_record, selections, single_field

SEARCH = (
    "Full-text search over names (Hebrew or English), e-mail and more; every word must "
    "match as a prefix. Results come by relevance."
)


@strawberry.type(description="Reading records.")
class RecordQueries:
    @strawberry.field(
        description="The signed-in user.",
        permission_classes=[IsAuthenticated],
        graphql_type=User | None,
    )
    async def me(self, info: Info) -> Row | None:
        return await records.me(info.context, selections(info))

    @strawberry.field(
        description="A user's card, or null when there is none with this id.",
        permission_classes=[IsAuthenticated],
        graphql_type=User | None,
    )
    async def user(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.USERS, id, selections(info))

    @strawberry.field(
        description="Users, by name.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[User],
    )
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.USERS, single_field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A customer's card: details, owner, contacts, projects and counts.",
        permission_classes=[IsAuthenticated],
        graphql_type=Customer | None,
    )
    async def customer(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.CUSTOMERS, id, selections(info))

    @strawberry.field(
        description="The customer list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Customer],
    )
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.CUSTOMERS, single_field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A contact's card.",
        permission_classes=[IsAuthenticated],
        graphql_type=Contact | None,
    )
    async def contact(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.CONTACTS, id, selections(info))

    @strawberry.field(
        description="The contact list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Contact],
    )
    async def contacts(
        self,
        info: Info,
        filter: CustomerRecordFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.CONTACTS, single_field(info), where, search, order_by.value
        )

    @strawberry.field(
        description="A project's card.",
        permission_classes=[IsAuthenticated],
        graphql_type=Project | None,
    )
    async def project(self, info: Info, id: strawberry.ID) -> Row | None:
        return await records.card(info.context, records.PROJECTS, id, selections(info))

    @strawberry.field(
        description="The project list: filter, search, order and page.",
        permission_classes=[IsAuthenticated],
        graphql_type=Connection[Project],
    )
    async def projects(
        self,
        info: Info,
        filter: CustomerRecordFilter | None = None,
        search: Annotated[str | None, strawberry.argument(description=SEARCH)] = None,
        order_by: RecordOrder = RecordOrder.NAME_ASC,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        where = provided(filter) if filter else {}
        return await records.page(
            info.context, records.PROJECTS, single_field(info), where, search, order_by.value
        )


@strawberry.type(description="Creating, changing and archiving records.")
class RecordMutations:
    @strawberry.mutation(description="Creates a customer.", permission_classes=[IsAuthenticated])
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerPayload:
        outcome = await records.create(
            info.context, records.CUSTOMERS, provided(input), saved_record(info, "customer")
        )
        return payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Changes a customer: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_customer(
        self, info: Info, id: strawberry.ID, input: UpdateCustomerInput
    ) -> CustomerPayload:
        outcome = await records.update(
            info.context, records.CUSTOMERS, id, provided(input), saved_record(info, "customer")
        )
        return payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Archives a customer: it leaves lists but its card stays readable.",
        permission_classes=[IsManager],
    )
    async def archive_customer(self, info: Info, id: strawberry.ID) -> CustomerPayload:
        outcome = await records.archive(
            info.context, records.CUSTOMERS, id, saved_record(info, "customer")
        )
        return payload(outcome, lambda row: CustomerSuccess(customer=row))

    @strawberry.mutation(
        description="Creates a contact at a customer.", permission_classes=[IsAuthenticated]
    )
    async def create_contact(self, info: Info, input: CreateContactInput) -> ContactPayload:
        outcome = await records.create(
            info.context, records.CONTACTS, provided(input), saved_record(info, "contact")
        )
        return payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(
        description="Changes a contact: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_contact(
        self, info: Info, id: strawberry.ID, input: UpdateContactInput
    ) -> ContactPayload:
        outcome = await records.update(
            info.context, records.CONTACTS, id, provided(input), saved_record(info, "contact")
        )
        return payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(description="Archives a contact.", permission_classes=[IsManager])
    async def archive_contact(self, info: Info, id: strawberry.ID) -> ContactPayload:
        outcome = await records.archive(
            info.context, records.CONTACTS, id, saved_record(info, "contact")
        )
        return payload(outcome, lambda row: ContactSuccess(contact=row))

    @strawberry.mutation(
        description="Creates a project for a customer.", permission_classes=[IsAuthenticated]
    )
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectPayload:
        outcome = await records.create(
            info.context, records.PROJECTS, provided(input), saved_record(info, "project")
        )
        return payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(
        description="Changes a project: only the fields sent.",
        permission_classes=[IsAuthenticated],
    )
    async def update_project(
        self, info: Info, id: strawberry.ID, input: UpdateProjectInput
    ) -> ProjectPayload:
        outcome = await records.update(
            info.context, records.PROJECTS, id, provided(input), saved_record(info, "project")
        )
        return payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(description="Archives a project.", permission_classes=[IsManager])
    async def archive_project(self, info: Info, id: strawberry.ID) -> ProjectPayload:
        outcome = await records.archive(
            info.context, records.PROJECTS, id, saved_record(info, "project")
        )
        return payload(outcome, lambda row: ProjectSuccess(project=row))

    @strawberry.mutation(description="Creates a user (ADMIN).", permission_classes=[IsAdmin])
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        outcome = await records.create(
            info.context, records.USERS, provided(input), saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Changes a user (ADMIN): only the fields sent.",
        permission_classes=[IsAdmin],
    )
    async def update_user(
        self, info: Info, id: strawberry.ID, input: UpdateUserInput
    ) -> UserPayload:
        outcome = await records.update(
            info.context, records.USERS, id, provided(input), saved_record(info, "user")
        )
        return payload(outcome, lambda row: UserSuccess(user=row))

    @strawberry.mutation(
        description="Deactivates a user (ADMIN): they can no longer sign in or change data.",
        permission_classes=[IsAdmin],
    )
    async def deactivate_user(self, info: Info, id: strawberry.ID) -> UserPayload:
        outcome = await records.deactivate_user(info.context, id, saved_record(info, "user"))
        return payload(outcome, lambda row: UserSuccess(user=row))
