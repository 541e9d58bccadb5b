"""Kesher: the relationship-graph core of a CRM, served as GraphQL over Neo4j."""

__version__ = "0.1.0"
