"""`kesher backup` and `kesher restore`: a round trip through an emptied database gives back
every node and relationship with its labels and typed properties, and every attachment's
bytes; a restore into a database holding data, or of a damaged or foreign archive, is
refused before anything changes."""

from __future__ import annotations

import io
import shutil
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from neo4j import AsyncDriver, Driver

from kesher.backup.commands import ArchiveRefused, DatabaseNotEmpty, backup, restore
from kesher.cli import main
from kesher.graph.duplicates import set_keys
from kesher.resolvers.attachments import content_path
from kesher.resolvers.context import Role
from kesher.seeds.demo import seed_demo
from kesher.settings import Settings
from tests.conftest import Person, Server, gql, make_user
from tests.resolvers.test_attachments import PDF, upload

CARD = """
query Card($id: ID!) {
  customer(id: $id) {
    id name status city createdAt updatedAt
    owner { id name }
    relationships(first: 50) {
      edges { node { label outgoing other { id kind name } relationship { id } } }
    }
    contacts(first: 50) { edges { node { id name email } } }
    activities(first: 50) {
      edges {
        node {
          id ref subject startsAt endsAt allDay timeZone recurrence state
          type { name } status { name } chain { id steps } owner { id }
        }
      }
    }
    attachments(first: 10) { edges { node { id name contentType size sha256 createdAt url } } }
  }
}
"""

CUSTOMERS = """
query { customers(first: 100) { edges { node { id name city } } } }
"""

CREATE_CUSTOMER = """
mutation($name: String!) {
  createCustomer(input: {name: $name, city: "ירושלים"}) {
    ... on CustomerSuccess { customer { id } }
  }
}
"""

START_UP = ("RefSequence", "ReminderLock", "CalendarBackfill")

# A value of every property type Neo4j stores, on a node of a label of its own, on a node
# with no label, and on a relationship.
RICH_SAMPLE = """
MATCH (c:Customer {id: $customerId})
CREATE (s:Sample:Extra {
  hebrew: 'שלום עולם', date: date('2024-02-29'),
  zoned: datetime('2024-10-27T01:30:00.123456789+02:00[Asia/Jerusalem]'),
  offset: datetime('2024-03-01T10:00:00.5-05:00'),
  fine: datetime('2024-03-01T10:00:00.000000001Z'),
  local: localdatetime('2024-03-01T10:00:00'), time: time('10:00:00+01:00'),
  localTime: localtime('23:59:59.999999999'), span: duration('P1Y2M3DT4H5M6.000000007S'),
  place: point({longitude: 35.21, latitude: 31.77}), corner: point({x: 1, y: 2, z: 3}),
  dates: [date('2024-01-01'), date('2024-12-31')], words: ['אחד', 'two'], numbers: [1, 2],
  ratios: [0.5, 1.0], flags: [true, false], raw: $raw, big: 9007199254740993,
  integral: 2.0, notANumber: 0.0 / 0.0, infinite: 1.0 / 0.0
})
CREATE ({note: 'a node with no label'})
CREATE (s)-[:SAMPLE_OF {
  since: date('2020-01-01'), at: datetime('2024-06-01T09:00[Europe/London]'), weight: 0.25
}]->(c)
"""


def _typed(properties: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """Properties with their types: `repr` names the driver's type of each value, in lists
    too, and a date-time's zone or offset."""
    return tuple(
        sorted((name, type(value).__name__, repr(value)) for name, value in properties.items())
    )


def _contents(
    driver: Driver, leaving_out: tuple[str, ...] = ()
) -> tuple[Counter[Any], Counter[Any]]:
    """Every node (labels, typed properties) and every relationship (type, typed
    properties, both ends), independent of the ids Neo4j gives them; nodes with a label
    `leaving_out` are left out."""
    nodes = driver.execute_query(
        "MATCH (n) WHERE none(label IN labels(n) WHERE label IN $leavingOut) "
        "RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS properties",
        leavingOut=list(leaving_out),
        database_="neo4j",
    ).records
    named = {row["key"]: (tuple(sorted(row["labels"])), _typed(row["properties"])) for row in nodes}
    relationships = driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE none(label IN labels(a) + labels(b) WHERE label IN $leavingOut) "
        "RETURN elementId(a) AS a, type(r) AS type, properties(r) AS properties, elementId(b) AS b",
        leavingOut=list(leaving_out),
        database_="neo4j",
    ).records
    return Counter(named.values()), Counter(
        (named[row["a"]], row["type"], _typed(row["properties"]), named[row["b"]])
        for row in relationships
    )


def _wipe(driver: Driver, folder: Path) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")
    shutil.rmtree(folder, ignore_errors=True)


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.mark.anyio
async def test_a_backup_restored_into_an_emptied_database_gives_back_everything(
    client: httpx.AsyncClient,
    clean_db: Driver,
    driver: AsyncDriver,
    settings: Settings,
    tmp_path: Path,
) -> None:
    # given: the demo data, a Hebrew customer with files, and a value of every type
    assert await seed_demo(driver, "neo4j", customers=12)
    admin = make_user(clean_db, Role.ADMIN, name="אדה מנהלת")
    created = await gql(client, CREATE_CUSTOMER, {"name": "כהן ובניו"}, admin)
    cohen = created["data"]["createCustomer"]["customer"]["id"]
    pdf = (await upload(client, admin, cohen, PDF, name="הצעה.pdf"))["attachment"]
    text = "שלום, זה קובץ".encode()
    note = (await upload(client, admin, cohen, text, name="notes.txt"))["attachment"]
    clean_db.execute_query(RICH_SAMPLE, customerId=cohen, raw=b"\x00\xff", database_="neo4j")
    demo = (await gql(client, CUSTOMERS, person=admin))["data"]["customers"]["edges"]
    shown = [cohen, *(edge["node"]["id"] for edge in demo[:3])]
    cards = [await gql(client, CARD, {"id": id}, admin) for id in shown]
    customers = await gql(client, CUSTOMERS, person=admin)
    before = _contents(clean_db)
    files = _files(settings.attachments_dir)
    archive = tmp_path / "kesher.tar.gz"

    # when
    manifest = await backup(driver, "neo4j", settings.attachments_dir, archive, False)
    _wipe(clean_db, settings.attachments_dir)
    assert _contents(clean_db) == (Counter(), Counter())
    await restore(driver, "neo4j", settings.attachments_dir, archive, False, False)

    # then
    after = _contents(clean_db)
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert _files(settings.attachments_dir) == files
    assert content_path(settings.attachments_dir, note["sha256"]).read_bytes() == text
    assert [await gql(client, CARD, {"id": id}, admin) for id in shown] == cards
    assert await gql(client, CUSTOMERS, person=admin) == customers
    downloaded = await client.get(pdf["url"], headers=admin.headers)
    assert (downloaded.status_code, downloaded.content) == (200, PDF)
    counts = manifest["counts"]
    assert counts["labels"]["Sample"] == 1
    assert counts["labels"]["Attachment"] == 2
    assert counts["relationshipTypes"]["SAMPLE_OF"] == 1
    assert counts["nodes"] == sum(before[0].values())
    assert counts["relationships"] == sum(before[1].values())
    assert counts["attachments"] == 2
    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
        listed = orjson.loads(opened.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names == {"manifest.json", "nodes.jsonl", "relationships.jsonl"} | {
        f"attachments/{sha256}" for sha256 in (pdf["sha256"], note["sha256"])
    }
    assert set(listed["parts"]) == names - {"manifest.json"}
    assert listed["format"] == "kesher-backup"
    assert listed["formatVersion"] == 1
    assert listed["kesherVersion"]
    assert listed["createdAt"]


@pytest.mark.anyio
async def test_a_restore_into_a_database_holding_data_is_refused_changing_nothing(
    client: httpx.AsyncClient,
    clean_db: Driver,
    driver: AsyncDriver,
    settings: Settings,
    admin: Person,
    tmp_path: Path,
) -> None:
    # given
    await gql(client, CREATE_CUSTOMER, {"name": "Acme"}, admin)
    archive = tmp_path / "kesher.tar.gz"
    await backup(driver, "neo4j", settings.attachments_dir, archive, False)
    later = await gql(client, CREATE_CUSTOMER, {"name": "Later Ltd"}, admin)
    await upload(client, admin, later["data"]["createCustomer"]["customer"]["id"], PDF)
    before = _contents(clean_db)
    files = _files(settings.attachments_dir)

    # when
    with pytest.raises(DatabaseNotEmpty, match="already holds data; pass --force"):
        await restore(driver, "neo4j", settings.attachments_dir, archive, False, False)

    # then
    assert _contents(clean_db) == before
    assert _files(settings.attachments_dir) == files


def _repacked(archive: Path, target: Path, change: str) -> Path:
    """The archive with one thing changed, as damage or another program would."""
    if change == "truncated":
        data = archive.read_bytes()
        target.write_bytes(data[: len(data) // 2])
        return target
    if change == "not a tar.gz":
        target.write_bytes(b"PK\x03\x04 a zip file, say")
        return target
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as sink:
        for member in source.getmembers():
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if change == "changed part" and member.name == "nodes.jsonl":
                content = content.replace(b"Acme", b"Acne")
            if change == "other version" and member.name == "manifest.json":
                manifest = orjson.loads(content)
                content = orjson.dumps({**manifest, "formatVersion": 99})
            if change == "foreign file" and member.name == "manifest.json":
                extra = tarfile.TarInfo("../../etc/cron.d/evil")
                extra.size = 4
                sink.addfile(extra, io.BytesIO(b"evil"))
            if change == "no manifest" and member.name == "manifest.json":
                continue
            member.size = len(content)
            sink.addfile(member, io.BytesIO(content))
    return target


def _leftovers(folder: Path) -> list[str]:
    """What a refused restore may have left: its unpacking folder, a file it wrote where a
    member's name pointed."""
    return sorted(
        path.name for path in folder.iterdir() if path.name.startswith((".kesher", "etc"))
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("changed part", "the part nodes.jsonl is damaged: its SHA-256 does not match"),
        ("other version", "format version 99; this Kesher reads version 1"),
        ("foreign file", "'../../etc/cron.d/evil', which is no part of a Kesher backup"),
        ("no manifest", "no manifest.json: it is not a Kesher backup"),
        ("truncated", "is not a readable tar.gz archive"),
        ("not a tar.gz", "is not a readable tar.gz archive"),
    ],
)
async def test_a_damaged_or_foreign_archive_is_refused_naming_why_before_anything_changes(
    client: httpx.AsyncClient,
    clean_db: Driver,
    driver: AsyncDriver,
    settings: Settings,
    admin: Person,
    tmp_path: Path,
    change: str,
    reason: str,
) -> None:
    # given
    created = await gql(client, CREATE_CUSTOMER, {"name": "Acme"}, admin)
    await upload(client, admin, created["data"]["createCustomer"]["customer"]["id"], PDF)
    archive = tmp_path / "kesher.tar.gz"
    await backup(driver, "neo4j", settings.attachments_dir, archive, False)
    damaged = _repacked(archive, tmp_path / "damaged.tar.gz", change)
    clean_db.execute_query("CREATE (:Customer {id: 'cus_kept', name: 'Kept'})", database_="neo4j")
    before = _contents(clean_db)
    files = _files(settings.attachments_dir)

    # when: even told to replace what the database holds
    with pytest.raises(ArchiveRefused) as refused:
        await restore(driver, "neo4j", settings.attachments_dir, damaged, True, False)

    # then
    assert reason in str(refused.value)
    assert _contents(clean_db) == before
    assert _files(settings.attachments_dir) == files
    assert _leftovers(tmp_path) == []


def test_the_commands_back_up_refuse_a_database_holding_data_and_restore_with_force(
    neo4j_server: Server,
    clean_db: Driver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("KESHER_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    make_user(clean_db, Role.ADMIN, name="Ada")
    # A customer as the service writes one, with its match keys.
    clean_db.execute_query(
        "CREATE (c:Customer {id: 'cus_1', name: 'מאפיית לוי', createdAt: datetime()}) "
        + set_keys("c"),
        database_="neo4j",
    )
    before = _contents(clean_db)
    archive = tmp_path / "backups" / "kesher.tar.gz"

    # when
    backed_up = main(["backup", str(archive)])
    clean_db.execute_query("MATCH (c:Customer) SET c.name = 'changed'", database_="neo4j")
    changed = _contents(clean_db)
    refused = main(["restore", str(archive)])
    refusal = capsys.readouterr()
    after_refusal = _contents(clean_db)
    forced = main(["restore", "--force", str(archive)])
    restored = capsys.readouterr()

    # then
    assert (backed_up, refused, forced) == (0, 1, 0)
    assert "Backed up 2 nodes, 0 relationships and 0 attachment files" in refusal.out
    assert "restore refused, nothing was changed" in refusal.err
    assert "already holds data; pass --force to replace it" in refusal.err
    assert after_refusal == changed
    # The restore applied the service's constraints, which adds its start-up nodes.
    assert _contents(clean_db, leaving_out=START_UP) == before
    assert "Customer" in restored.out
    assert "User" in restored.out


@pytest.mark.anyio
async def test_an_attachment_whose_file_is_missing_is_named_and_the_rest_is_backed_up(
    client: httpx.AsyncClient,
    clean_db: Driver,
    driver: AsyncDriver,
    settings: Settings,
    admin: Person,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given
    created = await gql(client, CREATE_CUSTOMER, {"name": "Acme"}, admin)
    acme = created["data"]["createCustomer"]["customer"]["id"]
    kept = (await upload(client, admin, acme, PDF))["attachment"]
    lost = (await upload(client, admin, acme, "אבד".encode()))["attachment"]
    _remove(content_path(settings.attachments_dir, lost["sha256"]))
    archive = tmp_path / "kesher.tar.gz"

    # when
    manifest = await backup(driver, "neo4j", settings.attachments_dir, archive, False)

    # then
    assert f"the attachment file {lost['sha256']} is missing from the store" in (
        capsys.readouterr().err
    )
    assert manifest["missingAttachments"] == [lost["sha256"]]
    assert manifest["counts"]["attachments"] == 1
    assert manifest["counts"]["labels"]["Attachment"] == 2
    with tarfile.open(archive) as opened:
        assert f"attachments/{kept['sha256']}" in opened.getnames()


def _remove(path: Path) -> None:
    path.unlink()


@pytest.mark.anyio
async def test_what_an_interrupted_restore_left_on_its_nodes_is_not_backed_up(
    clean_db: Driver, driver: AsyncDriver, settings: Settings, tmp_path: Path
) -> None:
    # given
    clean_db.execute_query(
        "CREATE (:Customer:KesherRestoring {id: 'cus_1', name: 'Acme', kesherRestoreKey: 'k1'})",
        database_="neo4j",
    )
    archive = tmp_path / "kesher.tar.gz"

    # when
    manifest = await backup(driver, "neo4j", settings.attachments_dir, archive, False)

    # then
    with tarfile.open(archive) as opened:
        lines = opened.extractfile("nodes.jsonl").read().splitlines()  # type: ignore[union-attr]
    [node] = [orjson.loads(line) for line in lines]
    assert (node["labels"], node["properties"]) == (["Customer"], {"id": "cus_1", "name": "Acme"})
    assert manifest["counts"]["labels"] == {"Customer": 1}
