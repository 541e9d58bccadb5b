"""Typed links in the generated CRM: the catalog, and links that keep the graph model's rules
at a size that does not depend on the number of customers."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from statistics import mean

from kesher.graph.catalog import check_key
from kesher.graph.kinds import KIND_PAIRS, Kind
from kesher.seeds.generator import Account, Dataset
from kesher.seeds.relations import LINK_PLANS, LinkRow

TYPE_ID = re.compile(r"^rty_[0-9a-f]{24}$")
PARTY_ID = re.compile(r"^ext_[0-9a-f]{24}$")
COLOUR = re.compile(r"^#[0-9A-F]{6}$")
TOKEN = re.compile(r"^[0-9a-f]{12}$")
HEBREW = re.compile(r"[\u0590-\u05ff]")


def links(rows: list[Account]) -> list[LinkRow]:
    return [link for account in rows for link in account["links"]]


def degrees(dataset: Dataset) -> list[int]:
    """How many typed links each customer has, either way."""
    customers: Counter[str] = Counter()
    for account in dataset.accounts():
        customers[account["customer"]["id"]] += 0
        for link in account["links"]:
            for end in (link["fromId"], link["toId"]):
                if end.startswith("cus_"):
                    customers[end] += 1
    return list(customers.values())


def test_the_catalog_joins_every_pair_of_kinds() -> None:
    # when
    types = Dataset(10, seed=3).relationship_types()

    # then
    assert 8 <= len(types) <= 10
    assert {(row["fromKind"], row["toKind"]) for row in types} == set(KIND_PAIRS)
    assert [row["sortOrder"] for row in types] == list(range(1, len(types) + 1))
    assert len({row["key"] for row in types}) == len({row["id"] for row in types}) == len(types)
    for row in types:
        assert check_key(row["key"]) == row["key"]
        assert TYPE_ID.match(row["id"])
        assert COLOUR.match(row["colour"])
        assert row["createdAt"] == row["updatedAt"]
        if row["symmetric"]:
            assert row["reciprocalLabel"] == row["label"]
            assert row["fromKind"] == row["toKind"]
        for limit in (row["limitPerSource"], row["limitPerTarget"]):
            assert limit is None or limit >= 1
    hebrew = [bool(HEBREW.search(row["label"])) for row in types]
    assert any(hebrew)
    assert not all(hebrew)


def test_the_same_seed_gives_the_same_links() -> None:
    # given
    first, second, other = Dataset(500, seed=42), Dataset(500, seed=42), Dataset(500, seed=43)

    # then
    assert links(list(first.accounts())) == links(list(second.accounts()))
    assert first.relationship_types() == second.relationship_types()
    assert links(list(first.accounts())) != links(list(other.accounts()))
    assert first.relationship_types() != other.relationship_types()


def test_links_keep_the_rules_of_the_graph_model() -> None:
    # given
    dataset = Dataset(10_000, seed=5)
    types = {row["key"]: row for row in dataset.relationship_types()}
    users = {row["id"] for row in dataset.users("")}
    until = datetime.fromtimestamp(dataset.until, UTC).date()

    # when
    rows = list(dataset.accounts())

    # then
    kinds: dict[str, tuple[Kind, int]] = {}
    pairs: set[tuple[str, str, str]] = set()
    ids: set[str] = set()
    at_source: Counter[tuple[str, str]] = Counter()
    at_target: Counter[tuple[str, str]] = Counter()
    joined: set[tuple[Kind, Kind]] = set()
    for account in rows:
        # A link joins records of its own account and earlier ones, never later ones.
        kinds[account["customer"]["id"]] = ("Customer", account["customer"]["createdAt"])
        kinds |= {row["id"]: ("Contact", row["createdAt"]) for row in account["contacts"]}
        kinds |= {row["id"]: ("Project", row["createdAt"]) for row in account["projects"]}
        for link in account["links"]:
            kind = types[link["type"]]
            source, target = link["fromId"], link["toId"]
            assert link["id"].startswith(f"{source}:")
            assert TOKEN.match(link["id"].removeprefix(f"{source}:"))
            assert link["id"] not in ids
            ids.add(link["id"])
            assert source != target
            pair = (link["type"], min(source, target), max(source, target))
            assert pair not in pairs
            pairs.add(pair)
            at_source[link["type"], source] += 1
            at_target[link["type"], target] += 1
            party = link["party"]
            if party is None:
                assert kinds[source][0] == kind["fromKind"]
                assert kinds[target][0] == kind["toKind"]
                assert link["createdAt"] >= max(kinds[source][1], kinds[target][1])
                joined.add((kind["fromKind"], kind["toKind"]))
            else:
                assert PARTY_ID.match(party["id"])
                assert party["name"]
                assert party["createdAt"] == party["updatedAt"] == link["createdAt"]
                record = target if party["id"] == source else source
                assert party["id"] in (source, target)
                assert kinds[record][0] == (
                    kind["toKind"] if record == target else kind["fromKind"]
                )
            assert link["createdAt"] <= dataset.until
            assert link["createdBy"] in users
            if link["endsOn"] is not None:
                assert date.fromisoformat(link["endsOn"]) < until
                if link["startsOn"] is not None:
                    assert link["startsOn"] <= link["endsOn"]
    assert joined == set(KIND_PAIRS)
    for (key, _), count in at_source.items():
        limit = types[key]["limitPerSource"]
        assert limit is None or count <= limit
    for (key, _), count in at_target.items():
        limit = types[key]["limitPerTarget"]
        assert limit is None or count <= limit
    assert max(at_target["PARENT_COMPANY_OF", record] for record in kinds) == 1
    assert max(at_source["DECISION_MAKER", record] for record in kinds) == 1


def test_some_links_have_dates_notes_and_free_text_parties() -> None:
    # when
    found = links(list(Dataset(5_000, seed=8).accounts()))

    # then
    assert 0.03 < mean(link["party"] is not None for link in found) < 0.07
    assert 0.17 < mean(link["startsOn"] is not None for link in found) < 0.23
    assert 0.08 < mean(link["endsOn"] is not None for link in found) < 0.12
    assert 0.01 < mean(link["note"] is not None for link in found) < 0.05
    assert any(HEBREW.search(link["party"]["name"]) for link in found if link["party"])


def test_customers_have_the_planned_links_of_each_pair_of_kinds() -> None:
    # given
    customers = 10_000
    pair_of = {plan.key: (plan.from_kind, plan.to_kind) for plan in LINK_PLANS}

    # when
    found = links(list(Dataset(customers, seed=2).accounts()))

    # then
    per_customer = {
        pair: n / customers for pair, n in Counter(pair_of[row["type"]] for row in found).items()
    }
    assert 1.35 < per_customer["Customer", "Customer"] < 1.65
    assert 0.42 < per_customer["Customer", "Contact"] < 0.58
    assert 0.42 < per_customer["Contact", "Contact"] < 0.58
    assert 0.25 < per_customer["Project", "Customer"] < 0.35
    assert 0.16 < per_customer["Project", "Contact"] < 0.24


def test_a_customer_has_as_many_links_at_ten_times_the_scale() -> None:
    # when
    small = degrees(Dataset(2_000, seed=6))
    large = degrees(Dataset(20_000, seed=6))

    # then
    assert len(small) == 2_000
    assert len(large) == 20_000
    assert abs(mean(small) / mean(large) - 1) < 0.1
    assert 3.2 < mean(large) < 4.2
