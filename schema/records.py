"""The record types: users, customers, contacts and projects, as cards and list rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from kesher.resolvers import relationships
from kesher.schema.attachments import attached
from kesher.schema.call_logs import called
from kesher.schema.common import (
    Before,
    Connection,
    CustomerStatus,
    Info,
    Last,
    ProjectStatus,
    Role,
    Row,
    connection_field,
)
from kesher.schema.items import assigned, mailed
from kesher.schema.node import Node
from kesher.schema.notes import noted
from kesher.schema.relationships import CardRelationship, RelatedParty
from kesher.schema.stream import streamed

if TYPE_CHECKING:
    from kesher.schema.activities import Activity

# Activities refer to records and records to activities; this side is resolved lazily.
LazyActivity = Annotated["Activity", strawberry.lazy("kesher.schema.activities")]


@strawberry.type(description="Counts of the records linked to a customer.")
class CustomerCounts:
    contacts: int = strawberry.field(description="Live contacts who work at the customer.")
    projects: int = strawberry.field(description="Live projects for the customer.")
    offers: int = strawberry.field(description="Offers about the customer, closed ones too.")
    product_records: int = strawberry.field(
        description="Product records about the customer, closed ones too."
    )
    events: int = strawberry.field(description="Events about the customer, closed ones too.")
    tasks: int = strawberry.field(description="Tasks about the customer, closed ones too.")


@strawberry.type(description="Counts of the records linked to a user.")
class UserCounts:
    owned_customers: int = strawberry.field(description="Live customers the user owns.")


@strawberry.type(description="What customers, contacts and projects share: their links.")
class Linked:
    is_linked_to_customers: bool = strawberry.field(
        description="True when a link not yet ended joins this record to a live customer."
    )

    @strawberry.field(
        description="The live customers this record has links (not yet ended) to, by name.",
        graphql_type=list[RelatedParty],
    )
    @staticmethod
    def linked_customers(
        parent: strawberry.Parent[Row],
        first: Annotated[
            int | None, strawberry.argument(description="How many (default 20, at most 100).")
        ] = None,
    ) -> list[Row]:
        rows: list[Row] = parent["linked_customers"]
        return rows if first is None else rows[:first]

    @strawberry.field(
        description="This record's relationships, in catalog order then by the other party's "
        "name, each with its label as seen from this record.",
        graphql_type=Connection[CardRelationship],
    )
    @staticmethod
    def relationships(
        parent: strawberry.Parent[Row],
        info: Info,
        type_keys: Annotated[
            list[str] | None, strawberry.argument(description="Only links of these types.")
        ] = None,
        in_effect_on: Annotated[
            date | None, strawberry.argument(description="Only links in effect on this day.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        return relationships.relationships_connection(
            parent, str(info.path.key), info.context, first, after, last, before
        )


@strawberry.type(description="A person who works at a customer.")
class Contact(Linked, Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name (may be empty).")
    name: str = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    title: str | None = strawberry.field(description="Job title.")
    external_key: str | None = strawberry.field(
        description="The caller's own key for the record, as a CSV import set it (unique per "
        "kind); an import's rows name the record by it."
    )
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    archived_at: datetime | None = strawberry.field(description="When the record was archived.")
    customer: Customer = strawberry.field(description="The customer the contact works at.")
    attachments = attached("Contact")
    notes = noted("Contact")
    call_logs = called("Contact")
    emails = mailed("Contact")
    stream = streamed("Contact")


@strawberry.type(description="A project carried out for a customer.")
class Project(Linked, Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    name: str = strawberry.field(description="Project name.")
    status: ProjectStatus = strawberry.field(description="Where the project stands.")
    description: str | None = strawberry.field(description="What the project is about.")
    external_key: str | None = strawberry.field(
        description="The caller's own key for the record, as a CSV import set it (unique per "
        "kind); an import's rows name the record by it."
    )
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    archived_at: datetime | None = strawberry.field(description="When the record was archived.")
    customer: Customer = strawberry.field(description="The customer the project is for.")
    attachments = attached("Project")
    notes = noted("Project")
    call_logs = called("Project")
    emails = mailed("Project")
    stream = streamed("Project")


@strawberry.type(description="A customer: a company or person we do business with.")
class Customer(Linked, Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    name: str = strawberry.field(description="Display name (Hebrew or any script).")
    status: CustomerStatus = strawberry.field(description="Where the customer stands.")
    email: str | None = strawberry.field(description="Main e-mail address.")
    phone: str | None = strawberry.field(description="Main phone number.")
    website: str | None = strawberry.field(description="Web site (http or https URL).")
    city: str | None = strawberry.field(description="City.")
    external_key: str | None = strawberry.field(
        description="The caller's own key for the record, as a CSV import set it (unique per "
        "kind); an import's rows name the record by it."
    )
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    archived_at: datetime | None = strawberry.field(
        description="When the record was archived; archived records leave lists."
    )
    owner: User | None = strawberry.field(description="The user who owns the account.")
    linked_counts: CustomerCounts = strawberry.field(
        description="Counts of linked records (degree lookups, cheap)."
    )
    attachments = attached("Customer")
    notes = noted("Customer")
    call_logs = called("Customer")
    emails = mailed("Customer")
    stream = streamed("Customer")
    assigned_users = assigned("Customer")

    contacts = connection_field(
        "Customer.contacts",
        "Live contacts who work at this customer, by name.",
        Contact,
        describe_first_and_after=False,
    )

    projects = connection_field(
        "Customer.projects",
        "Live projects for this customer, by name.",
        Project,
        describe_first_and_after=False,
    )

    activities = connection_field(
        "Customer.activities",
        "The customer's history: every activity about it (as its customer or a "
        "further one), newest first.",
        LazyActivity,
        describe_first_and_after=False,
    )


# The user type, named inside its own class body.
LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]


@strawberry.type(description="A person who signs in to Kesher. Only users have calendars.")
class User(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    email: str = strawberry.field(description="Sign-in e-mail, lowercase, unique.")
    name: str = strawberry.field(description="Full name.")
    handle: str = strawberry.field(description="Unique handle for @mentions.")
    role: Role = strawberry.field(description="What the user may do.")
    active: bool = strawberry.field(description="False once deactivated: cannot sign in.")
    created_at: datetime = strawberry.field(description="When the user was created.")
    updated_at: datetime = strawberry.field(description="When the user last changed.")
    linked_counts: UserCounts = strawberry.field(description="Counts of linked records.")

    owned_customers = connection_field(
        "User.owned_customers",
        "Customers this user owns, by name.",
        Customer,
        describe_first_and_after=False,
    )

    manages = connection_field(
        "User.manages",
        "Users this user manages (and so whose calendars they see), by name.",
        LazyUser,
        describe_first_and_after=False,
    )

    managers = connection_field(
        "User.managers",
        "Users who manage this user, by name.",
        LazyUser,
        describe_first_and_after=False,
    )

    calendar_shared_with = connection_field(
        "User.calendar_shared_with",
        "Users this user shares their calendar with, by name.",
        LazyUser,
        describe_first_and_after=False,
    )

    calendars_shared_with_me = connection_field(
        "User.calendars_shared_with_me",
        "Users who share their calendar with this user, by name.",
        LazyUser,
        describe_first_and_after=False,
    )
