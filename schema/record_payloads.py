"""What the mutations of records, users, sign-in and relationships answer: a success type
each, and its union with `MutationError`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from kesher.schema.common import MutationError, Row
from kesher.schema.records import Contact, Customer, Project, User
from kesher.schema.relationships import (
    CardRelationship,
    RelatedParty,
    Relationship,
    RelationshipType,
)


@strawberry.type(description="A signed-in session.")
class LoginSuccess:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime = strawberry.field(description="When the token stops working.")
    user: Row = strawberry.field(graphql_type=User, description="The signed-in user.")


@strawberry.type(description="The customer as saved.")
class CustomerSuccess:
    customer: Row = strawberry.field(graphql_type=Customer, description="The customer.")


@strawberry.type(description="The contact as saved.")
class ContactSuccess:
    contact: Row = strawberry.field(graphql_type=Contact, description="The contact.")


@strawberry.type(description="The project as saved.")
class ProjectSuccess:
    project: Row = strawberry.field(graphql_type=Project, description="The project.")


@strawberry.type(description="The user as saved.")
class UserSuccess:
    user: Row = strawberry.field(graphql_type=User, description="The user.")


@strawberry.type(description="The relationship type as saved (or as it was, when removed).")
class RelationshipTypeSuccess:
    relationship_type: Row = strawberry.field(
        graphql_type=RelationshipType, description="The relationship type."
    )


@strawberry.type(description="The whole catalog in its new order.")
class RelationshipTypesSuccess:
    relationship_types: list[Row] = strawberry.field(
        graphql_type=list[RelationshipType], description="Every relationship type, in order."
    )


@strawberry.type(description="The relationship as saved.")
class RelationshipSuccess:
    relationship: Row = strawberry.field(graphql_type=Relationship, description="The link itself.")
    on_card: Row = strawberry.field(
        graphql_type=CardRelationship,
        description="The link as the card of the record it was added on (or `seenFrom`) lists it.",
    )


@strawberry.type(description="The relationship is gone.")
class RemoveRelationshipSuccess:
    id: strawberry.ID = strawberry.field(description="The id of the removed relationship.")


@strawberry.type(description="The free-text party is a record now, with its links.")
class PromoteSuccess:
    party: Row = strawberry.field(graphql_type=RelatedParty, description="The new record.")


RelationshipTypePayload = Annotated[
    RelationshipTypeSuccess | MutationError,
    strawberry.union(
        "RelationshipTypePayload", description="The relationship type, or why nothing changed."
    ),
]
RelationshipTypesPayload = Annotated[
    RelationshipTypesSuccess | MutationError,
    strawberry.union("RelationshipTypesPayload", description="The catalog, or why not."),
]
RelationshipPayload = Annotated[
    RelationshipSuccess | MutationError,
    strawberry.union("RelationshipPayload", description="The relationship, or why not."),
]
RemoveRelationshipPayload = Annotated[
    RemoveRelationshipSuccess | MutationError,
    strawberry.union("RemoveRelationshipPayload", description="Removed, or why not."),
]
PromotePayload = Annotated[
    PromoteSuccess | MutationError,
    strawberry.union("PromotePayload", description="The new record, or why not."),
]
LoginPayload = Annotated[
    LoginSuccess | MutationError,
    strawberry.union("LoginPayload", description="Signed in, or why not."),
]
CustomerPayload = Annotated[
    CustomerSuccess | MutationError,
    strawberry.union("CustomerPayload", description="The saved customer, or why nothing changed."),
]
ContactPayload = Annotated[
    ContactSuccess | MutationError,
    strawberry.union("ContactPayload", description="The saved contact, or why nothing changed."),
]
ProjectPayload = Annotated[
    ProjectSuccess | MutationError,
    strawberry.union("ProjectPayload", description="The saved project, or why nothing changed."),
]
UserPayload = Annotated[
    UserSuccess | MutationError,
    strawberry.union("UserPayload", description="The saved user, or why nothing changed."),
]
