MATCH (n1:Contact {id: $p17})
CALL (n1) {
OPTIONAL MATCH (n1)-[:WORKS_AT]->(n2:Customer)
RETURN head(collect(n2 {id: n2.id, name: n2.name})) AS n3
}
CALL (n1) {
MATCH (n1)-[n4:ADVISED_BY|PARTNER_OF]-(n5)
MATCH (n6:RelationshipType {key: type(n4)})
WHERE (n4.startsOn IS NULL OR n4.startsOn <= $p0) AND (n4.endsOn IS NULL OR n4.endsOn >= $p0) AND ((n6.sortOrder > $p10) OR (n6.sortOrder = $p11 AND n5.name > $p12) OR (n6.sortOrder = $p13 AND n5.name = $p14 AND n4.id > $p15))
WITH n1, n4, n5, n6 ORDER BY n6.sortOrder, n5.name, n4.id LIMIT $p16
RETURN collect({outgoing: startNode(n4) = n1, label: CASE WHEN startNode(n4) = n1 THEN n6.reciprocalLabel ELSE n6.label END, other: n5 {.id, .name, kind: CASE WHEN n5:Customer THEN 'CUSTOMER' WHEN n5:Contact THEN 'CONTACT' WHEN n5:Project THEN 'PROJECT' WHEN n5:ExternalParty THEN 'EXTERNAL' END, archived: n5.archivedAt IS NOT NULL}, relationship: {id: n4.id, type_key: type(n4), colour: n6.colour, starts_on: n4.startsOn, ends_on: n4.endsOn, note: n4.note, created_at: n4.createdAt, type: {id: n6.id, key: n6.key, label: n6.label, reciprocal_label: n6.reciprocalLabel, symmetric: n6.symmetric, colour: n6.colour, sort_order: n6.sortOrder, from_kind: n6.fromKind, to_kind: n6.toKind, limit_per_source: n6.limitPerSource, limit_per_target: n6.limitPerTarget, description: n6.description, created_at: n6.createdAt, updated_at: n6.updatedAt}, source: CASE WHEN startNode(n4) = n1 THEN n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} ELSE n5 {.id, .name, kind: CASE WHEN n5:Customer THEN 'CUSTOMER' WHEN n5:Contact THEN 'CONTACT' WHEN n5:Project THEN 'PROJECT' WHEN n5:ExternalParty THEN 'EXTERNAL' END, archived: n5.archivedAt IS NOT NULL} END, target: CASE WHEN startNode(n4) = n1 THEN n5 {.id, .name, kind: CASE WHEN n5:Customer THEN 'CUSTOMER' WHEN n5:Contact THEN 'CONTACT' WHEN n5:Project THEN 'PROJECT' WHEN n5:ExternalParty THEN 'EXTERNAL' END, archived: n5.archivedAt IS NOT NULL} ELSE n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} END}, _cursor: [n6.sortOrder, n5.name, n4.id]}) AS n7
}
RETURN n1 {id: n1.id, name: n1.name, `customer`: n3, `relationships`: {rows: n7, total: COUNT { (n1)-[n4:ADVISED_BY|PARTNER_OF]-() WHERE (n4.startsOn IS NULL OR n4.startsOn <= $p0) AND (n4.endsOn IS NULL OR n4.endsOn >= $p0) }, behind: EXISTS { MATCH (n1)-[n4:ADVISED_BY|PARTNER_OF]-(n5)
MATCH (n6:RelationshipType {key: type(n4)}) WHERE (n4.startsOn IS NULL OR n4.startsOn <= $p0) AND (n4.endsOn IS NULL OR n4.endsOn >= $p0) AND ((n6.sortOrder < $p1) OR (n6.sortOrder = $p2 AND n5.name < $p3) OR (n6.sortOrder = $p4 AND n5.name = $p5 AND n4.id < $p6) OR (n6.sortOrder = $p7 AND n5.name = $p8 AND n4.id = $p9)) RETURN n4 }}} AS row, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = date("2026-06-30")
// $p1 = 2
// $p2 = 2
// $p3 = "Alef"
// $p4 = 2
// $p5 = "Alef"
// $p6 = "rel_7"
// $p7 = 2
// $p8 = "Alef"
// $p9 = "rel_7"
// $p10 = 2
// $p11 = 2
// $p12 = "Alef"
// $p13 = 2
// $p14 = "Alef"
// $p15 = "rel_7"
// $p16 = 6
// $p17 = "con_1"
