MATCH (n1:Customer {id: $p5})
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
WHERE EXISTS { (n10)-[:OWNED_BY|WITH_USER]->(n11:User) WHERE (n11.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n11) } OR EXISTS { (n11)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) }
WITH n10 ORDER BY n10.startAt DESC, n10.id LIMIT $p3
CALL (n10) {
OPTIONAL MATCH (n10)-[:OWNED_BY]->(n13:User)
RETURN head(collect(n13 {id: n13.id, name: n13.name})) AS n14
}
WITH * ORDER BY n10.startAt DESC, n10.id
RETURN collect(n10 {id: n10.id, _cursor: [n10.startAt, n10.id], starts_at: n10.startAt, state: [category IN COLLECT { MATCH (n10)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n10.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n10.subject, `owner`: n14}) AS n12
}
CALL (n1) {
MATCH (n15:Note)-[:ON]->(n1)
WITH n15 ORDER BY n15.createdAt DESC, n15.id LIMIT $p4
CALL (n15) {
OPTIONAL MATCH (n15)-[:BY]->(n17:User)
RETURN head(collect(n17 {id: n17.id, name: n17.name})) AS n18
}
WITH * ORDER BY n15.createdAt DESC, n15.id
RETURN collect(n15 {id: n15.id, _cursor: [n15.createdAt, n15.id], text: n15.text, `author`: n18}) AS n16
}
RETURN n1 {id: n1.id, name: n1.name, status: n1.status, `owner`: n3, `contacts`: {rows: n5, total: COUNT { MATCH (n4:Contact)-[:WORKS_AT]->(n1) WHERE n4.archivedAt IS NULL }}, `projects`: {rows: n9}, `activities`: {rows: n12}, `notes`: {rows: n16}, linked_counts: {contacts: COUNT { (n1)<-[:WORKS_AT]-(c:Contact) WHERE c.archivedAt IS NULL }, offers: COUNT { (n1)<-[:ABOUT]-(n19:Activity {kind: 'OFFER'}) WHERE EXISTS { (n19)-[:OWNED_BY|WITH_USER]->(n20:User) WHERE (n20.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n20) } OR EXISTS { (n20)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) } }, projects: COUNT { (n1)<-[:FOR]-(p:Project) WHERE p.archivedAt IS NULL }, tasks: COUNT { (n1)<-[:ABOUT]-(n21:Activity {kind: 'TASK'}) WHERE EXISTS { (n21)-[:OWNED_BY|WITH_USER]->(n22:User) WHERE (n22.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n22) } OR EXISTS { (n22)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) } }}} AS row

// $p0 = 6
// $p1 = 21
// $p2 = "usr_member"
// $p3 = 4
// $p4 = 3
// $p5 = "cus_1"
