"""`kesher import FILE --kind …` against the database NEO4J_URI names."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import AsyncDriver, Driver

from kesher.cli import main
from kesher.graph.imports import CHUNK
from kesher.import_command import import_file
from kesher.resolvers.context import Role
from tests.conftest import Server, make_user

CUSTOMERS = "externalKey,name,status\nK-1,מאפיית לוי,ACTIVE\nK-2,,LEAD\nK-3,Beta,LEAD\n"


@pytest.fixture
def neo4j_env(neo4j_server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)


def names(driver: Driver) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (c:Customer) RETURN c.name AS name ORDER BY name", database_="neo4j"
    )
    return [record["name"] for record in records]


def test_the_command_checks_writes_all_or_nothing_and_row_by_row(
    neo4j_env: None, clean_db: Driver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a file with a refused row on line 3
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")

    # when it is checked, then imported all or nothing
    checked = main(["import", str(path), "--kind", "customers", "--dry-run"])
    dry_run = capsys.readouterr()
    refused = main(["import", str(path), "--kind", "customers"])
    all_or_nothing = capsys.readouterr()

    # then each reports the row with its line, column and reason, and nothing is written
    assert (checked, refused) == (0, 1)
    assert "line 3 [name]: name: is required." in dry_run.out
    assert "3 rows read: 2 to create, 0 to update, 1 refused (a dry run" in dry_run.out
    assert "3 rows read: 1 refused, so nothing was written." in all_or_nothing.out
    assert names(clean_db) == []

    # when it is imported row by row
    written = main(["import", str(path), "--kind", "customers", "--per-row"])
    per_row = capsys.readouterr()

    # then the good rows are written
    assert written == 0
    assert "3 rows read: 2 created, 0 updated, 1 refused." in per_row.out
    assert names(clean_db) == ["Beta", "מאפיית לוי"]


def test_the_command_imports_links_as_the_oldest_admin_and_refuses_an_unreadable_file(
    neo4j_env: None, clean_db: Driver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given two customers and a catalog type, and an ADMIN
    admin = make_user(clean_db, Role.ADMIN, name="Ada")
    clean_db.execute_query(
        "CREATE (:Customer {id: 'cus_a', externalKey: 'A', name: 'Alpha'}), "
        "(:Customer {id: 'cus_b', externalKey: 'B', name: 'Beta'}), "
        "(:RelationshipType {id: 'rty_1', key: 'PARENT_COMPANY_OF', label: 'parent', "
        "reciprocalLabel: 'subsidiary', symmetric: false, colour: '#000000', sortOrder: 1, "
        "fromKind: 'Customer', toKind: 'Customer'})",
        database_="neo4j",
    )
    links = tmp_path / "links.csv"
    links.write_text("typeKey,fromKey,toKey\nPARENT_COMPANY_OF,A,B\n", encoding="utf-8")

    # when the links are imported
    status = main(["import", str(links), "--kind", "relationships"])

    # then the link is made, as the ADMIN
    assert status == 0
    records, _, _ = clean_db.execute_query(
        "MATCH (:Customer {id: 'cus_a'})-[r:PARENT_COMPANY_OF]->(:Customer {id: 'cus_b'}) "
        "RETURN r.createdBy AS by",
        database_="neo4j",
    )
    assert [record["by"] for record in records] == [admin.id]
    capsys.readouterr()

    # and a file that is not UTF-8 is refused with why
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name\nCaf\u00e9\n".encode("latin-1"))
    assert main(["import", str(latin), "--kind", "customers"]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err


@pytest.mark.anyio
async def test_a_long_file_shows_its_progress_a_chunk_at_a_time(
    driver: AsyncDriver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a file of two and a half chunks
    path = tmp_path / "many.csv"
    rows = CHUNK * 2 + CHUNK // 2
    path.write_text("name\n" + "".join(f"Customer {i}\n" for i in range(rows)), encoding="utf-8")

    # when it is imported with a progress bar
    status = await import_file(
        driver,
        "neo4j",
        path,
        "customers",
        "ALL_OR_NOTHING",
        max_rows=rows,
        transaction_seconds=600,
        progress=True,
    )

    # then the bar moved a chunk at a time to the end
    assert status == 0
    bar = capsys.readouterr().err
    assert f"{CHUNK}/{rows}" in bar
    assert f"{rows}/{rows}" in bar
