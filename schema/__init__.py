"""The Strawberry schema: types, inputs, enums, permissions and security extensions."""
