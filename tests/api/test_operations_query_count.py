"""The operations side's lists cost the same queries for a few items as for many: the content
calendar, the pins in force, an event's roster and circles with their admins."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.ids import to_global_id
from domain import featured
from domain.events import sign_up
from domain.featured import PinScope
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.contract import operation
from tests.factories import (
    RULES,
    make_circle,
    make_circle_admin,
    make_collection,
    make_event,
    make_post,
    make_user,
    token_for,
)

CIRCLES_WITH_ADMINS = "{ circles(first: 50) { edges { node { id admins { id nickname } } } } }"


async def _queries(
    caplog: pytest.LogCaptureFixture, api: Api, token: str, query: str, **variables: Any
) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        result = await api.execute(query, variables, token=token)
    assert "errors" not in result, result
    return len([r for r in caplog.records if r.name == "tortoise.db_client"])


async def _op_queries(
    caplog: pytest.LogCaptureFixture, api: Api, token: str, name: str, **variables: Any
) -> int:
    return await _queries(caplog, api, token, operation(name), **variables)


async def _grow(operator: Any, event: Any, count: int) -> None:
    """`count` more of everything the lists show."""
    for n in range(count):
        post = await make_post(operator, f"运营帖 {n}")
        await featured.pin_post(operator, post.id, PinScope.GLOBAL)
        await featured.feature_post(operator, post.id, rules=RULES)
        await make_collection(operator)
        circle = await make_circle(operator)
        await make_circle_admin(circle)
        await sign_up(await make_user(), event.id)


async def test_the_operations_lists_cost_the_same_for_few_items_and_many(
    api: Api, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    event = await make_event(operator, starts_in=timedelta(days=2), capacity=100)
    window = {
        "from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "to": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
    }
    roster = {"eventId": to_global_id("Event", event.id)}

    async def costs() -> tuple[int, ...]:
        return (
            await _op_queries(caplog, api, token, "ContentCalendar", **window),
            await _op_queries(caplog, api, token, "PinnedPosts"),
            await _op_queries(caplog, api, token, "EventRoster", first=50, **roster),
            await _queries(caplog, api, token, CIRCLES_WITH_ADMINS),
        )

    await _grow(operator, event, 2)
    few = await costs()
    await _grow(operator, event, 10)
    many = await costs()
    assert few == many
