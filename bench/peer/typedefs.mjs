// The peer's type definitions: Kesher's graph model as @neo4j/graphql users would write it.
//
// Node types carry the labels and properties the seeds store (times are DateTime, a
// link's start and end days are Date); relationship fields follow the edges in their
// direction. The relationship-type catalog is data: its keys are Neo4j relationship
// types, so the fields for typed links are generated from the catalog read at start-up,
// one field each way on the kinds of party a type joins (and on free-text parties, which
// may stand at either end of any type).
//
// No authorisation: Kesher checks a bearer token on every request and limits what each
// user sees in its Cypher; the peer runs unauthenticated, which favours the peer.
//
// Fields computed with @cypher, because the generated API has no way to express them:
// - Activity.state: LATE, PENDING, DONE or CANCELLED from the status category and the
//   time now (a comparison with datetime() in a projection);
// - Query.relationMap: every live party within `depth` links of the roots over the
//   catalog's types, once each at its distance from the nearest root (ANY SHORTEST from
//   each root), and the links among them. Nested selections would give a tree of walks,
//   one subquery per field and level and a fragment per kind of party, without dedup or
//   depths: 18 fields at depth 3 are thousands of subqueries;
// - Query.relationshipPath: the shortest chain of links between two parties (SHORTEST 1).
// Both take the arguments and give the shape of Kesher's fields of the same names.
// Everything else (cards, counts, calendars, lists) uses the generated fields: nested
// relationship fields, `…Connection { totalCount }`, `where`, `sort` and `limit`.

// The API's name for each kind of party, as Kesher reports it.
const KIND_NAMES = {
    Customer: "CUSTOMER",
    Contact: "CONTACT",
    Project: "PROJECT",
    ExternalParty: "EXTERNAL",
};
const PARTIES = Object.keys(KIND_NAMES);
// The deepest walks the @cypher fields offer (Kesher's limits: map depth 4, path 6).
const MAX_MAP_DEPTH = 4;
const MAX_PATH_DEPTH = 6;
const KEY = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** The field name of a catalog key's edges leaving (`Out`) or reaching (`In`) a party:
 * PARENT_COMPANY_OF gives parentCompanyOfOut and parentCompanyOfIn. */
export function linkField(key, direction) {
    const words = key.toLowerCase().split("_");
    const camel = words[0] + words.slice(1).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
    return camel + (direction === "OUT" ? "Out" : "In");
}

/** The catalog's link fields on each kind of party: [field, key, direction]. */
export function linkFields(catalog) {
    const fields = Object.fromEntries(PARTIES.map((kind) => [kind, []]));
    for (const { key, fromKind, toKind } of catalog) {
        if (!KEY.test(key)) throw new Error(`not a relationship type: ${key}`);
        fields[fromKind].push([linkField(key, "OUT"), key, "OUT"]);
        fields[toKind].push([linkField(key, "IN"), key, "IN"]);
        if (fromKind !== "ExternalParty") fields.ExternalParty.push([linkField(key, "OUT"), key, "OUT"]);
        if (toKind !== "ExternalParty") fields.ExternalParty.push([linkField(key, "IN"), key, "IN"]);
    }
    for (const kind of PARTIES) {
        const seen = new Set();
        fields[kind] = fields[kind].filter(([name]) => !seen.has(name) && seen.add(name));
    }
    return fields;
}

function links(fields) {
    return fields
        .map(
            ([name, key, direction]) =>
                `    ${name}: [Party!]! @relationship(type: "${key}", direction: ${direction}, properties: "Link")`,
        )
        .join("\n");
}

function kindOf(x) {
    const cases = PARTIES.map((label) => `WHEN ${x}:${label} THEN '${KIND_NAMES[label]}'`).join(" ");
    return `CASE ${cases} END`;
}

function findParty(x, id) {
    return PARTIES.map((label) => `MATCH (${x}:${label} {id: ${id}}) RETURN ${x}`).join(" UNION ");
}

const EDGE = `{id: r.id, source: startNode(r).id, target: endNode(r).id, typeKey: type(r),
      label: t.label, reciprocalLabel: t.reciprocalLabel, colour: t.colour,
      startsOn: r.startsOn, endsOn: r.endsOn}`;

// A quantifier cannot be a parameter, so each depth is a branch of its own, guarded by the
// argument: only the asked one runs.
function byDepth(most, branch) {
    return Array.from({ length: most }, (_, i) => branch(i + 1)).join("\n      UNION ALL\n");
}

function relationMapStatement(types) {
    const walk = (depth) =>
        `      WITH root WHERE $depth = ${depth}
      MATCH p = ANY SHORTEST (root)(()-[:${types}]-(n WHERE n.archivedAt IS NULL)){1,${depth}}(x)
      RETURN x, length(p) AS d`;
    return `
CALL () {
  UNWIND $rootIds AS rid
  CALL (rid) { ${findParty("x", "rid")} }
  RETURN collect(DISTINCT x) AS roots
}
CALL (roots) {
  UNWIND roots AS root
  CALL (root) {
${byDepth(MAX_MAP_DEPTH, walk)}
  }
  WITH x, min(d) AS depth WHERE NOT x IN roots
  WITH x, depth ORDER BY depth, x.id
  RETURN collect({node: x, depth: depth}) AS reached
}
WITH roots, reached, coalesce($limit, 200) - size(roots) AS room
WITH roots + [y IN reached[0..room] | y.node] AS nodes,
     [y IN roots | {node: y, depth: 0}] + reached[0..room] AS placed,
     size(reached) > room AS truncated
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[r:${types}]-(b) WHERE b IN nodes
  WITH DISTINCT r
  MATCH (t:RelationshipType {key: type(r)})
  RETURN collect(${EDGE}) AS edges
}
RETURN {
  nodes: [y IN placed | {id: y.node.id, kind: ${kindOf("y.node")}, label: y.node.name, depth: y.depth}],
  edges: edges,
  truncated: truncated
} AS map`;
}

function pathStatement(types) {
    const walk = (depth) =>
        `      WITH a, b WHERE coalesce($maxDepth, 4) = ${depth}
      MATCH p = SHORTEST 1 (a)(()-[:${types}]-(q) WHERE q = b OR q.archivedAt IS NULL){1,${depth}}(b)
      RETURN p`;
    return `
CALL () { ${findParty("a", "$fromId")} }
CALL () { ${findParty("b", "$toId")} }
CALL (a, b) {
${byDepth(MAX_PATH_DEPTH, walk)}
}
WITH nodes(p) AS found, relationships(p) AS steps
CALL (steps) {
  UNWIND steps AS r
  MATCH (t:RelationshipType {key: type(r)})
  RETURN collect(${EDGE}) AS edges
}
RETURN {
  nodes: [i IN range(0, size(found) - 1) |
    {id: found[i].id, kind: ${kindOf("found[i]")}, label: found[i].name, depth: i}],
  edges: edges,
  truncated: false
} AS map`;
}

/** The type definitions for a catalog of {key, fromKind, toKind} rows. */
export function typeDefinitions(catalog) {
    const fields = linkFields(catalog);
    const types = [...new Set(catalog.map(({ key }) => key))].sort().join("|");
    const mapFields = types
        ? `
    relationMap(rootIds: [ID!]!, depth: Int!, limit: Int): RelationMap
        @cypher(statement: """${relationMapStatement(types)}""", columnName: "map")
    relationshipPath(fromId: ID!, toId: ID!, maxDepth: Int): RelationMap
        @cypher(statement: """${pathStatement(types)}""", columnName: "map")`
        : "";
    return `
interface Party {
    id: ID!
    name: String!
}

type Link @relationshipProperties {
    id: ID!
    startsOn: Date
    endsOn: Date
    note: String
    createdAt: DateTime!
    createdBy: String
}

type About @relationshipProperties {
    primary: Boolean!
}

type Customer implements Party @node {
    id: ID!
    name: String!
    status: String!
    email: String
    phone: String
    website: String
    city: String
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    owner: [User!]! @relationship(type: "OWNED_BY", direction: OUT)
    contacts: [Contact!]! @relationship(type: "WORKS_AT", direction: IN)
    projects: [Project!]! @relationship(type: "FOR", direction: IN)
    activities: [Activity!]! @relationship(type: "ABOUT", direction: IN, properties: "About")
${links(fields.Customer)}
}

type Contact implements Party @node {
    id: ID!
    name: String!
    firstName: String
    lastName: String
    email: String
    phone: String
    title: String
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    customer: [Customer!]! @relationship(type: "WORKS_AT", direction: OUT)
${links(fields.Contact)}
}

type Project implements Party @node {
    id: ID!
    name: String!
    status: String!
    description: String
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    customer: [Customer!]! @relationship(type: "FOR", direction: OUT)
${links(fields.Project)}
}

type ExternalParty implements Party @node {
    id: ID!
    name: String!
    createdAt: DateTime!
    updatedAt: DateTime!
${links(fields.ExternalParty)}
}

type RelationshipType @node {
    id: ID!
    key: String!
    label: String!
    reciprocalLabel: String!
    symmetric: Boolean!
    colour: String!
    sortOrder: Int!
    fromKind: String!
    toKind: String!
}

type User @node {
    id: ID!
    email: String!
    name: String!
    handle: String!
    role: String!
    active: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
    manages: [User!]! @relationship(type: "MANAGES", direction: OUT)
    ownedActivities: [Activity!]! @relationship(type: "OWNED_BY", direction: IN)
    sharedActivities: [Activity!]! @relationship(type: "WITH_USER", direction: IN)
}

enum ActivityKind {
    EVENT
    TASK
    CALL
    EMAIL
    OFFER
    PRODUCT_RECORD
}

type Activity @node {
    id: ID!
    ref: String
    kind: ActivityKind!
    subject: String!
    description: String
    startAt: DateTime!
    endAt: DateTime!
    dueAt: DateTime
    allDay: Boolean!
    timeZone: String!
    externalUrl: String
    recurrence: String
    recurrenceEndsAt: DateTime
    cancelledStarts: [DateTime!]
    movedStarts: [DateTime!]
    movedTo: [DateTime!]
    movedToEnd: [DateTime!]
    closedAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    state: String!
        @cypher(
            statement: """
            MATCH (this)-[:HAS_STATUS]->(s:ActivityStatus)
            RETURN CASE s.category WHEN 'OPEN' THEN
                CASE WHEN this.startAt < datetime() THEN 'LATE' ELSE 'PENDING' END
            ELSE s.category END AS state
            """
            columnName: "state"
        )
    owner: [User!]! @relationship(type: "OWNED_BY", direction: OUT)
    participants: [User!]! @relationship(type: "WITH_USER", direction: OUT)
    customers: [Customer!]! @relationship(type: "ABOUT", direction: OUT, properties: "About")
    contact: [Contact!]! @relationship(type: "WITH_CONTACT", direction: OUT)
    type: [ActivityType!]! @relationship(type: "HAS_TYPE", direction: OUT)
    status: [ActivityStatus!]! @relationship(type: "HAS_STATUS", direction: OUT)
    chain: [Chain!]! @relationship(type: "IN_CHAIN", direction: OUT)
    follows: [Activity!]! @relationship(type: "FOLLOWS", direction: OUT)
}

type ActivityType @node {
    id: ID!
    name: String!
    colour: String!
    sortOrder: Int!
}

type ActivityStatus @node {
    id: ID!
    name: String!
    colour: String!
    category: String!
    sortOrder: Int!
}

type Chain @node {
    id: ID!
    createdAt: DateTime!
    activities: [Activity!]! @relationship(type: "IN_CHAIN", direction: IN)
}

type MapNode {
    id: ID!
    kind: String!
    label: String!
    depth: Int!
}

type MapEdge {
    id: ID!
    source: ID!
    target: ID!
    typeKey: String!
    label: String!
    reciprocalLabel: String!
    colour: String!
    startsOn: Date
    endsOn: Date
}

type RelationMap {
    nodes: [MapNode!]!
    edges: [MapEdge!]!
    truncated: Boolean!
}

type Query {${mapFields}
}
`;
}
