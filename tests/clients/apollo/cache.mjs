// Apollo Client 4 with a default InMemoryCache (no typePolicies) against a live Kesher.
// The cache keys every object by __typename and id, so an object with an id must read the
// same from everywhere. This opens two linked cards, a calendar with a repeating event and
// two maps, reads each earlier answer back from the cache, and reports every difference.
//
// node cache.mjs <url> <token> <json: {a, b, c, user, from, to}>
import { isDeepStrictEqual } from "node:util";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const [url, token, given] = process.argv.slice(2);
const { a, b, c, user, from, to } = JSON.parse(given);

const client = new ApolloClient({
  link: new HttpLink({ uri: `${url}/graphql`, headers: { authorization: `Bearer ${token}` } }),
  cache: new InMemoryCache(),
});

const CARD = gql`
  query Card($id: ID!) {
    customer(id: $id) {
      id
      name
      relationships {
        edges {
          node {
            label
            outgoing
            other { id name }
            relationship { id typeKey source { id } target { id } }
          }
        }
      }
    }
  }
`;

const CALENDAR = gql`
  query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
    calendar(userIds: $users, from: $from, to: $to) {
      user { id }
      occurrences { id startsAt originalStart activity { id subject startsAt } }
    }
  }
`;

const MAP = gql`
  query Map($roots: [ID!]!, $depth: Int!) {
    relationMap(rootIds: $roots, depth: $depth) {
      nodes { depth party { id name } }
      edges { id source target typeKey }
    }
  }
`;

const failures = [];
function expect(ok, message) {
  if (!ok) failures.push(message);
}

async function fetched(query, variables) {
  const { data } = await client.query({ query, variables, fetchPolicy: "network-only" });
  return data;
}

function cached(query, variables) {
  return client.readQuery({ query, variables });
}

// Two linked cards: reading B must leave A's link pointing to B.
const cardA = await fetched(CARD, { id: a });
await fetched(CARD, { id: b });
const cardAAgain = cached(CARD, { id: a });
expect(isDeepStrictEqual(cardAAgain, cardA), "card A reads differently after card B was opened");
const link = cardAAgain.customer.relationships.edges[0]?.node;
expect(link?.other.id === b, `card A's link points to ${link?.other.id}, not to B (${b})`);
expect(link?.outgoing === true, "card A's link no longer starts at A");

// A calendar with a weekly event: five occurrences, five entries.
const calendar = await fetched(CALENDAR, { users: [user], from, to });
const calendarAgain = cached(CALENDAR, { users: [user], from, to });
const occurrences = calendarAgain.calendar[0].occurrences;
const starts = occurrences.map((occurrence) => occurrence.startsAt);
expect(occurrences.length === 5, `the calendar holds ${occurrences.length} occurrences, not 5`);
expect(new Set(starts).size === 5, `the cache gives ${new Set(starts).size} distinct starts: ${starts}`);
expect(
  isDeepStrictEqual(calendarAgain, calendar),
  "the calendar reads differently from the cache than from the server",
);

// Two maps from different roots and depths: the first keeps its depths.
const first = await fetched(MAP, { roots: [a], depth: 2 });
await fetched(MAP, { roots: [c], depth: 3 });
const firstAgain = cached(MAP, { roots: [a], depth: 2 });
const depths = (found) => found.relationMap.nodes.map((node) => [node.party.id, node.depth]);
expect(
  isDeepStrictEqual(depths(firstAgain), depths(first)),
  `the first map's depths changed: ${JSON.stringify(depths(first))} became ` +
    JSON.stringify(depths(firstAgain)),
);
expect(
  firstAgain.relationMap.nodes[0]?.depth === 0,
  `the first map's root has depth ${firstAgain.relationMap.nodes[0]?.depth}`,
);

console.log(
  JSON.stringify({
    link: link && { label: link.label, other: link.other.id },
    starts,
    depths: depths(firstAgain),
  }),
);
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
