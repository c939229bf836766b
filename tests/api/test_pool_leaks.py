"""A field's error never costs a database connection.

When a non-null field fails, graphql-core cancels its siblings still running. A sibling
cancelled while Tortoise was opening its transaction (BEGIN sent, not yet answered) kept its
pooled connection for good: `{ tasks { progress } alertRules { windowMinutes } }`, sent by a
member (the task centre writes in a transaction; the alert rules refuse a member), drained
the pool in as many requests as it had connections, and then every request waited forever.
Found by hypothesis-generated documents (adapters/database.py has the fix)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from quanzi.bootstrap import Runtime
from tests.conftest import configured_api
from tests.factories import make_user, token_for

DRAIN = "{ tasks { progress } alertRules { windowMinutes } }"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "interpreter"])
async def test_cancelled_transactions_give_their_connections_back(
    runtime: Runtime, compiled: bool
) -> None:
    token = token_for(runtime, await make_user())
    pool = connections.get("default")._pool  # type: ignore[attr-defined]
    async with configured_api(runtime, rate_limits_enabled=False, compiled_execution=compiled) as (
        api,
        _,
    ):
        for _ in range(3 * runtime.settings.db_pool_max):
            answer = await asyncio.wait_for(api.execute(DRAIN, token=token), 10)
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await asyncio.sleep(0.1)  # what was cancelled has unwound
        assert pool.get_size() - pool.get_idle_size() == 0
        viewer = await asyncio.wait_for(api.execute("{ viewer { id } }", token=token), 10)
        assert viewer["data"]["viewer"]["id"]
