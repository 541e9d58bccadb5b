"""Relationship types, links between records, the relation map and paths."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.codes import Code
from kesher.graph import catalog
from kesher.graph import records as graph_records
from kesher.graph import relationships as links
from kesher.graph.audit import write_audits
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError, KindMismatch
from kesher.graph.kinds import BY_NAME, EXTERNAL_LABEL, PAIRS_BY_NAME
from kesher.graph.relation_map import MapRequest, RelationMap, Walk, relation_map
from kesher.graph.relation_map import relationship_path as graph_path
from kesher.resolvers import inputs
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal, validate
from kesher.resolvers.pagination import connection
from kesher.resolvers.records import CUSTOMERS, split
from kesher.resolvers.relationship_fields import RELATIONSHIP_ORDER, relationship_page
from kesher.resolvers.writes import viewer_id, write

# The graph's label for each kind as the API names it.
LABELS: Mapping[str, LiteralString] = {name: kind.label for name, kind in BY_NAME.items()}


def _key(key: str, field_name: str = "key") -> str | Refusal:
    try:
        return catalog.check_key(key.strip())
    except catalog.InvalidKey as error:
        return Refusal(Code.INVALID_INPUT, f"{field_name}: {error}", field_name)


async def relationship_types(context: Context) -> list[Row]:
    return await catalog.relationship_types(context.graph)


async def define_type(context: Context, data: dict[str, Any]) -> Row | Refusal:
    checked = validate(inputs.RelationshipTypeDefine, data)
    if isinstance(checked, Refusal):
        return checked
    key = _key(checked.key)
    if isinstance(key, Refusal):
        return key
    from_kind, to_kind = PAIRS_BY_NAME[checked.kinds]
    values = checked.graph_values(type(checked).model_fields.keys() - {"kinds"})
    values |= {
        "key": key,
        "fromKind": from_kind,
        "toKind": to_kind,
    }
    if checked.symmetric:
        if from_kind != to_kind:
            return Refusal(
                Code.INVALID_INPUT,
                "symmetric: only a type joining two records of the same kind can be symmetric.",
                "symmetric",
            )
        if checked.reciprocal_label not in (None, checked.label):
            return Refusal(
                Code.INVALID_INPUT,
                "reciprocalLabel: a symmetric type reads the same from both sides.",
                "reciprocalLabel",
            )
        if checked.limit_per_target not in (None, checked.limit_per_source):
            return Refusal(
                Code.INVALID_INPUT,
                "limitPerTarget: a symmetric type has one limit, limitPerSource.",
                "limitPerTarget",
            )
        values |= {"reciprocalLabel": checked.label, "limitPerTarget": checked.limit_per_source}
    elif checked.reciprocal_label is None:
        return Refusal(
            Code.INVALID_INPUT,
            "reciprocalLabel: required unless the type is symmetric.",
            "reciprocalLabel",
        )
    actor = viewer_id(context)
    type_id = f"rty_{secrets.token_hex(12)}"

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await catalog.define_type(tx, type_id, values)
        return await catalog.relationship_type(tx, key)

    return await _write_catalog(context, work)


async def update_type(context: Context, key: str, data: dict[str, Any]) -> Row | Refusal:
    checked = validate(inputs.RelationshipTypeUpdate, data)
    if isinstance(checked, Refusal):
        return checked
    values = checked.graph_values(checked.model_fields_set)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        current = await catalog.relationship_type(tx, key)
        if values.get("symmetric", current["symmetric"]):
            label = values.get("label", current["label"])
            if values.get("reciprocalLabel", label) != label:
                raise GraphError(
                    "reciprocalLabel: a symmetric type reads the same from both sides.",
                    field="reciprocalLabel",
                )
            limit = values.get("limitPerSource", current["limit_per_source"])
            values.update(reciprocalLabel=label, limitPerTarget=limit)
        await catalog.update_type(tx, key, values)
        return await catalog.relationship_type(tx, key)

    return await _write_catalog(context, work)


async def reorder_types(context: Context, keys: list[str]) -> list[Row] | Refusal:
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        await graph_records.require_actor(tx, actor)
        await catalog.reorder_types(tx, [key.strip() for key in keys])
        return await catalog.relationship_types_in(tx)

    try:
        types = await context.graph.write(work)
    except GraphError as error:
        return Refusal.of(error)
    catalog.learn_keys(context.graph, types)
    return types


async def remove_type(context: Context, key: str) -> Row | Refusal:
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        return await catalog.remove_type(tx, key)

    return await _write_catalog(context, work)


async def _write_catalog(context: Context, work: Any) -> Row | Refusal:
    """A catalog write; this process then knows the new set of keys at once."""
    outcome = await write(context, work)
    if not isinstance(outcome, Refusal):
        await catalog.load_keys(context.graph)
    return outcome


# Links.


async def add_relationship(context: Context, data: dict[str, Any]) -> Row | Refusal:
    checked = validate(inputs.RelationshipAdd, data)
    if isinstance(checked, Refusal):
        return checked
    key = _key(checked.type_key, "typeKey")
    if isinstance(key, Refusal):
        return key
    to = checked.to
    chosen = [name for name in ("id", "free_text", "new_customer") if getattr(to, name) is not None]
    if len(chosen) != 1:
        return Refusal(
            Code.INVALID_INPUT, "to: give exactly one of id, freeText and newCustomer.", "to"
        )
    period = links.Period(checked.starts_on, checked.ends_on)
    refusal = _check_period(period)
    if refusal:
        return refusal
    new_customer: tuple[dict[str, Any], dict[str, str | None]] | None = None
    if to.new_customer is not None:
        new_customer = await split(
            CUSTOMERS, to.new_customer, type(to.new_customer).model_fields.keys()
        )
    actor = viewer_id(context)
    from_id = checked.from_id

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        start = await links.lock_and_find(tx, key, from_id, to.id)
        type_row = links.found_type(start.type, key, "typeKey")
        from_row = links.found_party(start.source, from_id, "fromId", records_only=True)
        outgoing = links.orient(type_row, from_row["label"])
        if checked.reverse:
            if type_row["from_kind"] != type_row["to_kind"]:
                raise GraphError(
                    f"reverse: {key} joins two kinds of record, so its direction follows "
                    "from the kinds.",
                    field="reverse",
                )
            outgoing = False
        if to.id is not None:
            other = links.found_party(start.other, to.id, "to.id")
            links.check_other(type_row, outgoing, other["label"], "to.id")
            other_id = to.id
            other_party = links.Party(
                other_id, str(other["name"]), other["label"] != EXTERNAL_LABEL
            )
        elif to.free_text is not None:
            other_id = await links.new_external_party(tx, to.free_text)
            other_party = links.Party(other_id, to.free_text, False)
        else:
            assert new_customer is not None
            if links.other_kind(type_row, outgoing) != "Customer":
                raise KindMismatch(
                    f"to.newCustomer: {key} does not link a {from_row['label'].lower()} "
                    "to a customer.",
                    field="to.newCustomer",
                )
            other_id = f"{CUSTOMERS.prefix}_{secrets.token_hex(12)}"
            values, owner = new_customer
            try:
                await graph_records.create_record(tx, "Customer", other_id, values, owner)
            except GraphError as error:
                field = "to.newCustomer" + (f".{error.field}" if error.field else "")
                raise type(error)(f"{field}: {error.message}", field=field) from error
            other_party = links.Party(other_id, str(values["name"]), True)
        from_party = links.Party(from_id, str(from_row["name"]), True)
        source, target = (from_party, other_party) if outgoing else (other_party, from_party)
        relationship_id = await links.add(
            tx, links.Ends(type_row, source.id, target.id), period, checked.note, actor
        )
        await write_audits(
            tx,
            actor,
            links.audit_lines(
                type_row, source, target, links.LINK_ADDED, key, None, relationship_id, "Linked"
            ),
        )
        return await links.seen(tx, from_id, relationship_id, "fromId")

    return await write(context, work)


async def update_relationship(
    context: Context, relationship_id: str, data: dict[str, Any], seen_from: str | None
) -> Row | Refusal:
    checked = validate(inputs.RelationshipUpdate, data)
    if isinstance(checked, Refusal):
        return checked
    values = checked.graph_values(checked.model_fields_set)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await links.update(tx, relationship_id, values, actor)
        record_id = seen_from or links.source_of(relationship_id)
        return await links.seen(tx, record_id, relationship_id, "seenFrom")

    return await write(context, work)


async def remove_relationship(context: Context, relationship_id: str) -> Row | Refusal:
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await links.remove(tx, relationship_id, actor)
        return {"id": relationship_id}

    return await write(context, work)


async def promote(
    context: Context, party_id: str, kind: str, customer_id: str | None
) -> Row | Refusal:
    label = LABELS[kind]
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await links.promote(tx, party_id, label, customer_id, actor)
        return await links.party_row(tx, party_id)

    return await write(context, work)


def _check_period(period: links.Period) -> Refusal | None:
    if period.starts_on and period.ends_on and period.starts_on > period.ends_on:
        return Refusal(Code.INVALID_INPUT, "endsOn: a link cannot end before it starts.", "endsOn")
    return None


# The map and paths.


@dataclass(frozen=True)
class WalkArguments:
    type_keys: list[str] | None
    kinds: list[str] | None
    as_of: date | None
    include_structural: bool


def _walk(arguments: WalkArguments) -> Walk:
    type_keys = None
    if arguments.type_keys is not None:
        if not arguments.type_keys:
            raise ClientError(
                "typeKeys: give at least one key, or leave it out for every type.",
                code=Code.INVALID_INPUT,
                field="typeKeys",
            )
        checked = [_key(key, "typeKeys") for key in arguments.type_keys]
        for key in checked:
            if isinstance(key, Refusal):
                raise ClientError(key.message, code=key.code, field=key.field)
        type_keys = frozenset(str(key) for key in checked)
    kinds = None
    if arguments.kinds is not None:
        kinds = frozenset(LABELS[kind] for kind in arguments.kinds)
    return Walk(type_keys, kinds, arguments.as_of, arguments.include_structural)


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ClientError(
            f"{name}: must be between {low} and {high}, got {value}.",
            code=Code.INVALID_INPUT,
            field=name,
        )
    return value


async def relation_map_of(
    context: Context,
    root_ids: list[str],
    depth: int | None,
    limit: int | None,
    arguments: WalkArguments,
) -> RelationMap:
    settings = context.settings
    if not root_ids:
        raise ClientError(
            "rootIds: give at least one id.", code=Code.INVALID_INPUT, field="rootIds"
        )
    _bounded("rootIds", len(root_ids), 1, settings.map_max_roots)
    depth = _bounded(
        "depth",
        settings.map_default_depth if depth is None else depth,
        1,
        settings.map_max_depth,
    )
    limit = _bounded(
        "limit",
        settings.map_default_limit if limit is None else limit,
        len(set(root_ids)),
        settings.map_max_limit,
    )
    request = MapRequest(tuple(dict.fromkeys(root_ids)), depth, limit, _walk(arguments))
    try:
        return await relation_map(context.graph, request, settings.map_links_per_level)
    except GraphError as error:
        raise ClientError(error.message, code=error.code, field=error.field) from error


async def relationship_path(
    context: Context,
    from_id: str,
    to_id: str,
    max_depth: int | None,
    arguments: WalkArguments,
) -> RelationMap | None:
    settings = context.settings
    hops = _bounded(
        "maxDepth",
        settings.path_default_depth if max_depth is None else max_depth,
        1,
        settings.path_max_depth,
    )
    try:
        return await graph_path(context.graph, from_id, to_id, hops, _walk(arguments))
    except GraphError as error:
        raise ClientError(error.message, code=error.code, field=error.field) from error


def relationships_connection(
    root: Mapping[str, Any],
    key: str,
    context: Context,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Row:
    """A card's relationship list, from what the card's statement already fetched."""
    arguments = {"first": first, "after": after, "last": last, "before": before}
    page = relationship_page(arguments, context.settings)
    return connection(root[key], page, RELATIONSHIP_ORDER)


def today() -> date:
    return datetime.now(UTC).date()


def in_effect(row: Mapping[str, Any], day: date | None = None) -> bool:
    """The link holds on `day` (today by default): started, and not yet ended."""
    day = day or today()
    starts_on, ends_on = row.get("starts_on"), row.get("ends_on")
    return (starts_on is None or starts_on <= day) and (ends_on is None or ends_on >= day)


def former(row: Mapping[str, Any]) -> bool:
    ends_on = row.get("ends_on")
    return ends_on is not None and ends_on < today()
