"""Resolvers: GraphQL arguments and selections in, graph calls out, types back."""

if __name__ != "kesher.resolvers":
    raise ImportError(f"{__name__} is the package kesher.resolvers: import it under that name only")

# The features that read fields into parts of a shape register them when imported
# (`kesher.resolvers.selection.read_as_part`); importing them here has them registered
# before any selection is read.
from kesher.resolvers import relationship_fields as relationship_fields
