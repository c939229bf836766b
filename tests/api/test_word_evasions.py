"""A blocked word stays blocked however it is disguised, through the contract's CreatePost."""

from __future__ import annotations

import pytest

from domain.models import Post, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


@pytest.mark.parametrize(
    "body",
    [
        "周末一起赌\ufe0f博吗",
        "周末一起赌\u3164博吗",
        "周末一起赌\U000e0100博吗",
        "赌，博",
        "赌\n博",
        "聽說有人賭博",
        "cheap ѕраm here",
    ],
)
async def test_a_post_with_a_disguised_blocked_word_is_rejected(
    api: Api, runtime: Runtime, body: str
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    added = await api.op(
        "AddSensitiveWords", {"words": ["赌博", "spam"], "level": "BLOCK"}, token=operator
    )
    assert "errors" not in added
    member = token_for(runtime, await make_user())
    result = await api.op("CreatePost", {"input": {"body": body}}, token=member)
    assert error_codes(result) == ["CONTENT_REJECTED"]
    assert await Post.all().count() == 0


async def test_an_ordinary_post_with_commas_is_published(api: Api, runtime: Runtime) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("AddSensitiveWords", {"words": ["赌博", "办证"], "level": "BLOCK"}, token=operator)
    member = token_for(runtime, await make_user())
    result = await api.op(
        "CreatePost", {"input": {"body": "好，周末去博物馆。对，赌气的话别当真。"}}, token=member
    )
    assert result["data"]["createPost"]["post"]["status"] == "PUBLISHED"
