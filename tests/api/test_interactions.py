"""Comments, likes, shares, follows and client events through the API, under retries and
concurrency."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    ClientEvent,
    Comment,
    CommentLike,
    CommentStatus,
    PostLike,
    User,
    UserFollow,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_comments_and_replies_form_one_level_threads(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    alice, bob = await make_user(nickname="爱丽丝"), await make_user(nickname="鲍勃")
    ta, tb = token_for(runtime, alice), token_for(runtime, bob)
    root = await api.op("AddComment", {"postId": gid("Post", post.id), "body": "沙发"}, token=ta)
    root_id = root["data"]["addComment"]["comment"]["id"]
    assert root["data"]["addComment"]["post"]["commentCount"] == 1
    reply = await api.op(
        "AddComment",
        {"postId": gid("Post", post.id), "body": "同意", "replyToId": root_id},
        token=tb,
    )
    reply_id = reply["data"]["addComment"]["comment"]["id"]
    nested = await api.op(
        "AddComment",
        {"postId": gid("Post", post.id), "body": "回复鲍勃", "replyToId": reply_id},
        token=ta,
    )
    answer = nested["data"]["addComment"]["comment"]
    assert answer["replyTo"] == {
        "id": reply_id,
        "author": {"id": gid("User", bob.id), "nickname": "鲍勃"},
    }
    assert nested["data"]["addComment"]["post"]["commentCount"] == 3

    detail = await api.op("PostDetail", {"id": gid("Post", post.id)})
    top = detail["data"]["post"]["comments"]["edges"]
    assert [e["node"]["body"] for e in top] == ["沙发"]
    assert top[0]["node"]["replyCount"] == 2
    thread = await api.op("CommentReplies", {"id": root_id, "first": 10})
    bodies = [e["node"]["body"] for e in thread["data"]["node"]["replies"]["edges"]]
    assert bodies == ["同意", "回复鲍勃"]


async def test_deleting_a_root_comment_takes_its_thread_and_counts(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post(await make_user())
    author = await make_user()
    token = token_for(runtime, author)
    root = (
        await api.op("AddComment", {"postId": gid("Post", post.id), "body": "一楼"}, token=token)
    )["data"]["addComment"]["comment"]["id"]
    for text in ("二", "三"):
        await api.op(
            "AddComment",
            {"postId": gid("Post", post.id), "body": text, "replyToId": root},
            token=token,
        )
    other = token_for(runtime, await make_user())
    assert error_codes(await api.op("DeleteComment", {"id": root}, token=other)) == ["FORBIDDEN"]
    assert (await api.op("DeleteComment", {"id": root}, token=token))["data"]["deleteComment"]["ok"]
    await post.refresh_from_db()
    assert post.comment_count == 0
    assert await Comment.filter(status=CommentStatus.PUBLISHED).count() == 0
    assert error_codes(await api.op("DeleteComment", {"id": root}, token=token)) == ["NOT_FOUND"]


async def test_comments_on_missing_or_deleted_posts_are_refused(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author)
    token = token_for(runtime, author)
    await api.op("DeletePost", {"id": gid("Post", post.id)}, token=token)
    for post_id in (gid("Post", post.id), gid("Post", 424242)):
        result = await api.op("AddComment", {"postId": post_id, "body": "还在吗"}, token=token)
        assert result["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "postId"}
    bad_reply = await api.op(
        "AddComment",
        {
            "postId": gid("Post", (await make_post(author)).id),
            "body": "x",
            "replyToId": gid("Comment", 9),
        },
        token=token,
    )
    assert bad_reply["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "replyToId"}
    empty = await api.op(
        "AddComment",
        {"postId": gid("Post", (await make_post(author)).id), "body": " "},
        token=token,
    )
    assert empty["errors"][0]["extensions"]["field"] == "body"
    assert await Comment.all().count() == 0


async def test_liking_twice_leaves_one_like_and_unliking_is_idempotent(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    variables = {"postId": gid("Post", post.id)}
    for _ in range(2):
        liked = await api.op("LikePost", variables, token=token)
        assert liked["data"]["likePost"]["post"] == {
            "id": gid("Post", post.id),
            "likeCount": 1,
            "viewerHasLiked": True,
        }
    for _ in range(2):
        unliked = await api.op("UnlikePost", variables, token=token)
        assert unliked["data"]["unlikePost"]["post"]["likeCount"] == 0
        assert unliked["data"]["unlikePost"]["post"]["viewerHasLiked"] is False


async def test_fifty_members_liking_at_once_count_fifty(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    tokens = [token_for(runtime, await make_user()) for _ in range(50)]
    await asyncio.gather(
        *(api.op("LikePost", {"postId": gid("Post", post.id)}, token=t) for t in tokens)
    )
    await post.refresh_from_db()
    assert post.like_count == 50 == await PostLike.filter(post_id=post.id).count()


async def test_twenty_concurrent_likes_from_one_member_count_one(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    results = await asyncio.gather(
        *(api.op("LikePost", {"postId": gid("Post", post.id)}, token=token) for _ in range(20))
    )
    assert all("errors" not in r for r in results)
    await post.refresh_from_db()
    assert post.like_count == 1 == await PostLike.filter(post_id=post.id).count()


async def test_counters_equal_their_rows_after_a_mixed_concurrent_storm(
    api: Api, runtime: Runtime
) -> None:
    posts = [await make_post(await make_user()) for _ in range(3)]
    members = [await make_user() for _ in range(12)]
    rng = random.Random(7)
    calls = []
    for _ in range(150):
        member = rng.choice(members)
        post = rng.choice(posts)
        op = rng.choice(["LikePost", "UnlikePost", "AddComment", "SharePost", "FollowUser"])
        variables: dict[str, object] = {"postId": gid("Post", post.id)}
        if op == "AddComment":
            variables["body"] = "风暴"
        elif op == "SharePost":
            variables["channel"] = "WECHAT_CHAT"
        elif op == "FollowUser":
            variables = {"userId": gid("User", post.author_id)}  # type: ignore[attr-defined]
        calls.append(api.op(op, variables, token=token_for(runtime, member)))
    results = await asyncio.gather(*calls)
    assert [r["errors"] for r in results if "errors" in r] == []
    for post in posts:
        await post.refresh_from_db()
        assert post.like_count == await PostLike.filter(post_id=post.id).count()
        assert post.comment_count == await Comment.filter(post_id=post.id).count()
        assert post.share_count == await post.shares.all().count()  # type: ignore[attr-defined]
    for user in await User.all():
        assert user.follower_count == await UserFollow.filter(followee_id=user.id).count()
        assert user.following_count == await UserFollow.filter(follower_id=user.id).count()


async def test_comment_likes_are_idempotent(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    comment = (
        await api.op("AddComment", {"postId": gid("Post", post.id), "body": "赞我"}, token=token)
    )["data"]["addComment"]["comment"]["id"]
    results = await asyncio.gather(
        *(api.op("LikeComment", {"commentId": comment}, token=token) for _ in range(5))
    )
    assert results[-1]["data"]["likeComment"]["comment"]["likeCount"] == 1
    assert await CommentLike.all().count() == 1
    unliked = await api.op("UnlikeComment", {"commentId": comment}, token=token)
    assert unliked["data"]["unlikeComment"]["comment"] == {
        "id": comment,
        "likeCount": 0,
        "viewerHasLiked": False,
    }


async def test_likes_on_missing_targets_are_not_found(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    post = await api.op("LikePost", {"postId": gid("Post", 777)}, token=token)
    assert post["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "postId"}
    wrong_type = await api.op("LikePost", {"postId": gid("User", 1)}, token=token)
    assert wrong_type["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "postId"}
    comment = await api.op("LikeComment", {"commentId": gid("Comment", 777)}, token=token)
    assert comment["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "commentId"}


async def test_sharing_returns_a_token_per_share_and_counts(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    first = await api.op(
        "SharePost", {"postId": gid("Post", post.id), "channel": "WECHAT_CHAT"}, token=token
    )
    second = await api.op(
        "SharePost", {"postId": gid("Post", post.id), "channel": "WECHAT_MOMENTS"}, token=token
    )
    a, b = first["data"]["sharePost"], second["data"]["sharePost"]
    assert a["shareToken"] != b["shareToken"] and len(a["shareToken"]) >= 16
    assert b["post"] == {"id": gid("Post", post.id), "shareCount": 2}


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


async def test_views_count_once_per_member_per_post_per_day(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    now = datetime.now(UTC)
    view = {"kind": "VIEW", "postId": gid("Post", post.id), "occurredAt": now.isoformat()}
    events = [
        view,
        view,
        {"kind": "IMPRESSION", "postId": gid("Post", post.id)},
        {"kind": "DWELL", "postId": gid("Post", post.id), "durationMs": 5200},
        {"kind": "SHARE_OPEN", "shareToken": "abc123"},
        {"kind": "VIEW", "postId": gid("Post", 99999)},  # deleted a moment ago: dropped
    ]
    result = await api.op("TrackEvents", {"events": events}, token=token)
    assert result["data"]["trackEvents"]["accepted"] == 5
    await api.op("TrackEvents", {"events": [view]}, token=token)
    await post.refresh_from_db()
    assert post.view_count == 1
    assert await ClientEvent.all().count() == 6
    # Another member's view counts; an anonymous one is stored but not counted.
    await api.op("TrackEvents", {"events": [view]}, token=token_for(runtime, await make_user()))
    await api.op("TrackEvents", {"events": [view]})
    await post.refresh_from_db()
    assert post.view_count == 2


async def test_bad_event_batches_are_refused_whole(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    ok = {"kind": "VIEW", "postId": gid("Post", post.id)}
    too_many = await api.op("TrackEvents", {"events": [ok] * 101}, token=token)
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "events"}
    far_future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad = [
        ({"kind": "DWELL", "postId": gid("Post", post.id)}, "events.1.durationMs"),
        ({"kind": "VIEW"}, "events.1.postId"),
        ({"kind": "SHARE_OPEN"}, "events.1.shareToken"),
        (
            {"kind": "VIEW", "postId": gid("Post", post.id), "occurredAt": far_future},
            "events.1.occurredAt",
        ),
    ]
    for event, field in bad:
        result = await api.op("TrackEvents", {"events": [ok, event]}, token=token)
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await ClientEvent.all().count() == 0
    await post.refresh_from_db()
    assert post.view_count == 0
