CALL () {
MATCH (u:User) WHERE u.id IN $p0 MATCH (n1:Activity)-[:OWNED_BY]->(u)
WHERE n1.closedAt IS NULL AND n1.kind IN $p1 AND n1.endAt > $p2 AND n1.startAt < $p3 AND EXISTS { (n1)-[:OWNED_BY|WITH_USER]->(n2:User) WHERE (n2.id = $p4 OR EXISTS { (:User {id: $p4})-[:MANAGES]->(n2) } OR EXISTS { (n2)-[:SHARES_CALENDAR_WITH]->(:User {id: $p4}) }) }
RETURN count(n1) AS total
}
CALL () {
MATCH (u:User) WHERE u.id IN $p0 MATCH (n1:Activity)-[:OWNED_BY]->(u)
WHERE n1.closedAt IS NULL AND n1.kind IN $p1 AND n1.endAt > $p2 AND n1.startAt < $p3 AND EXISTS { (n1)-[:OWNED_BY|WITH_USER]->(n2:User) WHERE (n2.id = $p4 OR EXISTS { (:User {id: $p4})-[:MANAGES]->(n2) } OR EXISTS { (n2)-[:SHARES_CALENDAR_WITH]->(:User {id: $p4}) }) } AND ((n1.startAt < $p5) OR (n1.startAt = $p6 AND n1.id > $p7))
WITH n1 ORDER BY n1.startAt DESC, n1.id LIMIT $p8
CALL (n1) {
OPTIONAL MATCH (n1)-[:ABOUT {primary: true}]->(n3:Customer)
RETURN head(collect(n3 {id: n3.id, name: n3.name})) AS n4
}
CALL (n1) {
OPTIONAL MATCH (n1)-[:HAS_TYPE]->(n5:ActivityType)
RETURN head(collect(n5 {id: n5.id, name: n5.name})) AS n6
}
CALL (n1) {
OPTIONAL MATCH (n1)-[:HAS_STATUS]->(n7:ActivityStatus)
RETURN head(collect(n7 {id: n7.id, category: n7.category, name: n7.name})) AS n8
}
WITH * ORDER BY n1.startAt DESC, n1.id
RETURN collect(n1 {id: n1.id, _cursor: [n1.startAt, n1.id], has_attachments: (EXISTS { (n1)<-[:ATTACHED_TO]-(:Attachment) } OR EXISTS { (n1)<-[:ON]-(:Note)<-[:ATTACHED_TO]-(:Attachment) }), ref: n1.ref, starts_at: n1.startAt, state: [category IN COLLECT { MATCH (n1)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n1.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n1.subject, `customer`: n4, `type`: n6, `status`: n8}) AS rows
}
RETURN rows, total, EXISTS { MATCH (u:User) WHERE u.id IN $p0 MATCH (n1:Activity)-[:OWNED_BY]->(u) WHERE n1.closedAt IS NULL AND n1.kind IN $p1 AND n1.endAt > $p2 AND n1.startAt < $p3 AND EXISTS { (n1)-[:OWNED_BY|WITH_USER]->(n2:User) WHERE (n2.id = $p4 OR EXISTS { (:User {id: $p4})-[:MANAGES]->(n2) } OR EXISTS { (n2)-[:SHARES_CALENDAR_WITH]->(:User {id: $p4}) }) } AND ((n1.startAt > $p9) OR (n1.startAt = $p10 AND n1.id < $p11) OR (n1.startAt = $p12 AND n1.id = $p13)) RETURN n1 } AS behind

// $p0 = ["usr_member"]
// $p1 = ["EVENT", "TASK"]
// $p2 = datetime("2026-11-01T00:00:00+00:00")
// $p3 = datetime("2026-12-01T00:00:00+00:00")
// $p4 = "usr_member"
// $p5 = datetime("2026-11-02T09:00:00+00:00")
// $p6 = datetime("2026-11-02T09:00:00+00:00")
// $p7 = "act_12"
// $p8 = 6
// $p9 = datetime("2026-11-02T09:00:00+00:00")
// $p10 = datetime("2026-11-02T09:00:00+00:00")
// $p11 = "act_12"
// $p12 = datetime("2026-11-02T09:00:00+00:00")
// $p13 = "act_12"
