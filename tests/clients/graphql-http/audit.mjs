// Audits a GraphQL endpoint with graphql-http's server audits (GraphQL over HTTP) and
// prints how many came out ok, notice (a failed MAY), warn (a failed SHOULD) and error (a
// failed MUST), then each one that is not ok.
// Usage: node audit.mjs <url>
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) counts[result.status] += 1;
console.log(
  `ok ${counts.ok}, notice ${counts.notice}, warn ${counts.warn}, error ${counts.error}`,
);
for (const result of results) {
  if (result.status !== 'ok') {
    console.log(`${result.status}: ${result.id} ${result.name}: ${result.reason}`);
  }
}
