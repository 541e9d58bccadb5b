"""GraphiQL served from the package: its page and the files the page loads (GraphiQL and
React, vendored from `web/graphiql` by `scripts/vendor-graphiql`), so that it works without
the internet."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def page() -> HTMLResponse:
    """The GraphiQL page; it loads its files relative to the GraphQL endpoint's folder."""
    return HTMLResponse(_html())


@cache
def _html() -> str:
    return (STATIC / "graphiql.html").read_text(encoding="utf-8")


def assets() -> Mount:
    """The route of GraphiQL's files, `/static/graphiql/…`."""
    return Mount("/static/graphiql", StaticFiles(directory=STATIC / "graphiql"), name="graphiql")


# What a record link (KESHER_RECORD_LINK's default, in mails) opens in GraphiQL.
RECORD_QUERY = """# The record a Kesher mail linked to. Put your token into the Headers below
# ({ "Authorization": "Bearer <token>" }) and run.
query Record($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Customer { name status email phone city owner { name } }
    ... on Activity { kind subject startsAt endsAt closedAt }
  }
}
"""


def record_link(record_id: str) -> str:
    """The GraphiQL address that opens with a query for the record: the page reads
    `query` and `variables` from the fragment, which never reaches a server log."""
    fragment = urlencode({"query": RECORD_QUERY, "variables": json.dumps({"id": record_id})})
    return f"/graphql#{fragment}"


async def record(request: Request) -> Response:
    """`/records/{id}`, the default record link: GraphiQL with a query for the record in
    development; in production, where GraphiQL is off, it says what to configure."""
    if not request.app.state.settings.development:
        return PlainTextResponse(
            "This service shows no record pages: set KESHER_RECORD_LINK to the front end's "
            "address of a record ({id} stands for its id).",
            status_code=404,
        )
    return RedirectResponse(record_link(request.path_params["record_id"]), status_code=303)


def record_route() -> Route:
    return Route("/records/{record_id}", record)
