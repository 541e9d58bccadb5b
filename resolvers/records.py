"""Record cards, lists and their mutations for customers, contacts, projects and users."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic.alias_generators import to_camel
from strawberry.types.nodes import SelectedField, Selection

from kesher.codes import Code
from kesher.graph import kinds
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.labels import Label
from kesher.graph.model import CONTACT, CUSTOMER, LABELS, PROJECT, USER
from kesher.graph.records import RecordFilter
from kesher.graph.visibility import Audience
from kesher.passwords import hash_password
from kesher.resolvers import inputs
from kesher.resolvers.context import Context, Role, Viewer
from kesher.resolvers.errors import ClientError, Refusal, validate
from kesher.resolvers.pagination import ORDERS, connection, order_of, page_of
from kesher.resolvers.selection import connection_shape, shape_of
from kesher.resolvers.writes import viewer_id, write


@dataclass(frozen=True)
class Kind:
    """How the API treats one kind of record."""

    label: Label
    prefix: str
    create: type[inputs.Input]
    update: type[inputs.Update]
    links: tuple[str, ...] = ()


CUSTOMERS = Kind(
    CUSTOMER, kinds.CUSTOMER.prefix, inputs.CustomerCreate, inputs.CustomerUpdate, ("ownerId",)
)
CONTACTS = Kind(
    CONTACT, kinds.CONTACT.prefix, inputs.ContactCreate, inputs.ContactUpdate, ("customerId",)
)
PROJECTS = Kind(
    PROJECT, kinds.PROJECT.prefix, inputs.ProjectCreate, inputs.ProjectUpdate, ("customerId",)
)
USERS = Kind(USER, "usr", inputs.UserCreate, inputs.UserUpdate)


def audience(context: Context) -> Audience:
    """Whom a read answers: the signed-in viewer, who sees the activities their role and
    calendars allow (see `kesher.graph.visibility`)."""
    if context.viewer is None:  # permission classes run first; this guards direct calls
        raise ClientError("Sign in first.", code=Code.UNAUTHENTICATED)
    return audience_of(context.viewer)


def audience_of(viewer: Viewer) -> Audience:
    """The audience a viewer is: outside a GraphQL request (a file download), or one who
    has just signed in."""
    return Audience(viewer.id, viewer.role is Role.ADMIN)


async def card(
    context: Context,
    kind: Kind,
    record_id: str,
    selections: Iterable[Selection],
    viewer: Viewer | None = None,
) -> Row | None:
    """The record's card as the signed-in viewer sees it, or as `viewer` does (a user who
    has just signed in)."""
    shape = shape_of(kind.label, selections, context.settings)
    seen_by = audience(context) if viewer is None else audience_of(viewer)
    return await graph_records.card(context.graph, seen_by, shape, record_id)


async def me(context: Context, selections: Iterable[Selection]) -> Row | None:
    return await card(context, USERS, viewer_id(context), selections)


async def page(
    context: Context,
    kind: Kind,
    field: SelectedField,
    where: Mapping[str, Any],
    search: str | None,
    order_name: str,
) -> Row:
    """One page of a list; a search orders by relevance.

    `where` holds the filter input by API name (`statuses`, `ownerIds`, …).
    """
    search = search_text(search)
    if search:
        order_name = "RELEVANCE"
    narrowed = record_filter(where, search)
    shape, keyset = connection_shape(
        kind.label, field, context.settings, ORDERS[order_name], order_name
    )
    answer = await graph_records.page(context.graph, audience(context), shape, keyset, narrowed)
    return connection(vars(answer), keyset, order_name)


def record_filter(where: Mapping[str, Any], search: str | None = None) -> RecordFilter:
    """A list filter given by API name (`statuses`, `ownerIds`, …) as the graph reads it;
    also a customer segment (processes) and the customers of chain analytics."""
    return RecordFilter(
        statuses=tuple(where.get("statuses") or ()),
        owner_ids=tuple(where.get("ownerIds") or ()),
        customer_ids=tuple(where.get("customerIds") or ()),
        roles=tuple(where.get("roles") or ()),
        active=where.get("active"),
        created_after=where.get("createdAfter"),
        created_before=where.get("createdBefore"),
        include_archived=bool(where.get("includeArchived")),
        search=search,
        linked_to_customers=where.get("isLinkedToCustomers"),
        linked_customer_ids=tuple(where.get("linkedToCustomerIds") or ()),
    )


def search_text(search: str | None) -> str | None:
    """The words of a list's `search`, or None when there are none."""
    search = (search or "").strip() or None
    if search is not None and len(search) > 200:
        raise ClientError(
            "search: at most 200 characters.", code=Code.INVALID_INPUT, field="search"
        )
    return search


def nested_connection(
    root: Mapping[str, Any],
    key: str,
    relation_path: str,
    context: Context,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Row:
    """A connection inside a card, from what the card's statement already fetched.

    `relation_path` reads `Label.relation`, e.g. `Customer.contacts`.
    """
    label_name, _, relation_name = relation_path.partition(".")
    relation = LABELS[label_name].relations[relation_name]
    keyset = page_of(
        first=first,
        after=after,
        last=last,
        before=before,
        order_name="NAME_ASC",
        order=order_of(relation.order, relation.descending),
        total=False,
        default_size=context.settings.default_page_size,
        max_size=context.settings.max_page_size,
    )
    return connection(root[key], keyset, "NAME_ASC")


async def create(
    context: Context, kind: Kind, data: dict[str, Any], selections: Iterable[Selection]
) -> Row | Refusal:
    checked = validate(kind.create, data)
    if isinstance(checked, Refusal):
        return checked
    values, links = await split(kind, checked, type(checked).model_fields.keys())
    chosen_handle = values.get("handle") is not None
    if kind is USERS:
        values["active"] = True
    new_id = f"{kind.prefix}_{secrets.token_hex(12)}"
    shape = shape_of(kind.label, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        if kind is USERS and not chosen_handle:
            values["handle"] = await graph_records.free_handle(tx, _handle_from(values["email"]))
        await graph_records.create_record(tx, kind.label.name, new_id, values, links)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, new_id)

    return await write(context, work)


async def update(
    context: Context,
    kind: Kind,
    record_id: str,
    data: dict[str, Any],
    selections: Iterable[Selection],
) -> Row | Refusal:
    checked = validate(kind.update, data)
    if isinstance(checked, Refusal):
        return checked
    values, links = await split(kind, checked, checked.model_fields_set)
    shape = shape_of(kind.label, selections, context.settings)
    actor = viewer_id(context)

    revokes = kind is USERS and not graph_records.REVOKING_PROPERTIES.isdisjoint(values)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_records.update_record(tx, kind.label.name, record_id, values, links)
        if revokes:
            await graph_records.revoke_tokens(tx, record_id)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, record_id)

    return await write(context, work)


async def archive(
    context: Context, kind: Kind, record_id: str, selections: Iterable[Selection]
) -> Row | Refusal:
    shape = shape_of(kind.label, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_records.archive_record(tx, kind.label.name, record_id)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, record_id)

    return await write(context, work)


async def deactivate_user(
    context: Context, user_id: str, selections: Iterable[Selection]
) -> Row | Refusal:
    actor = viewer_id(context)
    if user_id == actor:
        return Refusal(Code.INVALID_INPUT, "id: you cannot deactivate yourself.", "id")
    shape = shape_of(USER, selections, context.settings)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_records.set_user_active(tx, user_id, False)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, user_id)

    return await write(context, work)


async def split(
    kind: Kind, checked: inputs.Input, names: Iterable[str]
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Graph property values and structural links from checked input."""
    values: dict[str, Any] = {}
    links: dict[str, str | None] = {}
    for name in names:
        value = getattr(checked, name)
        api_name = to_camel(name)
        if api_name in kind.links:
            links[api_name] = value
        elif name == "password":
            # Argon2 is deliberately slow; keep it off the event loop.
            values["passwordHash"] = await asyncio.to_thread(hash_password, value)
        elif name == "email" and value is not None:
            values["email"] = str(value).lower()
        else:
            values[kind.label.properties.get(name, to_camel(name))] = value
    return values, links


def _handle_from(email: str) -> str:
    """A mention handle from the e-mail's local part (made unique in the transaction)."""
    local = email.split("@", 1)[0].lower()
    cleaned = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch in "._-"))
    return cleaned.strip("._-").ljust(2, "0")
