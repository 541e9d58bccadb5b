"""Merging duplicate customers and contacts, and finding them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from kesher.resolvers import merge, records
from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.common import After, First, Info, PageInfo, Row, error_of
from kesher.schema.permissions import IsAuthenticated, IsManager
from kesher.schema.record_payloads import (
    ContactPayload,
    ContactSuccess,
    CustomerPayload,
    CustomerSuccess,
)

KEEP = "The record that stays and receives everything."
MERGE = (
    "The records folded into it and then deleted (at most 50): their links, contacts, "
    "projects, activities, notes, files, calls, e-mails, assignments and history move to "
    "the kept record; a link it already has, or one joining it to itself, is dropped."
)
MERGING = (
    " In one transaction: refused whole (nothing changes) for an unknown id, a record of "
    "another kind, the kept record among the merged, or a link over its type's limit. "
    "MANAGER or ADMIN, like archiving. The kept record gets an audit line naming what "
    "was merged."
)


async def _merged(
    info: Info, kind: records.Kind, keep_id: strawberry.ID, merge_ids: list[strawberry.ID], key: str
) -> Row | Refusal:
    """The kept record's card after the merge, selected as the payload's `key` field."""
    return await merge.merge(
        info.context,
        kind,
        str(keep_id),
        [str(i) for i in merge_ids],
        child(selected(info).selections, key),
    )


@strawberry.type
class MergeMutations:
    @strawberry.mutation(
        description="Folds duplicate customers into one." + MERGING,
        permission_classes=[IsManager],
    )
    async def merge_customers(
        self,
        info: Info,
        keep_id: Annotated[strawberry.ID, strawberry.argument(description=KEEP)],
        merge_ids: Annotated[list[strawberry.ID], strawberry.argument(description=MERGE)],
    ) -> CustomerPayload:
        outcome = await _merged(info, records.CUSTOMERS, keep_id, merge_ids, "customer")
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return CustomerSuccess(customer=outcome)

    @strawberry.mutation(
        description="Folds duplicate contacts into one." + MERGING,
        permission_classes=[IsManager],
    )
    async def merge_contacts(
        self,
        info: Info,
        keep_id: Annotated[strawberry.ID, strawberry.argument(description=KEEP)],
        merge_ids: Annotated[list[strawberry.ID], strawberry.argument(description=MERGE)],
    ) -> ContactPayload:
        outcome = await _merged(info, records.CONTACTS, keep_id, merge_ids, "contact")
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return ContactSuccess(contact=outcome)


@strawberry.enum(description="Why two records look like one.")
class DuplicateReason(Enum):
    NAME = strawberry.enum_value(
        "NAME",
        description="The same name, ignoring case, spacing, punctuation, Hebrew points and "
        "final letter forms, and a trailing company form (Ltd, Inc, בע״מ).",
    )
    EMAIL = strawberry.enum_value("EMAIL", description="The same e-mail, ignoring case.")
    PHONE = strawberry.enum_value(
        "PHONE", description="The same phone digits (+972 read as the local 0)."
    )


@strawberry.enum(description="The kinds of record that can be merged.")
class MergeableKind(Enum):
    CUSTOMER = "Customer"
    CONTACT = "Contact"


@strawberry.type(description="One record of a likely duplicate pair.")
class DuplicateRecord:
    id: strawberry.ID = strawberry.field(description="The record's id.")
    name: str = strawberry.field(description="Its name.")
    email: str | None = strawberry.field(description="Its e-mail.")
    phone: str | None = strawberry.field(description="Its phone.")


@strawberry.type(description="Two records that may be one: merge them with mergeCustomers.")
class DuplicatePair:
    first: DuplicateRecord = strawberry.field(description="The one with the smaller id.")
    second: DuplicateRecord = strawberry.field(description="The other.")
    reasons: list[DuplicateReason] = strawberry.field(description="What they share.")


@strawberry.type(description="A pair with its cursor.")
class DuplicatePairEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the pairs after this one.")
    node: DuplicatePair = strawberry.field(description="The pair.")


@strawberry.type(description="A page of likely duplicate pairs.")
class DuplicatePairConnection:
    edges: list[DuplicatePairEdge] = strawberry.field(description="The pairs of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


def _pair_connection(answer: Row) -> DuplicatePairConnection:
    def record(row: Row) -> DuplicateRecord:
        return DuplicateRecord(
            id=strawberry.ID(row["id"]), name=row["name"], email=row["email"], phone=row["phone"]
        )

    return DuplicatePairConnection(
        edges=[
            DuplicatePairEdge(
                cursor=edge["cursor"],
                node=DuplicatePair(
                    first=record(edge["node"]["first"]),
                    second=record(edge["node"]["second"]),
                    reasons=[DuplicateReason(r) for r in edge["node"]["reasons"]],
                ),
            )
            for edge in answer["edges"]
        ],
        page_info=PageInfo(**answer["page_info"]),
    )


@strawberry.type
class DuplicateQueries:
    @strawberry.field(
        description="Live customers or contacts that look like duplicates, in pairs with "
        "the reasons, ordered by reason (name, e-mail, phone), shared key and the pair's ids. "
        "One statement that walks the records' kept match keys from the cursor; a name, "
        "e-mail or phone shared by more than 20 records pairs up 20 of them.",
        permission_classes=[IsAuthenticated],
    )
    async def duplicate_candidates(
        self, info: Info, kind: MergeableKind, first: First = None, after: After = None
    ) -> DuplicatePairConnection:
        answer = await merge.duplicate_candidates(info.context, kind.value, first, after)
        return _pair_connection(answer)
