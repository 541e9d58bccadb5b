"""A record's stream: everything that happened on it, newest first, in one list (R3.2,
R3.3).

An entry is one node of its own label: a note, a call log, an e-mail, an audit line or a
file on the record, or an activity about it (a task is an activity of kind TASK). The
entry's `kind`, `at` and `summary` are worked out from whichever label it has; its facets
(`note`, `activity`, …) read the same node in full as that label.
"""

from __future__ import annotations

from typing import LiteralString

from kesher.graph.labels import Label, Relation
from kesher.graph.parts import keep_visible

# What an entry is, as the API's StreamKind names it.
KIND: LiteralString = (
    "CASE WHEN {n}:Note THEN 'NOTE' WHEN {n}:CallLog THEN 'CALL' WHEN {n}:Email THEN 'EMAIL' "
    "WHEN {n}:AuditLine THEN 'AUDIT' WHEN {n}:Attachment THEN 'ATTACHMENT' "
    "WHEN {n}.kind = 'TASK' THEN 'TASK' ELSE 'ACTIVITY' END"
)

# When it happened: an activity's start (a task's due time), a call's or mail's own time,
# else when it was written.
AT: LiteralString = (
    "CASE WHEN {n}:Activity THEN {n}.startAt WHEN {n}:CallLog OR {n}:Email THEN {n}.at "
    "ELSE {n}.createdAt END"
)

# The entry in a line: an activity's subject, a mail's subject, a file's name, a call's or
# audit line's summary, a note's text.
SUMMARY: LiteralString = (
    "CASE WHEN {n}:Activity OR {n}:Email THEN {n}.subject WHEN {n}:Attachment THEN {n}.name "
    "WHEN {n}:Note THEN {n}.text ELSE {n}.summary END"
)

STREAM_ENTRY = Label(
    name="StreamEntry",
    properties={"kind": KIND, "at": AT, "summary": SUMMARY},
    relations={
        # Who wrote, logged, sent, uploaded or changed it; an activity's owner.
        "by": Relation(
            target="User",
            pattern="({a})-[:BY|UPLOADED_BY|OWNED_BY]->({b}:User)",
            many=False,
            live_only=False,
        ),
    },
    facets={
        "note": "Note",
        "activity": "Activity",
        "call_log": "CallLog",
        "email": "Email",
        "audit_line": "AuditLine",
        "attachment": "Attachment",
    },
    archivable=False,
)

# An entry that is an activity is seen as the activity is; the others by their own label's
# rule, which their facets apply.
keep_visible(
    [STREAM_ENTRY.name],
    lambda statement, n: f"(NOT {n}:Activity OR {statement.visible(n)})",
)

_ITEMS: LiteralString = "Note|CallLog|Email|AuditLine|Attachment"


def stream(activities: LiteralString = "") -> Relation:
    """The stream of a record `{a}`: what is ON it or ATTACHED_TO it, plus the activities
    joined to it by the relationship types `activities` (`ABOUT` for a customer)."""
    labels = _ITEMS + ("|Activity" if activities else "")
    types = "ON|ATTACHED_TO" + (f"|{activities}" if activities else "")
    return Relation(
        target="StreamEntry",
        pattern=f"({{b}}:{labels})-[:{types}]->({{a}})",
        many=True,
        order=(AT,),
        descending=True,
        live_only=False,
        arguments={"kinds": KIND + " IN {v}"},
    )
