"""Apollo Client 4 with a default InMemoryCache reads Kesher's answers back from its cache
as the server gave them: objects with an id look the same from everywhere."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Person
from tests.live import Live
from tests.node_support import CLIENTS, run_node
from tests.resolvers.relationships_support import PARENT_COMPANY, PARTNER, catalog, customer, link
from tests.resolvers.test_activities import create, meeting, world

pytestmark = pytest.mark.anyio


async def test_apollo_cache_keeps_cards_occurrences_and_maps_apart(
    live: Live, admin: Person, member: Person
) -> None:
    # given: A is B's parent company, B and C are partners; a weekly meeting five times
    http = live.http
    await catalog(http, admin, PARENT_COMPANY, PARTNER)
    a, b, c = [await customer(http, member, name) for name in "ABC"]
    await link(http, member, a, "PARENT_COMPANY_OF", {"id": b})
    await link(http, member, b, "PARTNER_OF", {"id": c})
    w = await world(http, admin, member)
    await create(
        http,
        member,
        meeting(
            w,
            member,
            subject="Weekly",
            startsAt="2026-03-16T09:00:00+02:00",
            endsAt="2026-03-16T10:00:00+02:00",
            recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=5",
        ),
    )
    given = {
        "a": a,
        "b": b,
        "c": c,
        "user": member.id,
        "from": "2026-03-01T00:00:00Z",
        "to": "2026-05-01T00:00:00Z",
    }

    # when: Apollo opens card A then B, the calendar, a map from A then one from C
    run = await run_node(CLIENTS / "apollo", "cache.mjs", live.url, member.token, json.dumps(given))

    # then: every earlier answer reads back from the cache as the server gave it
    assert run.returncode == 0, run.stderr + run.stdout
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["link"] == {"label": "חברת בת", "other": b}
    assert len(set(seen["starts"])) == 5
    assert seen["depths"] == [[a, 0], [b, 1], [c, 2]]
