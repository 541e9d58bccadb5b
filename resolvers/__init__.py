"""Resolvers: GraphQL arguments and selections in, graph calls out, types back."""
