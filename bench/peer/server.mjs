// The benchmark's peer: @neo4j/graphql under Apollo Server's standalone HTTP server, over
// the same Neo4j database as Kesher, serving POST /graphql.
//
// Apollo Server is what the @neo4j/graphql manual starts from; its standalone server is
// Node's own http module with a JSON body parser, and it caches parsed and validated
// documents, so repeated operations skip both. The server runs one process per core
// (node:cluster, sharing the port), as a user would put a Node service on a machine with
// more than one core; WORKERS overrides the count. Kesher's uvicorn runs with workers too.
//
// The database needs APOC core: @neo4j/graphql writes every DateTime it reads with
// apoc.date.convertFormat (bench/peer.py `with_apoc` installs it into a benchmark Neo4j).
//
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (default neo4j),
// PORT (default 4000), WORKERS (default: the number of cores). Prints one line starting
// with "peer ready" once every worker listens.

import cluster from "node:cluster";
import { availableParallelism } from "node:os";

import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

import { typeDefinitions } from "./typedefs.mjs";

const port = Number(process.env.PORT ?? 4000);
const database = process.env.NEO4J_DATABASE ?? "neo4j";
const workers = Number(process.env.WORKERS ?? availableParallelism());

const CATALOG = `
MATCH (t:RelationshipType) WHERE t.key IS NOT NULL
RETURN t.key AS key, t.fromKind AS fromKind, t.toKind AS toKind ORDER BY t.sortOrder, t.key`;

function required(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`peer: ${name} is not set`);
        process.exit(2);
    }
    return value;
}

/** Reads the relationship-type catalog, builds the schema and listens on `port`. */
async function serve() {
    const driver = neo4j.driver(
        required("NEO4J_URI"),
        neo4j.auth.basic(required("NEO4J_USER"), required("NEO4J_PASSWORD")),
    );
    const { records } = await driver.executeQuery(CATALOG, {}, { database, routing: "READ" });
    const catalog = records.map((record) => record.toObject());
    const neoSchema = new Neo4jGraphQL({ typeDefs: typeDefinitions(catalog), driver });
    const schema = await neoSchema.getSchema();
    const server = new ApolloServer({ schema });
    const { url } = await startStandaloneServer(server, {
        listen: { port, host: "127.0.0.1" },
        context: async () => ({ sessionConfig: { database } }),
    });
    return { url, types: catalog.length };
}

if (workers > 1 && cluster.isPrimary) {
    let listening = 0;
    for (let i = 0; i < workers; i++) cluster.fork();
    cluster.on("message", (_worker, message) => {
        if (message?.listening && ++listening === workers) {
            console.log(
                `peer ready: ${message.url} (${workers} workers, ${message.types} relationship types)`,
            );
        }
    });
    cluster.on("exit", (worker, code, signal) => {
        console.error(`peer: worker ${worker.process.pid} stopped (${signal ?? code})`);
        process.exit(1);
    });
    // Stopping: each worker drains its server (Apollo stops on SIGTERM), and the primary
    // leaves once all have gone, so that none loses the channel to it while closing.
    for (const stop of ["SIGTERM", "SIGINT"]) {
        process.on(stop, () => {
            cluster.removeAllListeners("exit");
            cluster.on("exit", () => {
                if (Object.keys(cluster.workers).length === 0) process.exit(0);
            });
            for (const worker of Object.values(cluster.workers)) worker.process.kill("SIGTERM");
        });
    }
} else {
    serve().then(
        ({ url, types }) => {
            if (cluster.isWorker) process.send({ listening: true, url, types });
            else console.log(`peer ready: ${url} (1 worker, ${types} relationship types)`);
        },
        (error) => {
            console.error("peer: could not start:", error);
            process.exit(1);
        },
    );
}
