"""Network analytics: groups of connected records, key connectors, single-threaded
accounts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kesher.resolvers import network as analysis
from kesher.schema.common import After, First, Info, PageInfo
from kesher.schema.permissions import IsAuthenticated
from kesher.schema.relationships import PartyKind


def _page_info(found: analysis.Slice) -> PageInfo:
    return PageInfo(
        has_next_page=found.has_next_page,
        has_previous_page=found.has_previous_page,
        start_cursor=found.items[0][0] if found.items else None,
        end_cursor=found.items[-1][0] if found.items else None,
    )


@strawberry.type(description="A party of the network.")
class NetworkParty:
    id: strawberry.ID = strawberry.field(description="The party's id.")
    name: str = strawberry.field(description="Its name.")
    kind: PartyKind = strawberry.field(description="What kind of party it is.")

    @classmethod
    def of(cls, party: analysis.Party) -> NetworkParty:
        return cls(id=strawberry.ID(party.id), name=party.name, kind=PartyKind(party.kind))


@strawberry.type(description="A party with its cursor.")
class NetworkPartyEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the parties after it.")
    node: NetworkParty = strawberry.field(description="The party.")


@strawberry.type(description="A page of parties, by name.")
class NetworkPartyConnection:
    edges: list[NetworkPartyEdge] = strawberry.field(description="The parties of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


@strawberry.type(description="A group of records joined by links, holding a customer.")
class NetworkGroup:
    id: strawberry.ID = strawberry.field(description="The smallest id among its members.")
    size: int = strawberry.field(description="How many records and parties it holds.")
    customers: int = strawberry.field(description="How many of them are customers.")
    group: strawberry.Private[analysis.Group]

    @strawberry.field(description="Its members, by name.")
    def members(
        self, info: Info, first: First = None, after: After = None
    ) -> NetworkPartyConnection:
        found = analysis.page(
            info.context,
            "GROUP_MEMBERS",
            self.group.members,
            lambda p: [p.name, p.id],
            2,
            first,
            after,
        )
        return NetworkPartyConnection(
            edges=[
                NetworkPartyEdge(cursor=cursor, node=NetworkParty.of(party))
                for cursor, party in found.items
            ],
            page_info=_page_info(found),
        )


@strawberry.type(description="A group with its cursor.")
class NetworkGroupEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the groups after it.")
    node: NetworkGroup = strawberry.field(description="The group.")


@strawberry.type(description="A page of groups, largest first.")
class NetworkGroupConnection:
    edges: list[NetworkGroupEdge] = strawberry.field(description="The groups of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


@strawberry.type(description="A record whose removal splits its group.")
class NetworkConnector:
    party: NetworkParty = strawberry.field(description="The record.")
    pieces: int = strawberry.field(description="How many groups its group falls into without it.")
    group_size: int = strawberry.field(description="How many parties its group holds.")


@strawberry.type(description="A connector with its cursor.")
class NetworkConnectorEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the connectors after it.")
    node: NetworkConnector = strawberry.field(description="The connector.")


@strawberry.type(description="A page of connectors, those splitting into most pieces first.")
class NetworkConnectorConnection:
    edges: list[NetworkConnectorEdge] = strawberry.field(description="The connectors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


@strawberry.type(description="A customer reached through only one contact.")
class SingleThreadedAccount:
    customer: NetworkParty = strawberry.field(description="The customer.")
    contact: NetworkParty = strawberry.field(description="Its one contact.")


@strawberry.type(description="A single-threaded account with its cursor.")
class SingleThreadedEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the accounts after it.")
    node: SingleThreadedAccount = strawberry.field(description="The account.")


@strawberry.type(description="A page of single-threaded accounts, by customer name.")
class SingleThreadedConnection:
    edges: list[SingleThreadedEdge] = strawberry.field(description="The accounts.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


@strawberry.type(
    description="The relationship graph's shape: worked out from the links read in one "
    "statement, at most the `analytics_max_links` setting (20,000 by default)."
)
class NetworkAnalytics:
    links: int = strawberry.field(description="How many links were read.")
    truncated: bool = strawberry.field(
        description="More links count than were read: the groups, connectors and accounts "
        "are those of the links read."
    )
    network: strawberry.Private[analysis.Network]

    @strawberry.field(description="Groups of connected records holding a customer (two or more).")
    def groups(
        self, info: Info, first: First = None, after: After = None
    ) -> NetworkGroupConnection:
        found = analysis.page(
            info.context,
            "NETWORK_GROUPS",
            analysis.groups(self.network),
            lambda g: [-len(g.members), g.id],
            2,
            first,
            after,
        )
        return NetworkGroupConnection(
            edges=[
                NetworkGroupEdge(
                    cursor=cursor,
                    node=NetworkGroup(
                        id=strawberry.ID(group.id),
                        size=len(group.members),
                        customers=group.customers,
                        group=group,
                    ),
                )
                for cursor, group in found.items
            ],
            page_info=_page_info(found),
        )

    @strawberry.field(description="Key connectors: records whose removal splits their group.")
    def connectors(
        self, info: Info, first: First = None, after: After = None
    ) -> NetworkConnectorConnection:
        found = analysis.page(
            info.context,
            "NETWORK_CONNECTORS",
            analysis.connectors(self.network),
            lambda c: [-c.pieces, c.party.name, c.party.id],
            3,
            first,
            after,
        )
        return NetworkConnectorConnection(
            edges=[
                NetworkConnectorEdge(
                    cursor=cursor,
                    node=NetworkConnector(
                        party=NetworkParty.of(c.party), pieces=c.pieces, group_size=c.group_size
                    ),
                )
                for cursor, c in found.items
            ],
            page_info=_page_info(found),
        )

    @strawberry.field(description="Customers linked to exactly one contact (WORKS_AT or a link).")
    def single_threaded(
        self, info: Info, first: First = None, after: After = None
    ) -> SingleThreadedConnection:
        found = analysis.page(
            info.context,
            "SINGLE_THREADED",
            analysis.single_threaded(self.network),
            lambda t: [t.customer.name, t.customer.id],
            2,
            first,
            after,
        )
        return SingleThreadedConnection(
            edges=[
                SingleThreadedEdge(
                    cursor=cursor,
                    node=SingleThreadedAccount(
                        customer=NetworkParty.of(t.customer), contact=NetworkParty.of(t.contact)
                    ),
                )
                for cursor, t in found.items
            ],
            page_info=_page_info(found),
        )


NETWORK_TYPES = "Only links of these relationship types (every type when left out)."
NETWORK_AS_OF = (
    "Links in effect on this day (today when left out); WORKS_AT and FOR, which carry no "
    "dates, when both ends existed by then."
)
NETWORK_STRUCTURAL = "Also count contact→customer (WORKS_AT) and project→customer (FOR) links."


@strawberry.type
class NetworkQueries:
    @strawberry.field(
        description="Groups of connected customers, key connectors and single-threaded "
        "accounts over the relationship graph, from one statement.",
        permission_classes=[IsAuthenticated],
    )
    async def network_analytics(
        self,
        info: Info,
        type_keys: Annotated[
            list[str] | None, strawberry.argument(description=NETWORK_TYPES)
        ] = None,
        as_of: Annotated[date | None, strawberry.argument(description=NETWORK_AS_OF)] = None,
        include_structural: Annotated[
            bool, strawberry.argument(description=NETWORK_STRUCTURAL)
        ] = True,
    ) -> NetworkAnalytics:
        found = await analysis.network(info.context, type_keys, include_structural, as_of)
        return NetworkAnalytics(links=found.links, truncated=found.truncated, network=found)
