"""The Strawberry schema: types, inputs, enums, permissions and security extensions."""

if __name__ != "kesher.schema":
    raise ImportError(f"{__name__} is the package kesher.schema: import it under that name only")
