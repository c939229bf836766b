"""Nobody pays themselves: an asker accepting their own answer, an organiser checking in to
their own event."""

from __future__ import annotations

from domain.models import PointsEntry, PointsReason
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for


async def test_accepting_your_own_answer_marks_it_accepted_but_earns_no_points(
    api: Api, runtime: Runtime
) -> None:
    asker = await make_user()
    token = token_for(runtime, asker)
    for i in range(3):
        asked = await api.op(
            "CreatePost",
            {"input": {"kind": "QUESTION", "title": f"自问{i}", "body": "自答"}},
            token=token,
        )
        question = asked["data"]["createPost"]["post"]["id"]
        answered = await api.op(
            "AnswerQuestion", {"questionId": question, "body": "我自己答"}, token=token
        )
        answer = answered["data"]["answerQuestion"]["answer"]["id"]
        accepted = await api.op("AcceptAnswer", {"answerId": answer}, token=token)
        assert accepted["data"]["acceptAnswer"]["answer"] == {"id": answer, "isAccepted": True}
    viewer = (await api.op("Viewer", token=token))["data"]["viewer"]
    assert viewer["points"] == 3 * (5 + 2)  # the posts and answers, within their caps
    assert "FIRST_ACCEPTED" not in [b["code"] for b in viewer["badges"]]
    paid = PointsEntry.filter(
        user_id=asker.id,
        reason__in=[PointsReason.ACCEPTED_ANSWER, PointsReason.BOUNTY_PAID],
    )
    assert await paid.count() == 0
