"""The pages Kesher serves beside its API: an index, the relation map and the team calendar.
They are static files under `static/pages` that speak only to the public GraphQL API; the
libraries they load (Cytoscape.js and its layout) are vendored from `web/pages` by
`scripts/vendor-pages`, so that nothing comes from the internet."""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kesher.graphiql import STATIC

PAGES = STATIC / "pages"

# Scripts, styles and connections only from this service: a page that was made to load
# something from elsewhere is refused by the browser.
_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'"
)


@cache
def _html(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def _page(name: str) -> Route:
    async def serve(request: Request) -> Response:
        return HTMLResponse(
            _html(name),
            headers={"Content-Security-Policy": _POLICY, "Cache-Control": "no-cache"},
        )

    return Route("/" if name == "index" else f"/{name}", serve, methods=["GET", "HEAD"])


def routes() -> list[BaseRoute]:
    """`/`, `/map`, `/calendar` and their files under `/static/pages/…`."""
    return [
        _page("index"),
        _page("map"),
        _page("calendar"),
        Mount("/static/pages", StaticFiles(directory=PAGES), name="pages"),
    ]
