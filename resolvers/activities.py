"""Activities: creating and changing them, and their card."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from neo4j import AsyncManagedTransaction
from pydantic.alias_generators import to_camel
from strawberry.types.nodes import SelectedField, Selection

from kesher.codes import Code
from kesher.graph import activities as graph_activities
from kesher.graph import activity_list
from kesher.graph import chains as graph_chains
from kesher.graph import records as graph_records
from kesher.graph.audit import write_audit, write_audits
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.graph.model import ACTIVITY, ACTIVITY_STATUS, ACTIVITY_TYPE, USER
from kesher.resolvers import inputs, recurrence
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError, Refusal, validate
from kesher.resolvers.pagination import ORDERS, connection
from kesher.resolvers.records import audience, search_text
from kesher.resolvers.selection import child, connection_shape, shape_of
from kesher.resolvers.time_zones import zone_problem
from kesher.resolvers.writes import viewer_id, write

PREFIX = "act"
TIME_FIELDS = ("starts_at", "ends_at", "due_at", "all_day", "time_zone")


async def card(context: Context, activity_id: str, selections: Iterable[Selection]) -> Row | None:
    shape = shape_of(ACTIVITY, selections, context.settings)
    return await graph_records.card(context.graph, audience(context), shape, activity_id)


@dataclass(frozen=True)
class NewActivity:
    """A new activity whose input passed every check that needs no reads: its kind and
    subject, its stored values and its links by API name."""

    kind: str
    subject: str
    values: dict[str, Any]
    links: dict[str, Any]


def new_activity(data: dict[str, Any]) -> NewActivity | Refusal:
    """Checks createActivity's input (by API name) and works out what will be stored."""
    checked = validate(inputs.ActivityCreate, data)
    if isinstance(checked, Refusal):
        return checked
    fields = type(checked).model_fields.keys()
    values, links = _split(checked, fields)
    try:
        values |= schedule(checked.kind, {name: getattr(checked, name) for name in TIME_FIELDS})
        _check_url(checked.kind, checked.external_url)
        values |= _series(checked.kind, values, checked.recurrence)
    except GraphError as error:
        return Refusal.of(error)
    links["otherCustomerIds"] = [i for i in links["otherCustomerIds"] if i != checked.customer_id]
    return NewActivity(checked.kind, checked.subject, values, links)


async def insert(
    tx: AsyncManagedTransaction, activity_id: str, new: NewActivity, actor: str
) -> str | None:
    """Writes a checked new activity inside the caller's write transaction: its links
    checked, its reference number (returned, for the kinds that have one) and the audit
    line of its creation."""
    await graph_activities.check_links(tx, new.links)
    await graph_activities.create(tx, activity_id, new.values, new.links)
    ref = await graph_chains.assign_ref(tx, activity_id, new.kind)
    await write_audit(
        tx,
        activity_id,
        actor,
        graph_activities.CREATED,
        "activity",
        None,
        ref or activity_id,
        f"Created {ref + ' ' if ref else ''}{new.subject}",
    )
    return ref


async def create(
    context: Context, data: dict[str, Any], selections: Iterable[Selection]
) -> Row | Refusal:
    # A recurrence rule is checked in a thread, so other requests go on meanwhile.
    new = await anyio.to_thread.run_sync(new_activity, data)
    if isinstance(new, Refusal):
        return new
    activity_id = f"{PREFIX}_{secrets.token_hex(12)}"
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await insert(tx, activity_id, new, actor)
        return await graph_records.card_in(
            context.graph, tx, audience(context), shape, activity_id, written=True
        )

    return await write(context, work)


async def update(
    context: Context, activity_id: str, data: dict[str, Any], selections: Iterable[Selection]
) -> Row | Refusal:
    checked = validate(inputs.ActivityUpdate, data)
    if isinstance(checked, Refusal):
        return checked
    sent = checked.model_fields_set
    values, links = _split(checked, sent)
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        stored = await graph_activities.current(tx, audience(context), activity_id)
        graph_activities.require_open(stored, activity_id)
        if sent & set(TIME_FIELDS):
            given = {name: getattr(checked, name) for name in TIME_FIELDS if name in sent}
            values.update(schedule(stored["kind"], _merged_times(stored, given)))
        if "external_url" in sent:
            _check_url(stored["kind"], checked.external_url)
        if "recurrence" in sent or sent & set(TIME_FIELDS):
            rule = checked.recurrence if "recurrence" in sent else stored["recurrence"]
            times = {
                "startAt": values.get("startAt", stored["startAt"]),
                "endAt": values.get("endAt", stored["endAt"]),
                "timeZone": values.get("timeZone", stored["timeZone"]),
            }
            series = await anyio.to_thread.run_sync(_series, stored["kind"], times, rule)
            values.update(series)
        check = dict(links)
        if "customerId" in links or "contactId" in links:
            check.setdefault("customerId", stored["customerId"])
            check.setdefault("contactId", stored["contactId"])
        await graph_activities.check_links(tx, check)
        await graph_activities.update(tx, activity_id, values, links)
        await write_audits(
            tx, actor, graph_activities.changes(activity_id, stored, _new(sent, values, links))
        )
        return await graph_records.card_in(
            context.graph, tx, audience(context), shape, activity_id, written=True
        )

    return await write(context, work)


def _new(sent: Iterable[str], values: Mapping[str, Any], links: Mapping[str, Any]) -> Row:
    """The sent fields' new values by API name, as they are stored (times as `schedule`
    made them)."""
    new: Row = {}
    for name in sent:
        api_name = to_camel(name)
        if api_name in graph_activities.LINK_FIELDS:
            new[api_name] = links[api_name]
        elif api_name in graph_activities.AUDITED:
            new[api_name] = values.get(graph_activities.AUDITED[api_name])
    return new


def _split(checked: inputs.Input, names: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    values: dict[str, Any] = {}
    links: dict[str, Any] = {}
    for name in names:
        if name in TIME_FIELDS or name == "recurrence":
            continue
        api_name = to_camel(name)
        if api_name in graph_activities.LINK_FIELDS:
            links[api_name] = getattr(checked, name)
        else:
            values[ACTIVITY.properties.get(name, api_name)] = getattr(checked, name)
    return values, links


def _merged_times(stored: Row, given: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"all_day": stored["allDay"], "time_zone": stored["timeZone"]}
    if stored["kind"] == "TASK":
        merged["due_at"] = stored["dueAt"]
    else:
        merged["starts_at"], merged["ends_at"] = stored["startAt"], stored["endAt"]
    return merged | dict(given)


def schedule(kind: str, times: Mapping[str, Any]) -> dict[str, Any]:
    """The stored times of an activity: UTC start and end (a task's are its due time),
    whole local days for an all-day activity (the end is the start of the day after)."""
    zone_name = times.get("time_zone") or "UTC"
    problem = zone_problem(zone_name)
    if problem is not None:
        raise GraphError(f"timeZone: {problem}", field="timeZone")
    zone = ZoneInfo(zone_name)
    all_day = bool(times.get("all_day"))
    starts, ends, due = times.get("starts_at"), times.get("ends_at"), times.get("due_at")
    if kind == "TASK":
        if due is None:
            raise GraphError("dueAt: a task needs a due time.", field="dueAt")
        if starts is not None or ends is not None:
            raise GraphError("startsAt: a task has a due time, not a start.", field="startsAt")
        starts = ends = due
    else:
        if due is not None:
            raise GraphError("dueAt: only a task has a due time.", field="dueAt")
        if starts is None:
            raise GraphError("startsAt: required.", field="startsAt")
        ends = ends or starts
        if ends < starts:
            raise GraphError("endsAt: it cannot end before it starts.", field="endsAt")
    assert starts is not None
    assert ends is not None
    if all_day:
        first = datetime.combine(starts.astimezone(zone).date(), time(), zone)
        last = datetime.combine(ends.astimezone(zone).date(), time(), zone) + timedelta(days=1)
        starts, ends = first, last
    # A fixed offset, not the zone named UTC: Neo4j orders a named-zone time after the
    # same instant with an offset, which would break every comparison with a parameter.
    utc = UTC
    return {
        "startAt": starts.astimezone(utc),
        "endAt": ends.astimezone(utc),
        "dueAt": starts.astimezone(utc) if kind == "TASK" else None,
        "allDay": all_day,
        "timeZone": zone_name,
    }


def _series(kind: str, times: Mapping[str, Any], rule: str | None) -> dict[str, Any]:
    """The stored form of a recurrence: its rule and when its last occurrence ends."""
    if rule is None:
        return {"recurrence": None, "recurrenceEndsAt": None}
    if kind != "EVENT":
        raise GraphError("recurrence: only an event (EVENT) repeats.", field="recurrence")
    ends = recurrence.last_end(rule, times["startAt"], times["endAt"], times["timeZone"])
    return {"recurrence": rule.removeprefix("RRULE:"), "recurrenceEndsAt": ends}


def _check_url(kind: str, url: str | None) -> None:
    if url is not None and kind != "EVENT":
        raise GraphError(
            "externalUrl: only a meeting (EVENT) links to an external calendar event.",
            field="externalUrl",
        )


async def set_closed(
    context: Context, activity_id: str, closed: bool, selections: Iterable[Selection]
) -> Row | Refusal:
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await graph_activities.set_closed(tx, audience(context), activity_id, closed)
        action = graph_activities.CLOSED if closed else graph_activities.REOPENED
        await write_audit(
            tx,
            activity_id,
            actor,
            action,
            "closed",
            "false" if closed else "true",
            "true" if closed else "false",
            "Closed" if closed else "Reopened",
        )
        return await graph_records.card_in(context.graph, tx, audience(context), shape, activity_id)

    return await write(context, work)


PERIODS = ("DAY", "WEEK", "MONTH")


def activity_filter(
    where: Mapping[str, Any], include_closed: bool, search: str | None = None
) -> activity_list.ActivityFilter:
    return activity_list.ActivityFilter(
        owner_ids=tuple(where.get("ownerIds") or ()),
        participant_ids=tuple(where.get("participantIds") or ()),
        customer_ids=tuple(where.get("customerIds") or ()),
        type_ids=tuple(where.get("typeIds") or ()),
        status_ids=tuple(where.get("statusIds") or ()),
        kinds=tuple(where.get("kinds") or ()),
        states=tuple(where.get("states") or ()),
        overlaps_from=where.get("from"),
        overlaps_to=where.get("to"),
        include_closed=include_closed,
        search=search,
    )


# The most groups a report answers with: past it, Neo4j would hold and shape every group
# of a fine grouping (five keys over a large graph ran out of transaction memory).
MAX_REPORT_GROUPS = 1000

# The groupings that are records, read in the shape the report's selection asks for.
REPORTED_NODES = {"TYPE": ACTIVITY_TYPE, "STATUS": ACTIVITY_STATUS, "OWNER": USER}


async def report(
    context: Context,
    group_by: list[str],
    where: Mapping[str, Any],
    include_closed: bool,
    time_zone: str,
    field: SelectedField,
) -> list[Row]:
    """Activity counts grouped by the keys asked for; a period counts in `time_zone`."""
    if not group_by or len(set(group_by)) != len(group_by):
        raise ClientError(
            "groupBy: name one or more groupings, each once.",
            code=Code.INVALID_INPUT,
            field="groupBy",
        )
    periods = [name for name in group_by if name in PERIODS]
    if len(periods) > 1:
        raise ClientError(
            "groupBy: one period (DAY, WEEK or MONTH) at most.",
            code=Code.INVALID_INPUT,
            field="groupBy",
        )
    problem = zone_problem(time_zone)
    if problem is not None:
        raise ClientError(f"timeZone: {problem}", code=Code.INVALID_INPUT, field="timeZone")
    shapes = {
        name: shape_of(label, child(field.selections, name.lower()), context.settings)
        for name, label in REPORTED_NODES.items()
        if name in group_by
    }
    rows = await activity_list.report(
        context.graph,
        audience(context),
        tuple(group_by),
        activity_filter(where, include_closed),
        time_zone,
        shapes,
        MAX_REPORT_GROUPS,
    )
    if len(rows) > MAX_REPORT_GROUPS:
        raise ClientError(
            f"groupBy: the report would have more than {MAX_REPORT_GROUPS} groups; group by "
            "fewer or coarser keys (MONTH rather than DAY) or narrow the filter.",
            code=Code.LIMIT_REACHED,
            field="groupBy",
        )
    for row in rows:
        for period in periods:
            row["period"] = row.pop(period.lower())
    return rows


async def page(
    context: Context,
    field: SelectedField,
    where: Mapping[str, Any],
    search: str | None,
    include_closed: bool,
    order_name: str,
) -> Row:
    """One page of the activity list; a search orders by relevance.

    `where` holds the filter input by API name (`ownerIds`, `from`, …)."""
    search = search_text(search)
    # A search for a reference number finds one activity, in the order asked for.
    if search and graph_chains.parse_ref(search) is None:
        order_name = "RELEVANCE"
    narrowed = activity_filter(where, include_closed, search)
    shape, keyset = connection_shape(
        ACTIVITY, field, context.settings, ORDERS[order_name], order_name
    )
    answer = await activity_list.page(context.graph, audience(context), shape, keyset, narrowed)
    return connection(vars(answer), keyset, order_name)
