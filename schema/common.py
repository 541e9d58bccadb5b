"""Shared schema pieces: enums, pages, connections and the mutation error."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import strawberry

from kesher.resolvers.context import Context, Role
from kesher.resolvers.errors import ClientError, Refusal, ViewerRefused

__all__ = ["Connection", "Context", "Edge", "Info", "PageInfo", "Role", "Row"]

Row: TypeAlias = dict[str, Any]
Info: TypeAlias = strawberry.Info[Context, None]
T = TypeVar("T")

strawberry.enum(
    Role,
    description="What a user may do: ADMIN manages users and catalogs, MANAGER also archives "
    "records, MEMBER works with records.",
)


@strawberry.enum(description="Where a customer stands with us.")
class CustomerStatus(Enum):
    LEAD = "LEAD"
    PROSPECT = "PROSPECT"
    ACTIVE = "ACTIVE"
    FORMER = "FORMER"


@strawberry.enum(description="Where a project stands.")
class ProjectStatus(Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


@strawberry.enum(description="The order of a list. A search always orders by relevance.")
class RecordOrder(Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    CREATED_AT_DESC = "CREATED_AT_DESC"


@strawberry.enum(description="Why a mutation changed nothing.")
class ErrorCode(Enum):
    INVALID_INPUT = strawberry.enum_value("INVALID_INPUT", description="An input is malformed.")
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="A named record does not exist.")
    CONFLICT = strawberry.enum_value(
        "CONFLICT", description="A value that must be unique is taken."
    )
    ARCHIVED = strawberry.enum_value(
        "ARCHIVED", description="The record, or one it names, is archived."
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="No one is signed in, or the token no longer works."
    )
    FORBIDDEN = strawberry.enum_value("FORBIDDEN", description="The caller may not do this.")
    IN_USE = strawberry.enum_value(
        "IN_USE", description="A catalog entry is still used by data; remove that first."
    )
    LIMIT_REACHED = strawberry.enum_value(
        "LIMIT_REACHED", description="A relationship type's limit of links per record is reached."
    )
    KIND_MISMATCH = strawberry.enum_value(
        "KIND_MISMATCH", description="A relationship type does not join these kinds of record."
    )
    CLOSED = strawberry.enum_value(
        "CLOSED", description="The activity is closed: reopen it (ADMIN) to change it."
    )
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS", description="The e-mail or password is wrong."
    )
    MAIL_FAILED = strawberry.enum_value(
        "MAIL_FAILED",
        description="The mail server could not be reached or refused the mail; nothing was saved.",
    )


@strawberry.type(description="A refused mutation. Nothing was changed.")
class MutationError:
    code: ErrorCode = strawberry.field(description="What kind of refusal this is.")
    message: str = strawberry.field(description="What went wrong, in words for a person.")
    field: str | None = strawberry.field(
        description="The input field at fault (its API name), when one is."
    )


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More rows follow this page (a page asked for `before` a cursor: the "
        "cursor's row, or one after it, is still in the list)."
    )
    has_previous_page: bool = strawberry.field(
        description="More rows come before this page (a page asked for `after` a cursor: "
        "the cursor's row, or one before it, is still in the list)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first row: pass it as `before` for the page before."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last row: pass it as `after` for the next page."
    )


@strawberry.type(description="A row of a list with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this row, for `after` or `before`."
    )
    node: T = strawberry.field(description="The record.")


@strawberry.type(
    description="A page of a list (keyset-paginated): `first` rows `after` a cursor, or the "
    "`last` rows `before` one; the two directions do not mix."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The rows of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(
        description="How many rows the whole list has; counted only when asked for."
    )


class RefusedInPayload(strawberry.ExceptionHandler[ClientError | ViewerRefused, MutationError]):
    """A mutation refused by a permission or a check that raises (not signed in, the wrong
    role, a token that no longer holds, input no payload could carry) answers in its
    payload like any other refusal."""

    def handle(
        self, exception: ClientError | ViewerRefused, *, field: Any, info: Any
    ) -> MutationError | None:
        if isinstance(exception, ViewerRefused):
            return MutationError(
                code=ErrorCode.UNAUTHENTICATED, message=exception.message, field=None
            )
        code = (exception.extensions or {}).get("code")
        if code not in ErrorCode.__members__:
            return None
        return MutationError(
            code=ErrorCode(code),
            message=exception.message,
            field=(exception.extensions or {}).get("field"),
        )


def error_of(refusal: Refusal) -> MutationError:
    """A refusal as the schema shows it."""
    return MutationError(code=ErrorCode(refusal.code), message=refusal.message, field=refusal.field)


FIRST = "How many rows to return (at most the service's page cap, 100 by default)."
AFTER = "Return rows after this cursor (a `pageInfo.endCursor`)."
LAST = "How many rows to return just before `before`, or at the end (in the list's order)."
BEFORE = "Return rows just before this cursor (a `pageInfo.startCursor`)."

# A connection's page arguments, as every connection field takes them.
First: TypeAlias = Annotated[int | None, strawberry.argument(description=FIRST)]
After: TypeAlias = Annotated[str | None, strawberry.argument(description=AFTER)]
Last: TypeAlias = Annotated[int | None, strawberry.argument(description=LAST)]
Before: TypeAlias = Annotated[str | None, strawberry.argument(description=BEFORE)]


def followed(parent: Row, info: Info) -> Row | None:
    """A followed relation (or a facet) of a row: the statement puts it under the field's
    response key, its name or an alias, so two aliases of one relation can differ."""
    found: Row | None = parent.get(str(info.path.key))
    return found


def connection_field(
    relation_path: str, description: str, node: Any, *, describe_first_and_after: bool = True
) -> Any:
    """A connection field of a card that pages what the card's one statement already
    fetched: `relation_path` names the relation (`Activity.children`), `node` the type of
    its rows (a lazy annotation where the types refer to each other).

    The record cards' own lists (`Customer.contacts`, `User.manages`, ...) are published
    without descriptions of `first` and `after`; `describe_first_and_after=False` keeps
    them as the committed schema prints them."""
    from kesher.resolvers.records import nested_connection

    def resolve(
        parent: strawberry.Parent[Row],
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        return nested_connection(
            parent, str(info.path.key), relation_path, info.context, first, after, last, before
        )

    def resolve_undescribed(
        parent: strawberry.Parent[Row],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: Last = None,
        before: Before = None,
    ) -> Row:
        return resolve(parent, info, first, after, last, before)

    return strawberry.field(
        resolver=resolve if describe_first_and_after else resolve_undescribed,
        description=description,
        graphql_type=Connection[node],
    )
