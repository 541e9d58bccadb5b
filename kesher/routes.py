"""The plain HTTP routes beside GraphQL: a user's calendar feed, an attachment's content, and
the liveness and readiness checks."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from kesher.graph.driver import Graph
from kesher.resolvers import attachments
from kesher.resolvers.calendar_feed import feed
from kesher.resolvers.tokens import TokenProblem, from_header
from kesher.settings import Settings

logger = logging.getLogger("kesher.app")


async def calendar_feed(request: Request) -> Response:
    """A user's calendar as iCalendar, for Google or Outlook to subscribe to."""
    ical = await feed(
        request.app.state.graph,
        request.path_params["user_id"],
        request.query_params.get("token", ""),
    )
    if ical is None:
        return PlainTextResponse("No such calendar feed.", status_code=404)
    return Response(
        ical,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


async def attachment(request: Request) -> Response:
    """An attachment's content, to any signed-in user (the same bearer token as the API)."""
    settings: Settings = request.app.state.settings
    try:
        viewer = from_header(request.headers.get("authorization"), settings.signing_key)
    except TokenProblem as problem:
        viewer, reason = None, str(problem)
    else:
        reason = "Sign in first: send 'Authorization: Bearer <token>'."
    if viewer is None:
        return PlainTextResponse(reason, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    found = await attachments.download(
        request.app.state.graph,
        viewer,
        settings.attachments_dir,
        request.path_params["attachment_id"],
    )
    if found is None:
        return PlainTextResponse("No such attachment.", status_code=404)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={
            "Content-Disposition": attachments.disposition(found.name),
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when Neo4j answers within `readiness_timeout_seconds`; else 503 with why, in
    that time, so a load balancer takes the instance out instead of waiting on it."""
    graph: Graph = request.app.state.graph
    settings: Settings = request.app.state.settings
    timeout = settings.readiness_timeout_seconds
    try:
        await asyncio.wait_for(graph.ping(), timeout)
    except TimeoutError:
        reason = f"Neo4j did not answer within {timeout:g} s"
        logger.warning("not ready: %s", reason)
        return JSONResponse({"status": "unavailable", "neo4j": reason}, status_code=503)
    except Exception as error:  # any failure means "not ready", and says why
        logger.warning("Neo4j is not reachable: %s", error)
        return JSONResponse({"status": "unavailable", "neo4j": str(error)}, status_code=503)
    return JSONResponse({"status": "ready"})
