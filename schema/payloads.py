"""What a mutation answers: its success type, or the `MutationError` saying why nothing
changed, as one GraphQL union named after the success type (`CustomerSuccess` answers in
`CustomerPayload`).

A feature declares a payload beside its success type:

    @payload_union("The saved customer, or why nothing changed.")
    @strawberry.type(description="The customer as saved.")
    class CustomerSuccess: ...

    CustomerPayload = Payload[CustomerSuccess]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

import strawberry
from strawberry.types.union import StrawberryUnion

from kesher.schema.common import MutationError

S = TypeVar("S")

_UNIONS: dict[type, StrawberryUnion] = {}


def payload_union(description: str) -> Callable[[type[S]], type[S]]:
    """Declares the payload union of a success type, with the union's description."""

    def declare(success: type[S]) -> type[S]:
        name = success.__name__.removesuffix("Success") + "Payload"
        _UNIONS[success] = strawberry.union(name, description=description)
        return success

    return declare


if TYPE_CHECKING:
    # To the type checker a payload is what a resolver returns: the success or the error.
    Payload: TypeAlias = S | MutationError
else:

    class Payload:
        """`Payload[Success]`: the union declared for `Success` by `payload_union`."""

        def __class_getitem__(cls, success: type) -> Any:
            union = _UNIONS.get(success)
            if union is None:
                raise TypeError(
                    f"{success.__name__} has no payload union: declare it with @payload_union."
                )
            return Annotated[success | MutationError, union]
