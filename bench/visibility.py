"""What does the activity visibility rule cost a read? The first page of the activity list
(20, by start time) read as an ADMIN, who sees every activity, and as a MEMBER who sees
the calendars of a few users (their own, three they manage and one shared with them),
alternating one at a time so both see the same server. Prints p50 and p95 of each, and
the database hits of each statement as PROFILE counts them.

It uses the Neo4j at `--neo4j-uri` (its database is wiped) or starts a local one of its
own in a temporary folder.

    python -m bench.visibility --activities 20000 --requests 200
"""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import ExitStack
from typing import Any
from unittest.mock import patch

from bench.support import Timings, neo4j_arguments, scratch_or_given
from kesher.graph import activity_list
from kesher.graph.constraints import apply_constraints
from kesher.graph.driver import Graph, connect
from kesher.graph.model import ACTIVITY
from kesher.graph.shapes import Page, Shape
from kesher.graph.visibility import Audience
from kesher.resolvers.pagination import ORDERS

USERS = 200

SEED_USERS = (
    "UNWIND range(1, $users) AS i "
    "CREATE (:User {id: 'usr_bench_' + i, name: 'User ' + i, email: 'u' + i + '@example.com', "
    "role: 'MEMBER', active: true})"
)
SEED_ACCESS = (
    "MATCH (v:User {id: 'usr_bench_1'}) "
    "MATCH (m:User) WHERE m.id IN ['usr_bench_2', 'usr_bench_3', 'usr_bench_4'] "
    "CREATE (v)-[:MANAGES]->(m) "
    "WITH DISTINCT v MATCH (s:User {id: 'usr_bench_5'}) CREATE (s)-[:SHARES_CALENDAR_WITH]->(v)"
)
# Every activity is owned round the users; every seventh has a participant as well.
SEED_ACTIVITIES = (
    "UNWIND range(1, $activities) AS i "
    "MATCH (o:User {id: 'usr_bench_' + (i % $users + 1)}) "
    "CREATE (a:Activity {id: 'act_bench_' + i, kind: 'EVENT', subject: 'Meeting ' + i, "
    "startAt: datetime('2026-01-01T00:00:00Z') + duration({minutes: i}), "
    "endAt: datetime('2026-01-01T00:30:00Z') + duration({minutes: i}), "
    "timeZone: 'UTC', allDay: false, createdAt: datetime(), updatedAt: datetime()}) "
    "CREATE (a)-[:OWNED_BY]->(o) "
    "WITH a, i WHERE i % 7 = 0 "
    "MATCH (p:User {id: 'usr_bench_' + ((i + 3) % $users + 1)}) CREATE (a)-[:WITH_USER]->(p)"
)

ADMIN = Audience("usr_bench_200", admin=True)
MEMBER = Audience("usr_bench_1", admin=False)
SHAPE = Shape(ACTIVITY, frozenset({"subject", "starts_at"}))


def _page() -> Page:
    return Page(size=20, order=ORDERS["STARTS_AT_ASC"])


def _hits(plan: Any) -> int:
    return int(plan.get("dbHits", 0)) + sum(_hits(child) for child in plan.get("children", []))


async def _db_hits(graph: Graph, audience: Audience) -> int:
    """The database hits of the page's statement, as PROFILE counts them."""
    captured: list[tuple[str, dict[str, Any]]] = []

    async def capture(_graph: Graph, build: Any) -> list[dict[str, Any]]:
        text, params = build(frozenset())
        captured.append((text, params))
        return [{"rows": []}]

    # The page's statement is built inside `page`; it is caught on its way to the driver.
    with patch.object(activity_list, "fresh_rows", capture):
        await activity_list.page(graph, audience, SHAPE, _page(), activity_list.ActivityFilter())
    text, params = captured[0]
    result = await graph.driver.execute_query("PROFILE " + text, params, database_=graph.database)
    profile = result.summary.profile
    return _hits(profile) if profile is not None else 0


async def measure(uri: str, user: str, password: str, activities: int, requests: int) -> None:
    driver = connect(uri, user, password)
    try:
        await driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")
        await apply_constraints(driver, "neo4j")
        await driver.execute_query(SEED_USERS, {"users": USERS}, database_="neo4j")
        await driver.execute_query(SEED_ACCESS, database_="neo4j")
        await driver.execute_query(
            SEED_ACTIVITIES, {"activities": activities, "users": USERS}, database_="neo4j"
        )
        graph = Graph(driver, "neo4j", 30.0)
        timings: dict[str, list[float]] = {"admin": [], "member": []}
        seen: dict[str, int] = {}
        for warm in range(20 + requests):
            for name, audience in (("admin", ADMIN), ("member", MEMBER)):
                started = time.perf_counter()
                answer = await activity_list.page(
                    graph, audience, SHAPE, _page(), activity_list.ActivityFilter()
                )
                if warm >= 20:
                    timings[name].append(time.perf_counter() - started)
                seen[name] = len(answer.rows)
        hits = {"admin": await _db_hits(graph, ADMIN), "member": await _db_hits(graph, MEMBER)}
    finally:
        await driver.close()
    print(f"activity list, first page of 20, {activities} activities, {requests} reads each")
    for name in ("admin", "member"):
        p50, p95 = Timings.p(timings[name], 0.5), Timings.p(timings[name], 0.95)
        print(
            f"  {name:7} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms"
            f"   rows {seen[name]}   db hits {hits[name]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    neo4j_arguments(parser)
    args = parser.parse_args()
    with ExitStack() as stack:
        uri, user, password = scratch_or_given(stack, args)
        asyncio.run(measure(uri, user, password, args.activities, args.requests))


if __name__ == "__main__":
    main()
