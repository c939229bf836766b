"""Shares cannot be inflated: one member's repeated shares of a post to one channel on one day
count once in shareCount, HOT and topic heat; every share still gets its row and token."""

from __future__ import annotations

import pytest

from api.ids import to_global_id
from domain import trending
from domain.models import Share
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


def _burst(post_id: str, times: int) -> str:
    shares = " ".join(
        f's{n}: sharePost(postId: "{post_id}", channel: WECHAT_CHAT) '
        "{ shareToken post { shareCount } }"
        for n in range(times)
    )
    return f"mutation {{ {shares} }}"


async def test_thirty_aliased_shares_in_one_request_count_as_one_share(
    api: Api, runtime: Runtime
) -> None:
    post = to_global_id("Post", (await make_post(await make_user(), "分享我")).id)
    token = token_for(runtime, await make_user())
    burst = await api.execute(_burst(post, 30), token=token)
    payloads = list(burst["data"].values())
    assert len({p["shareToken"] for p in payloads}) == 30  # each share has its own link
    assert payloads[-1]["post"]["shareCount"] == 1
    elsewhere = await api.op(
        "SharePost", {"postId": post, "channel": "WECHAT_MOMENTS"}, token=token
    )
    assert elsewhere["data"]["sharePost"]["post"]["shareCount"] == 2  # another channel counts
    assert await Share.all().count() == 31  # the funnel still sees every share


async def test_one_members_share_burst_moves_neither_hot_nor_topic_heat(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    # The post shared by two members is the older one: age cannot be what ranks it first.
    shared_by_two = await make_post(author, "两人分享 #甲#")
    burst_post = await make_post(author, "一人狂刷 #乙#")
    for _ in range(2):
        await api.op(
            "SharePost",
            {"postId": to_global_id("Post", shared_by_two.id), "channel": "WECHAT_CHAT"},
            token=token_for(runtime, await make_user()),
        )
    await api.execute(
        _burst(to_global_id("Post", burst_post.id), 30), token=token_for(runtime, await make_user())
    )
    hot = await api.op("Feed", {"kind": "HOT", "first": 5})
    ranked = [e["node"]["id"] for e in hot["data"]["feed"]["edges"]]
    assert ranked == [to_global_id("Post", p.id) for p in (shared_by_two, burst_post)]
    await trending.refresh(runtime.store)
    board = (await api.op("TrendingTopics", {"first": 5}))["data"]["trendingTopics"]
    heat = {t["topic"]["name"]: t["heat"] for t in board}
    # One counted share against two: the burst's topic is not ahead.
    assert heat["乙"] < heat["甲"]
    assert heat["乙"] == pytest.approx((5 + 4) * 2.8, rel=0.01)  # a post, one share, velocity
