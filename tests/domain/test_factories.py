"""The factories build each main object through the domain, on the real database, with every
counter in step with the rows it counts."""

from __future__ import annotations

from domain.counters import recount_all
from domain.models import (
    AnswerStatus,
    CircleRole,
    CommentStatus,
    EventSignup,
    JoinPolicy,
    MembershipStatus,
    Notification,
    NotificationKind,
    PostKind,
    PostStatus,
    ReviewStatus,
    Role,
    TargetType,
    User,
)
from quanzi.bootstrap import Runtime
from tests.factories import (
    make_answer,
    make_answer_comment,
    make_circle,
    make_circle_admin,
    make_circle_member,
    make_collection,
    make_comment,
    make_event,
    make_feedback,
    make_notification,
    make_poll,
    make_post,
    make_question,
    make_report,
    make_review_task,
    make_topic,
    make_user,
)


async def assert_counters_in_step() -> None:
    assert await recount_all() == {
        t: 0 for t in ("posts", "comments", "answers", "users", "topics", "circles")
    }


async def test_posts_topics_and_comments_count_each_other(runtime: Runtime) -> None:
    author = await make_user()
    topic = await make_topic("读书")
    post = await make_post(author, "今天读完了 #读书#")
    comment = await make_comment(post)
    await make_comment(post, reply_to=comment)
    await post.refresh_from_db()
    await topic.refresh_from_db()
    await author.refresh_from_db()
    assert (post.comment_count, topic.post_count, author.post_count) == (2, 1, 1)
    told = await Notification.filter(recipient=author, kind=NotificationKind.COMMENT).count()
    assert told == 2
    await assert_counters_in_step()


async def test_hidden_rejected_pending_and_deleted_content_is_counted_nowhere(
    runtime: Runtime,
) -> None:
    author = await make_user()
    statuses = [s for s in PostStatus if s is not PostStatus.PUBLISHED]
    posts = [await make_post(author, f"帖子 {s.value}", status=s) for s in statuses]
    assert [p.status for p in posts] == statuses
    await author.refresh_from_db()
    assert author.post_count == 0
    shown = await make_post(author)
    comments = [await make_comment(shown, status=s) for s in CommentStatus]
    assert [c.status for c in comments] == list(CommentStatus)
    question = await make_question(author)
    answers = [await make_answer(question, status=s) for s in AnswerStatus]
    assert [a.status for a in answers] == list(AnswerStatus)
    await shown.refresh_from_db()
    await question.refresh_from_db()
    assert (shown.comment_count, question.answer_count) == (1, 1)
    await assert_counters_in_step()


async def test_held_content_waits_in_the_review_queue(runtime: Runtime) -> None:
    post = await make_post(status=PostStatus.PENDING_REVIEW)
    task = await make_review_task(post)
    assert (task.target_type, task.target_id, task.status) == (
        TargetType.POST,
        post.id,
        ReviewStatus.OPEN,
    )
    assert "待审核：测试" in task.reasons


async def test_questions_answers_and_polls(runtime: Runtime) -> None:
    question = await make_question()
    answer = await make_answer(question)
    await question.refresh_from_db()
    assert question.kind == PostKind.QUESTION and question.title
    assert (answer.question_id, question.answer_count) == (question.id, 1)  # type: ignore[attr-defined]
    root = await make_answer_comment(answer)
    await make_answer_comment(answer, body="同意", reply_to=root)
    await answer.refresh_from_db()
    await question.refresh_from_db()
    assert (answer.comment_count, question.comment_count) == (2, 0)
    poll = await make_poll(options=["甲", "乙", "丙"], multiple_choice=True)
    assert poll.post.kind == PostKind.POLL
    assert [o.text for o in sorted(poll.options, key=lambda o: o.position)] == ["甲", "乙", "丙"]
    await assert_counters_in_step()


async def test_circles_with_members_admins_and_pending_requests(runtime: Runtime) -> None:
    members = [await make_user() for _ in range(2)]
    circle = await make_circle(members=members)
    assert circle.member_count == 3  # the creator and two members
    admin = await make_circle_admin(circle)
    assert (admin.role, admin.status) == (CircleRole.ADMIN, MembershipStatus.ACTIVE)
    gated = await make_circle(join_policy=JoinPolicy.APPROVAL)
    waiting = await make_circle_member(gated, pending=True)
    approved = await make_circle_member(gated)
    assert (waiting.status, approved.status) == (MembershipStatus.PENDING, MembershipStatus.ACTIVE)
    await make_post(members[0], "圈内分享", circle_id=circle.id)
    await assert_counters_in_step()


async def test_events_with_sign_ups_and_feedback(runtime: Runtime) -> None:
    guests = [await make_user() for _ in range(3)]
    event = await make_event(capacity=10, signed_up=guests)
    assert event.signup_count == 3 == await EventSignup.filter(event_id=event.id).count()
    circle = await make_circle()
    admin = await make_circle_admin(circle)
    circle_event = await make_event(await User.get(id=admin.user_id), circle=circle)  # type: ignore[attr-defined]
    assert circle_event.circle_id == circle.id  # type: ignore[attr-defined]
    feedback = await make_feedback(content="签到码太小了")
    assert feedback.content == "签到码太小了"
    await assert_counters_in_step()


async def test_notifications_reports_and_collections(runtime: Runtime) -> None:
    member = await make_user()
    notification = await make_notification(member, NotificationKind.FEATURED, snippet="精选")
    await member.refresh_from_db()
    assert (notification.recipient_id, member.unread_notification_count) == (member.id, 1)  # type: ignore[attr-defined]
    post = await make_post(member)
    report = await make_report(post)
    assert report.task is not None and report.task.report_count == 1
    collection = await make_collection(posts=[post, await make_post()])
    assert await collection.items.all().count() == 2
    operator = await User.get(id=collection.created_by_id)  # type: ignore[attr-defined]
    assert operator.role == Role.OPERATOR
    await assert_counters_in_step()
