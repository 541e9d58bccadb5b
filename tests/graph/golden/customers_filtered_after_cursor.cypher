CALL () {
MATCH (n1:Customer)
WHERE n1.archivedAt IS NULL AND n1.status IN $p0 AND EXISTS { (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3:Customer) WHERE n3.archivedAt IS NULL AND (n2.endsOn IS NULL OR n2.endsOn >= $p1) } AND n1.createdAt >= $p2 AND n1.name IS NOT NULL
RETURN count(n1) AS total
}
CALL () {
MATCH (n1:Customer)
WHERE n1.archivedAt IS NULL AND n1.status IN $p0 AND EXISTS { (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3:Customer) WHERE n3.archivedAt IS NULL AND (n2.endsOn IS NULL OR n2.endsOn >= $p1) } AND n1.createdAt >= $p2 AND n1.name IS NOT NULL AND ((n1.name > $p3) OR (n1.name = $p4 AND n1.id > $p5))
WITH n1 ORDER BY n1.name, n1.id LIMIT $p7
CALL (n1) {
OPTIONAL MATCH (n1)-[:OWNED_BY]->(n4:User)
RETURN head(collect(n4 {id: n4.id, name: n4.name})) AS n5
}
WITH * ORDER BY n1.name, n1.id
RETURN collect(n1 {id: n1.id, _cursor: [n1.name, n1.id], name: n1.name, status: n1.status, `owner`: n5, is_linked_to_customers: EXISTS { (n1)-[n6:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n7:Customer) WHERE n7.archivedAt IS NULL AND (n6.endsOn IS NULL OR n6.endsOn >= $p6) }}) AS rows
}
RETURN rows, total, EXISTS { MATCH (n1:Customer) WHERE n1.archivedAt IS NULL AND n1.status IN $p0 AND EXISTS { (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3:Customer) WHERE n3.archivedAt IS NULL AND (n2.endsOn IS NULL OR n2.endsOn >= $p1) } AND n1.createdAt >= $p2 AND n1.name IS NOT NULL AND ((n1.name < $p8) OR (n1.name = $p9 AND n1.id < $p10) OR (n1.name = $p11 AND n1.id = $p12)) RETURN n1 } AS behind, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = ["ACTIVE", "LEAD"]
// $p1 = date(today)
// $p2 = datetime("2026-01-01T00:00:00+00:00")
// $p3 = "Cohen Ltd"
// $p4 = "Cohen Ltd"
// $p5 = "cus_40"
// $p6 = date(today)
// $p7 = 11
// $p8 = "Cohen Ltd"
// $p9 = "Cohen Ltd"
// $p10 = "cus_40"
// $p11 = "Cohen Ltd"
// $p12 = "cus_40"
