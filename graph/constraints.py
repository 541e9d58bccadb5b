"""Constraints and indexes, applied idempotently when the service starts."""

from __future__ import annotations

from typing import LiteralString

from neo4j import AsyncDriver

from kesher.graph import duplicates
from kesher.graph.calendar_buckets import backfill
from kesher.graph.chains import REF_PREFIXES
from kesher.graph.kinds import PARTY_LABELS
from kesher.graph.tasks import REMINDER_LOCK

# Every label the graph stores with an `id`: each gets a uniqueness constraint on it, so a
# node is found by its id with an index seek. tests/graph/test_constraints.py checks that
# every label the code writes with an id is here.
LABELS_WITH_ID: tuple[LiteralString, ...] = (
    "User",
    *PARTY_LABELS,
    "Activity",
    "RelationshipType",
    "ActivityType",
    "ActivityStatus",
    "Chain",
    "Attachment",
    "AuditLine",
    "Note",
    "Notification",
    "Email",
    "CallLog",
    "ImportJob",
    # The one node every change to chains write-locks first (see kesher.graph.chains).
    "ChainLock",
    # The one node every round of task reminders write-locks first (see kesher.graph.tasks).
    "ReminderLock",
    # The marker of the calendar buckets' backfill (see kesher.graph.calendar_buckets).
    "CalendarBackfill",
)

# Names given before the label list made them; a database made then keeps them.
_ID_CONSTRAINT_NAMES: dict[str, LiteralString] = {"ImportJob": "import_job_id"}


def id_constraint(label: LiteralString) -> LiteralString:
    """The name of the uniqueness constraint on the id of `label`'s nodes."""
    return _ID_CONSTRAINT_NAMES.get(label, f"{label.lower()}_id")


STATEMENTS: tuple[LiteralString, ...] = (
    *duplicates.INDEXES,
    *(
        f"CREATE CONSTRAINT {id_constraint(label)} IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in LABELS_WITH_ID
    ),
    "CREATE CONSTRAINT user_email IF NOT EXISTS FOR (n:User) REQUIRE n.email IS UNIQUE",
    # The key an import gives a record (the caller's own id for it), unique per kind.
    *(
        f"CREATE CONSTRAINT {label.lower()}_external_key IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.externalKey IS UNIQUE"
        for label in ("Customer", "Contact", "Project")
    ),
    "CREATE CONSTRAINT user_handle IF NOT EXISTS FOR (n:User) REQUIRE n.handle IS UNIQUE",
    "CREATE CONSTRAINT relationship_type_key IF NOT EXISTS "
    "FOR (n:RelationshipType) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT activity_type_name IF NOT EXISTS "
    "FOR (n:ActivityType) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT activity_status_name IF NOT EXISTS "
    "FOR (n:ActivityStatus) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT activity_ref IF NOT EXISTS FOR (n:Activity) REQUIRE n.ref IS UNIQUE",
    # A user's month of activities (see kesher.graph.calendar_buckets).
    "CREATE CONSTRAINT calendar_month_key IF NOT EXISTS "
    "FOR (n:CalendarMonth) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT ref_sequence_kind IF NOT EXISTS "
    "FOR (n:RefSequence) REQUIRE n.kind IS UNIQUE",
    "CREATE RANGE INDEX customer_name IF NOT EXISTS FOR (n:Customer) ON (n.name)",
    "CREATE RANGE INDEX customer_created IF NOT EXISTS FOR (n:Customer) ON (n.createdAt)",
    "CREATE RANGE INDEX customer_status IF NOT EXISTS FOR (n:Customer) ON (n.status)",
    "CREATE RANGE INDEX contact_name IF NOT EXISTS FOR (n:Contact) ON (n.name)",
    "CREATE RANGE INDEX contact_created IF NOT EXISTS FOR (n:Contact) ON (n.createdAt)",
    "CREATE RANGE INDEX project_name IF NOT EXISTS FOR (n:Project) ON (n.name)",
    "CREATE RANGE INDEX project_status IF NOT EXISTS FOR (n:Project) ON (n.status)",
    "CREATE RANGE INDEX project_created IF NOT EXISTS FOR (n:Project) ON (n.createdAt)",
    "CREATE RANGE INDEX user_name IF NOT EXISTS FOR (n:User) ON (n.name)",
    "CREATE RANGE INDEX activity_start IF NOT EXISTS FOR (n:Activity) ON (n.startAt)",
    "CREATE RANGE INDEX activity_end IF NOT EXISTS FOR (n:Activity) ON (n.endAt)",
    # The tasks still to be reminded of, by when (see kesher.graph.tasks).
    "CREATE RANGE INDEX activity_remind IF NOT EXISTS FOR (n:Activity) ON (n.remindAt)",
    # Whether any attachment still uses stored content (a refused upload's cleanup).
    "CREATE RANGE INDEX attachment_sha256 IF NOT EXISTS FOR (n:Attachment) ON (n.sha256)",
    # Received mail finds its contacts and customers by address (stored in lower case),
    # and is filed once per Message-ID.
    "CREATE RANGE INDEX contact_email IF NOT EXISTS FOR (n:Contact) ON (n.email)",
    "CREATE RANGE INDEX customer_email IF NOT EXISTS FOR (n:Customer) ON (n.email)",
    "CREATE CONSTRAINT email_message_id IF NOT EXISTS FOR (n:Email) REQUIRE n.messageId IS UNIQUE",
    *(
        f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{label}) ON EACH [{fields}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}"
        for name, label, fields in (
            ("customer_search", "Customer", "n.name, n.email, n.city"),
            ("contact_search", "Contact", "n.name, n.email, n.title"),
            ("project_search", "Project", "n.name, n.description"),
            ("user_search", "User", "n.name, n.email, n.handle"),
            ("activity_search", "Activity", "n.subject, n.description"),
        )
    ),
)


async def apply_constraints(driver: AsyncDriver, database: str) -> None:
    """Creates every constraint and index that is missing and waits until they are online,
    and files the activities of an older database under their calendar buckets."""
    for statement in STATEMENTS:
        await driver.execute_query(statement, database_=database)
    await driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    # Each kind's reference-number sequence exists before the first save, so saves only
    # ever lock it: racing to create it would make them wait on each other far longer.
    await driver.execute_query(
        "UNWIND $kinds AS kind MERGE (s:RefSequence {kind: kind}) ON CREATE SET s.last = 0",
        kinds=sorted(REF_PREFIXES),
        database_=database,
    )
    await driver.execute_query(REMINDER_LOCK, database_=database)
    # A database from before the calendar buckets gets them, once.
    await backfill(driver, database)
    await duplicates.fill_keys(driver, database)
