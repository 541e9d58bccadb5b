MATCH (board_column:ActivityStatus) WHERE board_column.sortOrder IS NOT NULL
CALL (board_column) {
  MATCH (n1:Activity)-[:HAS_STATUS]->(board_column) WHERE n1.closedAt IS NULL AND EXISTS { (n1)-[:OWNED_BY|WITH_USER]->(n2:User) WHERE (n2.id = $p0 OR EXISTS { (:User {id: $p0})-[:MANAGES]->(n2) } OR EXISTS { (n2)-[:SHARES_CALENDAR_WITH]->(:User {id: $p0}) }) }
  RETURN count(n1) AS board_count
}
CALL (board_column) {
  MATCH (n1:Activity)-[:HAS_STATUS]->(board_column) WHERE n1.closedAt IS NULL AND EXISTS { (n1)-[:OWNED_BY|WITH_USER]->(n2:User) WHERE (n2.id = $p0 OR EXISTS { (:User {id: $p0})-[:MANAGES]->(n2) } OR EXISTS { (n2)-[:SHARES_CALENDAR_WITH]->(:User {id: $p0}) }) }
  WITH n1 ORDER BY n1.updatedAt DESC, n1.id LIMIT $p1
CALL (n1) {
OPTIONAL MATCH (n1)-[:OWNED_BY]->(n3:User)
RETURN head(collect(n3 {id: n3.id, name: n3.name})) AS n4
}
  WITH * ORDER BY n1.updatedAt DESC, n1.id
  RETURN collect(n1 {id: n1.id, state: [category IN COLLECT { MATCH (n1)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n1.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n1.subject, `owner`: n4}) AS board_cards
}
WITH board_column.id AS value, board_column.name AS label, board_column.colour AS colour, board_count, board_cards ORDER BY board_column.sortOrder, board_column.name
RETURN collect({value: value, label: label, colour: colour, count: board_count, cards: board_cards}) AS columns

// $p0 = "usr_member"
// $p1 = 3
