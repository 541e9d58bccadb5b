"""The Relay `Node` interface and the root fields that read any object by its id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo

from kesher.resolvers import nodes
from kesher.resolvers.selected import selected
from kesher.schema.common import Info, Row
from kesher.schema.permissions import IsAuthenticated


@strawberry.interface(
    description="An object with a global id: `node(id:)` reads it again, whatever its type, "
    "so a client cache can key it by type and id."
)
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque identifier, unique in the service.")

    @classmethod
    def resolve_type(
        cls, obj: Any, info: GraphQLResolveInfo[Any], abstract_type: GraphQLAbstractType
    ) -> str:
        type_name: str = obj[nodes.TYPE_KEY]
        return type_name

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo[Any]) -> bool:
        """Rows are plain mappings, which fit whichever type the field names (Strawberry
        would otherwise ask for instances of the class once a type has an interface)."""
        return isinstance(obj, Mapping | cls)


def reads_rows(is_type_of: Any) -> bool:
    """Whether a type's `is_type_of` is the Node interface's, which takes any row."""
    return getattr(is_type_of, "__func__", None) is Node.is_type_of.__func__  # type: ignore[attr-defined]


@strawberry.type(description="Reading objects by their ids.")
class NodeQueries:
    @strawberry.field(
        description="The object with this id, of whatever type; null when there is none or "
        "you may not see it. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=Node | None,
    )
    async def node(self, info: Info, id: strawberry.ID) -> Row | None:
        return (await nodes.nodes(info.context, [str(id)], selected(info)))[0]

    @strawberry.field(
        description="The objects with these ids, in the same order (at most the page cap, "
        "100 by default); null for each there is none of or you may not see. One statement.",
        permission_classes=[IsAuthenticated],
        graphql_type=list[Node | None],
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids.")],
    ) -> list[Row | None]:
        return await nodes.nodes(info.context, [str(i) for i in ids], selected(info))
