"""The graphql-http server audit (GraphQL over HTTP conformance) against the app served for
real: every audit, MUST, SHOULD and MAY alike, comes out ok (none a notice, warn or error)."""

from __future__ import annotations

import re

import pytest

from tests.live import Live
from tests.node_support import CLIENTS, run_node

pytestmark = pytest.mark.anyio


async def test_the_graphql_http_audit_passes_in_full(live: Live) -> None:
    # when
    run = await run_node(CLIENTS / "graphql-http", "audit.mjs", f"{live.url}/graphql")

    # then
    assert run.returncode == 0, run.stderr
    print(run.stdout)
    counts = re.search(r"ok (\d+), notice (\d+), warn (\d+), error (\d+)", run.stdout)
    assert counts is not None, run.stdout
    assert tuple(int(n) for n in counts.groups()) == (61, 0, 0, 0), run.stdout
