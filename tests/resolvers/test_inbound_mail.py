"""The service's own SMTP listener: real mail sent to it is filed on the records it
concerns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.graph.constraints import STATEMENTS
from kesher.graph.emails import FILE_RECEIVED, IS_FILED
from kesher.resolvers.inbound import html_text
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.graph.test_relation_map import plan_of
from tests.resolvers.relationships_support import snapshot
from tests.resolvers.test_emails import contact_with, customer_with

pytestmark = pytest.mark.anyio

ARCHIVE_CONTACT = """
mutation Archive($id: ID!) { archiveContact(id: $id) { __typename } }
"""

CUSTOMER_EMAILS = """
query Card($id: ID!) {
  customer(id: $id) {
    emails { edges { node {
      id direction fromAddress toAddresses ccAddresses subject text messageId at by { id }
    } } }
  }
}
"""

CONTACT_EMAILS = """
query Card($id: ID!) {
  contact(id: $id) { emails { edges { node { id subject } } } }
}
"""


@dataclass(frozen=True)
class Listener:
    """The app with its SMTP listener on, behind httpx, and the listener's port."""

    client: httpx.AsyncClient
    port: int


@pytest.fixture
async def listener(settings: Settings, clean_db: Driver) -> AsyncIterator[Listener]:
    app = create_app(settings.model_copy(update={"inbound_smtp_port": 0}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield Listener(http, int(app.state.inbound_smtp_port))


def message(
    sender: str,
    to: list[str],
    subject: str = "Quote request",
    text: str | None = "Please send a quote for 40 chairs.",
    html: str | None = None,
    cc: list[str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Subject"] = subject
    mail["Date"] = "Mon, 05 Jan 2026 10:00:00 +0200"
    mail["Message-ID"] = message_id or make_msgid(domain="acme.example")
    if text is not None:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    elif html is not None:
        mail.set_content(html, subtype="html")
    return mail


async def deliver(listener: Listener, mail: EmailMessage, **kwargs: Any) -> str:
    """Sends the mail to the listener; its reply as `code text`."""
    try:
        _, reply = await aiosmtplib.send(
            mail, hostname="127.0.0.1", port=listener.port, timeout=30, **kwargs
        )
    except aiosmtplib.SMTPResponseException as refused:
        return f"{refused.code} {refused.message}"
    return f"250 {reply}"


async def emails_of(
    listener: Listener, person: Person, document: str, record_id: str, kind: str
) -> list[dict[str, Any]]:
    answer = await gql(listener.client, document, {"id": record_id}, person)
    assert "errors" not in answer, answer
    return [edge["node"] for edge in answer["data"][kind]["emails"]["edges"]]


async def test_received_mail_is_filed_on_the_contact_and_its_customer_only(
    listener: Listener, member: Person, clean_db: Driver
) -> None:
    # given
    acme = await customer_with(listener.client, member, "Acme Ltd", "office@acme.example")
    dana = await contact_with(listener.client, member, acme, "Dana", "dana@acme.example")
    avi = await contact_with(listener.client, member, acme, "Avi", "avi@acme.example")
    beta = await customer_with(listener.client, member, "Beta Ltd", "office@beta.example")
    eli = await contact_with(listener.client, member, beta, "Eli", "eli@beta.example")
    mail = message("Dana Levi <Dana@ACME.example>", ["Sales <sales@ours.example>"])

    # when
    reply = await deliver(listener, mail)

    # then
    assert reply.startswith("250 OK"), reply
    [filed] = await emails_of(listener, member, CUSTOMER_EMAILS, acme, "customer")
    assert filed["direction"] == "INBOUND"
    assert filed["fromAddress"] == "Dana@ACME.example"
    assert filed["toAddresses"] == ["sales@ours.example"]
    assert filed["ccAddresses"] == []
    assert filed["subject"] == "Quote request"
    assert filed["text"].strip() == "Please send a quote for 40 chairs."
    assert filed["messageId"] == mail["Message-ID"]
    assert datetime.fromisoformat(filed["at"]) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert filed["by"] is None
    assert await emails_of(listener, member, CONTACT_EMAILS, dana, "contact") == [
        {"id": filed["id"], "subject": "Quote request"}
    ]
    for other in (avi, eli):
        assert await emails_of(listener, member, CONTACT_EMAILS, other, "contact") == []
    assert await emails_of(listener, member, CUSTOMER_EMAILS, beta, "customer") == []
    records, _, _ = clean_db.execute_query(
        "MATCH (e:Email)-[:ON]->(r) RETURN r.id AS id ORDER BY id"
    )
    assert [record["id"] for record in records] == sorted([acme, dana])


async def test_customers_cc_and_envelope_addresses_find_records_and_html_is_read_as_text(
    listener: Listener, member: Person
) -> None:
    # given
    acme = await customer_with(listener.client, member, "Acme Ltd", "office@acme.example")
    beta = await customer_with(listener.client, member, "Beta Ltd", "office@beta.example")
    gamma = await customer_with(listener.client, member, "Gamma Ltd", "office@gamma.example")
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Hello <b>there</b>,</p><p>see you &amp; Avi soon.</p><script>x()</script>"
        "</body></html>"
    )
    mail = message(
        "someone@elsewhere.example",
        ["sales@ours.example"],
        cc=["Office@Beta.example"],
        text=None,
        html=html,
    )

    # when
    reply = await deliver(listener, mail, recipients=["sales@ours.example", "office@gamma.example"])

    # then
    assert reply.startswith("250 OK"), reply
    assert await emails_of(listener, member, CUSTOMER_EMAILS, acme, "customer") == []
    [to_beta] = await emails_of(listener, member, CUSTOMER_EMAILS, beta, "customer")
    [to_gamma] = await emails_of(listener, member, CUSTOMER_EMAILS, gamma, "customer")
    assert to_beta == to_gamma
    assert to_beta["ccAddresses"] == ["Office@Beta.example"]
    assert to_beta["text"] == "Hello there,\nsee you & Avi soon."


async def test_a_message_filed_already_is_not_filed_again(
    listener: Listener, member: Person, clean_db: Driver
) -> None:
    # given
    acme = await customer_with(listener.client, member, "Acme Ltd", "office@acme.example")
    mail = message("office@acme.example", ["sales@ours.example"])
    assert (await deliver(listener, mail)).startswith("250 OK")

    # when
    reply = await deliver(listener, mail)

    # then
    assert reply.startswith("250 OK"), reply
    assert len(await emails_of(listener, member, CUSTOMER_EMAILS, acme, "customer")) == 1
    records, _, _ = clean_db.execute_query("MATCH (e:Email) RETURN count(e) AS emails")
    assert records[0]["emails"] == 1


async def test_mail_no_record_of_ours_is_named_in_is_refused_and_nothing_is_filed(
    listener: Listener, member: Person, manager: Person, clean_db: Driver
) -> None:
    # given
    acme = await customer_with(listener.client, member, "Acme Ltd", "office@acme.example")
    gone = await contact_with(listener.client, member, acme, "Gone", "gone@acme.example")
    archiving = await gql(listener.client, ARCHIVE_CONTACT, {"id": gone}, manager)
    assert archiving["data"]["archiveContact"]["__typename"] == "ContactSuccess"
    before = snapshot(clean_db)

    # when
    strangers = await deliver(listener, message("x@nowhere.example", ["sales@ours.example"]))
    archived = await deliver(listener, message("gone@acme.example", ["sales@ours.example"]))

    # then
    refusal = "550 5.1.1 No contact or customer of ours has an address in this message"
    assert strangers == refusal
    assert archived == refusal
    assert snapshot(clean_db) == before


def test_html_text_drops_tags_scripts_and_styles() -> None:
    html = "<div>One<br>Two</div><style>.x{}</style><ul><li>Three &gt; two</li></ul>"
    assert html_text(html) == "One\nTwo\nThree > two"


def test_filing_finds_records_and_filed_messages_by_index_seeks(clean_db: Driver) -> None:
    # given 2,000 customers with a contact each, every one with an address
    for statement in STATEMENTS:
        clean_db.execute_query(statement, database_="neo4j")
    clean_db.execute_query("CALL db.awaitIndexes(300)", database_="neo4j")
    clean_db.execute_query(
        "UNWIND range(1, 2000) AS i "
        "CREATE (c:Customer {id: 'cus_' + i, name: 'C' + i, email: 'office@c' + i + '.example'}) "
        "CREATE (:Contact {id: 'con_' + i, name: 'P' + i, email: 'p@c' + i + '.example'})"
        "-[:WORKS_AT]->(c) "
        "CREATE (:Email {id: 'eml_' + i, messageId: '<' + i + '@c.example>'})",
        database_="neo4j",
    )
    clean_db.execute_query("CALL db.prepareForReplanning(60)", database_="neo4j")
    properties = {"id": "eml_x", "messageId": "<x@c.example>", "subject": "Hi"}

    # when
    filing = plan_of(
        clean_db,
        FILE_RECEIVED,
        {"addresses": ["p@c7.example", "office@c9.example"], "properties": properties},
    )
    finding = plan_of(clean_db, IS_FILED, {"messageId": "<7@c.example>"})

    # then
    for plan in (filing, finding):
        operators = [operator for operator, _ in plan]
        for scan in ("CartesianProduct", "NodeByLabelScan", "AllNodesScan"):
            assert scan not in operators, plan
    seeks = [details for operator, details in filing if operator == "NodeIndexSeek"]
    assert any("Contact" in details and "email" in details for details in seeks), filing
    assert any("Customer" in details and "email" in details for details in seeks), filing
    assert "NodeUniqueIndexSeek" in [operator for operator, _ in finding], finding
