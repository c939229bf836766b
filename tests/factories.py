"""Factories: build rows through the domain, never by mocking it.

Each factory calls the domain service a member or an operator would, so every counter that
counts the row moves with it and `recount_all()` finds nothing to repair. What a factory needs
and is not given (an author, an operator) it makes. Texts pass NO_SCREENING (fixtures, not a
member's words): a test of the word filter or WeChat's check goes through the API.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from domain import notifications, points
from domain.answers import answer_question
from domain.circles import approve_member, create_circle, join_circle
from domain.comments import add_answer_comment, add_comment, delete_comment
from domain.content_status import set_status
from domain.events import EventDraft, create_event, sign_up
from domain.featured import add_to_collection, create_collection
from domain.feedback import submit
from domain.models import (
    Answer,
    AnswerStatus,
    Circle,
    CircleMember,
    CircleRole,
    Collection,
    Comment,
    CommentStatus,
    Event,
    EventKind,
    Feedback,
    FeedbackCategory,
    JoinPolicy,
    MembershipStatus,
    Notification,
    NotificationKind,
    PointsReason,
    Poll,
    Post,
    PostKind,
    PostStatus,
    Report,
    ReportReason,
    ReviewTask,
    Role,
    TargetType,
    Topic,
    User,
)
from domain.polls import PollDraft
from domain.posts import PostDraft, create_post, delete_post
from domain.publishing import NO_SCREENING
from domain.reports import report_content
from domain.review import open_task
from domain.topics import ensure_topics
from domain.users import find_or_create_member
from quanzi.bootstrap import Runtime, community_rules
from quanzi.settings import Settings

_counter = itertools.count(1)
# The rules the test app runs with: the test settings keep the community defaults.
RULES = community_rules(Settings())

# The statuses content reaches after it was written, and the reason a review task gives.
_HELD = {
    "PENDING_REVIEW": "待审核：测试",
    "HIDDEN": "举报：SPAM",
}


async def make_user(
    *, role: Role = Role.MEMBER, nickname: str | None = None, openid: str | None = None, **extra
) -> User:
    n = next(_counter)
    user, _ = await find_or_create_member(openid or f"openid-{n}", nickname=nickname or f"成员{n}")
    changes = {"role": role, **extra}
    await User.filter(id=user.id).update(**changes)
    await user.refresh_from_db()
    return user


async def make_operator(**extra: object) -> User:
    return await make_user(role=Role.OPERATOR, **extra)  # type: ignore[arg-type]


def token_for(runtime: Runtime, user: User) -> str:
    """An access token of a sign-in of the member's own, as signing in issues them (so that a
    feed page may confirm it: domain.auth.SignInCheck); no refresh token, none revoked."""
    token, _ = runtime.tokens.issue_access(user.id, session=uuid.uuid4())
    return token


async def grant_points(user: User, amount: int, key: str) -> None:
    """Points earned as for featured content: on the ledger and the member's balance."""
    async with in_transaction() as conn:
        await points.award(user.id, amount, PointsReason.FEATURED, key, conn, rules=RULES)


async def make_topic(name: str | None = None) -> Topic:
    """A topic as posting creates it: on first use of its name."""
    async with in_transaction() as conn:
        (topic_id,) = await ensure_topics([name or f"话题{next(_counter)}"], conn)
    return await Topic.get(id=topic_id)


async def move_to(target: TargetType, target_id: int, status: str) -> None:
    """Move written content to a later status as moderation does, counters following; held
    content gets the open review task that holds it."""
    async with in_transaction() as conn:
        await set_status(target, target_id, PostStatus(status), conn)
        if status in _HELD:
            await open_task(target, target_id, [_HELD[status]], conn)


@asynccontextmanager
async def _delivering() -> AsyncIterator[None]:
    """Notifications written inside are delivered after, as a request's are, short of the live
    push: the recipients' unread counters catch up."""
    with notifications.collecting() as ids:
        yield
    recipients = await Notification.filter(id__in=ids).values_list("recipient_id", flat=True)
    await notifications.recount_unread(list(recipients))  # type: ignore[arg-type]


async def make_post(
    author: User | None = None,
    body: str = "今天天气不错",
    *,
    status: PostStatus = PostStatus.PUBLISHED,
    **draft: object,
) -> Post:
    """A post (or, with `kind`, a question or poll), published, then moved to `status`."""
    author = author or await make_user()
    async with _delivering():
        post = await create_post(author, PostDraft(body=body, **draft), NO_SCREENING, rules=RULES)  # type: ignore[arg-type]
    if status == PostStatus.DELETED:
        await delete_post(author, post.id, rules=RULES)
    elif status != PostStatus.PUBLISHED:
        await move_to(TargetType.POST, post.id, status.value)
    await post.refresh_from_db()
    return post


async def make_question(
    author: User | None = None,
    title: str = "周末去哪里爬山？",
    body: str = "想找一条适合新手的路线。",
    **draft: object,
) -> Post:
    return await make_post(author, body, kind=PostKind.QUESTION, title=title, **draft)


async def make_poll(
    author: User | None = None,
    options: Iterable[str] = ("周六", "周日"),
    *,
    multiple_choice: bool = False,
    closes_at: datetime | None = None,
    body: str = "读书会哪天见？",
    **draft: object,
) -> Poll:
    """A poll post and its options; the post is `poll.post`."""
    poll_draft = PollDraft(list(options), multiple_choice, closes_at)
    post = await make_post(author, body, kind=PostKind.POLL, poll=poll_draft, **draft)
    poll = await Poll.get(post_id=post.id)
    await poll.fetch_related("post", "options")
    return poll


async def make_comment(
    post: Post,
    author: User | None = None,
    body: str = "说得好",
    *,
    reply_to: Comment | None = None,
    status: CommentStatus = CommentStatus.PUBLISHED,
) -> Comment:
    """A comment (or a reply) that tells the post's and the replied comment's authors."""
    author = author or await make_user()
    async with _delivering():
        comment = await add_comment(
            author,
            post.id,
            body,
            reply_to_id=reply_to.id if reply_to else None,
            screener=NO_SCREENING,
            rules=RULES,
        )
    if status == CommentStatus.DELETED:
        await delete_comment(author, comment.id)
    elif status != CommentStatus.PUBLISHED:
        await move_to(TargetType.COMMENT, comment.id, status.value)
    await comment.refresh_from_db()
    return comment


async def make_answer_comment(
    answer: Answer,
    author: User | None = None,
    body: str = "好回答",
    *,
    reply_to: Comment | None = None,
) -> Comment:
    """A comment on an answer (or a reply in its thread) that tells the answer's author."""
    author = author or await make_user()
    async with _delivering():
        comment = await add_answer_comment(
            author,
            answer.id,
            body,
            reply_to_id=reply_to.id if reply_to else None,
            screener=NO_SCREENING,
            rules=RULES,
        )
    await comment.refresh_from_db()
    return comment


async def make_answer(
    question: Post,
    author: User | None = None,
    body: str = "推荐走东线，台阶多但不难。",
    *,
    status: AnswerStatus = AnswerStatus.PUBLISHED,
) -> Answer:
    """An answer that tells the asker; other statuses as moderation (or its author) leaves it."""
    author = author or await make_user()
    async with _delivering():
        answer, _ = await answer_question(author, question.id, body, NO_SCREENING, rules=RULES)
    if status != AnswerStatus.PUBLISHED:
        await move_to(TargetType.ANSWER, answer.id, status.value)
    await answer.refresh_from_db()
    return answer


async def make_circle(
    creator: User | None = None,
    name: str | None = None,
    *,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    members: Iterable[User] = (),
    description: str = "",
) -> Circle:
    """A circle opened by an operator (its first admin), with `members` joined and active."""
    creator = creator or await make_operator()
    circle = await create_circle(
        creator, name or f"圈子{next(_counter)}", description, join_policy=join_policy
    )
    for member in members:
        await make_circle_member(circle, member)
    return await Circle.get(id=circle.id)


async def make_circle_member(
    circle: Circle, user: User | None = None, *, pending: bool = False
) -> CircleMember:
    """A member of the circle; `pending` leaves an APPROVAL circle's request waiting."""
    user = user or await make_user()
    await join_circle(user, circle.id)
    membership = await CircleMember.get(circle_id=circle.id, user_id=user.id)
    if membership.status == MembershipStatus.PENDING and not pending:
        admin = await User.filter(
            circle_memberships__circle_id=circle.id,
            circle_memberships__role=CircleRole.ADMIN,
        ).first()
        await approve_member(admin or await make_operator(), circle.id, user.id)
        await membership.refresh_from_db()
    return membership


async def make_circle_admin(circle: Circle, user: User | None = None) -> CircleMember:
    """An active member made an admin of the circle, directly (setCircleAdmin would need an
    operator in the test)."""
    membership = await make_circle_member(circle, user)
    await CircleMember.filter(id=membership.id).update(role=CircleRole.ADMIN)
    await membership.refresh_from_db()
    return membership


async def make_event(
    by: User | None = None,
    title: str | None = None,
    *,
    starts_in: timedelta = timedelta(days=1),
    lasts: timedelta = timedelta(hours=2),
    kind: EventKind = EventKind.OFFLINE,
    capacity: int | None = None,
    circle: Circle | None = None,
    signed_up: Iterable[User] = (),
    **draft: object,
) -> Event:
    """An event an operator (or the circle's admin, given `by`) created, with sign-ups."""
    by = by or await make_operator()
    starts_at = datetime.now(UTC) + starts_in
    event = await create_event(
        by,
        EventDraft(
            title=title or f"活动{next(_counter)}",
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + lasts,
            capacity=capacity,
            circle_id=circle.id if circle else None,
            **draft,  # type: ignore[arg-type]
        ),
        NO_SCREENING,
        rules=RULES,
    )
    for user in signed_up:
        await sign_up(user, event.id)
    return await Event.get(id=event.id)


async def make_feedback(
    author: User | None = None,
    content: str = "希望能按话题搜索",
    *,
    category: FeedbackCategory = FeedbackCategory.SUGGESTION,
    contact: str = "",
) -> Feedback:
    author = author or await make_user()
    return await submit(author, category, content, contact=contact, screener=NO_SCREENING)


async def make_notification(
    recipient: User,
    kind: NotificationKind = NotificationKind.FOLLOW,
    *,
    actor: User | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    subject_id: int | None = None,
    snippet: str = "",
) -> Notification:
    """A notification written and delivered (the recipient's unread count includes it)."""
    actor = actor or await make_user()
    async with _delivering(), in_transaction() as conn:
        notification_id = await notifications.notify(
            recipient.id,
            kind,
            conn,
            actor_id=actor.id,
            post_id=post.id if post else None,
            comment_id=comment.id if comment else None,
            subject_id=subject_id,
            snippet=snippet,
        )
    assert notification_id is not None, "a member is never told about their own action"
    return await Notification.get(id=notification_id)


_TARGETS = {Post: TargetType.POST, Comment: TargetType.COMMENT, Answer: TargetType.ANSWER}


def _target_of(target: Post | Comment | Answer | User) -> TargetType:
    return _TARGETS.get(type(target), TargetType.USER)  # type: ignore[arg-type]


async def make_report(
    target: Post | Comment | Answer | User,
    reporter: User | None = None,
    *,
    reason: ReportReason = ReportReason.SPAM,
    detail: str = "",
) -> Report:
    """A member's report, and the review task it opens (or joins): `report.task`."""
    reporter = reporter or await make_user()
    report = await report_content(
        reporter, _target_of(target), target.id, reason, detail, screener=NO_SCREENING
    )
    await report.fetch_related("task")
    return report


async def make_review_task(
    target: Post | Comment | Answer | User, reasons: Iterable[str] = ("待审核：测试",)
) -> ReviewTask:
    """The open review task of a target (opened, or joined when one is open)."""
    async with in_transaction() as conn:
        return await open_task(_target_of(target), target.id, list(reasons), conn)


async def make_collection(
    by: User | None = None,
    title: str | None = None,
    *,
    posts: Iterable[Post] = (),
    description: str = "",
) -> Collection:
    """A curated collection an operator made, holding `posts` in order."""
    by = by or await make_operator()
    collection = await create_collection(
        by, title or f"专题{next(_counter)}", description, screener=NO_SCREENING
    )
    for post in posts:
        await add_to_collection(by, collection.id, post.id)
    return collection
