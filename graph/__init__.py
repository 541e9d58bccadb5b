"""Neo4j access: the driver, every Cypher statement, constraints and the local server."""
