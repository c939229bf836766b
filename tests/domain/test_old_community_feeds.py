"""A community whose posts are all older than HOT's window (an imported dump, a quiet month):
a newcomer's HOT and RECOMMENDED pages still show its best posts, page to the end without
repeating one, and leave out what the newcomer may not read."""

from __future__ import annotations

from adapters import sql
from api.ids import to_global_id
from domain.likes import like_post
from domain.models import JoinPolicy, Post, PostStatus
from quanzi.bootstrap import Runtime
from recommend import registry
from tests.conftest import Api
from tests.factories import RULES, make_circle, make_post, make_user, token_for

AGE_DAYS = 30


async def _old_community() -> tuple[set[str], str, set[str]]:
    """25 readable posts (one liked by all), a members-only circle's posts and a deleted post,
    all created 30 days ago; the readable posts' ids, the most liked one's, the unreadable."""
    authors = [await make_user() for _ in range(5)]
    posts = [await make_post(authors[n % 5], f"老帖子 {n} #旧话题#") for n in range(25)]
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=authors[:1])
    hidden = [await make_post(authors[0], f"圈内 {n}", circle_id=circle.id) for n in range(3)]
    hidden.append(await make_post(authors[1], "删掉的", status=PostStatus.DELETED))
    fans = [await make_user() for _ in range(6)]
    for n, fan in enumerate(fans):
        await like_post(fan, posts[7].id, rules=RULES)
        await like_post(fan, posts[(n * 3) % 25].id, rules=RULES)
        await like_post(fan, posts[(n * 5 + 1) % 25].id, rules=RULES)
    await sql.execute(
        "UPDATE posts SET created_at = created_at - make_interval(days => $1)", AGE_DAYS
    )
    await sql.execute(
        "UPDATE post_topics SET post_created_at = post_created_at - make_interval(days => $1)",
        AGE_DAYS,
    )
    await sql.execute(
        "UPDATE post_likes SET created_at = created_at - make_interval(days => $1)", AGE_DAYS
    )
    assert await Post.filter(status=PostStatus.PUBLISHED).count() == 28
    return (
        {to_global_id("Post", p.id) for p in posts},
        to_global_id("Post", posts[7].id),
        {to_global_id("Post", p.id) for p in hidden},
    )


async def _page_through(api: Api, kind: str, token: str, topic: str = "") -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(20):  # 25 posts by 7: four pages, and a bound if it never ended
        if topic:
            variables = {"name": topic, "orderBy": kind, "first": 7, "after": after}
            page = await api.op("TopicFeed", variables, token=token)
            feed = page["data"]["topic"]["posts"]
        else:
            page = await api.op("Feed", {"kind": kind, "first": 7, "after": after}, token=token)
            feed = page["data"]["feed"]
        ids += [e["node"]["id"] for e in feed["edges"]]
        if not feed["pageInfo"]["hasNextPage"]:
            return ids
        after = feed["pageInfo"]["endCursor"]
    raise AssertionError(f"{kind} never ended: {ids}")


async def test_a_newcomer_pages_through_hot_over_a_month_old_community(
    api: Api, runtime: Runtime
) -> None:
    readable, most_liked, hidden = await _old_community()
    token = token_for(runtime, await make_user())
    ids = await _page_through(api, "HOT", token)
    assert len(ids) == len(set(ids)), ids
    assert set(ids) == readable and not set(ids) & hidden
    assert ids[0] == most_liked  # the same age everywhere: engagement decides
    in_topic = await _page_through(api, "HOT", token, topic="旧话题")
    assert in_topic == ids


async def test_a_newcomer_pages_through_recommended_over_a_month_old_community(
    api: Api, runtime: Runtime
) -> None:
    readable, most_liked, hidden = await _old_community()
    row = await registry.train_and_register(runtime.recommender, publish=True)
    assert row.current and row.interactions > 0  # a model serves; the newcomer is not in it
    token = token_for(runtime, await make_user())
    ids = await _page_through(api, "RECOMMENDED", token)
    assert len(ids) == len(set(ids)), ids
    assert set(ids) == readable and not set(ids) & hidden
    assert most_liked in ids[:7]


async def test_recent_posts_still_lead_hot_before_older_ones(api: Api, runtime: Runtime) -> None:
    _readable, most_liked, _ = await _old_community()
    fresh = await make_post(await make_user(), "刚发的")
    page = await api.op(
        "Feed", {"kind": "HOT", "first": 3}, token=token_for(runtime, await make_user())
    )
    ids = [e["node"]["id"] for e in page["data"]["feed"]["edges"]]
    assert ids[:2] == [to_global_id("Post", fresh.id), most_liked]
