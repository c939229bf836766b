"""A question's bounty goes back to the asker only when the question is deleted unanswered."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from domain import points
from domain.models import PointsEntry, PointsReason, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import RULES, make_user, token_for

ASK = {"input": {"kind": "QUESTION", "title": "求助", "body": "怎么办？", "bounty": 30}}


async def _points(api: Api, token: str) -> int:
    return int((await api.op("Viewer", token=token))["data"]["viewer"]["points"])


async def _rich_asker(runtime: Runtime) -> tuple[User, str]:
    asker = await make_user()
    async with in_transaction() as conn:
        await points.award(asker.id, 100, PointsReason.FEATURED, "seed", conn, rules=RULES)
    return asker, token_for(runtime, asker)


async def test_deleting_an_answered_question_keeps_its_bounty_escrowed(
    api: Api, runtime: Runtime
) -> None:
    asker, token = await _rich_asker(runtime)
    question = (await api.op("CreatePost", ASK, token=token))["data"]["createPost"]["post"]["id"]
    answered = await api.op(
        "AnswerQuestion",
        {"questionId": question, "body": "这样做"},
        token=token_for(runtime, await make_user()),
    )
    assert "errors" not in answered
    before = await _points(api, token)
    deleted = await api.op("DeletePost", {"id": question}, token=token)
    assert "errors" not in deleted
    assert await _points(api, token) == before
    assert not await PointsEntry.filter(user_id=asker.id, reason=PointsReason.BOUNTY_REFUND)


async def test_deleting_an_unanswered_question_gives_its_bounty_back(
    api: Api, runtime: Runtime
) -> None:
    _, token = await _rich_asker(runtime)
    question = (await api.op("CreatePost", ASK, token=token))["data"]["createPost"]["post"]["id"]
    before = await _points(api, token)
    assert "errors" not in await api.op("DeletePost", {"id": question}, token=token)
    assert await _points(api, token) == before + 30
