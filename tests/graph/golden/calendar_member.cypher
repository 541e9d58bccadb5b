UNWIND range(0, size($p0) - 1) AS i
OPTIONAL MATCH (u:User {id: $p0[i]})
WITH i, u, u IS NOT NULL AND (u.id = $p1 OR EXISTS { (:User {id: $p1})-[:MANAGES]->(u) } OR EXISTS { (u)-[:SHARES_CALENDAR_WITH]->(:User {id: $p1}) }) AS visible
CALL (u, visible) {
  WITH u WHERE visible
  UNWIND $p5 AS month
  MATCH (n1:Activity)-[:ON_CALENDAR]->(:CalendarMonth {key: u.id + '|' + month})
  WHERE n1.startAt < $p3 AND (n1.endAt > $p2 OR (n1.endAt = n1.startAt AND n1.startAt >= $p2) OR (n1.recurrence IS NOT NULL AND coalesce(n1.recurrenceEndsAt > $p2, true))) AND n1.closedAt IS NULL
  WITH DISTINCT n1 ORDER BY n1.startAt, n1.id LIMIT $p4
CALL (n1) {
OPTIONAL MATCH (n1)-[:ABOUT {primary: true}]->(n2:Customer)
RETURN head(collect(n2 {id: n2.id, name: n2.name})) AS n3
}
  RETURN collect(n1 {id: n1.id, cancelled_starts: n1.cancelledStarts, ends_at: n1.endAt, moved_starts: n1.movedStarts, moved_to: n1.movedTo, moved_to_end: n1.movedToEnd, recurrence: n1.recurrence, starts_at: n1.startAt, state: [category IN COLLECT { MATCH (n1)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n1.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n1.subject, time_zone: n1.timeZone, `customer`: n3}) AS activities
}
RETURN i, $p0[i] AS id, u IS NOT NULL AS found, visible, u {id: u.id, name: u.name} AS user, activities ORDER BY i

// $p0 = ["usr_member", "usr_other"]
// $p1 = "usr_member"
// $p2 = datetime("2026-11-01T00:00:00+00:00")
// $p3 = datetime("2026-12-01T00:00:00+00:00")
// $p4 = 1001
// $p5 = ["2026-11", "long"]
