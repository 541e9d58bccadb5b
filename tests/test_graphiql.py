"""GraphiQL in development: served from the package, nothing loaded from the internet; in a
real browser it loads the schema and runs what is typed into it with a bearer token."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from kesher.app import create_app
from kesher.graphiql import STATIC
from kesher.resolvers.broadcast import record_channel
from kesher.settings import PROJECT_DIR, Settings
from tests.browser import Page, off_host
from tests.conftest import Person, gql
from tests.live import Live
from tests.resolvers.test_subscriptions import following

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = """
mutation($name: String!) {
  createCustomer(input: {name: $name}) { ... on CustomerSuccess { customer { id } } }
}
"""

ADD_NOTE = """
mutation($recordId: ID!, $text: String!) {
  addNote(recordId: $recordId, text: $text) { __typename }
}
"""

# Typed as a person types it: GraphiQL closes brackets and quotes itself and steps over
# the closing ones typed after.
TYPED_QUERY = "{ customers(first: 5) { totalCount edges { node { name } } } }"

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE = ".result-window .CodeMirror"


def _editor_text(driver: WebDriver, selector: str) -> str:
    text: str = driver.execute_script(
        "return document.querySelector(arguments[0]).CodeMirror.getValue()", selector
    )
    return text


def _type_into(driver: WebDriver, selector: str, text: str) -> str:
    """Clicks into an editor, selects what is there and types `text` over it; returns the
    editor's text afterwards."""
    editor: WebElement = driver.find_element(By.CSS_SELECTOR, selector)
    editor.click()
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(
        Keys.DELETE
    ).send_keys(text).perform()
    return _editor_text(driver, selector)


def _query_fields(driver: WebDriver) -> list[str] | None:
    """The fields the documentation explorer lists, once it shows the type `Query`."""
    title = driver.find_elements(By.CSS_SELECTOR, ".graphiql-doc-explorer-title")
    if not title or title[0].text != "Query":
        return None
    names = driver.find_elements(By.CSS_SELECTOR, ".graphiql-doc-explorer-field-name")
    return [name.text for name in names] or None


def _open_type(driver: WebDriver, name: str) -> bool:
    links = driver.find_elements(By.CSS_SELECTOR, "a.graphiql-doc-explorer-type-name")
    for link in links:
        if link.text == name:
            link.click()
            return True
    return False


async def open_graphiql(live: Live, page: Page) -> None:
    await page.open(live.url + "/graphql")
    await page.until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, QUERY_EDITOR),
        "GraphiQL did not render",
    )


async def run_typed(page: Page, person: Person, document: str) -> None:
    """Types the person's token into the Headers editor and `document` into the query
    editor, and runs it."""
    headers = f'{{"Authorization": "Bearer {person.token}"}}'
    typed_headers = await page.run(lambda driver: _type_into(driver, HEADERS_EDITOR, headers))
    assert json.loads(typed_headers) == {"Authorization": f"Bearer {person.token}"}
    typed = await page.run(lambda driver: _type_into(driver, QUERY_EDITOR, document))
    assert re.sub(r"\s+", " ", typed).strip() == document
    await page.run(
        lambda driver: driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    )


async def shown_answer(page: Page, expected: str) -> dict[str, Any]:
    """The answer in the response pane, once it mentions `expected`."""

    def mentioning(driver: WebDriver) -> str | None:
        text = _editor_text(driver, RESPONSE)
        return text if expected in text else None

    shown = await page.until(mentioning, f"no answer mentioning {expected!r} was shown")
    answer: dict[str, Any] = json.loads(shown)
    return answer


async def test_graphiql_runs_a_query_typed_with_a_token_and_loads_nothing_from_outside(
    live: Live, page: Page, member: Person
) -> None:
    # given: a customer, and GraphiQL opened in development (the tests' default)
    created = await gql(live.http, CREATE_CUSTOMER, {"name": "Kibbutz Dalia"}, member)
    assert created["data"]["createCustomer"]["customer"]["id"]
    await open_graphiql(live, page)

    # then: its schema loads (the documentation explorer lists the fields of Query)
    await page.run(
        lambda driver: driver.find_element(
            By.CSS_SELECTOR, '[aria-label="Show Documentation Explorer"]'
        ).click()
    )
    await page.until(lambda driver: _open_type(driver, "Query"), "no root type Query")
    fields = await page.until(_query_fields, "the explorer listed no fields of Query")
    assert {"customers", "customer", "relationMap", "me"} <= set(fields)

    # when: a query is typed and run with a token
    await run_typed(page, member, TYPED_QUERY)

    # then: the answer shows the customer
    shown = await shown_answer(page, "Kibbutz Dalia")
    assert shown["data"] == {
        "customers": {"totalCount": 1, "edges": [{"node": {"name": "Kibbutz Dalia"}}]}
    }
    # and: with what the query was allowed to cost
    assert shown["extensions"]["cost"]["requested"] > 0

    # and: every request the page made went to the app on 127.0.0.1, as the browser's
    # network log and the page's own resource timing tell, and nothing failed on the way
    requested = await page.requests()
    assert any(url.endswith("/static/graphiql/graphiql.min.js") for url in requested)
    assert off_host(requested) == []
    timed = await page.script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert off_host(timed) == []
    assert [line for line in await page.console() if line.startswith("SEVERE")] == []


async def test_graphiql_subscribes_with_the_token_of_its_headers(
    live: Live, page: Page, member: Person
) -> None:
    # given: a customer, and a subscription to its changes typed into GraphiQL
    created = await gql(live.http, CREATE_CUSTOMER, {"name": "Kibbutz Dalia"}, member)
    dalia = created["data"]["createCustomer"]["customer"]["id"]
    await open_graphiql(live, page)
    await run_typed(
        page,
        member,
        f'subscription {{ recordChanged(recordId: "{dalia}") {{ recordId actorId }} }}',
    )
    await following(live, record_channel(dalia))

    # when: a note is written on the customer
    written = await gql(live.http, ADD_NOTE, {"recordId": dalia, "text": "Fair on Sunday."}, member)
    assert written["data"]["addNote"]["__typename"] == "NoteSuccess"

    # then: GraphiQL shows the event
    shown = await shown_answer(page, "recordChanged")
    assert shown["data"] == {"recordChanged": {"recordId": dalia, "actorId": member.id}}
    assert off_host(await page.requests()) == []


async def test_a_subscription_run_at_once_after_typing_still_goes_over_the_websocket(
    live: Live, page: Page, member: Person
) -> None:
    # given: GraphiQL with the token, and a subscription put in the editor and run in the
    # same instant, before GraphiQL has parsed the new text
    created = await gql(live.http, CREATE_CUSTOMER, {"name": "Kibbutz Dalia"}, member)
    dalia = created["data"]["createCustomer"]["customer"]["id"]
    await open_graphiql(live, page)
    await run_typed(page, member, TYPED_QUERY)
    await shown_answer(page, "totalCount")
    subscription = f'subscription {{ recordChanged(recordId: "{dalia}") {{ recordId }} }}'
    await page.script(
        "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);"
        "document.querySelector('.graphiql-execute-button').click();",
        QUERY_EDITOR,
        subscription,
    )

    # when: a note is written on the customer
    await following(live, record_channel(dalia))
    written = await gql(live.http, ADD_NOTE, {"recordId": dalia, "text": "Fair on Sunday."}, member)
    assert written["data"]["addNote"]["__typename"] == "NoteSuccess"

    # then: the event is shown, not a refusal of a subscription over HTTP
    shown = await shown_answer(page, "recordChanged")
    assert shown["data"] == {"recordChanged": {"recordId": dalia}}


async def test_graphiql_page_and_its_files_come_from_the_package(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "static/graphiql/graphiql.min.js" in sources
    assert "static/graphiql/react.production.min.js" in sources
    for source in sources:
        if source.startswith("data:"):
            continue
        assert "//" not in source, source
        served = await client.get("/" + source)
        assert served.status_code == 200, source
        assert served.content, source


async def test_graphiql_and_its_files_are_not_served_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    app = create_app(production)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
        asset = await http.get("/static/graphiql/graphiql.min.js")
        assert asset.status_code == 404


def test_vendored_files_are_the_versions_web_graphiql_locks() -> None:
    lock = json.loads((PROJECT_DIR / "web" / "graphiql" / "package-lock.json").read_text())
    locked = {
        name: lock["packages"][f"node_modules/{name}"]["version"]
        for name in ("graphiql", "react", "react-dom")
    }
    vendored = dict(
        line.split(" ", 1) for line in (STATIC / "graphiql" / "VERSIONS").read_text().splitlines()
    )
    assert vendored == locked, "run `make graphiql` after changing web/graphiql"
