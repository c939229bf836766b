"""Comments through the API: one-level threads, deletion with its counts, likes on comments."""

from __future__ import annotations

import asyncio

from api.ids import to_global_id
from domain.models import (
    Comment,
    CommentLike,
    CommentStatus,
    ReviewTask,
    TargetType,
)
from domain.review import Decision, decide
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import (
    RULES,
    make_comment,
    make_operator,
    make_post,
    make_user,
    move_to,
    token_for,
)


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


async def test_a_deleted_thread_stays_deleted_whatever_review_later_decides(
    api: Api, runtime: Runtime
) -> None:
    """Its root hidden (reported) and a reply in review when the author deletes the root:
    both go with the thread, and approving their review tasks brings neither back."""
    post = await make_post(await make_user())
    author = await make_user()
    root = await make_comment(post, author)
    kept = await make_comment(post, reply_to=root)
    held = await make_comment(post, reply_to=root, status=CommentStatus.PENDING_REVIEW)
    await move_to(TargetType.COMMENT, root.id, CommentStatus.HIDDEN)
    await post.refresh_from_db()
    assert post.comment_count == 1  # the published reply only
    token = token_for(runtime, author)
    deleted = await api.op("DeleteComment", {"id": gid("Comment", root.id)}, token=token)
    assert deleted["data"]["deleteComment"]["ok"]
    reviewer = await make_operator()
    for task in await ReviewTask.filter(status="OPEN", target_type="COMMENT"):
        await decide(reviewer, task.id, Decision.APPROVE, rules=RULES)
    statuses = await Comment.filter(id__in=[root.id, kept.id, held.id]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {CommentStatus.DELETED}
    await post.refresh_from_db()
    assert post.comment_count == 0


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
