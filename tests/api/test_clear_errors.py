"""Mistakes a client can make answer with a clear error naming the field, never an internal
one: a template granted twice in one call, an event in a circle that does not exist."""

from __future__ import annotations

from domain.models import SubscribeGrant
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

