"""Following members and topics through the API, and the FOLLOWING feed."""

from __future__ import annotations

from api.ids import to_global_id
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_following_a_member_is_idempotent_and_not_yourself(
    api: Api, runtime: Runtime
) -> None:
    me, star = await make_user(), await make_user()
    token = token_for(runtime, me)
    for _ in range(2):
        result = await api.op("FollowUser", {"userId": gid("User", star.id)}, token=token)
        assert result["data"]["followUser"]["user"] == {
            "id": gid("User", star.id),
            "followerCount": 1,
            "viewerIsFollowing": True,
        }
    self_follow = await api.op("FollowUser", {"userId": gid("User", me.id)}, token=token)
    assert self_follow["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "userId"}
    unfollowed = await api.op("UnfollowUser", {"userId": gid("User", star.id)}, token=token)
    assert unfollowed["data"]["unfollowUser"]["user"]["followerCount"] == 0
    await me.refresh_from_db()
    assert me.following_count == 0


async def test_following_feed_shows_followed_members_topics_and_my_own_posts(
    api: Api, runtime: Runtime
) -> None:
    me, friend, stranger = await make_user(), await make_user(), await make_user()
    token = token_for(runtime, me)
    mine = await make_post(me, "我的")
    friends = await make_post(friend, "朋友的")
    topical = await make_post(stranger, "陌生人的 #摄影#")
    await make_post(stranger, "陌生人的别的")
    await api.op("FollowUser", {"userId": gid("User", friend.id)}, token=token)
    topic = await api.op("TopicFeed", {"name": "摄影"})
    topic_id = topic["data"]["topic"]["id"]
    followed = await api.op("FollowTopic", {"topicId": topic_id}, token=token)
    assert followed["data"]["followTopic"] == {
        "id": topic_id,
        "followerCount": 1,
        "viewerIsFollowing": True,
    }
    feed = await api.op("Feed", {"kind": "FOLLOWING"}, token=token)
    ids = [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]
    assert ids == [gid("Post", p.id) for p in (topical, friends, mine)]
    unfollowed = await api.op("UnfollowTopic", {"topicId": topic_id}, token=token)
    assert unfollowed["data"]["unfollowTopic"]["followerCount"] == 0
    anonymous = await api.op("Feed", {"kind": "FOLLOWING"})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
