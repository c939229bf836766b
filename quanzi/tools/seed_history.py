"""The demo community's past four weeks, so that the dashboard, the cohorts and the share
funnel have something to show: members joining day by day (a third of them through a shared
link), their activity, posts, comments, likes, shares and the opens of shared links, and a few
reports. Written as history (backdated rows; counters recounted at the end), by a fixed random
draw, so every run and every machine seeds the same community.

Each history member's past is written only when the member is created: a second run finds
them all and adds nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from adapters import sql
from domain.counters import recount_all
from domain.models import (
    ClientEvent,
    ClientEventKind,
    Comment,
    MemberActivity,
    Post,
    PostLike,
    Report,
    ReportReason,
    ReportStatus,
    Share,
    ShareChannel,
    TargetType,
    User,
)
from domain.posts import PostDraft, create_post
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.rules import CommunityRules
from domain.shares import new_share_token
from domain.users import Attribution, find_or_create_member

HISTORY_DAYS = 28
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙")
_TITLES = ("同学", "老师", "小姐")
# demo-h01 … demo-h36, in the order they joined.
HISTORY_MEMBERS = tuple(
    (f"demo-h{i + 1:02d}", f"{_SURNAMES[i % 12]}{_TITLES[i // 12]}") for i in range(36)
)
POST_TEXTS = (
    "周末去了趟植物园，银杏黄了 #摄影#",
    "求推荐适合入门的长篇小说 #读书#",
    "今天第一次手冲咖啡，酸得皱眉 #咖啡#",
    "考研数学一百天冲刺计划，有一起打卡的吗 #考研#",
    "香山东线人好多，建议早上七点前上山 #徒步#",
    "新来的，请多关照",
    "有人一起组队参加下个月的读书会吗 #读书#",
    "拍夜景用什么参数比较好？ #摄影#",
    "楼下新开的咖啡店还不错，豆子是云南的 #咖啡#",
    "复习到崩溃的时候就出来走走 #考研#",
    "周日八公里，膝盖还撑得住 #徒步#",
    "分享一个记账小技巧：每周日晚上对一次账",
)
COMMENT_TEXTS = (
    "同意！",
    "学到了，谢谢分享",
    "下次带上我",
    "照片拍得真好",
    "我也遇到过，后来换了方法",
    "加油！",
    "这个建议很实用",
    "哈哈哈太真实了",
)
# Members who come most days, some days, or for their first days only.
PERSONAS = ((0.75, 99), (0.35, 99), (0.8, 3))
CHANNELS = tuple(ShareChannel)
REASONS = (ReportReason.SPAM, ReportReason.SPAM, ReportReason.ABUSE, ReportReason.OTHER)


@dataclass
class _Past:
    """What the history adds, gathered then written in bulk."""

    activity: set[tuple[int, date]] = field(default_factory=set)
    comments: list[Comment] = field(default_factory=list)
    likes: dict[tuple[int, int], datetime] = field(default_factory=dict)
    shares: list[Share] = field(default_factory=list)
    opens: list[ClientEvent] = field(default_factory=list)
    reports: dict[tuple[int, int], Report] = field(default_factory=dict)
    posts: list[tuple[int, datetime]] = field(default_factory=list)  # (id, created) for picks


def _day_start(rules: CommunityRules, day: date) -> datetime:
    return rules.calendar.start_of(day).astimezone(UTC)


def _share(past: _Past, rng: random.Random, user_id: int, post_id: int, at: datetime) -> Share:
    share = Share(
        user_id=user_id,
        post_id=post_id,
        channel=rng.choice(CHANNELS),
        token=new_share_token(),
        counted=True,
        created_at=at,
    )
    past.shares.append(share)
    for minutes in range(rng.randint(1, 4)):
        past.opens.append(
            ClientEvent(
                kind=ClientEventKind.SHARE_OPEN,
                share_token=share.token,
                occurred_at=at + timedelta(minutes=10 + 7 * minutes),
            )
        )
    return share


async def _backdated_post(
    author: User, body: str, at: datetime, rules: CommunityRules
) -> tuple[int, datetime]:
    post = await create_post(author, PostDraft(body=body), NO_SCREENING, rules=rules)
    await Post.filter(id=post.id).update(created_at=at, updated_at=at)
    await sql.execute("UPDATE post_topics SET post_created_at = $2 WHERE post_id = $1", post.id, at)
    return post.id, at


async def _member_past(
    past: _Past,
    rng: random.Random,
    member: User,
    joined: datetime,
    rules: CommunityRules,
) -> int:
    """One history member's days from joining until today; return the posts written."""
    chance, days_kept = PERSONAS[rng.randrange(len(PERSONAS))]
    today = rules.calendar.today()
    first_day = rules.calendar.day_of(joined)
    posts = 0
    for offset in range((today - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        if offset and (offset >= days_kept or rng.random() > chance):
            continue
        past.activity.add((member.id, day))
        start = joined if offset == 0 else _day_start(rules, day) + timedelta(hours=9)
        moment = start + timedelta(minutes=rng.randrange(8 * 60))
        if day == today and moment > datetime.now(UTC) - timedelta(minutes=90):
            continue  # nothing in the last hour and a half: the detectors' windows stay quiet
        if (offset == 0 and rng.random() < 0.55) or rng.random() < 0.12:
            past.posts.append(await _backdated_post(member, rng.choice(POST_TEXTS), moment, rules))
            posts += 1
        earlier = [p for p in past.posts if p[1] < moment]
        if not earlier:
            continue
        if rng.random() < 0.3:
            post_id, _ = rng.choice(earlier)
            past.comments.append(
                Comment(
                    post_id=post_id,
                    author_id=member.id,
                    body=rng.choice(COMMENT_TEXTS),
                    created_at=moment + timedelta(minutes=5),
                )
            )
        for post_id, _ in rng.sample(earlier, min(len(earlier), rng.randint(0, 3))):
            past.likes.setdefault((member.id, post_id), moment + timedelta(minutes=2))
        if rng.random() < 0.08:
            _share(past, rng, member.id, rng.choice(earlier)[0], moment + timedelta(minutes=9))
        if rng.random() < 0.06:
            post_id, _ = rng.choice(earlier)
            past.reports.setdefault(
                (member.id, post_id),
                Report(
                    reporter_id=member.id,
                    target_type=TargetType.POST,
                    target_id=post_id,
                    reason=rng.choice(REASONS),
                    status=ReportStatus.RESOLVED,
                    created_at=moment + timedelta(minutes=12),
                ),
            )
    return posts


async def seed_history(members: dict[str, User], rules: CommunityRules) -> dict[str, int]:
    """Create what is missing of the demo's four weeks; return how many members and posts
    the history added."""
    rng = random.Random(19)
    today = rules.calendar.today()
    core = list(members.values())
    past = _Past()
    past.posts = [
        (p.id, p.created_at)
        for p in await Post.filter(author_id__in=[u.id for u in core]).order_by("id")
    ]
    # The core members were around before the history: backdate them and their activity.
    since = _day_start(rules, today - timedelta(days=HISTORY_DAYS + 2))
    await User.filter(id__in=[u.id for u in core], created_at__gt=since).update(created_at=since)
    for user in core:
        for back in range(HISTORY_DAYS + 1):
            if rng.random() < 0.85:
                past.activity.add((user.id, today - timedelta(days=back)))
    created = posts = 0
    for i, (openid, nickname) in enumerate(HISTORY_MEMBERS):
        day = today - timedelta(days=HISTORY_DAYS - i * (HISTORY_DAYS - 1) // 35)
        joined = _day_start(rules, day) + timedelta(hours=8, minutes=(i * 37) % 600)
        attribution = Attribution()
        shareable = [p for p in past.posts if p[1] < joined - timedelta(hours=2)]
        if i % 3 == 0 and shareable:  # a third come through a link a member shared
            sharer = core[i % len(core)]
            at = joined - timedelta(hours=2)
            shared = _share(past, rng, sharer.id, rng.choice(shareable)[0], at)
            attribution = Attribution(share_token=shared.token)
        member, is_new = await find_or_create_member(
            openid, nickname=nickname, attribution=attribution
        )
        if not is_new:
            past.shares = [s for s in past.shares if s.token != attribution.share_token]
            past.opens = [o for o in past.opens if o.share_token != attribution.share_token]
            continue
        created += 1
        await User.filter(id=member.id).update(created_at=joined)
        posts += await _member_past(past, rng, member, joined, rules)
    if created:
        await _write(past)
    return {"history members": created, "history posts": posts}


async def _write(past: _Past) -> None:
    await MemberActivity.bulk_create(
        [MemberActivity(user_id=u, day=d) for u, d in sorted(past.activity)],
        ignore_conflicts=True,
    )
    await Comment.bulk_create(past.comments)
    await PostLike.bulk_create(
        [PostLike(user_id=u, post_id=p, created_at=at) for (u, p), at in past.likes.items()],
        ignore_conflicts=True,
    )
    await Share.bulk_create(past.shares)
    await ClientEvent.bulk_create(past.opens)
    await Report.bulk_create(list(past.reports.values()), ignore_conflicts=True)
    await recount_all()
