"""The generated CRM: reproducible, sized as asked, bilingual and internally consistent."""

from __future__ import annotations

import re
from statistics import mean

from kesher.seeds.generator import (
    CUSTOMER_STATUSES,
    PROJECT_STATUSES,
    Account,
    Dataset,
    user_count,
)
from kesher.seeds.romanize import romanize

HEBREW = re.compile(r"[\u0590-\u05ff]")
ID = re.compile(r"^(usr|cus|con|prj)_[0-9a-f]{24}$")
HANDLE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


def accounts(customers: int, seed: int = 1) -> list[Account]:
    return list(Dataset(customers, seed=seed).accounts())


def test_the_same_seed_gives_the_same_rows() -> None:
    # given
    first, second = Dataset(300, seed=42), Dataset(300, seed=42)

    # then
    assert list(first.accounts()) == list(second.accounts())
    assert list(first.users("hash")) == list(second.users("hash"))


def test_another_seed_gives_other_rows() -> None:
    # given
    first, second = Dataset(50, seed=1), Dataset(50, seed=2)

    # then
    first_ids = {account["customer"]["id"] for account in first.accounts()}
    second_ids = {account["customer"]["id"] for account in second.accounts()}
    assert first_ids.isdisjoint(second_ids)
    assert [row["email"] for row in first.users("")] != [row["email"] for row in second.users("")]


def test_sizes_follow_the_number_of_customers() -> None:
    assert accounts(0) == []
    assert len(accounts(7)) == 7
    assert user_count(0) == user_count(1_000) == 5
    assert user_count(100_000) == 500
    assert len(list(Dataset(2_400).users(""))) == 12


def test_customers_have_up_to_four_contacts_and_two_projects() -> None:
    # when
    rows = accounts(5_000)

    # then
    contacts = [len(account["contacts"]) for account in rows]
    projects = [len(account["projects"]) for account in rows]
    assert set(contacts) == {0, 1, 2, 3, 4}
    assert set(projects) == {0, 1, 2}
    assert 1.9 < mean(contacts) < 2.1
    assert 0.95 < mean(projects) < 1.05


def test_a_million_customers_stream_without_being_built_first() -> None:
    # when
    first = next(Dataset(1_000_000, seed=3).accounts())

    # then
    assert ID.match(first["customer"]["id"])


def test_about_half_of_customers_and_contacts_are_hebrew() -> None:
    # when
    rows = accounts(2_000)

    # then
    customers = [bool(HEBREW.search(account["customer"]["name"])) for account in rows]
    contacts = [bool(HEBREW.search(c["name"])) for account in rows for c in account["contacts"]]
    assert 0.4 < mean(customers) < 0.6
    assert 0.4 < mean(contacts) < 0.6


def test_rows_refer_to_each_other() -> None:
    # given
    dataset = Dataset(1_000, seed=9)
    user_ids = {row["id"] for row in dataset.users("")}

    # when
    rows = list(dataset.accounts())

    # then
    owned = 0
    for account in rows:
        customer = account["customer"]
        assert customer["status"] in CUSTOMER_STATUSES
        assert customer["createdAt"] <= customer["updatedAt"] <= dataset.until
        assert customer["archivedAt"] is None or customer["status"] == "FORMER"
        if customer["ownerId"] is not None:
            assert customer["ownerId"] in user_ids
            owned += 1
        domain = customer["email"].partition("@")[2]
        assert customer["website"] == f"https://www.{domain}"
        for contact in account["contacts"]:
            assert contact["customerId"] == customer["id"]
            assert contact["name"] == f"{contact['firstName']} {contact['lastName']}"
            assert contact["email"].endswith(f"@{domain}")
            assert customer["createdAt"] <= contact["createdAt"] <= contact["updatedAt"]
        for project in account["projects"]:
            assert project["customerId"] == customer["id"]
            assert project["status"] in PROJECT_STATUSES
            assert customer["createdAt"] <= project["createdAt"] <= project["updatedAt"]
    assert 0.85 < owned / len(rows) < 0.95


def test_ids_are_unique_at_ten_thousand_customers() -> None:
    # given
    dataset = Dataset(10_000, seed=5)

    # when
    users = list(dataset.users(""))
    rows = list(dataset.accounts())

    # then
    ids = [row["id"] for row in users]
    for account in rows:
        ids.append(account["customer"]["id"])
        ids.extend(contact["id"] for contact in account["contacts"])
        ids.extend(project["id"] for project in account["projects"])
    assert all(ID.match(id_) for id_ in ids)
    assert len(ids) == len(set(ids))
    assert len({row["handle"] for row in users}) == len(users) == 50
    assert len({row["email"] for row in users}) == len(users)
    assert all(HANDLE.match(row["handle"]) for row in users)


def test_users_start_with_an_admin_and_a_manager() -> None:
    # when
    users = list(Dataset(1_000).users("the-hash"))

    # then
    assert [row["role"] for row in users] == ["ADMIN", "MANAGER", "MEMBER", "MEMBER", "MEMBER"]
    assert all(row["active"] and row["passwordHash"] == "the-hash" for row in users)
    assert all(row["email"] == row["email"].lower() for row in users)


def test_romanize_spells_hebrew_names_in_ascii() -> None:
    assert romanize("ליעם") == "liam"
    assert romanize("אהרון ביטון") == "ahron-biton"
    assert romanize("ג'ורג'") == "jorj"
    assert romanize("Rubio, Harris and Parks") == "rubio-harris-and-parks"
