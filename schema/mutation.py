"""The mutation root, assembled from the features' mutations. Each mutation is one write
transaction: it happens fully or not at all, and a refusal comes back as a `MutationError`
with nothing changed."""

from __future__ import annotations

import strawberry

from kesher.schema.activity_catalogs import ActivityCatalogMutations
from kesher.schema.activity_operations import ActivityMutations
from kesher.schema.assignment import AssignmentMutations
from kesher.schema.attachments import AttachmentMutations
from kesher.schema.board import BoardMutations
from kesher.schema.calendar import CalendarMutations
from kesher.schema.calendar_access import CalendarAccessMutations
from kesher.schema.call_logs import CallLogMutations
from kesher.schema.chain_operations import ChainMutations
from kesher.schema.emails import EmailMutations
from kesher.schema.imports import ImportMutations
from kesher.schema.merge import MergeMutations
from kesher.schema.notes import NoteMutations
from kesher.schema.processes import ProcessMutations
from kesher.schema.record_fields import RecordMutations
from kesher.schema.relationship_fields import RelationshipMutations
from kesher.schema.sign_in import SignInMutations
from kesher.schema.tasks import TaskMutations


@strawberry.type(description="Everything that changes data.")
class Mutation(
    CalendarMutations,
    ActivityMutations,
    ActivityCatalogMutations,
    ProcessMutations,
    ChainMutations,
    AttachmentMutations,
    BoardMutations,
    NoteMutations,
    EmailMutations,
    AssignmentMutations,
    TaskMutations,
    CallLogMutations,
    ImportMutations,
    MergeMutations,
    SignInMutations,
    RecordMutations,
    RelationshipMutations,
    CalendarAccessMutations,
):
    pass
