MATCH (n1:Project {id: $p16})
CALL (n1) {
MATCH (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3)
MATCH (n4:RelationshipType {key: type(n2)})
WHERE ((n4.sortOrder < $p9) OR (n4.sortOrder = $p10 AND n3.name < $p11) OR (n4.sortOrder = $p12 AND n3.name = $p13 AND n2.id < $p14))
WITH n1, n2, n3, n4 ORDER BY n4.sortOrder DESC, n3.name DESC, n2.id DESC LIMIT $p15
RETURN collect({outgoing: startNode(n2) = n1, label: CASE WHEN startNode(n2) = n1 THEN n4.reciprocalLabel ELSE n4.label END, other: n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL}, relationship: {id: n2.id, type_key: type(n2), colour: n4.colour, starts_on: n2.startsOn, ends_on: n2.endsOn, note: n2.note, created_at: n2.createdAt, type: {id: n4.id, key: n4.key, label: n4.label, reciprocal_label: n4.reciprocalLabel, symmetric: n4.symmetric, colour: n4.colour, sort_order: n4.sortOrder, from_kind: n4.fromKind, to_kind: n4.toKind, limit_per_source: n4.limitPerSource, limit_per_target: n4.limitPerTarget, description: n4.description, created_at: n4.createdAt, updated_at: n4.updatedAt}, source: CASE WHEN startNode(n2) = n1 THEN n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} ELSE n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL} END, target: CASE WHEN startNode(n2) = n1 THEN n3 {.id, .name, kind: CASE WHEN n3:Customer THEN 'CUSTOMER' WHEN n3:Contact THEN 'CONTACT' WHEN n3:Project THEN 'PROJECT' WHEN n3:ExternalParty THEN 'EXTERNAL' END, archived: n3.archivedAt IS NOT NULL} ELSE n1 {.id, .name, kind: CASE WHEN n1:Customer THEN 'CUSTOMER' WHEN n1:Contact THEN 'CONTACT' WHEN n1:Project THEN 'PROJECT' WHEN n1:ExternalParty THEN 'EXTERNAL' END, archived: n1.archivedAt IS NOT NULL} END}, _cursor: [n4.sortOrder, n3.name, n2.id]}) AS n5
}
RETURN n1 {id: n1.id, name: n1.name, `relationships`: {rows: n5, behind: EXISTS { MATCH (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3)
MATCH (n4:RelationshipType {key: type(n2)}) WHERE ((n4.sortOrder > $p0) OR (n4.sortOrder = $p1 AND n3.name > $p2) OR (n4.sortOrder = $p3 AND n3.name = $p4 AND n2.id > $p5) OR (n4.sortOrder = $p6 AND n3.name = $p7 AND n2.id = $p8)) RETURN n2 }}} AS row, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = 2
// $p1 = 2
// $p2 = "Alef"
// $p3 = 2
// $p4 = "Alef"
// $p5 = "rel_7"
// $p6 = 2
// $p7 = "Alef"
// $p8 = "rel_7"
// $p9 = 2
// $p10 = 2
// $p11 = "Alef"
// $p12 = 2
// $p13 = "Alef"
// $p14 = "rel_7"
// $p15 = 5
// $p16 = "prj_1"
