"""Every card of a feed page is built from a fixed number of queries, whatever the page size."""

from __future__ import annotations

import logging

import pytest

from domain.circles import create_circle, join_circle
from domain.likes import like_post
from domain.models import PollOption, PostKind, Role
from domain.polls import PollDraft, vote_poll
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import RULES, make_post, make_user, token_for


async def _count_queries(caplog: pytest.LogCaptureFixture, api: Api, first: int, token: str) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        result = await api.op("Feed", {"kind": "LATEST", "first": first}, token=token)
    assert "errors" not in result, result
    assert len(result["data"]["feed"]["edges"]) == first
    return len([r for r in caplog.records if r.name == "tortoise.db_client"])


async def test_a_20_post_page_and_a_50_post_page_cost_the_same_queries(
    api: Api, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    authors = [await make_user() for _ in range(10)]
    viewer = await make_user()
    operator = await make_user(role=Role.OPERATOR)
    circle = await create_circle(operator, "测试圈")
    for author in authors:
        await join_circle(author, circle.id)
    for i in range(60):
        draft: dict = {"circle_id": circle.id} if i % 2 else {}
        if i % 5 == 0:
            draft |= {"kind": PostKind.POLL, "poll": PollDraft(["是", "否", "不知道"])}
        post = await make_post(authors[i % 10], f"帖子 {i} #话题{i % 7}# #共同#", **draft)
        if i % 3 == 0:
            await like_post(viewer, post.id, rules=RULES)
        if i % 10 == 0:
            option = await PollOption.filter(poll__post_id=post.id).first()
            await vote_poll(viewer, post.id, [option.id])  # type: ignore[union-attr]
    token = token_for(runtime, viewer)
    signing_in = await _count_queries(caplog, api, 20, token)
    small = await _count_queries(caplog, api, 20, token)
    large = await _count_queries(caplog, api, 50, token)
    assert small == large
    # the page (pinned posts leading, one statement, which also confirms the sign-in checked
    # by the first request: domain.auth.SignInCheck), authors, topics, the viewer's likes,
    # circles, polls, their options and the viewer's poll votes: one query each, whatever
    # the page size
    assert large <= 8, large
    assert signing_in == large + 1  # the sign-in checked with a statement of its own
