"""The demo community's review desk: open tasks at each stage, an appeal and an overdue item,
so that every page of the operator console shows something. Keyed by the texts, so a second
run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from domain.comments import add_comment
from domain.content_status import set_status
from domain.models import (
    Comment,
    Post,
    PostStatus,
    ReportReason,
    ReviewTask,
    TargetType,
    User,
)
from domain.posts import PostDraft, create_post
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.reports import report_content
from domain.review import Decision, appeal_rejection, decide, open_task
from domain.rules import CommunityRules

# (author, body, review word, decisions taken so far: (reviewer, decision)...)
HELD_POSTS: tuple[tuple[str, str, str, tuple[tuple[str, Decision], ...]], ...] = (
    ("demo-bob", "海外代购，正品保证，价格私聊", "代购", ()),
    ("demo-dong", "帮忙砍一刀，刷单返现日结", "刷单", (("demo-admin", Decision.ESCALATE),)),
    (
        "demo-alice",
        "招微商代理，零门槛，代购也行",
        "代购",
        (("demo-admin", Decision.REJECT), ("demo-operator", Decision.ESCALATE)),
    ),
)
# Waited five hours at FIRST (its SLA is two): the overdue item.
OVERDUE = ("demo-chen", "兼职刷单，一单一结，在家就能做", "刷单")
# Rejected in review, then appealed by its author: the appeal, at FINAL.
APPEALED = (
    "demo-lin",
    "读书会的书单整理好了，想代购原版书的可以一起拼单",
    "代购",
    "这是读书会的拼单通知，不是广告",
)
# A comment two members reported.
REPORTED = ("demo-dong", "加我微信领优惠券，先到先得", "欢迎来到圈子", ("demo-alice", "demo-lin"))


async def _held_post(author: User, body: str, word: str, rules: CommunityRules) -> Post | None:
    """A post held for review by a REVIEW word; None when the demo has it already."""
    if await Post.exists(author_id=author.id, body=body):
        return None
    post = await create_post(author, PostDraft(body=body), NO_SCREENING, rules=rules)
    async with in_transaction() as conn:
        await set_status(TargetType.POST, post.id, PostStatus.PENDING_REVIEW, conn)
        await open_task(TargetType.POST, post.id, [f"敏感词：{word}"], conn)
    return post


async def _decide_all(
    post: Post,
    decisions: tuple[tuple[str, Decision], ...],
    members: dict[str, User],
    rules: CommunityRules,
) -> None:
    task = await ReviewTask.get(target_type=TargetType.POST, target_id=post.id, status="OPEN")
    for reviewer, decision in decisions:
        await decide(members[reviewer], task.id, decision, "演示数据", rules=rules)


async def seed_review_desk(members: dict[str, User], rules: CommunityRules) -> int:
    """Create what is missing of the demo's review desk; return the tasks opened."""
    opened = 0
    for author, body, word, decisions in HELD_POSTS:
        post = await _held_post(members[author], body, word, rules)
        if post is not None:
            await _decide_all(post, decisions, members, rules)
            opened += 1
    author, body, word = OVERDUE
    post = await _held_post(members[author], body, word, rules)
    if post is not None:
        waited = datetime.now(UTC) - timedelta(hours=5)
        await ReviewTask.filter(target_type=TargetType.POST, target_id=post.id).update(
            created_at=waited, stage_entered_at=waited
        )
        opened += 1
    author, body, word, reason = APPEALED
    post = await _held_post(members[author], body, word, rules)
    if post is not None:
        rejections = (("demo-admin", Decision.REJECT), ("demo-operator", Decision.REJECT))
        await _decide_all(post, rejections, members, rules)
        await appeal_rejection(members[author], post.id, reason, screener=NO_SCREENING)
        opened += 1
    author, body, under, reporters = REPORTED
    if not await Comment.exists(author_id=members[author].id, body=body):
        post = await Post.get(title=under)
        comment = await add_comment(
            members[author], post.id, body, screener=NO_SCREENING, rules=rules
        )
        reasons = (ReportReason.SPAM, ReportReason.FRAUD)
        for reporter, reason in zip(reporters, reasons, strict=True):
            await report_content(
                members[reporter], TargetType.COMMENT, comment.id, reason, screener=NO_SCREENING
            )
        opened += 1
    return opened
