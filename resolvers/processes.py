"""Processes (R4.3): running one over a segment of customers, and reading its tree."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import AwareDatetime
from strawberry.types.nodes import SelectedField, Selection

from kesher.codes import Code
from kesher.graph import activities as graph_activities
from kesher.graph import processes as graph_processes
from kesher.graph import records as graph_records
from kesher.graph.audit import write_audit
from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.graph.model import ACTIVITY
from kesher.graph.records import RecordFilter
from kesher.resolvers import inputs
from kesher.resolvers.activities import PREFIX, TIME_FIELDS, schedule
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal, validate
from kesher.resolvers.records import audience, record_filter
from kesher.resolvers.selection import child, shape_of
from kesher.resolvers.writes import viewer_id, write

TEMPLATE = "template"


class ProcessTemplate(inputs.Input):
    """What every child of a process is; checked as a new activity is."""

    kind: inputs.ActivityKind
    type_id: inputs.Id
    status_id: inputs.Id
    subject: inputs.Subject
    description: inputs.Text | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    all_day: bool = False
    time_zone: inputs.TimeZone = "UTC"
    owner_id: inputs.Id | None = None


def segment_filter(where: Mapping[str, Any]) -> RecordFilter:
    """A segment as the customer list reads the same filter (by API name); archived
    customers are always left out."""
    return dataclasses.replace(record_filter(where), include_archived=False)


def _in_template(code: Code, message: str, field: str | None) -> tuple[Code, str, str]:
    """A template problem named as the argument's field: `template.subject`."""
    named = f"{TEMPLATE}.{field}" if field else TEMPLATE
    if field and message.startswith(field + ":"):
        return code, f"{TEMPLATE}.{message}", named
    return code, f"{named}: {message}", named


def _template_refusal(refusal: Refusal) -> Refusal:
    return Refusal(*_in_template(refusal.code, refusal.message, refusal.field))


def _template_error(error: GraphError) -> GraphError:
    _, message, field = _in_template(error.code, error.message, error.field)
    return type(error)(message, field=field)


PROCESS_RUN = "PROCESS_RUN"


async def run(
    context: Context,
    parent_id: str,
    segment: Mapping[str, Any],
    template: dict[str, Any],
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Makes one child activity under `parent_id` for every live customer of `segment`,
    all in one write transaction, and answers with the parent (in the shape `selections`
    asks for) and how many children were made.

    A child is owned by the template's owner; without one, by its customer's owner when
    that user is active, else by the caller."""
    checked = validate(ProcessTemplate, template)
    if isinstance(checked, Refusal):
        return _template_refusal(checked)
    try:
        times = schedule(checked.kind, {name: getattr(checked, name) for name in TIME_FIELDS})
    except GraphError as error:
        return _template_refusal(Refusal.of(error))
    if segment.get("includeArchived"):
        return Refusal(
            Code.INVALID_INPUT,
            "segment.includeArchived: a process leaves archived customers out.",
            "segment.includeArchived",
        )
    where = segment_filter(segment)
    values = {
        "kind": checked.kind,
        "subject": checked.subject,
        "description": checked.description,
        **times,
    }
    links = {"typeId": checked.type_id, "statusId": checked.status_id}
    if checked.owner_id is not None:
        links["ownerId"] = checked.owner_id
    shape = shape_of(ACTIVITY, selections, context.settings)
    actor = viewer_id(context)
    cap = context.settings.process_max_children

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        stored = await graph_activities.current(tx, audience(context), parent_id, "parentId")
        graph_activities.require_open(stored, parent_id, "parentId")
        try:
            await graph_activities.check_links(tx, links)
        except GraphError as error:
            raise _template_error(error) from error
        customers = await graph_processes.segment(context.graph, tx, where, cap)
        if not customers:
            raise GraphError("segment: no live customer is in the segment.", field="segment")
        if len(customers) > cap:
            raise GraphError(
                f"segment: a process reaches at most {cap} customers; narrow the segment.",
                field="segment",
            )
        children = [
            {
                "id": f"{PREFIX}_{secrets.token_hex(12)}",
                "customerId": customer["id"],
                "ownerId": checked.owner_id or _owner(customer, actor),
            }
            for customer in customers
        ]
        created = await graph_processes.create_children(tx, parent_id, links, values, children)
        await write_audit(
            tx,
            parent_id,
            actor,
            PROCESS_RUN,
            "children",
            None,
            str(created),
            f"Made {created} child {'activity' if created == 1 else 'activities'}",
        )
        parent = await graph_records.card_in(context.graph, tx, audience(context), shape, parent_id)
        return None if parent is None else {"parent": parent, "created": created}

    return await write(context, work)


def _owner(customer: Row, actor: str) -> str:
    owner = customer["owner"]
    return str(owner["id"]) if owner is not None and owner["active"] else actor


async def tree(context: Context, activity_id: str, field: SelectedField) -> Row | None:
    """The process tree around `activity_id`, from its root, in the shapes the selection
    asks for; at most `process_max_nodes` nodes, then `truncated`. One statement."""
    settings = context.settings
    root_shape = shape_of(ACTIVITY, child(field.selections, "root"), settings)
    node_shape = shape_of(ACTIVITY, child(child(field.selections, "nodes"), "activity"), settings)
    cap = settings.process_max_nodes
    found = await graph_processes.tree(
        context.graph, audience(context), activity_id, root_shape, node_shape, cap
    )
    if found is None:
        return None
    nodes: list[Row] = found["nodes"]
    return {"root": found["root"], "nodes": nodes[:cap], "truncated": len(nodes) > cap}
