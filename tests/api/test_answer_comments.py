"""Comments on answers through the wave's operations (wave2/member-loop.graphql): a thread with a
reply, the notifications that name the answer, likes, deletion, and a moderation walk."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import Answer, AnswerStatus, Post, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_answer, make_question, make_user, token_for


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_an_answer_comment_thread_with_a_reply_notifies_and_counts(
    api: Api, runtime: Runtime
) -> None:
    asker, answerer = await make_user(nickname="提问者"), await make_user(nickname="答主")
    question = await make_question(asker)
    answer = await make_answer(question, answerer)
    alice, bob = await make_user(nickname="爱丽丝"), await make_user(nickname="鲍勃")
    ta, tb = token_for(runtime, alice), token_for(runtime, bob)
    answer_id = gid("Answer", answer.id)

    root = await api.op("AddAnswerComment", {"answerId": answer_id, "body": "讲得清楚"}, token=ta)
    added = root["data"]["addAnswerComment"]
    assert added["answer"] == {"id": answer_id, "commentCount": 1}
    root_id = added["comment"]["id"]
    reply = await api.op(
        "AddAnswerComment",
        {"answerId": answer_id, "body": "同意楼上", "replyToId": root_id},
        token=tb,
    )
    assert reply["data"]["addAnswerComment"]["answer"]["commentCount"] == 2
    assert reply["data"]["addAnswerComment"]["comment"]["replyTo"]["id"] == root_id

    thread = await api.op("AnswerComments", {"id": answer_id, "first": 10})
    node = thread["data"]["node"]
    assert node["commentCount"] == 2
    [edge] = node["comments"]["edges"]
    assert (edge["node"]["body"], edge["node"]["replyCount"]) == ("讲得清楚", 1)
    # The question's own comments stay its own.
    await question.refresh_from_db()
    assert question.comment_count == 0

    inbox = await api.op(
        "NotificationsAboutAnswers", {"first": 10}, token=token_for(runtime, answerer)
    )
    kinds = {
        (e["node"]["kind"], e["node"]["answer"]["id"])
        for e in inbox["data"]["notifications"]["edges"]
    }
    assert ("ANSWER_COMMENT", answer_id) in kinds
    replies = await api.op("NotificationsAboutAnswers", {"first": 10}, token=ta)
    [note] = replies["data"]["notifications"]["edges"]
    assert note["node"]["kind"] == "REPLY" and note["node"]["answer"] == {"id": answer_id}
    assert note["node"]["comment"]["body"] == "同意楼上"

    liked = await api.op("LikeComment", {"commentId": root_id}, token=tb)
    assert liked["data"]["likeComment"]["comment"]["likeCount"] == 1

    # A comment cannot reply into another answer's thread.
    other = await make_answer(question, await make_user())
    stray = await api.op(
        "AddAnswerComment",
        {"answerId": gid("Answer", other.id), "body": "串楼", "replyToId": root_id},
        token=ta,
    )
    assert error_codes(stray) == ["NOT_FOUND"]

    deleted = await api.op("DeleteComment", {"id": root_id}, token=ta)
    assert deleted["data"]["deleteComment"]["ok"]
    after = await api.op("AnswerComments", {"id": answer_id, "first": 10})
    assert after["data"]["node"]["commentCount"] == 0
    assert after["data"]["node"]["comments"]["edges"] == []


async def test_answer_comments_follow_the_answer_and_its_question(
    api: Api, runtime: Runtime
) -> None:
    question = await make_question(await make_user())
    answer = await make_answer(question, await make_user())
    member = token_for(runtime, await make_user())
    answer_id = gid("Answer", answer.id)
    result = await api.op("AddAnswerComment", {"answerId": answer_id, "body": "好"}, token=member)
    comment_id = result["data"]["addAnswerComment"]["comment"]["id"]

    hidden = await make_answer(question, await make_user(), status=AnswerStatus.HIDDEN)
    refused = await api.op(
        "AddAnswerComment", {"answerId": gid("Answer", hidden.id), "body": "看不到"}, token=member
    )
    assert error_codes(refused) == ["NOT_FOUND"]
    assert await Answer.filter(id=hidden.id, comment_count=0).exists()

    long = await api.op(
        "AddAnswerComment", {"answerId": answer_id, "body": "长" * 1001}, token=member
    )
    assert error_codes(long) == ["BAD_USER_INPUT"]
    assert long["errors"][0]["extensions"]["field"] == "body"

    node = await api.op("CommentReplies", {"id": comment_id, "first": 1})
    assert node["data"]["node"] is not None
    await Post.filter(id=question.id).update(status="HIDDEN")
    assert (await api.op("CommentReplies", {"id": comment_id, "first": 1}))["data"]["node"] is None
    gone = await api.op("AddAnswerComment", {"answerId": answer_id, "body": "再来"}, token=member)
    assert error_codes(gone) == ["NOT_FOUND"]


async def test_three_reports_hide_an_answer_comment_and_review_brings_it_back(
    api: Api, runtime: Runtime
) -> None:
    question = await make_question(await make_user())
    answer = await make_answer(question, await make_user())
    answer_id = gid("Answer", answer.id)
    author = token_for(runtime, await make_user())
    result = await api.op("AddAnswerComment", {"answerId": answer_id, "body": "广告"}, token=author)
    comment_id = result["data"]["addAnswerComment"]["comment"]["id"]
    for _ in range(3):
        reporter = token_for(runtime, await make_user())
        report = await api.op(
            "ReportContent",
            {"targetType": "COMMENT", "targetId": comment_id, "reason": "SPAM"},
            token=reporter,
        )
        assert "errors" not in report
    shown = await api.op("AnswerComments", {"id": answer_id, "first": 10})
    assert shown["data"]["node"]["commentCount"] == 0
    assert shown["data"]["node"]["comments"]["edges"] == []

    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    queue = await api.op("ReviewQueue", {"stage": "FIRST"}, token=operator)
    [edge] = queue["data"]["reviewQueue"]["edges"]
    decided = await api.op(
        "DecideReview", {"taskId": edge["node"]["id"], "decision": "APPROVE"}, token=operator
    )
    assert "errors" not in decided
    back = await api.op("AnswerComments", {"id": answer_id, "first": 10})
    assert back["data"]["node"]["commentCount"] == 1
    assert [e["node"]["id"] for e in back["data"]["node"]["comments"]["edges"]] == [comment_id]
