CALL () {
UNWIND $p1 AS wanted
MATCH (n1:Customer {id: wanted})
CALL (n1) {
MATCH (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3)
MATCH (n4:RelationshipType {key: type(n2)})
WITH n1, n2, n3, n4 ORDER BY n4.sortOrder, n3.name, n2.id LIMIT $p0
RETURN collect({outgoing: startNode(n2) = n1, label: CASE WHEN startNode(n2) = n1 THEN n4.reciprocalLabel ELSE n4.label END, other: n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL}, relationship: {id: n2.id, type_key: type(n2), colour: n4.colour, starts_on: n2.startsOn, ends_on: n2.endsOn, note: n2.note, created_at: n2.createdAt, type: {id: n4.id, key: n4.key, label: n4.label, reciprocal_label: n4.reciprocalLabel, symmetric: n4.symmetric, colour: n4.colour, sort_order: n4.sortOrder, from_kind: n4.fromKind, to_kind: n4.toKind, limit_per_source: n4.limitPerSource, limit_per_target: n4.limitPerTarget, description: n4.description, created_at: n4.createdAt, updated_at: n4.updatedAt}, source: CASE WHEN startNode(n2) = n1 THEN n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} ELSE n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL} END, target: CASE WHEN startNode(n2) = n1 THEN n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL} ELSE n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} END}, _cursor: [n4.sortOrder, n3.name, n2.id]}) AS n5
}
RETURN collect(n1 {id: n1.id, name: n1.name, `relationships`: {rows: n5}}) AS found0
}
CALL (found0) {
UNWIND $p3 AS wanted
MATCH (n6:Activity {id: wanted}) WHERE EXISTS { (n6)-[:OWNED_BY|WITH_USER]->(n12:User) WHERE (n12.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n12) } OR EXISTS { (n12)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) }
CALL (n6) {
OPTIONAL MATCH (n6)-[:IN_CHAIN]->(n7:Chain) WHERE EXISTS { (n7)<-[:IN_CHAIN]-(n8:Activity) WHERE EXISTS { (n8)-[:OWNED_BY|WITH_USER]->(n9:User) WHERE (n9.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n9) } OR EXISTS { (n9)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) } }
RETURN head(collect(n7 {id: n7.id, steps: COUNT { (n7)<-[:IN_CHAIN]-(chain_step:Activity) WHERE EXISTS { (chain_step)-[:OWNED_BY|WITH_USER]->(n10:User) WHERE (n10.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n10) } OR EXISTS { (n10)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) } }})) AS n11
}
RETURN collect(n6 {id: n6.id, subject: n6.subject, `chain`: n11}) AS found1
}
CALL (found0, found1) {
UNWIND $p4 AS wanted
MATCH (n13:Note {id: wanted}) WHERE EXISTS { (n13)-[:ON|ATTACHED_TO]->{1,2}(n14) WHERE NOT n14:Note AND (NOT n14:Activity OR EXISTS { (n14)-[:OWNED_BY|WITH_USER]->(n15:User) WHERE (n15.id = $p2 OR EXISTS { (:User {id: $p2})-[:MANAGES]->(n15) } OR EXISTS { (n15)-[:SHARES_CALENDAR_WITH]->(:User {id: $p2}) }) }) }
RETURN collect(n13 {id: n13.id, text: n13.text}) AS found2
}
RETURN found0, found1, found2, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = 3
// $p1 = ["cus_1"]
// $p2 = "usr_member"
// $p3 = ["act_2"]
// $p4 = ["not_3"]
