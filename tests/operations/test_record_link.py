"""The record link mails carry by default, `/records/{id}`: in development it opens GraphiQL
with a query for the record; in production it says to configure the front end's link."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from neo4j import Driver
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from kesher.app import create_app
from kesher.settings import Settings
from tests.browser import Page
from tests.conftest import Person, gql
from tests.live import Live
from tests.test_graphiql import HEADERS_EDITOR, QUERY_EDITOR, _editor_text, _type_into, shown_answer

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = """
mutation($name: String!) {
  createCustomer(input: {name: $name}) { ... on CustomerSuccess { customer { id } } }
}
"""

VARIABLES_EDITOR = ".graphiql-editor-tool .graphiql-editor.hidden .CodeMirror"


async def _customer(client: httpx.AsyncClient, person: Person, name: str) -> str:
    answer = await gql(client, CREATE_CUSTOMER, {"name": name}, person)
    customer_id: str = answer["data"]["createCustomer"]["customer"]["id"]
    return customer_id


def test_the_default_record_link_is_this_service_on_its_host_and_port() -> None:
    # when / then
    assert Settings(_env_file=None, port=9000).record_link == "http://127.0.0.1:9000/records/{id}"
    assert (
        Settings(_env_file=None, host="0.0.0.0").record_link == "http://localhost:8000/records/{id}"
    )
    assert (
        Settings(_env_file=None, record_link="https://crm.example/r/{id}").record_link
        == "https://crm.example/r/{id}"
    )


async def test_a_record_link_redirects_to_graphiql_with_a_query_that_reads_the_record(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    acme = await _customer(client, member, "Acme Olive Press")

    # when
    response = await client.get(f"/records/{acme}")

    # then
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/graphql"
    linked = parse_qs(location.fragment)
    variables = json.loads(linked["variables"][0])
    assert variables == {"id": acme}
    answer = await gql(client, linked["query"][0], variables, member)
    assert answer["data"]["node"]["name"] == "Acme Olive Press"


@pytest.fixture
async def production(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"environment": "production"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_in_production_a_record_link_says_to_set_the_front_ends_link(
    production: httpx.AsyncClient,
) -> None:
    # when
    response = await production.get("/records/cus_1")

    # then
    assert response.status_code == 404
    assert "KESHER_RECORD_LINK" in response.text


async def test_graphiql_opened_from_a_record_link_shows_and_runs_the_records_query(
    live: Live, page: Page, member: Person
) -> None:
    # given
    acme = await _customer(live.http, member, "Acme Olive Press")
    redirect = await live.http.get(f"/records/{acme}")

    # when
    await page.open(live.url + redirect.headers["location"])

    def record_query(driver: WebDriver) -> str | None:
        if not driver.find_elements(By.CSS_SELECTOR, QUERY_EDITOR):
            return None
        text = _editor_text(driver, QUERY_EDITOR)
        return text if "query Record" in text else None

    query = await page.until(record_query, "GraphiQL did not open with the record's query")
    variables = await page.run(lambda driver: _editor_text(driver, VARIABLES_EDITOR))
    headers = f'{{"Authorization": "Bearer {member.token}"}}'
    await page.run(lambda driver: _type_into(driver, HEADERS_EDITOR, headers))
    await page.run(
        lambda driver: driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    )

    # then
    assert "node(id: $id)" in query
    assert json.loads(variables) == {"id": acme}
    answer = await shown_answer(page, "Acme Olive Press")
    assert answer["data"]["node"]["id"] == acme
