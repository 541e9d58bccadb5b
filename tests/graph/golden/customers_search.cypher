CALL () {
CALL db.index.fulltext.queryNodes($p0, $p1) YIELD node AS n1, score
WHERE n1:Customer AND n1.archivedAt IS NULL
RETURN count(n1) AS total
}
CALL () {
CALL db.index.fulltext.queryNodes($p0, $p1) YIELD node AS n1, score
WHERE n1:Customer AND n1.archivedAt IS NULL
WITH n1, score ORDER BY score DESC, n1.id LIMIT $p2
RETURN collect(n1 {id: n1.id, _cursor: [score, n1.id], city: n1.city, name: n1.name}) AS rows
}
RETURN rows, total

// $p0 = "customer_search"
// $p1 = "peres* AND eng*"
// $p2 = 6
