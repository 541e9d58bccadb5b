"""Assigning users to customers and activities, and removing them (R4.2).

A change is one write transaction: the ASSIGNED_TO edges, an audit line per user and a
notification for each affected user but the one who made it. After the commit everyone
it concerns (the affected users, those assigned afterwards and the record's owner, not
the one who made it) gets an e-mail; a mail that fails is logged and reported in the
answer but does not undo the change. Assignment grants no access.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import assignment as graph_assignment
from kesher.graph import records as graph_records
from kesher.graph.audit import write_audit
from kesher.graph.driver import Row
from kesher.graph.errors import Conflict, NotFound
from kesher.graph.model import ACTIVITY, CUSTOMER, USER
from kesher.resolvers import mail
from kesher.resolvers.context import Context
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import audience
from kesher.resolvers.selection import child, shape_of
from kesher.resolvers.writes import viewer_id, write

logger = logging.getLogger("kesher.assignment")

FIELD = "assignedUsers"


@dataclass(frozen=True)
class Change:
    """What a committed change tells the mails sent after it."""

    actor: Row
    target: graph_assignment.Target
    affected: list[Row]
    at: datetime


def names(people: Sequence[Row]) -> str:
    """Names as a sentence lists them: "Avi", "Avi and Noa", "Avi, Noa and Eli"."""
    listed = [str(person["name"]) for person in people]
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


async def change(
    context: Context,
    record_id: str,
    user_ids: Sequence[str],
    assigning: bool,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """Assigns (or removes) the users, in one write transaction, then mails everyone it
    concerns. Answers with the record in the shape selected for its kind, the users
    assigned now, the audit lines, whom it mailed and why any mail failed."""
    actor_id = viewer_id(context)
    if not user_ids:
        return Refusal(Code.INVALID_INPUT, "userIds: name at least one user.", "userIds")
    repeated = sorted({each for each in user_ids if list(user_ids).count(each) > 1})
    if repeated:
        return Refusal(
            Code.INVALID_INPUT, f"userIds: {repeated[0]!r} is named more than once.", "userIds"
        )
    shapes = {
        "Customer": shape_of(CUSTOMER, child(selections, "customer"), context.settings),
        "Activity": shape_of(ACTIVITY, child(selections, "activity"), context.settings),
    }
    user_shape = shape_of(USER, child(selections, "assignedUsers"), context.settings)
    # What the committed attempt of the transaction found (the driver may retry it).
    done: list[Change] = []

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor_id)
        target = await graph_assignment.target(tx, audience(context), record_id)
        found = await graph_assignment.users(tx, user_ids)
        actor = (await graph_assignment.users(tx, [actor_id]))[actor_id]
        for user_id in user_ids:
            _check(found[user_id], target, assigning)
        affected = [found[user_id] for user_id in user_ids]
        if assigning:
            await graph_assignment.assign(tx, record_id, user_ids)
        else:
            await graph_assignment.unassign(tx, record_id, user_ids)
        lines = [
            await write_audit(
                tx,
                record_id,
                actor_id,
                graph_assignment.ASSIGNED if assigning else graph_assignment.UNASSIGNED,
                FIELD,
                None if assigning else user["name"],
                user["name"] if assigning else None,
                f"{actor['name']} {'assigned' if assigning else 'removed'} {user['name']}",
            )
            for user in affected
        ]
        doing = "assigned you to" if assigning else "removed you from"
        await graph_assignment.notify(
            tx,
            record_id,
            graph_assignment.ASSIGNED if assigning else graph_assignment.UNASSIGNED,
            {
                user["id"]: f"{actor['name']} {doing} {target.name}"
                for user in affected
                if user["id"] != actor_id and user["active"]
            },
        )
        card = await graph_records.card_in(
            context.graph, tx, audience(context), shapes[target.label], record_id
        )
        assigned = await graph_assignment.assigned_users(
            context.graph, tx, audience(context), user_shape, record_id
        )
        done[:] = [Change(actor, target, affected, lines[0]["created_at"])]
        return {
            "customer": card if target.label == "Customer" else None,
            "activity": card if target.label == "Activity" else None,
            "assigned_users": assigned,
            "audit_lines": lines,
        }

    outcome = await write(context, work)
    if isinstance(outcome, Refusal):
        return outcome
    mailed, problem = await _mail(context, record_id, assigning, done[0])
    return {**outcome, "mailed_to": mailed, "mail_error": problem}


def _check(user: Row, target: graph_assignment.Target, assigning: bool) -> None:
    """Refuses, naming `userIds`, a user who cannot be assigned (inactive, or assigned
    already) or removed (not assigned). A deactivated user may still be removed."""
    if assigning and not user["active"]:
        raise NotFound(f"userIds: the user {user['id']!r} is deactivated.", field="userIds")
    if assigning and user["id"] in target.assigned:
        raise Conflict(
            f"userIds: {user['name']} is assigned to {target.name} already.", field="userIds"
        )
    if not assigning and user["id"] not in target.assigned:
        raise Conflict(
            f"userIds: {user['name']} is not assigned to {target.name}.", field="userIds"
        )


async def _mail(
    context: Context, record_id: str, assigning: bool, done: Change
) -> tuple[list[str], str | None]:
    """Mails everyone the committed change concerns, but the one who made it, over one
    connection: whom it reached, and why it did not reach the others."""
    target = done.target
    people: dict[str, Row] = {}
    assigned = _assigned_now(done, assigning)
    candidates = [*done.affected, *assigned]
    if target.owner is not None:
        candidates.append(target.owner)
    for person in candidates:
        if person["id"] != done.actor["id"] and person["active"] and person.get("email"):
            people.setdefault(person["id"], person)
    if not people:
        return [], None
    messages = [
        _message(context, record_id, assigning, done, person, assigned)
        for person in people.values()
    ]
    problems = await mail.deliver(context.settings, messages)
    sent = list(zip(people.values(), problems, strict=True))
    mailed = [person["email"] for person, problem in sent if problem is None]
    failed = [f"{person['email']}: {problem}" for person, problem in sent if problem is not None]
    if not failed:
        return mailed, None
    logger.warning("Assignment mail for %s not sent: %s", record_id, "; ".join(failed))
    return mailed, "Not mailed to " + "; ".join(failed)


def _assigned_now(done: Change, assigning: bool) -> list[Row]:
    """Those assigned after the change, as the transaction found them."""
    target = done.target
    before = dict(target.assigned)
    for user in done.affected:
        if assigning:
            before[user["id"]] = user
        else:
            before.pop(user["id"], None)
    return list(before.values())


def _message(
    context: Context,
    record_id: str,
    assigning: bool,
    done: Change,
    person: Row,
    assigned: Sequence[Row],
) -> EmailMessage:
    target = done.target
    kind = "customer" if target.label == "Customer" else "activity"
    verb, preposition = ("assigned", "to") if assigning else ("removed", "from")
    who = names(done.affected)
    subject = f"{done.actor['name']} {verb} {who} {preposition} {target.name}"
    now = names(sorted(assigned, key=lambda user: str(user["name"]))) if assigned else "nobody"
    link = context.settings.record_link.replace("{id}", record_id)
    text = (
        f"Hello {person['name']},\n\n"
        f"{done.actor['name']} {verb} {who} {preposition} the {kind} {target.name} "
        f"on {done.at:%d %B %Y at %H:%M} UTC.\n\n"
        f"Assigned now: {now}.\n\n"
        f"Open the {kind}: {link}\n\n"
        "Being assigned says who looks after it; it grants no access.\n"
    )
    return mail.compose(
        context.settings,
        [formataddr((person["name"], person["email"]))],
        [],
        subject,
        text,
        reply_to=formataddr((done.actor["name"], done.actor["email"])),
    )
