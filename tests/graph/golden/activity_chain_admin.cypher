MATCH (n1:Activity {id: $p2})
CALL (n1) {
MATCH (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n2:Activity {kind: 'OFFER'} WHERE n2 <> n1)
WITH n2 ORDER BY n2.startAt DESC, n2.id LIMIT $p0
RETURN collect(n2 {id: n2.id, _cursor: [n2.startAt, n2.id], ref: n2.ref, subject: n2.subject}) AS n3
}
CALL (n1) {
OPTIONAL MATCH (n1)-[:IN_CHAIN]->(n4:Chain)
CALL (n4) {
MATCH (n5:Activity)-[:IN_CHAIN]->(n4)
WITH n5 ORDER BY n5.startAt DESC, n5.id LIMIT $p1
RETURN collect(n5 {id: n5.id, _cursor: [n5.startAt, n5.id], kind: n5.kind, ref: n5.ref, starts_at: n5.startAt}) AS n6
}
RETURN head(collect(n4 {id: n4.id, duration_seconds: duration.inSeconds(COLLECT { MATCH (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true RETURN chain_step.startAt AS at ORDER BY at LIMIT 1 }[0], COLLECT { MATCH (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true RETURN chain_step.startAt AS at ORDER BY at DESC LIMIT 1 }[0]).seconds, last_at: COLLECT { MATCH (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true RETURN chain_step.startAt AS at ORDER BY at DESC LIMIT 1 }[0], slowest_step: [chain_steps IN [COLLECT { MATCH (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true RETURN chain_step ORDER BY chain_step.startAt, chain_step.id }] | reduce(chain_best = null, chain_i IN range(1, size(chain_steps) - 1) | CASE WHEN chain_best IS NULL OR duration.inSeconds(chain_steps[chain_i - 1].startAt, chain_steps[chain_i].startAt).seconds > chain_best.gap_seconds THEN {gap_seconds: duration.inSeconds(chain_steps[chain_i - 1].startAt, chain_steps[chain_i].startAt).seconds, earlier: {id: chain_steps[chain_i - 1].id, ref: chain_steps[chain_i - 1].ref, kind: chain_steps[chain_i - 1].kind, subject: chain_steps[chain_i - 1].subject, starts_at: chain_steps[chain_i - 1].startAt}, later: {id: chain_steps[chain_i].id, ref: chain_steps[chain_i].ref, kind: chain_steps[chain_i].kind, subject: chain_steps[chain_i].subject, starts_at: chain_steps[chain_i].startAt}} ELSE chain_best END)][0], started_at: COLLECT { MATCH (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true RETURN chain_step.startAt AS at ORDER BY at LIMIT 1 }[0], steps: COUNT { (n4)<-[:IN_CHAIN]-(chain_step:Activity) WHERE true }, `actions`: {rows: n6}})) AS n7
}
RETURN n1 {id: n1.id, ref: n1.ref, state: [category IN COLLECT { MATCH (n1)-[:HAS_STATUS]->(state_status) RETURN state_status.category } | CASE category WHEN 'OPEN' THEN CASE WHEN n1.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END ELSE category END][0], subject: n1.subject, `linkedOffers`: {rows: n3, total: COUNT { MATCH (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n2:Activity {kind: 'OFFER'} WHERE n2 <> n1) }}, `chain`: n7, linked_counts: {events: COUNT { (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n8:Activity {kind: 'EVENT'}) WHERE n8 <> n1 AND true }, offers: COUNT { (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n9:Activity {kind: 'OFFER'}) WHERE n9 <> n1 AND true }, product_records: COUNT { (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n10:Activity {kind: 'PRODUCT_RECORD'}) WHERE n10 <> n1 AND true }, tasks: COUNT { (n1)-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-(n11:Activity {kind: 'TASK'}) WHERE n11 <> n1 AND true }}} AS row

// $p0 = 4
// $p1 = 6
// $p2 = "act_1"
