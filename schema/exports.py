"""Links to CSV downloads, for clients that cannot send a header with a download (a
browser's address bar, a spreadsheet program's "from web")."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from kesher.resolvers import exports
from kesher.schema.common import Info
from kesher.schema.permissions import IsAuthenticated


@strawberry.enum(description="The lists a CSV export can hold.")
class ExportList(Enum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    PROJECTS = "projects"
    ACTIVITIES = "activities"
    RELATION_MAP_NODES = "relation-map-nodes"
    RELATION_MAP_EDGES = "relation-map-edges"


@strawberry.input(description="One query parameter of an export, as its GraphQL list names it.")
class ExportParameter:
    name: str = strawberry.field(
        description="A filter of the list's GraphQL field (e.g. `status`, `search`), or a "
        "`relationMap` argument for the relation-map files."
    )
    value: str = strawberry.field(
        description="Its value as text; give a list filter once per value."
    )


@strawberry.type(description="A short-lived address that downloads a CSV file.")
class ExportLink:
    url: str = strawberry.field(
        description="GET it with no header: UTF-8 with a byte-order mark, streamed. It works "
        "as the user who asked for it, for this one export, until `expiresAt`."
    )
    expires_at: datetime = strawberry.field(description="When the address stops working.")


@strawberry.type(description="CSV exports.")
class ExportQueries:
    @strawberry.field(
        description="An address that downloads `list` as CSV, filtered by `parameters` "
        "(checked now: a bad one is refused naming it). The file holds what the asking user "
        "may see when it is downloaded. The same files are at `/export/<list>.csv` with a "
        "bearer token.",
        permission_classes=[IsAuthenticated],
    )
    async def export_link(
        self,
        info: Info,
        list: ExportList,
        parameters: Annotated[
            list[ExportParameter] | None,
            strawberry.argument(description="The list's filters; none by default."),
        ] = None,
    ) -> ExportLink:
        url, expires = await exports.link(
            info.context,
            list.value,
            [(parameter.name, parameter.value) for parameter in parameters or []],
        )
        return ExportLink(url=url, expires_at=expires)
