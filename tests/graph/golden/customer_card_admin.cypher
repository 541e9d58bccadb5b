MATCH (n1:Customer {id: $p4})
CALL (n1) {
OPTIONAL MATCH (n1)-[:OWNED_BY]->(n2:User)
RETURN head(collect(n2 {id: n2.id, email: n2.email, name: n2.name})) AS n3
}
CALL (n1) {
MATCH (n4:Contact)-[:WORKS_AT]->(n1)
WHERE n4.archivedAt IS NULL
WITH n4 ORDER BY n4.name, n4.id LIMIT $p0
CALL (n4) {
OPTIONAL MATCH (n4)-[:WORKS_AT]->(n6:Customer)
RETURN head(collect(n6 {id: n6.id, name: n6.name})) AS n7
}
WITH * ORDER BY n4.name, n4.id
RETURN collect(n4 {id: n4.id, _cursor: [n4.name, n4.id], email: n4.email, name: n4.name, `customer`: n7}) AS n5
}
CALL (n1) {
MATCH (n8:Project)-[:FOR]->(n1)
WHERE n8.archivedAt IS NULL
WITH n8 ORDER BY n8.name, n8.id LIMIT $p1
RETURN collect(n8 {id: n8.id, _cursor: [n8.name, n8.id], name: n8.name, status: n8.status}) AS n9
}
CALL (n1) {
MATCH (n10:Activity)-[:ABOUT]->(n1)
WITH n10 ORDER BY n10.startAt DESC, n10.id LIMIT $p2
CALL (n10) {
OPTIONAL MATCH (n10)-[:OWNED_BY]->(n12:User)
RETURN head(collect(n12 {id: n12.id, name: n12.name})) AS n13
}
WITH * ORDER BY n10.startAt DESC, n10.id
RETURN collect(n10 {id: n10.id, _cursor: [n10.startAt, n10.id], starts_at: n10.startAt, state: [category IN COLLECT { MATCH (n10)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n10.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n10.subject, `owner`: n13}) AS n11
}
CALL (n1) {
MATCH (n14:Note)-[:ON]->(n1)
WITH n14 ORDER BY n14.createdAt DESC, n14.id LIMIT $p3
CALL (n14) {
OPTIONAL MATCH (n14)-[:BY]->(n16:User)
RETURN head(collect(n16 {id: n16.id, name: n16.name})) AS n17
}
WITH * ORDER BY n14.createdAt DESC, n14.id
RETURN collect(n14 {id: n14.id, _cursor: [n14.createdAt, n14.id], text: n14.text, `author`: n17}) AS n15
}
RETURN n1 {id: n1.id, name: n1.name, status: n1.status, `owner`: n3, `contacts`: {rows: n5, total: COUNT { MATCH (n4:Contact)-[:WORKS_AT]->(n1) WHERE n4.archivedAt IS NULL }}, `projects`: {rows: n9}, `activities`: {rows: n11}, `notes`: {rows: n15}, linked_counts: {contacts: COUNT { (n1)<-[:WORKS_AT]-(c:Contact) WHERE c.archivedAt IS NULL }, offers: COUNT { (n1)<-[:ABOUT]-(n18:Activity {kind: 'OFFER'}) WHERE true }, projects: COUNT { (n1)<-[:FOR]-(p:Project) WHERE p.archivedAt IS NULL }, tasks: COUNT { (n1)<-[:ABOUT]-(n19:Activity {kind: 'TASK'}) WHERE true }}} AS row

// $p0 = 6
// $p1 = 21
// $p2 = 4
// $p3 = 3
// $p4 = "cus_1"
