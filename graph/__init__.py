"""Neo4j access: the driver, every Cypher statement, constraints and the local server."""

if __name__ != "kesher.graph":
    raise ImportError(f"{__name__} is the package kesher.graph: import it under that name only")
