"""GraphiQL served from the package: its page and the files the page loads (GraphiQL and
React, vendored from `web/graphiql` by `scripts/vendor-graphiql`), so that it works without
the internet."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import Mount
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
