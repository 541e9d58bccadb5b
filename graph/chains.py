"""Reference numbers and chains of activities. Each function runs inside the caller's
write transaction.

A chain is the activities joined by `(later)-[:FOLLOWS]->(earlier)` edges; every
activity of a chain of two or more has an `IN_CHAIN` edge to the chain's one `:Chain`
node, so a chain's steps are read without walking it. Changes to chains are serialized
by write-locking one `:ChainLock` node first: merging two chains reads both, and two
merges that overlap must not both read the chains as they were.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.audit import write_audit
from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import Closed, Conflict, Forbidden, GraphError, NotFound
from kesher.graph.statement import Statement
from kesher.graph.visibility import CANNOT_CHANGE, Audience

# The kinds that get a reference number when first saved, and its prefix.
REF_PREFIXES: Mapping[str, str] = {
    "EVENT": "EV",
    "TASK": "TS",
    "OFFER": "OF",
    "PRODUCT_RECORD": "PR",
}
REF_DIGITS = 6
CHAIN_PREFIX = "chn"

# The next number of a kind, taken under the write lock on its sequence node (MERGE on the
# uniqueness constraint makes one node per kind even when the first two saves race).
_NEXT_REF: LiteralString = """
MERGE (s:RefSequence {kind: $kind}) ON CREATE SET s.last = 0
SET s.last = s.last + 1
WITH s
MATCH (a:Activity {id: $id})
WITH a, s, toString(s.last) AS number
SET a.ref = $prefix + '-' + CASE WHEN size(number) >= $digits THEN number
  ELSE right('00000' + number, $digits) END
RETURN a.ref AS ref
"""


def ref_of(kind: str, number: int) -> str:
    """The reference number `number` of a kind, as `_NEXT_REF` writes it."""
    return f"{REF_PREFIXES[kind]}-{number:0{REF_DIGITS}d}"


_REF = re.compile(r"\s*([A-Za-z]{2})\s*-?\s*0*(\d{1,12})\s*")


def parse_ref(text: str) -> str | None:
    """The reference number `text` spells, however written (`of-123`, `OF 000123`), or
    None when it spells none."""
    found = _REF.fullmatch(text)
    if found is None or found[1].upper() not in REF_PREFIXES.values():
        return None
    return f"{found[1].upper()}-{int(found[2]):0{REF_DIGITS}d}"


async def assign_ref(tx: AsyncManagedTransaction, activity_id: str, kind: str) -> str | None:
    """Gives a new activity of a numbered kind the next reference number of its kind."""
    prefix = REF_PREFIXES.get(kind)
    if prefix is None:
        return None
    # Past 999,999 the number simply grows a digit.
    rows = await tx_rows(
        tx, _NEXT_REF, {"kind": kind, "id": activity_id, "prefix": prefix, "digits": REF_DIGITS}
    )
    ref: str = rows[0]["ref"]
    return ref


async def reserve_refs(tx: AsyncManagedTransaction, kind: str, count: int) -> list[str | None]:
    """The next `count` reference numbers of a kind, taken at once (for activities made
    together); `None`s for a kind without numbers."""
    if kind not in REF_PREFIXES or count < 1:
        return [None] * count
    rows = await tx_rows(
        tx,
        "MERGE (s:RefSequence {kind: $kind}) ON CREATE SET s.last = 0 "
        "SET s.last = s.last + $count RETURN s.last - $count AS before",
        {"kind": kind, "count": count},
    )
    before = int(rows[0]["before"])
    return [ref_of(kind, before + number) for number in range(1, count + 1)]


CHAIN_LINKED = "CHAIN_LINKED"
CHAIN_UNLINKED = "CHAIN_UNLINKED"

_LOCK: LiteralString = "MERGE (l:ChainLock {id: 'chains'}) SET l.lockedAt = datetime()"

# The two ends of a new link; `{seen_a}`, `{seen_p}` and `{changeable_a}` are the
# audience's view of them.
_ENDS: LiteralString = """
OPTIONAL MATCH (a:Activity {{id: $activity}})
OPTIONAL MATCH (p:Activity {{id: $previous}})
RETURN a IS NOT NULL AND {seen_a} AS activity, p IS NOT NULL AND {seen_p} AS previous,
  {changeable_a} AS activityChangeable,
  p.subject AS previousSubject, p.ref AS previousRef,
  a.closedAt IS NOT NULL AS activityClosed, p.closedAt IS NOT NULL AS previousClosed,
  p.startAt > a.startAt AS wrongOrder,
  EXISTS {{ (a)-[:ABOUT]->(:Customer)<-[:ABOUT]-(p) }} AS shareCustomer,
  EXISTS {{ (a)-[:FOLLOWS]->(p) }} AS linked,
  EXISTS {{ (p)-[:FOLLOWS]->+(a) }} AS cycle,
  COLLECT {{ MATCH (a)-[:IN_CHAIN]->(c:Chain) RETURN c.id }}[0] AS activityChain,
  COLLECT {{ MATCH (p)-[:IN_CHAIN]->(c:Chain) RETURN c.id }}[0] AS previousChain,
  COUNT {{ (a)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-() }} AS activitySteps,
  COUNT {{ (p)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-() }} AS previousSteps
"""


async def link(
    tx: AsyncManagedTransaction,
    audience: Audience,
    activity_id: str,
    previous_id: str,
    actor_id: str,
) -> None:
    """Records that an activity followed an earlier one of a customer they share, joining
    their chains into one. Refused, changing nothing: an activity following itself, an
    unknown or closed end (or one the audience may not see), a later activity the audience
    may not change, no shared customer, an earlier activity that starts later, a link
    already made, and a link that would close a cycle."""
    if activity_id == previous_id:
        raise GraphError("previousId: an activity cannot follow itself.", field="previousId")
    await tx_rows(tx, _LOCK, {})
    statement = Statement(audience=audience)
    text = _ENDS.format(
        seen_a=statement.visible("a"),
        seen_p=statement.visible("p"),
        changeable_a=statement.changeable("a"),
    )
    params = {"activity": activity_id, "previous": previous_id, **statement.params}
    ends = (await tx_rows(tx, text, params))[0]
    for field, given in (("activityId", activity_id), ("previousId", previous_id)):
        which = "activity" if field == "activityId" else "previous"
        if not ends[which]:
            raise NotFound(f"{field}: no activity has the id {given!r}.", field=field)
        if ends[which + "Closed"]:
            raise Closed(f"{field}: the activity {given!r} is closed.", field=field)
    if not ends["activityChangeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field="activityId"), field="activityId")
    if not ends["shareCustomer"]:
        raise GraphError(
            "previousId: the two activities are not about a customer in common.",
            field="previousId",
        )
    if ends["wrongOrder"]:
        raise GraphError(
            "previousId: the earlier activity starts after the later one.", field="previousId"
        )
    if ends["linked"]:
        raise Conflict("previousId: the activity already follows that one.", field="previousId")
    if ends["cycle"]:
        raise GraphError(
            "previousId: that activity already follows this one; the link would make a cycle.",
            field="previousId",
        )
    await tx_rows(
        tx,
        "MATCH (a:Activity {id: $activity}), (p:Activity {id: $previous}) "
        "CREATE (a)-[:FOLLOWS {createdAt: datetime(), createdBy: $actor}]->(p) "
        "SET a.updatedAt = datetime(), p.updatedAt = datetime()",
        {"activity": activity_id, "previous": previous_id, "actor": actor_id},
    )
    await _join(tx, ends, activity_id, previous_id)
    named = " ".join(str(part) for part in (ends["previousRef"], ends["previousSubject"]) if part)
    await write_audit(
        tx,
        activity_id,
        actor_id,
        CHAIN_LINKED,
        "previous",
        None,
        previous_id,
        f"Linked as following {named}",
    )


async def _join(tx: AsyncManagedTransaction, ends: Row, activity_id: str, previous_id: str) -> None:
    """Puts both activities, and everything chained to either, in one chain."""
    first, second = ends["activityChain"], ends["previousChain"]
    if first is None and second is None:
        await tx_rows(
            tx,
            "CREATE (c:Chain {id: $chain, createdAt: datetime()}) WITH c "
            "MATCH (x:Activity) WHERE x.id IN $ids CREATE (x)-[:IN_CHAIN]->(c)",
            {"chain": new_chain_id(), "ids": [activity_id, previous_id]},
        )
    elif first is None or second is None:
        joining = activity_id if first is None else previous_id
        await tx_rows(
            tx,
            "MATCH (c:Chain {id: $chain}), (x:Activity {id: $id}) CREATE (x)-[:IN_CHAIN]->(c)",
            {"chain": second if first is None else first, "id": joining},
        )
    elif first != second:
        # The smaller chain's steps move to the larger one.
        keep, gone = (first, second)
        if ends["previousSteps"] > ends["activitySteps"]:
            keep, gone = second, first
        await tx_rows(
            tx,
            "MATCH (keep:Chain {id: $keep}), (gone:Chain {id: $gone}) "
            "CALL (keep, gone) { MATCH (x:Activity)-[r:IN_CHAIN]->(gone) "
            "  CREATE (x)-[:IN_CHAIN]->(keep) DELETE r } "
            "DELETE gone",
            {"keep": keep, "gone": gone},
        )


async def unlink(
    tx: AsyncManagedTransaction, audience: Audience, activity_id: str, actor_id: str
) -> None:
    """Takes an activity out of its chain. What followed it now follows what it followed,
    so the rest of a chain through it stays one chain. Where it was the only link between
    parts (two activities that both followed it, and nothing else), the parts become
    chains of their own; a part of one activity is no chain."""
    await tx_rows(tx, _LOCK, {})
    statement = Statement(audience=audience)
    rows = await tx_rows(
        tx,
        f"MATCH (a:Activity {{id: $id}}) WHERE {statement.visible('a')} "
        f"RETURN {statement.changeable('a')} AS changeable, a.closedAt IS NOT NULL AS closed, "
        "COLLECT { MATCH (a)-[:IN_CHAIN]->(c:Chain) RETURN c.id }[0] AS chain",
        {"id": activity_id, **statement.params},
    )
    if not rows:
        raise NotFound(f"activityId: no activity has the id {activity_id!r}.", field="activityId")
    if not rows[0]["changeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field="activityId"), field="activityId")
    if rows[0]["closed"]:
        raise Closed(f"activityId: the activity {activity_id!r} is closed.", field="activityId")
    if rows[0]["chain"] is None:
        raise GraphError("activityId: the activity is in no chain.", field="activityId")
    await tx_rows(
        tx,
        "MATCH (a:Activity {id: $id}) "
        "CALL (a) { MATCH (later:Activity)-[:FOLLOWS]->(a)-[:FOLLOWS]->(earlier:Activity) "
        "  MERGE (later)-[f:FOLLOWS]->(earlier) "
        "  ON CREATE SET f.createdAt = datetime(), f.createdBy = $actor } "
        "CALL (a) { MATCH (a)-[r:FOLLOWS|IN_CHAIN]-() DELETE r } "
        "SET a.updatedAt = datetime()",
        {"id": activity_id, "actor": actor_id},
    )
    await _split(tx, rows[0]["chain"])
    await write_audit(
        tx,
        activity_id,
        actor_id,
        CHAIN_UNLINKED,
        "chain",
        rows[0]["chain"],
        None,
        "Taken out of its chain",
    )


async def _split(tx: AsyncManagedTransaction, chain_id: str) -> None:
    """Makes each part of a chain still joined by FOLLOWS a chain of its own: the largest
    keeps the chain, a part of one activity leaves it."""
    steps = await tx_rows(
        tx,
        "MATCH (c:Chain {id: $chain})<-[:IN_CHAIN]-(m:Activity) "
        "RETURN m.id AS id, COLLECT { MATCH (m)-[:FOLLOWS]->(e)-[:IN_CHAIN]->(c) "
        "RETURN e.id } AS follows",
        {"chain": chain_id},
    )
    parts = sorted(_parts(steps), key=len, reverse=True)
    if not parts or len(parts[0]) < 2:
        await tx_rows(tx, "MATCH (c:Chain {id: $chain}) DETACH DELETE c", {"chain": chain_id})
        return
    for part in parts[1:]:
        await tx_rows(
            tx,
            "MATCH (c:Chain {id: $chain})<-[r:IN_CHAIN]-(m:Activity) WHERE m.id IN $ids DELETE r",
            {"chain": chain_id, "ids": part},
        )
        if len(part) > 1:
            await tx_rows(
                tx,
                "CREATE (c:Chain {id: $chain, createdAt: datetime()}) WITH c "
                "MATCH (x:Activity) WHERE x.id IN $ids CREATE (x)-[:IN_CHAIN]->(c)",
                {"chain": new_chain_id(), "ids": part},
            )


def _parts(steps: list[Row]) -> list[list[str]]:
    """The groups of steps joined by FOLLOWS, each in id order."""
    leader = {row["id"]: row["id"] for row in steps}

    def find(step: str) -> str:
        while leader[step] != step:
            leader[step] = leader[leader[step]]
            step = leader[step]
        return step

    for row in steps:
        for earlier in row["follows"]:
            leader[find(row["id"])] = find(earlier)
    groups: dict[str, list[str]] = {}
    for step in sorted(leader):
        groups.setdefault(find(step), []).append(step)
    return list(groups.values())


def new_chain_id() -> str:
    return f"{CHAIN_PREFIX}_{secrets.token_hex(12)}"
