"""Cypher for loading generated data in bulk and for clearing a database.

Every statement takes its rows as one `$rows` list of maps; the shapes are the row types
of `kesher.seeds.generator` and `kesher.seeds.relations`. Times arrive as seconds since
the Unix epoch and become UTC DATETIME here: the driver packs Python datetimes slowly
enough to dominate a load. The statements CREATE rather than MERGE: they are meant for
fresh data, and the uniqueness constraints turn a repeated load into an error. Only the
reference-number sequences are merged: a load raises them past what it wrote.
"""

from __future__ import annotations

from typing import LiteralString

from kesher.graph.calendar_buckets import FILE
from kesher.graph.catalog import cypher_type
from kesher.graph.duplicates import set_keys
from kesher.graph.kinds import PARTY_LABELS

CREATE_USERS: LiteralString = """
UNWIND $rows AS row
CREATE (:User {
  id: row.id, email: row.email, name: row.name, handle: row.handle, role: row.role,
  active: row.active, passwordHash: row.passwordHash,
  createdAt: datetime({epochSeconds: row.createdAt}),
  updatedAt: datetime({epochSeconds: row.updatedAt})
})
"""

# One row per customer, carrying its contacts and projects, so no node is looked up
# except the owner, by the User.id uniqueness index.
CREATE_ACCOUNTS: LiteralString = (
    """
UNWIND $rows AS row
WITH row, row.customer AS c
CREATE (customer:Customer {
  id: c.id, name: c.name, status: c.status, email: c.email, phone: c.phone,
  website: c.website, city: c.city,
  createdAt: datetime({epochSeconds: c.createdAt}),
  updatedAt: datetime({epochSeconds: c.updatedAt}),
  archivedAt: CASE WHEN c.archivedAt IS NOT NULL THEN datetime({epochSeconds: c.archivedAt}) END
})
"""
    + set_keys("customer")
    + """
WITH row, customer
CALL (row, customer) {
  MATCH (owner:User {id: row.customer.ownerId})
  CREATE (customer)-[:OWNED_BY]->(owner)
}
CALL (row, customer) {
  UNWIND row.contacts AS k
  CREATE (contact:Contact {
    id: k.id, firstName: k.firstName, lastName: k.lastName, name: k.name, email: k.email,
    phone: k.phone, title: k.title,
    createdAt: datetime({epochSeconds: k.createdAt}),
    updatedAt: datetime({epochSeconds: k.updatedAt})
  })-[:WORKS_AT]->(customer)
"""
    + set_keys("contact")
    + """
}
CALL (row, customer) {
  UNWIND row.projects AS p
  CREATE (:Project {
    id: p.id, name: p.name, status: p.status, description: p.description,
    createdAt: datetime({epochSeconds: p.createdAt}),
    updatedAt: datetime({epochSeconds: p.updatedAt})
  })-[:FOR]->(customer)
}
"""
)

CREATE_RELATIONSHIP_TYPES: LiteralString = """
UNWIND $rows AS row
CREATE (:RelationshipType {
  id: row.id, key: row.key, label: row.label, reciprocalLabel: row.reciprocalLabel,
  symmetric: row.symmetric, colour: row.colour, sortOrder: row.sortOrder,
  fromKind: row.fromKind, toKind: row.toKind,
  limitPerSource: row.limitPerSource, limitPerTarget: row.limitPerTarget,
  createdAt: datetime({epochSeconds: row.createdAt}),
  updatedAt: datetime({epochSeconds: row.updatedAt})
})
"""

# The labels a link's end may have: a record's, or that of a free-text party.
END_LABELS: dict[str, LiteralString] = {label: label for label in PARTY_LABELS}
_LINK_FIELDS: LiteralString = """{
  id: row.id, startsOn: date(row.startsOn), endsOn: date(row.endsOn), note: row.note,
  createdAt: datetime({epochSeconds: row.createdAt}), createdBy: row.createdBy
}"""
_EXTERNAL_PARTY: LiteralString = """:ExternalParty {
  id: row.party.id, name: row.party.name,
  createdAt: datetime({epochSeconds: row.party.createdAt}),
  updatedAt: datetime({epochSeconds: row.party.updatedAt})
}"""


def create_links(key: str, source: str, target: str) -> LiteralString:
    """Creates the links of one catalog type from `source` to `target` nodes (labels).

    Records are found by their unique id; a free-text party, the row's `party`, is
    created with its link. Dates arrive as ISO strings or null, and `date(null)` is
    null, so a link without a date has no such property.
    """
    kind = cypher_type(key)
    start, end = END_LABELS[source], END_LABELS[target]
    if start == end == "ExternalParty":
        raise ValueError("a link joins at least one record")
    lookups: list[LiteralString] = []
    if start != "ExternalParty":
        lookups.append(f"MATCH (a:{start} {{id: row.fromId}})\n")
    if end != "ExternalParty":
        lookups.append(f"MATCH (b:{end} {{id: row.toId}})\n")
    a: LiteralString = "a" + _EXTERNAL_PARTY if start == "ExternalParty" else "a"
    b: LiteralString = "b" + _EXTERNAL_PARTY if end == "ExternalParty" else "b"
    return (
        "UNWIND $rows AS row\n"
        + "".join(lookups)
        + f"CREATE ({a})-[:{kind} {_LINK_FIELDS}]->({b})\n"
    )


CREATE_ACTIVITY_TYPES: LiteralString = """
UNWIND $rows AS row
CREATE (:ActivityType {
  id: row.id, name: row.name, colour: row.colour, sortOrder: row.sortOrder,
  createdAt: datetime({epochSeconds: row.createdAt}),
  updatedAt: datetime({epochSeconds: row.updatedAt})
})
"""

CREATE_ACTIVITY_STATUSES: LiteralString = """
UNWIND $rows AS row
CREATE (:ActivityStatus {
  id: row.id, name: row.name, colour: row.colour, sortOrder: row.sortOrder,
  category: row.category,
  createdAt: datetime({epochSeconds: row.createdAt}),
  updatedAt: datetime({epochSeconds: row.updatedAt})
})
"""

# Who manages whom, and who shares their calendar with whom: rows of `fromId`, `toId`.
CREATE_MANAGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:User {id: row.fromId}), (b:User {id: row.toId})
CREATE (a)-[:MANAGES]->(b)
"""
CREATE_SHARES: LiteralString = """
UNWIND $rows AS row
MATCH (a:User {id: row.fromId}), (b:User {id: row.toId})
CREATE (a)-[:SHARES_CALENDAR_WITH]->(b)
"""

# One row per activity: its node, then its edges to records found by unique id. Times
# are stored as the API stores them, UTC; a missing time is `null` and so not stored.
CREATE_ACTIVITIES: LiteralString = (
    """
UNWIND $rows AS row
MATCH (owner:User {id: row.ownerId})
MATCH (customer:Customer {id: row.customerId})
MATCH (type:ActivityType {id: row.typeId})
MATCH (status:ActivityStatus {id: row.statusId})
CREATE (a:Activity {
  id: row.id, ref: row.ref, kind: row.kind, subject: row.subject, description: row.description,
  startAt: datetime({epochSeconds: row.startAt}),
  endAt: datetime({epochSeconds: row.endAt}),
  dueAt: CASE WHEN row.dueAt IS NOT NULL THEN datetime({epochSeconds: row.dueAt}) END,
  allDay: row.allDay, timeZone: row.timeZone, externalUrl: row.externalUrl,
  recurrence: row.recurrence,
  recurrenceEndsAt: CASE WHEN row.recurrenceEndsAt IS NOT NULL
    THEN datetime({epochSeconds: row.recurrenceEndsAt}) END,
  closedAt: CASE WHEN row.closedAt IS NOT NULL THEN datetime({epochSeconds: row.closedAt}) END,
  remindAt: CASE WHEN row.kind = 'TASK' AND row.closedAt IS NULL AND row.dueAt IS NOT NULL
    AND datetime({epochSeconds: row.dueAt}) > datetime()
    THEN datetime({epochSeconds: row.dueAt}) END,
  createdAt: datetime({epochSeconds: row.createdAt}),
  updatedAt: datetime({epochSeconds: row.updatedAt})
})
CREATE (a)-[:OWNED_BY]->(owner)
CREATE (a)-[:ABOUT {primary: true}]->(customer)
CREATE (a)-[:HAS_TYPE]->(type)
CREATE (a)-[:HAS_STATUS]->(status)
WITH row, a
CALL (row, a) {
  UNWIND row.participantIds AS id
  MATCH (u:User {id: id})
  CREATE (a)-[:WITH_USER]->(u)
}
CALL (row, a) {
  UNWIND row.otherCustomerIds AS id
  MATCH (c:Customer {id: id})
  CREATE (a)-[:ABOUT {primary: false}]->(c)
}
CALL (row, a) {
  MATCH (k:Contact {id: row.contactId})
  CREATE (a)-[:WITH_CONTACT]->(k)
}
WITH a
"""
    + FILE
)

# One row per chain: its node, then its members (found by unique id, earliest first)
# joined to it, each following the one before. The members are created earlier in the
# same transaction.
CREATE_CHAINS: LiteralString = """
UNWIND $rows AS row
CREATE (chain:Chain {id: row.id, createdAt: datetime({epochSeconds: row.createdAt})})
WITH row, chain
CALL (row, chain) {
  UNWIND range(0, size(row.activityIds) - 1) AS step
  MATCH (a:Activity {id: row.activityIds[step]})
  CREATE (a)-[:IN_CHAIN]->(chain)
  WITH step, a ORDER BY step
  RETURN collect(a) AS members
}
CALL (members) {
  UNWIND range(1, size(members) - 1) AS step
  WITH members[step] AS later, members[step - 1] AS earlier
  CREATE (later)-[:FOLLOWS]->(earlier)
}
"""

# Rows of `kind` and `last`, the highest reference number of that kind loaded: each
# kind's sequence is created or raised to it, never lowered.
RAISE_REF_SEQUENCES: LiteralString = """
UNWIND $rows AS row
MERGE (sequence:RefSequence {kind: row.kind})
SET sequence.last = CASE WHEN sequence.last >= row.last THEN sequence.last ELSE row.last END
"""

COUNT_USERS_AND_CUSTOMERS: LiteralString = """
RETURN COUNT { (:User) } + COUNT { (:Customer) } AS records
"""

# Each runs in an auto-commit transaction only (CALL ... IN TRANSACTIONS needs one).
# Relationships go first, in batches: deleting a catalog node with its edges would
# delete a million relationships in one transaction.
WIPE: tuple[LiteralString, ...] = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)
