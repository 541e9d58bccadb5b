"""Sending e-mail from a card through a real SMTP server, and logging e-mail by hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.graph.launcher import free_port
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.mail_support import Inbox
from tests.resolvers.relationships_support import ARCHIVE_CUSTOMER, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

EMAIL_FIELDS = """
  id direction fromAddress toAddresses ccAddresses subject text messageId at createdAt
  by { id name }
"""

SEND = f"""
mutation Send($recordId: ID!, $to: [String!], $cc: [String!], $subject: String!,
              $text: String!) {{
  sendEmail(recordId: $recordId, to: $to, cc: $cc, subject: $subject, text: $text) {{
    __typename
    ... on EmailSuccess {{ email {{ {EMAIL_FIELDS} }} }}
    ... on MutationError {{ code field message }}
  }}
}}
"""

LOG = f"""
mutation Log($recordId: ID!, $direction: EmailDirection!, $from: String!, $to: [String!]!,
             $cc: [String!], $subject: String!, $text: String!, $at: DateTime) {{
  logEmail(recordId: $recordId, direction: $direction, from: $from, to: $to, cc: $cc,
           subject: $subject, text: $text, at: $at) {{
    __typename
    ... on EmailSuccess {{ email {{ {EMAIL_FIELDS} }} }}
    ... on MutationError {{ code field message }}
  }}
}}
"""

CUSTOMER_EMAILS = """
query Card($id: ID!) {
  customer(id: $id) { emails(first: 10) { edges { node { id subject direction by { id } } } } }
}
"""

CREATE_CUSTOMER = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ... on CustomerSuccess { customer { id } } }
}
"""

CREATE_CONTACT = """
mutation Create($input: CreateContactInput!) {
  createContact(input: $input) { ... on ContactSuccess { contact { id } } }
}
"""


async def customer_with(
    client: httpx.AsyncClient, person: Person, name: str, email: str | None = None
) -> str:
    fields = {"name": name, **({"email": email} if email else {})}
    answer = await gql(client, CREATE_CUSTOMER, {"input": fields}, person)
    return str(answer["data"]["createCustomer"]["customer"]["id"])


async def contact_with(
    client: httpx.AsyncClient, person: Person, customer_id: str, first: str, email: str
) -> str:
    fields = {"customerId": customer_id, "firstName": first, "email": email}
    answer = await gql(client, CREATE_CONTACT, {"input": fields}, person)
    return str(answer["data"]["createContact"]["contact"]["id"])


async def send(
    client: httpx.AsyncClient, person: Person, record_id: str, **fields: Any
) -> dict[str, Any]:
    variables = {"recordId": record_id, "subject": "Our offer", "text": "Hello.", **fields}
    answer = await gql(client, SEND, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["sendEmail"]
    return payload


async def log(
    client: httpx.AsyncClient, person: Person, record_id: str, **fields: Any
) -> dict[str, Any]:
    variables = {
        "recordId": record_id,
        "direction": "INBOUND",
        "from": "avi@acme.example",
        "to": ["sales@ours.example"],
        "subject": "Question",
        "text": "How much?",
        **fields,
    }
    answer = await gql(client, LOG, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["logEmail"]
    return payload


async def card_emails(
    client: httpx.AsyncClient, person: Person, customer_id: str
) -> list[dict[str, Any]]:
    answer = await gql(client, CUSTOMER_EMAILS, {"id": customer_id}, person)
    return [edge["node"] for edge in answer["data"]["customer"]["emails"]["edges"]]


async def test_a_sent_mail_reaches_the_mail_server_and_is_filed_on_the_card(
    client: httpx.AsyncClient, member: Person, inbox: Inbox, settings: Settings
) -> None:
    # given
    acme = await customer_with(client, member, "Acme Ltd")
    text = "Dear Avi,\n\nOur offer is attached in words: ten for the price of nine.\n"

    # when
    payload = await send(
        client,
        member,
        acme,
        to=["Avi@Acme.example", "avi@acme.example"],
        cc=["boss@acme.example"],
        subject="Our offer — ten for nine",
        text=text,
    )

    # then
    assert payload["__typename"] == "EmailSuccess", payload
    email = payload["email"]
    assert re.fullmatch(r"eml_[0-9a-f]{24}", email["id"])
    assert email["direction"] == "OUTBOUND"
    assert email["fromAddress"] == "kesher@localhost"
    assert email["toAddresses"] == ["Avi@acme.example"]
    assert email["ccAddresses"] == ["boss@acme.example"]
    assert email["subject"] == "Our offer — ten for nine"
    assert email["text"] == text
    assert email["by"] == {"id": member.id, "name": "Moshe Member"}
    [delivered] = inbox.messages
    assert sorted(delivered.recipients) == ["Avi@acme.example", "boss@acme.example"]
    message = delivered.message
    assert message["From"] == settings.mail_from
    assert message["Reply-To"] == f"Moshe Member <{member.email}>"
    assert message["To"] == "Avi@acme.example"
    assert message["Cc"] == "boss@acme.example"
    assert message["Subject"] == "Our offer — ten for nine"
    assert message["Message-ID"] == email["messageId"]
    assert message["Date"].datetime == datetime.fromisoformat(email["at"]).replace(microsecond=0)
    assert delivered.text == text
    assert await card_emails(client, member, acme) == [
        {
            "id": email["id"],
            "subject": "Our offer — ten for nine",
            "direction": "OUTBOUND",
            "by": {"id": member.id},
        }
    ]


async def test_without_addressees_it_goes_to_the_records_own_address(
    client: httpx.AsyncClient, member: Person, inbox: Inbox
) -> None:
    # given
    acme = await customer_with(client, member, "Acme Ltd", "office@acme.example")
    dana = await contact_with(client, member, acme, "Dana", "Dana.Levi@Acme.example")

    # when
    to_contact = await send(client, member, dana, cc=["boss@acme.example"])
    to_customer = await send(client, member, acme)

    # then
    assert to_contact["email"]["toAddresses"] == ["dana.levi@acme.example"]
    assert to_contact["email"]["ccAddresses"] == ["boss@acme.example"]
    assert to_customer["email"]["toAddresses"] == ["office@acme.example"]
    assert [sorted(m.recipients) for m in inbox.messages] == [
        ["boss@acme.example", "dana.levi@acme.example"],
        ["office@acme.example"],
    ]


@pytest.mark.parametrize(
    ("case", "code", "field", "says"),
    [
        ("bad to", "INVALID_INPUT", "to", "'avi@'"),
        ("bad cc", "INVALID_INPUT", "cc", "'not an address'"),
        ("empty to", "INVALID_INPUT", "to", "at least one"),
        ("no own address", "INVALID_INPUT", "to", "no e-mail address"),
        ("blank subject", "INVALID_INPUT", "subject", "subject"),
        ("two-line subject", "INVALID_INPUT", "subject", "line breaks"),
        ("long text", "INVALID_INPUT", "text", "100000"),
        ("unknown record", "NOT_FOUND", "recordId", "cus_000000000000000000000000"),
        ("archived customer", "ARCHIVED", "recordId", "archived"),
        ("closed activity", "CLOSED", "recordId", "closed"),
    ],
)
async def test_a_refused_mail_is_not_sent_and_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    inbox: Inbox,
    case: str,
    code: str,
    field: str,
    says: str,
) -> None:
    # given
    w = await world(client, admin, member)
    archived = await customer_with(client, member, "Gone Ltd", "gone@example.com")
    await gql(client, ARCHIVE_CUSTOMER, {"id": archived}, admin)
    activity = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": activity}, member)
    to: dict[str, Any] = {"to": ["avi@acme.example"]}
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "bad to": (w["acme"], {"to": ["avi@acme.example", "avi@"]}),
        "bad cc": (w["acme"], {**to, "cc": ["not an address"]}),
        "empty to": (w["acme"], {"to": []}),
        "no own address": (w["acme"], {}),
        "blank subject": (w["acme"], {**to, "subject": "   "}),
        "two-line subject": (w["acme"], {**to, "subject": "Hi\r\nBcc: all@example.com"}),
        "long text": (w["acme"], {**to, "text": "x" * 100_001}),
        "unknown record": ("cus_000000000000000000000000", to),
        "archived customer": (archived, {}),
        "closed activity": (activity, to),
    }
    record, fields = cases[case]
    before = snapshot(clean_db)

    # when
    payload = await send(client, member, record, **fields)

    # then
    assert payload["__typename"] == "MutationError"
    assert (payload["code"], payload["field"]) == (code, field)
    assert says in payload["message"].replace(",", "")
    assert snapshot(clean_db) == before
    assert inbox.messages == []


async def test_a_mail_server_that_cannot_be_reached_refuses_the_mail_and_nothing_is_saved(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, settings: Settings
) -> None:
    # given
    acme = await customer_with(client, member, "Acme Ltd", "office@acme.example")
    settings.smtp_port = free_port()  # nothing listens there
    before = snapshot(clean_db)

    # when
    payload = await send(client, member, acme)

    # then
    assert payload["__typename"] == "MutationError"
    assert (payload["code"], payload["field"]) == ("MAIL_FAILED", "to")
    assert "nothing was saved" in payload["message"]
    assert snapshot(clean_db) == before


async def test_a_logged_email_is_filed_without_being_sent(
    client: httpx.AsyncClient, member: Person, inbox: Inbox
) -> None:
    # given
    acme = await customer_with(client, member, "Acme Ltd")

    # when
    received = await log(
        client,
        member,
        acme,
        cc=["Noa@Acme.example"],
        at="2026-01-05T10:00:00+02:00",
    )
    sent = await log(
        client,
        member,
        acme,
        direction="OUTBOUND",
        **{"from": "moshe@ours.example"},
        to=["avi@acme.example"],
        subject="Answer",
    )

    # then
    assert received["__typename"] == "EmailSuccess", received
    email = received["email"]
    assert email["direction"] == "INBOUND"
    assert email["fromAddress"] == "avi@acme.example"
    assert email["toAddresses"] == ["sales@ours.example"]
    assert email["ccAddresses"] == ["Noa@acme.example"]
    assert email["messageId"] is None
    assert datetime.fromisoformat(email["at"]) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert email["by"]["id"] == member.id
    assert sent["email"]["direction"] == "OUTBOUND"
    assert datetime.now(UTC) - datetime.fromisoformat(sent["email"]["at"]) < timedelta(hours=1)
    assert inbox.messages == []
    assert [e["subject"] for e in await card_emails(client, member, acme)] == [
        "Answer",
        "Question",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"at": "2999-01-01T00:00:00Z"}, "at"),
        ({"from": "nobody"}, "from"),
        ({"to": []}, "to"),
        ({"cc": ["a@b.example", "@b.example"]}, "cc"),
    ],
)
async def test_a_refused_log_changes_nothing(
    client: httpx.AsyncClient,
    member: Person,
    clean_db: Driver,
    fields: dict[str, Any],
    field: str,
) -> None:
    # given
    acme = await customer_with(client, member, "Acme Ltd")
    before = snapshot(clean_db)

    # when
    payload = await log(client, member, acme, **fields)

    # then
    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "MutationError",
        "INVALID_INPUT",
        field,
    )
    assert snapshot(clean_db) == before
