"""Cypher for loading generated data in bulk and for clearing a database.

Every statement takes its rows as one `$rows` list of maps; the shapes are the row types
of `kesher.seeds.generator`. Times arrive as seconds since the Unix epoch and become UTC
DATETIME here: the driver packs Python datetimes slowly enough to dominate a load. The
statements CREATE rather than MERGE: they are meant for fresh data, and the uniqueness
constraints turn a repeated load into an error.
"""

from __future__ import annotations

from typing import LiteralString

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
CREATE_ACCOUNTS: LiteralString = """
UNWIND $rows AS row
WITH row, row.customer AS c
CREATE (customer:Customer {
  id: c.id, name: c.name, status: c.status, email: c.email, phone: c.phone,
  website: c.website, city: c.city,
  createdAt: datetime({epochSeconds: c.createdAt}),
  updatedAt: datetime({epochSeconds: c.updatedAt}),
  archivedAt: CASE WHEN c.archivedAt IS NOT NULL THEN datetime({epochSeconds: c.archivedAt}) END
})
WITH row, customer
CALL (row, customer) {
  MATCH (owner:User {id: row.customer.ownerId})
  CREATE (customer)-[:OWNED_BY]->(owner)
}
CALL (row, customer) {
  UNWIND row.contacts AS k
  CREATE (:Contact {
    id: k.id, firstName: k.firstName, lastName: k.lastName, name: k.name, email: k.email,
    phone: k.phone, title: k.title,
    createdAt: datetime({epochSeconds: k.createdAt}),
    updatedAt: datetime({epochSeconds: k.updatedAt})
  })-[:WORKS_AT]->(customer)
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

COUNT_USERS_AND_CUSTOMERS: LiteralString = """
RETURN COUNT { (:User) } + COUNT { (:Customer) } AS records
"""

# Runs in an auto-commit transaction only (CALL ... IN TRANSACTIONS needs one).
WIPE: LiteralString = """
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""
