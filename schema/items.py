"""E-mails and audit lines on a record's card, and the users assigned to it (R4.2)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kesher.schema.common import Info, Row, connection_field, followed
from kesher.schema.node import Node

if TYPE_CHECKING:
    from kesher.schema.records import User

# Records carry these and these name users; this side is resolved lazily.
LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]


@strawberry.enum(description="Which way an e-mail went.")
class EmailDirection(Enum):
    OUTBOUND = strawberry.enum_value("OUTBOUND", description="Sent by us.")
    INBOUND = strawberry.enum_value("INBOUND", description="Received by us.")


@strawberry.type(description="An e-mail sent from a card, logged by hand, or received.")
class Email(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    direction: EmailDirection = strawberry.field(description="Sent or received.")
    from_address: str = strawberry.field(description="The sender's address.")
    to_addresses: list[str] = strawberry.field(description="The addressees.")
    cc_addresses: list[str] = strawberry.field(description="Those copied.")
    subject: str = strawberry.field(description="The subject line.")
    text: str = strawberry.field(description="The plain-text body.")
    message_id: str | None = strawberry.field(description="The RFC 5322 Message-ID.")
    at: datetime = strawberry.field(description="When it was sent or received.")
    created_at: datetime = strawberry.field(description="When it was logged.")

    @strawberry.field(
        description="The user who sent or logged it; null for received mail.",
        graphql_type=LazyUser | None,
    )
    @staticmethod
    def by(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


@strawberry.type(description="A change to a record: who made it, when, and what changed.")
class AuditLine(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    created_at: datetime = strawberry.field(description="When the change was made.")
    action: str = strawberry.field(description="What was done, e.g. MOVED_ON_BOARD.")
    field: str = strawberry.field(description="The field that changed, e.g. status.")
    before: str | None = strawberry.field(description="Its value before, as text.")
    after: str | None = strawberry.field(description="Its value after, as text.")
    summary: str = strawberry.field(description='The change in words: "Moved from LEAD to …".')

    @strawberry.field(description="Who made the change.", graphql_type=LazyUser | None)
    @staticmethod
    def actor(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


def mailed(label: str) -> Any:
    """A record's connection field listing the e-mails filed on it, newest first."""
    return connection_field(f"{label}.emails", "E-mails filed on it, newest first.", Email)


def assigned(label: str) -> Any:
    """A record's connection field listing the users assigned to it, by name."""
    return connection_field(
        f"{label}.assigned_users",
        "The users assigned to it, by name. Assignment grants no access.",
        LazyUser,
    )
