"""What the mutations of records, users, sign-in and relationships answer: a success type
each, and its union with `MutationError`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from kesher.schema.common import Row
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.records import Contact, Customer, Project, User
from kesher.schema.relationships import (
    CardRelationship,
    RelatedParty,
    Relationship,
    RelationshipType,
)


@payload_union("Signed in, or why not.")
@strawberry.type(description="A signed-in session.")
class LoginSuccess:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime = strawberry.field(description="When the token stops working.")
    user: Row = strawberry.field(graphql_type=User, description="The signed-in user.")


@payload_union("The saved customer, or why nothing changed.")
@strawberry.type(description="The customer as saved.")
class CustomerSuccess:
    customer: Row = strawberry.field(graphql_type=Customer, description="The customer.")


@payload_union("The saved contact, or why nothing changed.")
@strawberry.type(description="The contact as saved.")
class ContactSuccess:
    contact: Row = strawberry.field(graphql_type=Contact, description="The contact.")


@payload_union("The saved project, or why nothing changed.")
@strawberry.type(description="The project as saved.")
class ProjectSuccess:
    project: Row = strawberry.field(graphql_type=Project, description="The project.")


@payload_union("The saved user, or why nothing changed.")
@strawberry.type(description="The user as saved.")
class UserSuccess:
    user: Row = strawberry.field(graphql_type=User, description="The user.")


@payload_union("The relationship type, or why nothing changed.")
@strawberry.type(description="The relationship type as saved (or as it was, when removed).")
class RelationshipTypeSuccess:
    relationship_type: Row = strawberry.field(
        graphql_type=RelationshipType, description="The relationship type."
    )


@payload_union("The catalog, or why not.")
@strawberry.type(description="The whole catalog in its new order.")
class RelationshipTypesSuccess:
    relationship_types: list[Row] = strawberry.field(
        graphql_type=list[RelationshipType], description="Every relationship type, in order."
    )


@payload_union("The relationship, or why not.")
@strawberry.type(description="The relationship as saved.")
class RelationshipSuccess:
    relationship: Row = strawberry.field(graphql_type=Relationship, description="The link itself.")
    on_card: Row = strawberry.field(
        graphql_type=CardRelationship,
        description="The link as the card of the record it was added on (or `seenFrom`) lists it.",
    )


@payload_union("Removed, or why not.")
@strawberry.type(description="The relationship is gone.")
class RemoveRelationshipSuccess:
    id: strawberry.ID = strawberry.field(description="The id of the removed relationship.")


@payload_union("The new record, or why not.")
@strawberry.type(description="The free-text party is a record now, with its links.")
class PromoteSuccess:
    party: Row = strawberry.field(graphql_type=RelatedParty, description="The new record.")


RelationshipTypePayload = Payload[RelationshipTypeSuccess]
RelationshipTypesPayload = Payload[RelationshipTypesSuccess]
RelationshipPayload = Payload[RelationshipSuccess]
RemoveRelationshipPayload = Payload[RemoveRelationshipSuccess]
PromotePayload = Payload[PromoteSuccess]
LoginPayload = Payload[LoginSuccess]
CustomerPayload = Payload[CustomerSuccess]
ContactPayload = Payload[ContactSuccess]
ProjectPayload = Payload[ProjectSuccess]
UserPayload = Payload[UserSuccess]
