CALL () {
MATCH (c:Customer) WHERE c.id IN $p2 MATCH (c)-[:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n4:Customer) WITH DISTINCT n4 AS n1
WHERE n1.archivedAt IS NULL AND EXISTS { (n1)-[n2:ADVISED_BY|PARENT_COMPANY_OF|PARTNER_OF]-(n3:Customer) WHERE n3.archivedAt IS NULL AND n3.id IN $p0 AND (n2.endsOn IS NULL OR n2.endsOn >= $p1) }
WITH n1 ORDER BY n1.name, n1.id LIMIT $p3
RETURN collect(n1 {id: n1.id, _cursor: [n1.name, n1.id], name: n1.name, linked_counts: {contacts: COUNT { (n1)<-[:WORKS_AT]-(c:Contact) WHERE c.archivedAt IS NULL }}}) AS rows
}
RETURN rows, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = ["cus_1", "cus_2"]
// $p1 = date(today)
// $p2 = ["cus_1", "cus_2"]
// $p3 = 6
