"""Resolvers: GraphQL arguments and selections in, graph calls out, types back."""

if __name__ != "kesher.resolvers":
    raise ImportError(f"{__name__} is the package kesher.resolvers: import it under that name only")
