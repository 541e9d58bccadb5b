"""CSV downloads: `GET /export/<list>.csv?<filter>` with the same bearer token as the API
(or the `access` token of a link from the `exportLink` query instead), streamed as the
rows come from Neo4j. The lists are `customers`, `contacts`, `projects` and `activities`
(the filters their GraphQL lists take, as query parameters), and a relation map's
`relation-map-nodes` and `relation-map-edges` (the `relationMap` arguments). See
`kesher.resolvers.exports` for the files' form."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from kesher import logs
from kesher.codes import Code
from kesher.graph import viewer_guard
from kesher.graph.errors import Unavailable, ViewerRefused
from kesher.resolvers.context import Context, Viewer
from kesher.resolvers.exports import ACCESS, QUERIES, checked_query, csv_chunks, export
from kesher.resolvers.tokens import TokenProblem, from_header, read_download
from kesher.settings import Settings

logger = logging.getLogger("kesher.exports")


def _refused(status: int, code: str, message: str, field: str | None = None) -> Response:
    error: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


async def download(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    name = request.path_params["name"]
    if name not in QUERIES:
        lists = ", ".join(f"{known}.csv" for known in QUERIES)
        return _refused(404, Code.NOT_FOUND, f"No such export; the exports are {lists}.")
    params = [(key, value) for key, value in request.query_params.multi_items() if key != ACCESS]
    try:
        link = request.query_params.get(ACCESS)
        header = request.headers.get("authorization")
        viewer: Viewer | None
        if link is not None and header is None:
            viewer = read_download(link, name, settings.signing_key)
        else:
            viewer = from_header(header, settings.signing_key)
    except TokenProblem as problem:
        return _refused(401, Code.UNAUTHENTICATED, str(problem))
    if viewer is None:
        return _refused(
            401, Code.UNAUTHENTICATED, "Sign in first: send 'Authorization: Bearer <token>'."
        )
    context = Context(
        request=request,
        response=None,
        graph=request.app.state.graph,
        settings=settings,
        request_id=logs.request_id.get(),
        viewer=viewer,
    )
    check = viewer_guard.ViewerCheck(viewer.id, viewer.role.value, viewer.version)
    try:
        query = checked_query(name, params)
        with viewer_guard.checking(check):
            columns, rows = await export(context, viewer, name, query)
        chunks = csv_chunks(viewer, columns, rows)
        first = await anext(chunks)
    except GraphQLError as error:
        extensions = error.extensions or {}
        field = extensions.get("field")
        return _refused(400, str(extensions.get("code", Code.INVALID_INPUT)), error.message, field)
    except ViewerRefused as error:
        return _refused(401, Code.UNAUTHENTICATED, error.message)
    except Unavailable:
        return _refused(503, Code.UNAVAILABLE, "The database cannot be reached; try again soon.")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        _following(first, chunks),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _following(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


def routes() -> list[BaseRoute]:
    """`/export/<list>.csv`."""
    return [Route("/export/{name}.csv", download, methods=["GET"])]
