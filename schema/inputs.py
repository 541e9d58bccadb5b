"""Input types of the record mutations and list filters.

In an update, a field left out is not changed and a field set to null is cleared.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from kesher.schema.common import CustomerStatus, ProjectStatus, Role
from kesher.schema.relationships import KindPair


def provided(value: object) -> dict[str, Any]:
    """The fields a client sent, by API name, with enums as their values."""
    sent: dict[str, Any] = {}
    for item in dataclasses.fields(value):  # type: ignore[arg-type]
        field_value = getattr(value, item.name)
        if field_value is strawberry.UNSET:
            continue
        if isinstance(field_value, Enum):
            field_value = field_value.value
        elif dataclasses.is_dataclass(field_value):
            field_value = provided(field_value)
        elif isinstance(field_value, list):
            field_value = [v.value if isinstance(v, Enum) else v for v in field_value]
        sent[to_camel_case(item.name)] = field_value
    return sent


@strawberry.input(description="A new customer.")
class CreateCustomerInput:
    name: str = strawberry.field(description="Display name, 1 to 200 characters.")
    status: CustomerStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to LEAD."
    )
    email: str | None = strawberry.field(default=strawberry.UNSET, description="E-mail.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone.")
    website: str | None = strawberry.field(default=strawberry.UNSET, description="http(s) URL.")
    city: str | None = strawberry.field(default=strawberry.UNSET, description="City.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The owning user; must be active."
    )


@strawberry.input(description="Changes to a customer.")
class UpdateCustomerInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Display name.")
    status: CustomerStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Status."
    )
    email: str | None = strawberry.field(default=strawberry.UNSET, description="E-mail.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone.")
    website: str | None = strawberry.field(default=strawberry.UNSET, description="http(s) URL.")
    city: str | None = strawberry.field(default=strawberry.UNSET, description="City.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The owning user; null removes the owner."
    )


@strawberry.input(description="A new contact at a customer.")
class CreateContactInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer they work at.")
    first_name: str = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Family name.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="E-mail.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Job title.")


@strawberry.input(description="Changes to a contact.")
class UpdateContactInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Move the contact to another customer."
    )
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="Given name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Family name.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="E-mail.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Job title.")


@strawberry.input(description="A new project for a customer.")
class CreateProjectInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer it is for.")
    name: str = strawberry.field(description="Project name.")
    status: ProjectStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to PLANNED."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What it is about."
    )


@strawberry.input(description="Changes to a project.")
class UpdateProjectInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Move the project to another customer."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Project name.")
    status: ProjectStatus | None = strawberry.field(default=strawberry.UNSET, description="Status.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What it is about."
    )


@strawberry.input(description="A new user.")
class CreateUserInput:
    email: str = strawberry.field(description="Sign-in e-mail; stored lowercase.")
    name: str = strawberry.field(description="Full name.")
    password: str = strawberry.field(description="At least 10 characters.")
    role: Role | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to MEMBER."
    )
    handle: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Mention handle; defaults to the e-mail's local part.",
    )


@strawberry.input(description="Changes to a user.")
class UpdateUserInput:
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Sign-in e-mail.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name.")
    password: str | None = strawberry.field(default=strawberry.UNSET, description="A new password.")
    role: Role | None = strawberry.field(default=strawberry.UNSET, description="A new role.")
    handle: str | None = strawberry.field(default=strawberry.UNSET, description="Mention handle.")
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="True reactivates a deactivated user."
    )


@strawberry.input(description="Narrows a list by the records' relationships.")
class LinkFilter:
    is_linked_to_customers: bool | None = strawberry.field(
        default=None,
        description="Only records linked (true) or not linked (false) to another live customer "
        "by a link not yet ended.",
    )
    linked_to_customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only records linked to one of these customers."
    )


@strawberry.input(description="Narrows a customer list.")
class CustomerFilter(LinkFilter):
    statuses: list[CustomerStatus] | None = strawberry.field(
        default=None, description="Only customers with one of these statuses."
    )
    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only customers owned by one of these users."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created before this time."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Include archived customers."
    )


@strawberry.input(description="Narrows a contact or project list.")
class CustomerRecordFilter(LinkFilter):
    customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only records of one of these customers."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created before this time."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Include archived records."
    )


@strawberry.input(description="Narrows a user list.")
class UserFilter:
    roles: list[Role] | None = strawberry.field(default=None, description="Only these roles.")
    active: bool | None = strawberry.field(
        default=None, description="Only active (true) or deactivated (false) users."
    )


@strawberry.input(description="A new relationship type (ADMIN).")
class DefineRelationshipTypeInput:
    key: str = strawberry.field(
        description="Upper snake case, e.g. FATHER_OF; becomes the edges' Neo4j type. Immutable."
    )
    label: str = strawberry.field(description='The start node\'s role, e.g. "father".')
    reciprocal_label: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='The end node\'s role, e.g. "son". Required unless symmetric.',
    )
    symmetric: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Reads the same from both sides (partner)."
    )
    colour: str = strawberry.field(description="Hex colour, #RRGGBB.")
    kinds: KindPair = strawberry.field(description="The kinds it joins, start side first.")
    sort_order: int | None = strawberry.field(
        default=strawberry.UNSET, description="Position in the catalog; last by default."
    )
    limit_per_source: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most this many links in effect per start-side record.",
    )
    limit_per_target: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most this many links in effect per end-side record.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the type means."
    )


@strawberry.input(description="Changes to a relationship type; its key and kinds stay.")
class UpdateRelationshipTypeInput:
    label: str | None = strawberry.field(default=strawberry.UNSET, description="Start role.")
    reciprocal_label: str | None = strawberry.field(
        default=strawberry.UNSET, description="End role."
    )
    symmetric: bool | None = strawberry.field(default=strawberry.UNSET, description="Symmetric.")
    colour: str | None = strawberry.field(default=strawberry.UNSET, description="#RRGGBB.")
    sort_order: int | None = strawberry.field(default=strawberry.UNSET, description="Position.")
    limit_per_source: int | None = strawberry.field(
        default=strawberry.UNSET, description="Limit per start-side record; null removes it."
    )
    limit_per_target: int | None = strawberry.field(
        default=strawberry.UNSET, description="Limit per end-side record; null removes it."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the type means."
    )


@strawberry.input(
    one_of=True,
    description="The other party of a new relationship: exactly one of these.",
)
class PartyInput:
    id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="An existing record or free-text party."
    )
    free_text: str | None = strawberry.field(
        default=strawberry.UNSET, description="A name not in the database; kept as free text."
    )
    new_customer: CreateCustomerInput | None = strawberry.field(
        default=strawberry.UNSET, description="A customer created with the link."
    )


@strawberry.input(description="A new relationship from a record.")
class AddRelationshipInput:
    from_id: strawberry.ID = strawberry.field(description="The record whose card adds it.")
    type_key: str = strawberry.field(description="The relationship type's key.")
    to: PartyInput = strawberry.field(description="The other party.")
    reverse: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="For a type joining two records of the same kind: true when `fromId` "
        "plays the reciprocal label, e.g. adding the father on the son's card. Otherwise "
        "`fromId` plays the label.",
    )
    starts_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="When it began."
    )
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="When it ended; in the past makes it former."
    )
    note: str | None = strawberry.field(default=strawberry.UNSET, description="A note.")


@strawberry.input(description="Changes to a relationship's dates or note.")
class UpdateRelationshipInput:
    starts_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="When it began; null clears."
    )
    ends_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="When it ended; null clears."
    )
    note: str | None = strawberry.field(default=strawberry.UNSET, description="A note.")
