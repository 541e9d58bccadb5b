"""CSV exports: the customer, contact, project and activity lists with the filters their
GraphQL lists take, and a relation map as a nodes file and an edges file.

A file is UTF-8 with a byte-order mark, so that a spreadsheet program reads Hebrew as
Hebrew, with the first line naming the columns (the record lists' are those their import
reads, so an exported file imports back). A cell that a spreadsheet would take for a
formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is written after a
single quote, which the spreadsheet shows as text and an import takes off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from kesher.codes import Code
from kesher.graph import exports as graph_exports
from kesher.graph import viewer_guard
from kesher.graph.driver import Row
from kesher.resolvers import inputs
from kesher.resolvers.activities import activity_filter
from kesher.resolvers.context import Context, Viewer
from kesher.resolvers.errors import ClientError, why
from kesher.resolvers.import_files import FORMULA_STARTS
from kesher.resolvers.records import audience_of, record_filter, search_text
from kesher.resolvers.relationships import WalkArguments, relation_map_of
from kesher.resolvers.tokens import issue_download

BOM = "\ufeff"
ROWS_PER_CHUNK = 500

Ids = list[inputs.Id]


class _Query(BaseModel):
    """An export's query parameters, named as the GraphQL list's filter fields; lists
    repeat the parameter (`statuses=LEAD&statuses=ACTIVE`). Unknown ones are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    search: str | None = Field(default=None, max_length=200)


class RecordQuery(_Query):
    owner_ids: Ids = []
    customer_ids: Ids = []
    is_linked_to_customers: bool | None = None
    linked_to_customer_ids: Ids = []
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    include_archived: bool = False


class CustomerQuery(RecordQuery):
    statuses: list[inputs.CustomerStatus] = []


class ProjectQuery(RecordQuery):
    statuses: list[inputs.ProjectStatus] = []


class ActivityQuery(_Query):
    owner_ids: Ids = []
    participant_ids: Ids = []
    customer_ids: Ids = []
    type_ids: Ids = []
    status_ids: Ids = []
    kinds: list[inputs.ActivityKind] = []
    states: list[Literal["LATE", "PENDING", "DONE"]] = []
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    include_closed: bool = False


class MapQuery(_Query):
    root_ids: Ids = []
    depth: int | None = None
    limit: int | None = None
    type_keys: list[inputs.TypeKey] | None = None
    kinds: list[inputs.PartyKindName] | None = None
    as_of: date | None = None
    include_structural: bool = False


QUERIES: Mapping[str, type[_Query]] = {
    "customers": CustomerQuery,
    "contacts": RecordQuery,
    "projects": ProjectQuery,
    "activities": ActivityQuery,
    "relation-map-nodes": MapQuery,
    "relation-map-edges": MapQuery,
}

_MAP_NODES = ("id", "kind", "name", "depth", "archived")
_MAP_EDGES = ("id", "typeKey", "source", "target", "label", "reciprocalLabel", "colour")


def checked_query(name: str, params: Iterable[tuple[str, str]]) -> _Query:
    """The query parameters checked; `ClientError` naming the first one at fault."""
    model = QUERIES[name]
    fields = {field.alias or key: field for key, field in model.model_fields.items()}
    given: dict[str, Any] = {}
    for key, value in params:
        field = fields.get(key)
        if field is not None and _is_list(field.annotation):
            given.setdefault(key, []).append(value)
        else:
            given[key] = value
    try:
        return model.model_validate(given)
    except ValidationError as error:
        first = error.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "query"
        raise ClientError(f"{where}: {why(first)}", code=Code.INVALID_INPUT, field=where) from error


def _is_list(annotation: Any) -> bool:
    return "list[" in str(annotation)


async def export(
    context: Context, viewer: Viewer, name: str, query: _Query
) -> tuple[Sequence[str], AsyncIterator[Row]]:
    """The export's columns and its rows, as `viewer` may see them. A relation map is read
    here (one bounded statement, refused with a `ClientError` as the GraphQL field is);
    a list is read as the rows are sent."""
    graph = context.graph
    audience = audience_of(viewer)
    if isinstance(query, MapQuery):
        kinds = None if query.kinds is None else [str(kind) for kind in query.kinds]
        arguments = WalkArguments(query.type_keys, kinds, query.as_of, query.include_structural)
        found = await relation_map_of(context, query.root_ids, query.depth, query.limit, arguments)
        if name == "relation-map-nodes":
            nodes = [_map_node(node) for node in found.nodes]
            return _MAP_NODES, _listed(nodes)
        return _MAP_EDGES, _listed([_map_edge(edge) for edge in found.edges])
    values = query.model_dump(by_alias=True)
    search = search_text(query.search)
    if isinstance(query, ActivityQuery):
        where = activity_filter(values, query.include_closed, search)
        rows = graph_exports.activities(graph, audience, where)
        return tuple(graph_exports.ACTIVITIES), rows
    rows = graph_exports.records(graph, audience, name, record_filter(values, search))
    return tuple(graph_exports.RECORDS[name][1]), rows


async def _listed(rows: list[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


def _map_node(node: Row) -> Row:
    party = node.get("party") or {}
    return {
        "id": node["id"],
        "kind": party.get("kind"),
        "name": party.get("name"),
        "depth": node.get("depth"),
        "archived": party.get("archived"),
    }


def _map_edge(edge: Row) -> Row:
    return {
        "id": edge.get("id"),
        "typeKey": edge.get("type_key"),
        "source": edge.get("source"),
        "target": edge.get("target"),
        "label": edge.get("label"),
        "reciprocalLabel": edge.get("reciprocal_label"),
        "colour": edge.get("colour"),
    }


async def csv_chunks(
    viewer: Viewer, columns: Sequence[str], rows: AsyncIterator[Row]
) -> AsyncIterator[bytes]:
    """The file: first the byte-order mark, the header and the first row (so that a
    refusal, such as a token that no longer holds, which the statement checks, comes
    before anything is sent), then a few hundred rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow(columns)
    check = viewer_guard.ViewerCheck(viewer.id, viewer.role.value, viewer.version)
    with viewer_guard.checking(check):
        written = 0
        async for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
            written += 1
            if written % ROWS_PER_CHUNK == 1:
                yield _drain(out)
    yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode()


def cell(value: Any) -> str:
    """A value as a cell: times in ISO 8601, and text a spreadsheet would take for a
    formula after a single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# The query parameter a download link carries its token in.
ACCESS = "access"


async def link(
    context: Context, name: str, params: Sequence[tuple[str, str]]
) -> tuple[str, datetime]:
    """A short-lived address that downloads the export `name` with `params` as the viewer,
    with no header needed (for a browser or a spreadsheet program), and when it expires. The
    parameters are checked now, so a bad one is refused here rather than at the download."""
    viewer = context.viewer
    assert viewer is not None  # the field is for signed-in users only
    if any(key == ACCESS for key, _ in params):
        raise ClientError(
            f"parameters: {ACCESS!r} is the link's own; leave it out.",
            code=Code.INVALID_INPUT,
            field="parameters",
        )
    try:
        checked_query(name, params)
    except ClientError as error:
        raise ClientError(
            f"parameters: {error.message}", code=Code.INVALID_INPUT, field="parameters"
        ) from error
    await graph_exports.confirm_viewer(context.graph)
    token, expires = issue_download(
        viewer, name, context.settings.signing_key, context.settings.export_link_ttl_seconds
    )
    base = str(context.request.base_url).rstrip("/")
    query = urlencode([*params, (ACCESS, token)])
    return f"{base}/export/{name}.csv?{query}", expires
