"""The questions about activities: a month of ten users' calendars, and the first page
of an owner's open activities with states and chain counts."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from neo4j import Driver

from bench.questions.base import (
    Data,
    Question,
    System,
    Variables,
    column,
    drawn,
    instant,
    moment,
    one,
)
from kesher.resolvers.recurrence import occurrences
from kesher.seeds.generator import DEFAULT_UNTIL

# Calendar months are drawn from the last two years of the generated history.
MONTHS = 24
LANE_USERS = 10
PAGE = 50
# An activity's chain counts, by Kesher's name and the kind they count.
COUNTED = {
    "offers": "OFFER",
    "productRecords": "PRODUCT_RECORD",
    "events": "EVENT",
    "tasks": "TASK",
}

CALENDAR_KESHER = """query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    user { id name }
    occurrences {
      id startsAt endsAt originalStart
      activity {
        id kind subject allDay
        type { name colour }
        status { name category }
        customer { id name }
      }
    }
    truncated
  }
}
"""

# Open activities overlapping [from, to), and series that may have an occurrence in it.
_WINDOW = """where: {
        closedAt: { eq: null }
        startAt: { lt: $to }
        OR: [
          { endAt: { gt: $from } }
          { startAt: { gte: $from } }
          {
            NOT: { recurrence: { eq: null } }
            OR: [{ recurrenceEndsAt: { gt: $from } }, { recurrenceEndsAt: { eq: null } }]
          }
        ]
      }
      sort: [{ startAt: ASC }, { id: ASC }]"""
_ENTRY = """{
      id kind subject startAt endAt allDay
      timeZone recurrence cancelledStarts movedStarts movedTo movedToEnd
      type { name colour }
      status { name category }
      customersConnection(where: { edge: { primary: { eq: true } } }) {
        edges { node { id name } }
      }
    }"""
CALENDAR_PEER = f"""query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {{
  users(where: {{ id: {{ in: $users }} }}) {{
    id name
    ownedActivities(
      {_WINDOW}
    ) {_ENTRY}
    sharedActivities(
      {_WINDOW}
    ) {_ENTRY}
  }}
}}
"""


def _months(until: datetime, count: int) -> list[tuple[str, str]]:
    """The `count` calendar months before `until`, as [from, to) in ISO 8601."""
    first = until.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [first - relativedelta(months=back) for back in range(count, 0, -1)]
    return [(start.isoformat(), (start + relativedelta(months=1)).isoformat()) for start in starts]


def _calendar_samples(driver: Driver, count: int, rng: random.Random) -> list[Variables]:
    """A manager and nine of the users they manage, over a month, as bench.activities
    draws them."""
    records = driver.execute_query(
        "MATCH (m:User {role: 'MANAGER'}) "
        "WITH m, COLLECT { MATCH (m)-[:MANAGES]->(u:User) RETURN u.id ORDER BY u.id } AS managed "
        "WHERE size(managed) > 0 RETURN m.id AS id, managed ORDER BY id"
    ).records
    managers = drawn([(r["id"], r["managed"]) for r in records], count, rng, "manager")
    months = _months(DEFAULT_UNTIL, MONTHS)
    samples = []
    for manager, managed in managers:
        users = [manager, *rng.sample(managed, min(LANE_USERS - 1, len(managed)))]
        starts, ends = rng.choice(months)
        samples.append({"users": users, "from": starts, "to": ends})
    return samples


Entry = tuple[Any, ...]


def _entry(activity: dict[str, Any], customer: dict[str, Any] | None, starts: Any) -> Entry:
    """An activity or occurrence in a lane; the peer's to-one relationships are lists."""
    kind, status = activity["type"], activity["status"]
    if isinstance(kind, list):
        kind, status = one(kind), one(status)
    return (
        activity["id"],
        moment(starts),
        activity["subject"],
        kind["name"],
        status["category"],
        customer and customer["id"],
    )


def _calendar_answer(system: System, data: Data, variables: Variables | None) -> Any:
    """Per user, each activity or occurrence in the window: id, start, subject, type,
    status category and customer. The peer's series are expanded in the client with the
    same rules Kesher uses, as a calendar client of the peer must."""
    lanes: dict[str, list[Entry]] = {}
    if system == "kesher":
        for lane in data["calendar"]:
            lanes[lane["user"]["id"]] = sorted(
                _entry(o["activity"], o["activity"]["customer"], o["startsAt"])
                for o in lane["occurrences"]
            )
        return lanes
    if variables is None:
        raise ValueError("calendar: the peer's answer is expanded over the request's window")
    window = (instant(variables["from"]), instant(variables["to"]))
    for user in data["users"]:
        found: dict[str, dict[str, Any]] = {}
        for activity in user["ownedActivities"] + user["sharedActivities"]:
            found[activity["id"]] = activity
        entries: list[Entry] = []
        for activity in found.values():
            customer = one([e["node"] for e in activity["customersConnection"]["edges"]])
            if not activity["recurrence"]:
                entries.append(_entry(activity, customer, activity["startAt"]))
                continue
            for occurrence in occurrences(_series(activity), *window)[0]:
                entries.append(_entry(activity, customer, occurrence["starts_at"].isoformat()))
        lanes[user["id"]] = sorted(entries)
    return lanes


def _series(activity: dict[str, Any]) -> dict[str, Any]:
    """A peer's series as Kesher's recurrence rules read it."""
    times = ("cancelledStarts", "movedStarts", "movedTo", "movedToEnd")
    names = ("cancelled_starts", "moved_starts", "moved_to", "moved_to_end")
    return {
        "id": activity["id"],
        "starts_at": instant(activity["startAt"]),
        "ends_at": instant(activity["endAt"]),
        "time_zone": activity["timeZone"],
        "recurrence": activity["recurrence"],
        **{
            name: [instant(at) for at in activity[field] or ()]
            for field, name in zip(times, names, strict=True)
        },
    }


def _calendar_size(answer: Any) -> int:
    return sum(len(entries) for entries in answer.values())


CALENDAR = Question(
    key="calendar",
    title="calendar, a month x 10 users",
    kesher=CALENDAR_KESHER,
    peer=CALENDAR_PEER,
    samples=_calendar_samples,
    answer=_calendar_answer,
    size=_calendar_size,
    kesher_root="calendar",
    notes="""Kesher answers one lane per user with each recurring event expanded into its
occurrences in the window (and checks that the viewer may see each calendar); the peer
lists each user's owned and shared open activities overlapping the window, series
included, with the fields a client needs to expand them, and the canonical form expands
them with Kesher's own rules (so the peer's canonical form needs the request's
variables: `from` and `to`).""",
)


_COUNTS_KESHER = " ".join(COUNTED)
ACTIVITY_LIST_KESHER = f"""query ActivityList($owner: ID!) {{
  activities(filter: {{ ownerIds: [$owner] }}, orderBy: STARTS_AT_DESC, first: {PAGE}) {{
    edges {{
      node {{
        id ref kind subject startsAt state
        linkedCounts {{ {_COUNTS_KESHER} }}
        owner {{ name }}
        customer {{ name }}
        type {{ name }}
        status {{ name }}
      }}
    }}
  }}
}}
"""

_COUNTS_PEER = "\n        ".join(
    f"{name}: activitiesConnection(where: {{ node: {{ kind: {{ eq: {kind} }} }} }}) "
    "{ totalCount }"
    for name, kind in COUNTED.items()
)
ACTIVITY_LIST_PEER = f"""query ActivityList($owner: ID!) {{
  users(where: {{ id: {{ eq: $owner }} }}) {{
    ownedActivities(
      where: {{ closedAt: {{ eq: null }} }}
      sort: [{{ startAt: DESC }}, {{ id: ASC }}]
      limit: {PAGE}
    ) {{
      id ref kind subject startAt state
      chain {{
        {_COUNTS_PEER}
      }}
      owner {{ name }}
      customersConnection(where: {{ edge: {{ primary: {{ eq: true }} }} }}) {{
        edges {{ node {{ name }} }}
      }}
      type {{ name }}
      status {{ name }}
    }}
  }}
}}
"""


def _activity_list_samples(driver: Driver, count: int, rng: random.Random) -> list[Variables]:
    """Users who own an open activity."""
    owners = column(
        driver,
        "MATCH (u:User) WHERE EXISTS { (a:Activity)-[:OWNED_BY]->(u) WHERE a.closedAt IS NULL } "
        "RETURN u.id",
    )
    return [{"owner": owner} for owner in drawn(owners, count, rng, "owner of an activity")]


def _activity_list_answer(system: System, data: Data, variables: Variables | None) -> Any:
    """The page in order: each activity with its state, chain counts and the names of
    its owner, customer, type and status."""
    rows = []
    if system == "kesher":
        for node in (edge["node"] for edge in data["activities"]["edges"]):
            counts = tuple(node["linkedCounts"][name] for name in COUNTED)
            names = (node["owner"], node["customer"], node["type"], node["status"])
            rows.append(_row(node, node["startsAt"], counts, names))
        return rows
    owner = one(data["users"])
    for node in owner["ownedActivities"] if owner else []:
        chain = one(node["chain"])
        # The chain's count holds the activity itself; Kesher counts the others.
        counts = tuple(
            chain[name]["totalCount"] - (node["kind"] == kind) if chain else 0
            for name, kind in COUNTED.items()
        )
        customer = one([edge["node"] for edge in node["customersConnection"]["edges"]])
        names = (one(node["owner"]), customer, one(node["type"]), one(node["status"]))
        rows.append(_row(node, node["startAt"], counts, names))
    return rows


def _row(node: dict[str, Any], starts: str, counts: tuple[int, ...], names: Any) -> Entry:
    named = tuple(None if x is None else x["name"] for x in names)
    return (
        node["id"],
        node["ref"],
        node["kind"],
        node["subject"],
        moment(starts),
        node["state"],
        counts,
        named,
    )


ACTIVITY_LIST = Question(
    key="activity_list",
    title="activity list page, state and counts",
    kesher=ACTIVITY_LIST_KESHER,
    peer=ACTIVITY_LIST_PEER,
    samples=_activity_list_samples,
    answer=_activity_list_answer,
    size=len,
    kesher_root="activities",
    notes="""The first 50 open activities of an owner, newest first (ties by id). The peer
starts from the owner (`users { ownedActivities(where, sort, limit) }`): the top-level
`activities(where: { owner: { some: … } })` its users might write first scans every
activity. It reads `state` through a @cypher field (it compares with the time now), the primary
customer through the ABOUT edge's `primary` property, and the chain counts as
`activitiesConnection { totalCount }` per kind on the activity's chain, which count the
activity itself: the client takes it off, as Kesher's `linkedCounts` count the others.""",
)
