"""The relation-map page in a real browser: sign in, search, draw, explore and export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.browser import Page, off_host
from tests.conftest import Person, gql
from tests.live import Live
from tests.pages.support import click, errors_in_console, rgb, shown, sign_in, texts
from tests.resolvers.relationships_support import (
    ADVISOR,
    ARCHIVE_CUSTOMER,
    PARENT_COMPANY,
    PARTNER,
    TODAY,
    catalog,
    contact,
    customer,
    link,
)

pytestmark = pytest.mark.anyio

DRAWN = "return document.body.dataset.mapState"
NODES = "return window.kesherMap.cy.nodes().map(n => n.data('name')).sort()"
EDGES = """return window.kesherMap.cy.edges().map(e => ({
  type: e.data('typeKey'), colour: e.style('line-color'), style: e.style('line-style'),
  opacity: Number(e.style('opacity')), source: e.source().data('name'),
  target: e.target().data('name'), sourceLabel: e.style('source-label'),
  targetLabel: e.style('target-label'), middle: e.style('label')
}))"""

SHAPES = (
    "return Object.fromEntries(window.kesherMap.cy.nodes().map(n => "
    "[n.data('name'), [n.style('shape'), Number(n.style('opacity'))]]))"
)


async def world(live: Live, admin: Person) -> dict[str, str]:
    """A Hebrew parent company with a subsidiary, a former partner, an adviser at another
    customer, and an archived customer linked to the subsidiary."""
    await catalog(live.http, admin, PARENT_COMPANY, PARTNER, ADVISOR)
    ids = {
        "parent": await customer(live.http, admin, "אלון תעשיות"),
        "child": await customer(live.http, admin, "אלון ים"),
        "partner": await customer(live.http, admin, "Carmel Foods"),
        "far": await customer(live.http, admin, "Negev Trading"),
        "old": await customer(live.http, admin, "Old Holdings"),
    }
    ids["adviser"] = await contact(live.http, admin, ids["partner"], "Dana", "Levi")
    await link(live.http, admin, ids["parent"], "PARENT_COMPANY_OF", {"id": ids["child"]})
    await link(
        live.http,
        admin,
        ids["parent"],
        "PARTNER_OF",
        {"id": ids["partner"]},
        startsOn=str(TODAY - timedelta(days=400)),
        endsOn=str(TODAY - timedelta(days=30)),
    )
    await link(live.http, admin, ids["parent"], "ADVISED_BY", {"id": ids["adviser"]})
    await link(
        live.http,
        admin,
        ids["child"],
        "PARTNER_OF",
        {"id": ids["far"]},
        startsOn=str(TODAY - timedelta(days=10)),
    )
    await link(live.http, admin, ids["child"], "PARENT_COMPANY_OF", {"id": ids["old"]})
    await gql(live.http, ARCHIVE_CUSTOMER, {"id": ids["old"]}, admin)
    return ids


async def sign_in_to_map(live: Live, page: Page, person: Person) -> None:
    """Signs in on the map page and waits until its catalog is loaded and filters usable."""
    await sign_in(live, page, person, "/map")
    await page.until(
        lambda driver: driver.execute_script("return !document.getElementById('filters').disabled"),
        "the filters stayed off",
    )


async def open_map_of(page: Page, text: str, name: str) -> None:
    """Types into the search, picks `name` among the results, and waits for the map."""

    def type_search(driver: WebDriver) -> None:
        box = driver.find_element(By.ID, "search-text")
        box.clear()
        box.send_keys(text)

    await page.run(type_search)

    def pick(driver: WebDriver) -> bool | None:
        # The list is redrawn as the typed text grows: a button may go stale under us.
        try:
            for button in shown(driver, "#search-results button"):
                if name in button.text:
                    button.click()
                    return True
        except StaleElementReferenceException:
            pass
        return None

    await page.until(pick, f"no search result {name!r}")
    await drawn(page)


async def drawn(page: Page) -> None:
    await page.until(lambda driver: driver.execute_script(DRAWN) == "drawn", "no map drawn")


async def choose(page: Page, selector: str, value: str) -> None:
    """Picks an option of a select as a person does, which fires its change."""

    def pick(driver: WebDriver) -> None:
        Select(driver.find_element(By.CSS_SELECTOR, selector)).select_by_value(value)

    await page.run(pick)


async def on_node(page: Page, name: str, double: bool = False) -> None:
    """Clicks (or double-clicks) the node drawn for `name` on the map's canvas."""

    def act(driver: WebDriver) -> None:
        x, y = driver.execute_script(
            "const cy = window.kesherMap.cy;"
            "const n = cy.nodes().filter(n => n.data('name') === arguments[0])[0];"
            # In the middle of the drawing, as a person pans to it, clear of the legend.
            "cy.center(n); const p = n.renderedPosition(); return [p.x, p.y];",
            name,
        )
        stage = driver.find_element(By.ID, "cy")
        size = stage.size
        actions = ActionChains(driver).move_to_element_with_offset(
            stage, int(x - size["width"] / 2), int(y - size["height"] / 2)
        )
        (actions.double_click() if double else actions.click()).perform()

    await page.run(act)


async def test_a_user_signs_in_searches_in_hebrew_and_sees_the_map_around_a_customer(
    live: Live, page: Page, admin: Person, member: Person
) -> None:
    # given
    await world(live, admin)
    await sign_in_to_map(live, page, member)

    # when: a Hebrew name is searched and the parent company chosen
    await open_map_of(page, "אלון", "אלון תעשיות")

    # then: the live parties two links out are drawn (the archived one is left out)
    names = await page.script(NODES)
    assert names == sorted(["אלון תעשיות", "אלון ים", "Carmel Foods", "Dana Levi", "Negev Trading"])
    edges = {(e["source"], e["target"]): e for e in await page.script(EDGES)}
    # and: each link in its type's colour, labelled at each end as that end's role
    parent = edges[("אלון תעשיות", "אלון ים")]
    assert parent["colour"] == rgb(PARENT_COMPANY["colour"])
    assert (parent["sourceLabel"], parent["targetLabel"]) == ("חברת אם", "חברת בת")
    adviser = edges[("אלון תעשיות", "Dana Levi")]
    assert (adviser["sourceLabel"], adviser["targetLabel"]) == ("client", "advisor")
    # and: the symmetric partnership reads once, in the middle; the ended one is dashed
    former = edges[("אלון תעשיות", "Carmel Foods")]
    assert former["middle"] == "שותף"
    assert former["style"] == "dashed"
    assert former["opacity"] < 1
    assert edges[("אלון ים", "Negev Trading")]["style"] == "solid"
    # and: the kinds are drawn in their own shapes
    shapes = await page.script(SHAPES)
    assert shapes["אלון ים"] == ["round-rectangle", 1]
    assert shapes["Dana Levi"] == ["ellipse", 1]
    # and: the legend lists the catalog in its order, with the colours
    legend = await page.run(lambda driver: texts(driver, "#legend-types li"))
    assert legend == ["חברת אם / חברת בת", "שותף", "client / advisor"]
    swatch = await page.run(
        lambda driver: driver.find_element(
            By.CSS_SELECTOR, "#legend-types .swatch"
        ).value_of_css_property("background-color")
    )
    assert swatch == "rgba(170, 51, 0, 1)"
    # and: Hebrew names flow right to left in the results
    direction = await page.script(
        "return getComputedStyle("
        "document.querySelector('#search-results span[dir=auto]')).direction"
    )
    assert direction == "rtl"
    # and: nothing was loaded from outside, nothing failed
    assert off_host(await page.requests()) == []
    assert await errors_in_console(page) == []
    page.screenshot("map-hebrew-parent-company")

    # when: archived records are searched too, and the archived customer is chosen
    await click(page, "#search-archived")
    await open_map_of(page, "Old", "Old Holdings")

    # then: it is drawn faded, with its link to the subsidiary
    shapes = await page.script(SHAPES)
    assert shapes["Old Holdings"][1] < 1
    assert shapes["אלון ים"][1] == 1


async def test_the_map_expands_filters_and_replays_time(
    live: Live, page: Page, admin: Person, member: Person
) -> None:
    # given: a map one link deep around the subsidiary
    await world(live, admin)
    await sign_in_to_map(live, page, member)
    await choose(page, "#depth", "1")
    await open_map_of(page, "אלון ים", "אלון ים")
    assert await page.script(NODES) == sorted(["אלון ים", "אלון תעשיות", "Negev Trading"])

    # when: the parent company is double-clicked
    await on_node(page, "אלון תעשיות", double=True)

    # then: its own neighbours join the map
    await page.until(
        lambda driver: "Dana Levi" in driver.execute_script(NODES), "the node did not expand"
    )
    assert "Carmel Foods" in await page.script(NODES)

    # when: the parent-company type is switched off in the legend
    await click(page, "#legend-types li[data-key=PARENT_COMPANY_OF] input")
    await drawn(page)

    # then: its links are gone, and so the parent company with all it led to
    names = await page.script(NODES)
    assert names == sorted(["אלון ים", "Negev Trading"])
    assert {e["type"] for e in await page.script(EDGES)} == {"PARTNER_OF"}

    # when: it is back on, contacts are left out and the map is seen as of 35 days ago
    await click(page, "#legend-types li[data-key=PARENT_COMPANY_OF] input")
    await drawn(page)
    await click(page, "input[name=kind][value=CONTACT]")
    await drawn(page)
    assert "Dana Levi" not in await page.script(NODES)
    await click(page, "#as-of-on")
    await drawn(page)
    await page.script(
        "const s = document.getElementById('as-of'); s.value = -35;"
        "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));"
    )
    await drawn(page)

    # then: the partnership that began ten days ago is not there yet; the one that ended
    # thirty days ago is
    edges = await page.script(EDGES)
    pairs = {(e["source"], e["target"]) for e in edges}
    assert ("אלון ים", "Negev Trading") not in pairs
    assert ("אלון תעשיות", "Carmel Foods") in pairs
    shown_date = await page.run(lambda driver: driver.find_element(By.ID, "as-of-date").text)
    assert shown_date == str(TODAY - timedelta(days=35))
    page.screenshot("map-as-of-35-days-ago")


async def test_the_side_panel_shows_the_card_and_a_path_is_highlighted(
    live: Live, page: Page, admin: Person, member: Person
) -> None:
    # given
    ids = await world(live, admin)
    await sign_in_to_map(live, page, member)
    await choose(page, "#depth", "3")
    await open_map_of(page, "Negev", "Negev Trading")

    # when: the parent company is clicked
    await on_node(page, "אלון תעשיות")

    # then: its card opens beside the map, with its links as seen from it
    await page.until(
        lambda driver: (
            driver.find_element(By.ID, "panel-body").get_attribute("data-card-of") == ids["parent"]
        ),
        "no card",
    )
    heading = await page.run(lambda driver: texts(driver, "#panel h2"))
    assert heading == ["אלון תעשיות"]
    links = await page.run(lambda driver: texts(driver, "#panel .relationships li"))
    assert any(line.startswith("חברת בת: אלון ים") for line in links), links
    assert any("advisor: Dana Levi" in line for line in links), links
    counts = await page.run(
        lambda driver: {
            found.get_attribute("data-count"): found.text
            for found in driver.find_elements(By.CSS_SELECTOR, "#panel [data-count]")
        }
    )
    assert counts["contacts"] == "0"
    assert counts["projects"] == "0"

    # when: a path is asked from the root to the adviser, three links away
    await choose(page, "#path-from", ids["far"])
    await choose(page, "#path-to", ids["adviser"])
    await click(page, "#path-show")

    # then: the path is told in words and drawn over a faded map
    message = await page.until(
        lambda driver: driver.find_element(By.ID, "path-message").text or None, "no path"
    )
    assert message == "3 links: Negev Trading → אלון ים → אלון תעשיות → Dana Levi"
    on_path = await page.script(
        "return window.kesherMap.cy.elements('.on-path').map(e => e.isNode() ? e.data('name') "
        ": e.data('typeKey')).sort()"
    )
    assert on_path == sorted(
        [
            *("Negev Trading", "אלון ים", "אלון תעשיות", "Dana Levi"),
            *("PARTNER_OF", "PARENT_COMPANY_OF", "ADVISED_BY"),
        ]
    )
    faded = await page.script(
        "return Number(window.kesherMap.cy.nodes().filter(n => n.data('name') === "
        "'Carmel Foods')[0].style('opacity'))"
    )
    assert faded < 0.5

    # when: the card's "Path from here" is used, the adviser still chosen as the end
    await click(page, "#panel button.path-from")

    # then: the shorter path from the parent company is shown
    await page.until(
        lambda driver: (
            driver.find_element(By.ID, "path-message").text == "1 link: אלון תעשיות → Dana Levi"
        ),
        "no path from the card",
    )
    page.screenshot("map-path-and-card")

    # when: the panel's re-centre is used
    await click(page, "#panel button.recentre")
    await drawn(page)

    # then: the map is drawn around the parent company
    roots = await page.script("return window.kesherMap.cy.nodes('.root').map(n => n.data('name'))")
    assert roots == ["אלון תעשיות"]

    # when: the adviser is clicked
    await on_node(page, "Dana Levi")

    # then: a contact's card: where they work and their links, as seen from them
    await page.until(
        lambda driver: (
            driver.find_element(By.ID, "panel-body").get_attribute("data-card-of") == ids["adviser"]
        ),
        "no contact card",
    )
    card = await page.run(lambda driver: driver.find_element(By.ID, "panel-body").text)
    assert "Contact\nat Carmel Foods" in card
    assert "client: אלון תעשיות" in card


async def test_a_cut_map_says_so_and_exports_as_png_and_json(
    live: Live, page: Page, admin: Person, member: Person
) -> None:
    # given: a customer with twelve people working there
    root = await customer(live.http, admin, "Hadar Logistics")
    for number in range(12):
        await contact(live.http, admin, root, f"Worker {number:02}")

    # and: a wrong password is refused with the service's reason, the form kept
    await page.open(live.url + "/map")

    def sign_in_wrongly(driver: WebDriver) -> None:
        form = driver.find_element(By.ID, "sign-in")
        form.find_element(By.NAME, "email").send_keys(member.email)
        form.find_element(By.NAME, "password").send_keys("not the password")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    await page.run(sign_in_wrongly)
    refusal = await page.until(
        lambda driver: driver.find_element(By.ID, "sign-in-error").text or None, "no refusal"
    )
    assert refusal == "The e-mail or password is wrong."
    assert await page.script("return sessionStorage.getItem('kesher.token')") is None
    await sign_in_to_map(live, page, member)
    await choose(page, "#limit", "10")

    # when
    await open_map_of(page, "Hadar", "Hadar Logistics")

    # then: the map holds ten parties and says it was cut
    notice = await page.until(lambda driver: texts(driver, "#notice"), "no notice")
    assert notice == ["The map was cut at 10 parties: narrow it by depth, link type or kind."]
    assert len(await page.script(NODES)) == 10

    # when: the view is exported
    exported = await page.script(
        "const blobs = []; const made = URL.createObjectURL;"
        "URL.createObjectURL = (blob) => { blobs.push(blob); return made(blob); };"
        "document.getElementById('export-json').click();"
        "document.getElementById('export-png').click();"
        "URL.createObjectURL = made;"
        "return Promise.all(blobs.map(async b => [b.type, b.size, b.type.endsWith('json') ? "
        "await b.text() : '']));"
    )

    # then: a JSON of the drawn parties and links, and a PNG picture
    (json_type, _, text), (png_type, png_size, _) = exported
    assert json_type == "application/json"
    assert png_type == "image/png"
    assert png_size > 1000
    view = json.loads(text)
    assert view["truncated"] is True
    assert view["roots"] == [root]
    assert len(view["nodes"]) == 10
    assert all(e["typeKey"] == "WORKS_AT" for e in view["edges"])
