"""Files attached to customers, contacts, projects and activities (R4.1)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from kesher.resolvers import attachments
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.common import Info, Row, connection_field, error_of, followed
from kesher.schema.node import Node
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated

if TYPE_CHECKING:
    from kesher.schema.records import User

# Records carry attachments and attachments name a user; this side is resolved lazily.
LazyUser = Annotated["User", strawberry.lazy("kesher.schema.records")]


@strawberry.type(
    description="A file attached to a record. Its content is downloaded from `url` with the "
    "same bearer token as the API."
)
class Attachment(Node):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    name: str = strawberry.field(description="The file's name as uploaded (without folders).")
    content_type: str = strawberry.field(
        description="The media type read from the content itself (not the uploader's claim); "
        "application/octet-stream when not recognised."
    )
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, in hex.")
    created_at: datetime = strawberry.field(description="When it was uploaded.")
    url: str = strawberry.field(
        description="Where to download it (`GET`, with `Authorization: Bearer …`), relative "
        "to the API's address."
    )

    @strawberry.field(description="Who uploaded it.", graphql_type=LazyUser | None)
    @staticmethod
    def uploaded_by(parent: strawberry.Parent[Row], info: Info) -> Row | None:
        return followed(parent, info)


def attached(label: str) -> Any:
    """A record's connection field listing the files attached to it, newest first."""
    return connection_field(
        f"{label}.attachments", "Files attached to it, newest first.", Attachment
    )


@payload_union("The attachment, or why nothing changed.")
@strawberry.type(description="The attachment as saved.")
class AttachmentSuccess:
    attachment: Row = strawberry.field(graphql_type=Attachment, description="The attachment.")


AttachmentPayload = Payload[AttachmentSuccess]


@strawberry.type(description="Attaching files to records.")
class AttachmentMutations:
    @strawberry.mutation(
        description="Attaches a file (a GraphQL multipart request) to a customer, contact, "
        "project or activity. Refused for an unknown or archived record, a closed activity, "
        "an empty file and one over the size limit (25 MiB by default).",
        permission_classes=[IsAuthenticated],
    )
    async def upload_attachment(
        self, info: Info, record_id: strawberry.ID, file: Upload
    ) -> AttachmentPayload:
        outcome = await attachments.upload(
            info.context,
            str(record_id),
            file,  # type: ignore[arg-type]  # Starlette's UploadFile, whatever Upload says
            child(selected(info).selections, "attachment"),
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return AttachmentSuccess(attachment=outcome)
