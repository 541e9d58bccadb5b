MATCH (n1:Customer {id: $p3})
CALL (n1) {
MATCH (n2:Note|CallLog|Email|AuditLine|Attachment|Activity)-[:ON|ATTACHED_TO|ABOUT]->(n1)
WHERE CASE WHEN n2:Note THEN 'NOTE' WHEN n2:CallLog THEN 'CALL' WHEN n2:Email THEN 'EMAIL' WHEN n2:AuditLine THEN 'AUDIT' WHEN n2:Attachment THEN 'ATTACHMENT' WHEN n2.kind = 'TASK' THEN 'TASK' ELSE 'ACTIVITY' END IN $p0 AND (NOT n2:Activity OR EXISTS { (n2)-[:OWNED_BY|WITH_USER]->(n3:User) WHERE (n3.id = $p1 OR EXISTS { (:User {id: $p1})-[:MANAGES]->(n3) } OR EXISTS { (n3)-[:SHARES_CALENDAR_WITH]->(:User {id: $p1}) }) })
WITH n2 ORDER BY CASE WHEN n2:Activity THEN n2.startAt WHEN n2:CallLog OR n2:Email THEN n2.at ELSE n2.createdAt END DESC, n2.id LIMIT $p2
CALL (n2) {
OPTIONAL MATCH (n2)-[:BY|UPLOADED_BY|OWNED_BY]->(n5:User)
RETURN head(collect(n5 {id: n5.id, name: n5.name})) AS n6
}
WITH * ORDER BY CASE WHEN n2:Activity THEN n2.startAt WHEN n2:CallLog OR n2:Email THEN n2.at ELSE n2.createdAt END DESC, n2.id
RETURN collect(n2 {id: n2.id, _cursor: [CASE WHEN n2:Activity THEN n2.startAt WHEN n2:CallLog OR n2:Email THEN n2.at ELSE n2.createdAt END, n2.id], at: CASE WHEN n2:Activity THEN n2.startAt WHEN n2:CallLog OR n2:Email THEN n2.at ELSE n2.createdAt END, kind: CASE WHEN n2:Note THEN 'NOTE' WHEN n2:CallLog THEN 'CALL' WHEN n2:Email THEN 'EMAIL' WHEN n2:AuditLine THEN 'AUDIT' WHEN n2:Attachment THEN 'ATTACHMENT' WHEN n2.kind = 'TASK' THEN 'TASK' ELSE 'ACTIVITY' END, summary: CASE WHEN n2:Activity OR n2:Email THEN n2.subject WHEN n2:Attachment THEN n2.name WHEN n2:Note THEN n2.text ELSE n2.summary END, `by`: n6, `note`: CASE WHEN n2:Note THEN n2 {id: n2.id, text: n2.text} END, `activity`: CASE WHEN n2:Activity THEN n2 {id: n2.id, state: [category IN COLLECT { MATCH (n2)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n2.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n2.subject} END, `callLog`: CASE WHEN n2:CallLog THEN n2 {id: n2.id, duration_seconds: n2.durationSeconds, outcome: n2.outcome} END}) AS n4
}
RETURN n1 {id: n1.id, `stream`: {rows: n4}} AS row

// $p0 = ["NOTE", "ACTIVITY", "CALL"]
// $p1 = "usr_member"
// $p2 = 11
// $p3 = "cus_1"
