"""The query root, assembled from the features' query fields. Each field is answered by one
Cypher statement."""

from __future__ import annotations

import strawberry

from kesher.schema.activity_catalogs import ActivityCatalogQueries
from kesher.schema.activity_operations import ActivityQueries
from kesher.schema.board import BoardQueries
from kesher.schema.calendar import CalendarQueries
from kesher.schema.chain_operations import ChainQueries
from kesher.schema.chain_stats import ChainStatsQueries
from kesher.schema.exports import ExportQueries
from kesher.schema.imports import ImportQueries
from kesher.schema.merge import DuplicateQueries
from kesher.schema.network import NetworkQueries
from kesher.schema.node import NodeQueries
from kesher.schema.notes import NoteQueries
from kesher.schema.processes import ProcessQueries
from kesher.schema.record_fields import RecordQueries
from kesher.schema.relationship_fields import RelationshipQueries
from kesher.schema.timeline import TimelineQueries


@strawberry.type(description="Everything that can be read.")
class Query(
    CalendarQueries,
    ActivityQueries,
    ActivityCatalogQueries,
    ChainStatsQueries,
    ProcessQueries,
    ChainQueries,
    BoardQueries,
    NoteQueries,
    NodeQueries,
    ImportQueries,
    ExportQueries,
    DuplicateQueries,
    NetworkQueries,
    TimelineQueries,
    RecordQueries,
    RelationshipQueries,
):
    pass
