"""The team-calendar page in a real browser: lanes side by side, views, states, refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from neo4j import Driver
from selenium.webdriver.common.by import By

from tests.browser import Page, off_host
from tests.conftest import Person, gql, make_user
from tests.live import Live
from tests.pages.support import click, errors_in_console, sign_in, texts
from tests.resolvers.relationships_support import customer
from tests.resolvers.test_activities import CLOSE, create

pytestmark = pytest.mark.anyio

CATALOGS = """
mutation {
  meeting: defineActivityType(input: {name: "Meeting", colour: "#1E88E5"}) {
    ... on ActivityTypeSuccess { activityType { id } }
  }
  visit: defineActivityType(input: {name: "Site visit", colour: "#F4511E"}) {
    ... on ActivityTypeSuccess { activityType { id } }
  }
  scheduled: defineActivityStatus(input: {name: "Scheduled", colour: "#445566", category: OPEN}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
  held: defineActivityStatus(input: {name: "Held", colour: "#2E7D32", category: DONE}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
  off: defineActivityStatus(input: {name: "Called off", colour: "#999999", category: CANCELLED}) {
    ... on ActivityStatusSuccess { activityStatus { id } }
  }
}
"""

MANAGE = """
mutation Manage($manager: ID!, $users: [ID!]!) {
  manageUsers(managerId: $manager, userIds: $users) { __typename }
}
"""

SHARE = "mutation Share($users: [ID!]!) { shareCalendar(userIds: $users) { __typename } }"

LINK = """
mutation Link($id: ID!, $previous: ID!) {
  linkActivities(activityId: $id, previousId: $previous) { __typename }
}
"""

# Wednesday 4 March 2026: its week runs from Monday the 2nd to Sunday the 8th. Every activity
# starts at noon UTC, so that it falls on the same day in any browser's time zone.
WEEK = "/calendar?view=week&date=2026-03-04"

LANES = """return [...document.querySelectorAll('#lanes .lane')].map(lane => ({
  name: lane.querySelector('h2 span').textContent,
  refused: lane.classList.contains('refused'),
  text: lane.querySelector('.refusal') ? lane.querySelector('.refusal').textContent : '',
  items: [...lane.querySelectorAll('.occurrence')].map(o => {
    const column = o.closest('[data-day]');
    const columns = [...lane.querySelectorAll('.day, .date')];
    const style = getComputedStyle(o);
    return {subject: o.querySelector('.subject').textContent, state: o.dataset.state,
            colour: style.backgroundColor, line: style.textDecorationLine,
            opacity: Number(style.opacity), day: columns.indexOf(column)};
  })
}))"""


async def team(live: Live, admin: Person, driver: Driver) -> dict[str, Any]:
    """Ann (a meeting, then a site visit held and closed, chained) and Ben (a daily stand-up
    on five weekdays and a call called off), both of whom the manager manages."""
    made = (await gql(live.http, CATALOGS, None, admin))["data"]
    ids = {key: next(iter(value.values()))["id"] for key, value in made.items()}
    ann = make_user(driver, name="Ann Levi")
    ben = make_user(driver, name="Ben Cohen")
    acme = await customer(live.http, admin, "Acme")

    async def event(owner: Person, subject: str, day: int, hours: float, **fields: Any) -> str:
        end_minutes = int(12 * 60 + hours * 60)
        payload = await create(
            live.http,
            admin,
            {
                "kind": "EVENT",
                "typeId": ids["meeting"],
                "statusId": ids["scheduled"],
                "subject": subject,
                "startsAt": f"2026-03-{day:02}T12:00:00Z",
                "endsAt": f"2026-03-{day:02}T{end_minutes // 60:02}:{end_minutes % 60:02}:00Z",
                "timeZone": "UTC",
                "ownerId": owner.id,
                "customerId": acme,
                **fields,
            },
        )
        assert payload["__typename"] == "ActivitySuccess", payload
        return str(payload["activity"]["id"])

    kickoff = await event(ann, "Kickoff at Acme", 2, 1)
    walk = await event(ann, "Site walk", 3, 2, typeId=ids["visit"], statusId=ids["held"])
    await gql(live.http, LINK, {"id": walk, "previous": kickoff}, admin)
    await gql(live.http, CLOSE, {"id": walk}, admin)
    await event(ben, "Daily standup", 2, 0.25, recurrence="FREQ=DAILY;COUNT=5")
    await event(ben, "Supplier call", 4, 1, statusId=ids["off"])
    return {"ann": ann, "ben": ben, "walk": walk, **ids}


async def lanes(page: Page) -> list[dict[str, Any]]:
    await page.until(
        lambda driver: (
            driver.execute_script("return document.body.dataset.calendarState") == "drawn"
        ),
        "no calendar drawn",
    )
    found: list[dict[str, Any]] = await page.script(LANES)
    return found


def subjects(lane: dict[str, Any]) -> list[tuple[str, int]]:
    return sorted((item["subject"], item["day"]) for item in lane["items"])


async def test_a_manager_sees_the_week_of_the_people_they_manage_side_by_side(
    live: Live, page: Page, admin: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    people = await team(live, admin, clean_db)
    await gql(
        live.http,
        MANAGE,
        {"manager": manager.id, "users": [people["ann"].id, people["ben"].id]},
        admin,
    )

    # when
    await sign_in(live, page, manager, WEEK)

    # then: their own lane and the two they manage, side by side, over Monday to Sunday
    found = await lanes(page)
    assert [lane["name"] for lane in found] == ["Miriam Manager", "Ann Levi", "Ben Cohen"]
    assert await page.run(lambda driver: driver.find_element(By.ID, "period").text) == (
        "Mon, Mar 2 \N{EN DASH} Sun, Mar 8 2026"
    )
    _, ann, ben = found
    assert subjects(ann) == [("Kickoff at Acme", 0), ("Site walk", 1)]
    # and: the repeating stand-up on each of its five days, beside the call called off
    assert subjects(ben) == sorted(
        [("Daily standup", day) for day in range(5)] + [("Supplier call", 2)]
    )
    # and: colours by type; a done activity faded, a cancelled one struck through
    by_subject = {item["subject"]: item for item in ann["items"] + ben["items"]}
    assert by_subject["Kickoff at Acme"]["colour"] == "rgb(30, 136, 229)"
    assert by_subject["Site walk"]["colour"] == "rgb(244, 81, 30)"
    assert by_subject["Site walk"]["state"] == "DONE"
    assert by_subject["Site walk"]["opacity"] == 0.5
    assert by_subject["Site walk"]["line"] == "none"
    assert by_subject["Supplier call"]["state"] == "CANCELLED"
    assert by_subject["Supplier call"]["line"] == "line-through"
    assert by_subject["Supplier call"]["opacity"] == 1
    assert by_subject["Kickoff at Acme"]["state"] == "LATE"
    page.screenshot("calendar-managers-week")

    # when: the site visit is clicked
    await click(page, f'.lane[data-user="{people["ann"].id}"] [data-activity="{people["walk"]}"]')

    # then: it opens with its reference number and its chain
    await page.until(
        lambda driver: driver.find_element(By.ID, "activity-body").get_attribute("data-activity"),
        "the activity did not open",
    )
    dialog = await page.run(lambda driver: driver.find_element(By.ID, "activity").text)
    assert re.search(r"Reference\s+EV-\d{6}", dialog), dialog
    assert "Status\nHeld · Done" in dialog
    assert "null" not in dialog
    chain = await page.run(lambda driver: texts(driver, "#activity .chain li"))
    assert [line.split(" · ")[0] for line in chain] == [line.split(" · ")[0] for line in chain]
    assert len(chain) == 2
    assert "Kickoff at Acme" in chain[0]
    assert "Site walk" in chain[1]
    page.screenshot("calendar-activity-with-chain")
    await click(page, "#activity-close")

    # when: closed activities are left out
    await click(page, "#include-closed")
    found = await lanes(page)

    # then: the site visit, closed, is gone
    assert subjects(found[1]) == [("Kickoff at Acme", 0)]

    # when: the day view of Wednesday, then the month
    await click(page, "#include-closed")
    await lanes(page)
    await click(page, ".views button[data-view=day]")
    found = await lanes(page)
    assert subjects(found[2]) == [("Daily standup", 0), ("Supplier call", 0)]
    assert subjects(found[1]) == []
    await click(page, ".views button[data-view=month]")
    found = await lanes(page)

    # then: March's weeks, from Monday 23 February, hold the same activities
    assert await page.run(lambda driver: driver.find_element(By.ID, "period").text) == "March 2026"
    assert subjects(found[1]) == [("Kickoff at Acme", 7), ("Site walk", 8)]
    board = await page.run(lambda driver: driver.find_element(By.ID, "lanes").text)
    assert "null" not in board
    assert len(found[2]["items"]) == 6
    assert await errors_in_console(page) == []
    assert off_host(await page.requests()) == []
    page.screenshot("calendar-month")


async def test_a_member_sees_a_calendar_shared_with_them_and_is_refused_another(
    live: Live, page: Page, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: Ben shares his calendar with the member; Ann does not
    people = await team(live, admin, clean_db)
    ben = people["ben"]
    await gql(live.http, SHARE, {"users": [member.id]}, ben)

    # when
    await sign_in(live, page, member, WEEK)

    # then: their own lane and Ben's
    found = await lanes(page)
    assert [lane["name"] for lane in found] == ["Moshe Member", "Ben Cohen"]
    assert len(found[1]["items"]) == 6

    # when: Ann's calendar is asked for too
    await page.run(
        lambda driver: driver.find_element(
            By.CSS_SELECTOR, f'#users input[value="{people["ann"].id}"]'
        ).click()
    )
    found = await lanes(page)

    # then: her lane is shown refused, with the service's reason, and the others stay
    assert [lane["name"] for lane in found] == ["Moshe Member", "Ann Levi", "Ben Cohen"]
    refused = found[1]
    assert refused["refused"] is True
    assert refused["items"] == []
    assert refused["text"] == (
        f"Refused: userIds: you may not see the calendar of {people['ann'].id!r}."
    )
    assert len(found[2]["items"]) == 6
    labels = await page.run(lambda driver: texts(driver, ".lane.refused h2"))
    assert [" ".join(label.split()) for label in labels] == ["Ann Levi refused"]
    page.screenshot("calendar-refused-lane")
