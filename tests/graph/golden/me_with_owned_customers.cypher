MATCH (n1:User {id: $p2})
CALL (n1) {
MATCH (n2:Customer)-[:OWNED_BY]->(n1)
WHERE n2.archivedAt IS NULL
WITH n2 ORDER BY n2.name, n2.id LIMIT $p0
RETURN collect(n2 {id: n2.id, _cursor: [n2.name, n2.id], name: n2.name}) AS n3
}
CALL (n1) {
MATCH (n4:User)-[:MANAGES]->(n1)
WHERE n4.archivedAt IS NULL
WITH n4 ORDER BY n4.name, n4.id LIMIT $p1
RETURN collect(n4 {id: n4.id, _cursor: [n4.name, n4.id], name: n4.name}) AS n5
}
RETURN n1 {id: n1.id, name: n1.name, role: n1.role, `ownedCustomers`: {rows: n3}, `managers`: {rows: n5}, linked_counts: {owned_customers: COUNT { (n1)<-[:OWNED_BY]-(c:Customer) WHERE c.archivedAt IS NULL }}} AS row

// $p0 = 4
// $p1 = 21
// $p2 = "usr_member"
