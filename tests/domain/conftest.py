"""What the domain's tests against Redis share."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from quanzi.bootstrap import Runtime


@pytest.fixture
async def refusing_redis(runtime: Runtime) -> AsyncIterator[Redis]:
    """A client of the test Redis as a user whose ACL refuses CLIENT (no client tracking),
    as some managed services do; the user is removed afterwards."""
    user, password = f"quanzi-test-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await runtime.redis.execute_command(
        "ACL", "SETUSER", user, "on", f">{password}", "~*", "&*", "+@all", "-client"
    )
    client = Redis.from_url(
        runtime.settings.redis_url or "", username=user, password=password, decode_responses=True
    )
    try:
        yield client
    finally:
        await client.aclose()
        await runtime.redis.execute_command("ACL", "DELUSER", user)
