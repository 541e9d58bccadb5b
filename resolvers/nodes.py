"""Objects by their global ids: `node(id)` and `nodes(ids)`, one statement for any mix of
kinds. What a viewer may not read, and an id that names nothing, is null."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from kesher.codes import Code
from kesher.graph import nodes as graph_nodes
from kesher.graph.driver import Row
from kesher.graph.model import ACTIVITY, LABELS
from kesher.graph.shapes import Shape
from kesher.resolvers import recurrence
from kesher.resolvers.calendar import with_series
from kesher.resolvers.context import Context
from kesher.resolvers.errors import ClientError
from kesher.resolvers.records import audience
from kesher.resolvers.selection import child, shape_of

# The key under which a row carries its GraphQL type, for the Node interface to resolve.
TYPE_KEY = "_type"
RELATIONSHIP = "Relationship"
RELATIONSHIP_TYPE = "RelationshipType"
OCCURRENCE = "Occurrence"


@dataclass(frozen=True)
class Named:
    """What an id names: the GraphQL type, and the stored id to seek (an occurrence's
    activity, with the occurrence's original start)."""

    type_name: str
    stored_id: str
    occurrence: datetime | None = None


def named(node_id: str) -> Named | None:
    """The type an id names by its form, or None when it names nothing Kesher gives out."""
    if ":" in node_id:
        source = graph_nodes.source_of(node_id)
        return Named(RELATIONSHIP, node_id) if named(source) is not None else None
    occurrence = recurrence.parse_occurrence_id(node_id)
    if occurrence is not None:
        activity_id, original = occurrence
        if named(activity_id) != Named("Activity", activity_id):
            return None
        return Named(OCCURRENCE, activity_id, original)
    prefix, _, rest = node_id.partition("_")
    if not rest:
        return None
    if prefix == "rty":
        return Named(RELATIONSHIP_TYPE, node_id)
    label = graph_nodes.PREFIXES.get(prefix)
    return None if label is None else Named(label, node_id)


def for_type(selections: Iterable[Selection], type_name: str) -> list[Selection]:
    """The selections that apply to an object of this type: its fields, and the fragments
    on it or on the Node interface."""
    found: list[Selection] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        elif isinstance(selection, FragmentSpread | InlineFragment) and (
            selection.type_condition in (None, "Node", type_name)
        ):
            found += for_type(selection.selections, type_name)
    return found


async def nodes(context: Context, ids: Sequence[str], field: SelectedField) -> list[Row | None]:
    limit = context.settings.max_page_size
    if len(ids) > limit:
        raise ClientError(
            f"ids: at most {limit} ids at once, got {len(ids)}.",
            code=Code.INVALID_INPUT,
            field="ids",
        )
    asked = {node_id: named(node_id) for node_id in ids}
    by_type: dict[str, list[str]] = {}
    for name in asked.values():
        if name is not None:
            by_type.setdefault(name.type_name, []).append(name.stored_id)
    if not by_type:
        return [None for _ in ids]
    records: dict[str, tuple[Shape, tuple[str, ...]]] = {}
    for type_name, stored in by_type.items():
        if type_name in (RELATIONSHIP, RELATIONSHIP_TYPE):
            continue
        selections = for_type(field.selections, type_name)
        if type_name == OCCURRENCE:
            shape = with_series(shape_of(ACTIVITY, child(selections, "activity"), context.settings))
        else:
            shape = shape_of(LABELS[type_name], selections, context.settings)
        records[type_name] = (shape, tuple(dict.fromkeys(stored)))
    wanted = graph_nodes.Wanted(
        records,
        tuple(dict.fromkeys(by_type.get(RELATIONSHIP, ()))),
        tuple(dict.fromkeys(by_type.get(RELATIONSHIP_TYPE, ()))),
    )
    found = await graph_nodes.nodes(context.graph, wanted, audience(context))
    # An occurrence is looked up by its rule, in a thread, so other requests go on meanwhile.
    return await anyio.to_thread.run_sync(
        lambda: [_answer(found, asked[node_id]) for node_id in ids]
    )


def _answer(found: graph_nodes.Found, name: Named | None) -> Row | None:
    if name is None:
        return None
    if name.type_name == RELATIONSHIP:
        row = found.relationships.get(name.stored_id)
    elif name.type_name == RELATIONSHIP_TYPE:
        row = found.relationship_types.get(name.stored_id)
    else:
        row = found.records.get(name.type_name, {}).get(name.stored_id)
        if row is not None and name.type_name == OCCURRENCE:
            row = recurrence.occurrence_at(row, name.occurrence)
    return None if row is None else {**row, TYPE_KEY: name.type_name}
