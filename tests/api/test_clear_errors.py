"""Mistakes a client can make answer with a clear error naming the field, never an internal
one: a template granted twice in one call, an event in a circle that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import Event, Role, SubscribeGrant
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for

GRANT = "mutation($ids: [String!]!) { grantSubscribeMessages(templateIds: $ids) { count } }"


async def test_a_template_granted_twice_in_one_call_counts_once(api: Api, runtime: Runtime) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    granted = await api.execute(
        GRANT, {"ids": ["tmpl-a", "tmpl-a", " tmpl-a ", "tmpl-b"]}, token=token
    )
    assert granted == {"data": {"grantSubscribeMessages": {"count": 2}}}
    grants = await SubscribeGrant.filter(user_id=member.id).order_by("template_id")
    assert [(g.template_id, g.remaining) for g in grants] == [("tmpl-a", 1), ("tmpl-b", 1)]


async def test_an_event_in_a_circle_that_does_not_exist_is_not_found_on_circle_id(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    now = datetime.now(UTC)
    draft = {
        "title": "周末读书会",
        "kind": "ONLINE",
        "startsAt": (now + timedelta(days=1)).isoformat(),
        "endsAt": (now + timedelta(days=1, hours=2)).isoformat(),
        "circleId": to_global_id("Circle", 987_654),
    }
    result = await api.op("CreateEvent", {"input": draft}, token=operator)
    error = result["errors"][0]
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "circleId"}
    assert error["message"] == "圈子不存在"
    assert await Event.all().count() == 0
