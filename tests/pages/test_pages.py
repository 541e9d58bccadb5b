"""The index page and the pages' files, served by the app itself at any setting."""

from __future__ import annotations

import re

import httpx
import pytest
from graphql import build_schema, parse, validate

from kesher.app import create_app
from kesher.pages import PAGES
from kesher.settings import PROJECT_DIR, Settings

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


def documents(script: str) -> dict[str, str]:
    """The GraphQL documents a page's script sends, by the name of their constant: template
    literals whose `${NAME}` parts are other constants of the script."""
    pieces = dict(re.findall(r"const (\w+) = `([^`]*)`;", script))
    pieces.update(re.findall(r'const (\w+) = "([^"]*)";', script))
    pieces.update(re.findall(r"(\w+): `(query[^`]*)`", script))
    found = {}
    for name, text in pieces.items():
        while "${" in text:
            text = re.sub(r"\$\{(\w+)\}", lambda match: pieces[match.group(1)], text)
        if re.match(r"\s*(query|mutation|\{)", text) and not re.match(r"\{[^{}]*\}$", text):
            found[name] = text
    return found


def test_every_document_the_pages_send_is_valid_against_the_schema() -> None:
    # given: the committed schema (a test keeps it equal to the served one)
    schema = build_schema((PROJECT_DIR / "schema.graphql").read_text(encoding="utf-8"))

    # when
    sent = {
        f"{script}:{name}": text
        for script in ("kesher.js", "map.js", "calendar.js")
        for name, text in documents((PAGES / script).read_text(encoding="utf-8")).items()
    }

    # then: each page's documents are there and none has an error
    assert {"kesher.js:LOGIN", "map.js:MAP", "map.js:PATH", "map.js:CUSTOMER"} <= set(sent)
    assert {"calendar.js:LANE", "calendar.js:ACTIVITY", "calendar.js:PEOPLE"} <= set(sent)
    problems = {name: validate(schema, parse(text)) for name, text in sent.items()}
    assert {name: errors for name, errors in problems.items() if errors} == {}
