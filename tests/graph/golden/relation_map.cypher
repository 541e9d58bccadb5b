CALL () { UNWIND $p0 AS rid CALL (rid) { MATCH (x:Customer {id: rid}) RETURN x UNION MATCH (x:Contact {id: rid}) RETURN x UNION MATCH (x:Project {id: rid}) RETURN x UNION MATCH (x:ExternalParty {id: rid}) RETURN x } RETURN collect(DISTINCT x) AS roots }
WITH roots, roots AS frontier, roots AS seen, [roots] AS levels, [] AS edges, false AS truncated
CALL (frontier, seen) {
  UNWIND frontier AS a MATCH (a)-[r:PARENT_COMPANY_OF|PARTNER_OF]-(b) WHERE true AND b.archivedAt IS NULL
  WITH r, b LIMIT $p2
  WITH collect(DISTINCT r) AS found, collect(DISTINCT b) AS reached, count(*) AS read
  RETURN found, [x IN reached WHERE NOT x IN seen] AS fresh, read
}
WITH roots, seen, levels, edges + found AS edges, fresh, $p1 - size(seen) AS room, truncated OR read >= $p2 AS truncated
WITH roots, edges, fresh[0..room] AS frontier, seen + fresh[0..room] AS seen, levels + [fresh[0..room]] AS levels, truncated OR size(fresh) > room AS truncated
CALL (frontier, seen) {
  UNWIND frontier AS a MATCH (a)-[r:PARENT_COMPANY_OF|PARTNER_OF]-(b) WHERE true AND b.archivedAt IS NULL
  WITH r, b LIMIT $p2
  WITH collect(DISTINCT r) AS found, collect(DISTINCT b) AS reached, count(*) AS read
  RETURN found, [x IN reached WHERE NOT x IN seen] AS fresh, read
}
WITH roots, seen, levels, edges + found AS edges, fresh, $p1 - size(seen) AS room, truncated OR read >= $p2 AS truncated
WITH roots, edges, fresh[0..room] AS frontier, seen + fresh[0..room] AS seen, levels + [fresh[0..room]] AS levels, truncated OR size(fresh) > room AS truncated
CALL (frontier) {
  UNWIND frontier AS a MATCH (a)-[r:PARENT_COMPANY_OF|PARTNER_OF]-(b) WHERE b IN frontier AND true
  WITH r LIMIT $p2 RETURN collect(DISTINCT r) AS closing
}
WITH roots, levels, edges + closing AS edges, truncated
RETURN [depth IN range(0, size(levels) - 1) | [x IN levels[depth] | {id: x.id, party: x {.id, .name, kind: CASE WHEN x:Customer THEN 'CUSTOMER' WHEN x:Contact THEN 'CONTACT' WHEN x:Project THEN 'PROJECT' WHEN x:ExternalParty THEN 'EXTERNAL' END, archived: x.archivedAt IS NOT NULL}, depth: depth}]] AS levels, [r IN edges | {id: r.id, key: type(r), source: startNode(r).id, target: endNode(r).id, starts_on: r.startsOn, ends_on: r.endsOn}] AS edges, truncated, [rid IN $p0 WHERE NOT rid IN [x IN roots | x.id]] AS missing, COLLECT { MATCH (t:RelationshipType) WHERE t.key IS NOT NULL RETURN t {.key, .label, reciprocal_label: t.reciprocalLabel, .colour} } AS catalog, COLLECT { MATCH (catalogType:RelationshipType) WHERE catalogType.key IS NOT NULL RETURN catalogType.key } AS catalogKeys

// $p0 = ["cus_1", "con_2"]
// $p1 = 200
// $p2 = 5000
