"""The index page and the pages' files, served by the app itself at any setting."""

from __future__ import annotations

import httpx
import pytest

from kesher.app import create_app
from kesher.settings import Settings

pytestmark = pytest.mark.anyio


async def test_the_index_links_the_map_the_calendar_and_the_api(
    client: httpx.AsyncClient,
) -> None:
    # when
    index = await client.get("/")

    # then
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    for link in ('href="/map"', 'href="/calendar"', 'href="/graphql"'):
        assert link in index.text


async def test_the_pages_and_their_libraries_are_served_from_the_package(
    settings: Settings,
) -> None:
    # given: production, where GraphiQL is off; the pages are part of the product
    app = create_app(settings.model_copy(update={"development": False}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
        # when
        map_page = await http.get("/map")
        calendar_page = await http.get("/calendar")
        library = await http.get("/static/pages/vendor/cytoscape.min.js")
        missing = await http.get("/static/pages/vendor/nothing.js")

    # then: each page loads scripts only from this service, and says so to the browser
    for page in (map_page, calendar_page):
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "http://" not in page.text
        assert "https://" not in page.text
    assert 'src="/static/pages/vendor/cytoscape.min.js"' in map_page.text
    assert library.status_code == 200
    assert len(library.content) > 100_000
    assert missing.status_code == 404
