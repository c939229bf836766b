"""The demo community: a small cast of members with every role, safe to run again and again.
Its review desk (tasks at every stage, an appeal, an overdue item) is seed_review.py's, its
past four weeks (members joining, their activity and content) seed_history.py's, its feedback
desk and alerts seed_watch.py's, its content calendar (scheduled posts, pins, events)
seed_content.py's.

Sign in as any of them with devLogin(openid: ...) when QUANZI_DEV_LOGIN=1. Every piece is
keyed (an openid, a body, a title), so that a second run changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.answers import accept_answer, answer_question
from domain.circles import approve_member, create_circle, join_circle
from domain.comments import add_comment
from domain.events import EventDraft, create_event, sign_up
from domain.featured import add_to_collection, create_collection, feature_post
from domain.feedback import submit as submit_feedback
from domain.follows import follow_user
from domain.likes import like_post
from domain.models import (
    Circle,
    Collection,
    Comment,
    Event,
    EventKind,
    Feedback,
    FeedbackCategory,
    JoinPolicy,
    PollOption,
    Post,
    PostKind,
    Role,
    SensitiveWord,
    Topic,
    User,
    WordLevel,
)
from domain.polls import PollDraft, vote_poll
from domain.posts import PostDraft, create_post
from domain.publishing import NO_SCREENING  # demo texts, written here, not by members
from domain.rules import CommunityRules
from domain.topics import follow_topic
from domain.users import find_or_create_member
from quanzi.tools.seed_content import seed_content_calendar
from quanzi.tools.seed_history import seed_history
from quanzi.tools.seed_loop import seed_member_loop
from quanzi.tools.seed_review import seed_review_desk
from quanzi.tools.seed_watch import seed_desk_and_alerts

DEMO_MEMBERS: tuple[tuple[str, str, str, Role], ...] = (
    ("demo-admin", "圈主小王", "社区管理员，负责整体运营。", Role.ADMIN),
    ("demo-operator", "运营阿青", "每周精选、活动策划。", Role.OPERATOR),
    ("demo-moderator", "志愿者老周", "审核志愿者，守护讨论氛围。", Role.MODERATOR),
    ("demo-alice", "爱丽丝", "喜欢拍照和徒步。", Role.MEMBER),
    ("demo-bob", "鲍勃", "程序员，研究区块链。", Role.MEMBER),
    ("demo-chen", "陈同学", "大三学生，正在准备考研。", Role.MEMBER),
    ("demo-dong", "东东", "咖啡爱好者。", Role.MEMBER),
    ("demo-lin", "林小姐", "读书会发起人。", Role.MEMBER),
)


# (author, title, body, likers, comments: [(author, body, replies: [(author, body)])])
DEMO_POSTS: tuple[tuple[str, str, str, tuple[str, ...], tuple], ...] = (
    (
        "demo-lin",
        "本月读书会：《百年孤独》",
        "周六下午三点，老地方见。读到第几章都欢迎来聊 #读书#",
        ("demo-alice", "demo-chen", "demo-dong"),
        (
            (
                "demo-chen",
                "终于有人组织了！我读到一半",
                (("demo-lin", "一半正好，来聊聊布恩迪亚家族"),),
            ),
            (
                "demo-dong",
                "可以带咖啡吗",
                (("demo-lin", "当然，欢迎"), ("demo-alice", "我也带一壶")),
            ),
        ),
    ),
    (
        "demo-alice",
        "香山的秋天",
        "上周去香山拍的红叶，逆光真的太美了 #摄影# #徒步#",
        ("demo-bob", "demo-lin", "demo-operator"),
        (("demo-bob", "用的什么镜头？", (("demo-alice", "50mm 定焦，光圈 1.8"),)),),
    ),
    (
        "demo-dong",
        "",
        "今天试了埃塞俄比亚耶加雪菲，柑橘味很明显，推荐手冲 #咖啡#",
        ("demo-alice", "demo-lin"),
        (("demo-alice", "求店名！", ()),),
    ),
    (
        "demo-chen",
        "考研倒计时 100 天",
        "每天六点起床背单词，有没有一起打卡的？#考研#",
        ("demo-bob", "demo-dong", "demo-moderator", "demo-lin"),
        (
            ("demo-moderator", "加油！坚持就是胜利", ()),
            ("demo-bob", "我也在准备，一起", (("demo-chen", "好呀，互相监督"),)),
        ),
    ),
    (
        "demo-bob",
        "Cardano 质押入门",
        "整理了一份质押池选择的笔记：看饱和度、费用和出块记录 #区块链#",
        ("demo-chen",),
        (("demo-chen", "写得很清楚，收藏了", ()),),
    ),
    (
        "demo-operator",
        "欢迎来到圈子",
        "这里是兴趣相投的朋友们交流的地方，发帖请带上话题，友善交流 #社区公告#",
        ("demo-alice", "demo-bob", "demo-chen", "demo-dong", "demo-lin"),
        (),
    ),
    (
        "demo-alice",
        "",
        "周日有人去十渡徒步吗？路线大约 12 公里 #徒步#",
        ("demo-dong",),
        (("demo-dong", "算我一个", ()),),
    ),
    (
        "demo-lin",
        "",
        "推荐一本最近在读的书：《置身事内》，讲地方政府与经济发展 #读书#",
        ("demo-bob", "demo-chen"),
        (),
    ),
)

# (circle, description, policy, creator, members)
DEMO_CIRCLES = (
    (
        "周末户外",
        "徒步、骑行、露营，周末一起出发",
        JoinPolicy.OPEN,
        "demo-operator",
        ("demo-alice", "demo-dong"),
    ),
    ("考研互助", "打卡、资料分享、互相监督", JoinPolicy.APPROVAL, "demo-operator", ("demo-chen",)),
)
DEMO_QUESTION = (
    "demo-chen",
    "考研英语怎么背单词效率最高？",
    "试了好几种方法都坚持不下来，求经验 #考研#",
    (
        ("demo-lin", "每天固定时间背，配合真题语境记忆，比单纯背单词书有效"),
        ("demo-bob", "用间隔重复的 App，每天 20 分钟，三个月就能过一遍"),
    ),
)
DEMO_POLL = (
    "demo-alice",
    "下次活动去哪里？ #徒步#",
    ("香山", "百望山", "十渡"),
    ("demo-dong", "demo-lin", "demo-bob"),
)

DEMO_WORDS = (
    ("赌博", WordLevel.BLOCK),
    ("代开发票", WordLevel.BLOCK),
    ("代购", WordLevel.REVIEW),
    ("刷单", WordLevel.REVIEW),
)
DEMO_COLLECTION = ("新人必读", "第一次来圈子？从这里开始", ("欢迎来到圈子", "考研倒计时 100 天"))

DEMO_FOLLOWS = (
    ("demo-alice", "demo-lin"),
    ("demo-alice", "demo-dong"),
    ("demo-bob", "demo-alice"),
    ("demo-chen", "demo-lin"),
    ("demo-chen", "demo-bob"),
    ("demo-dong", "demo-alice"),
    ("demo-lin", "demo-chen"),
)
DEMO_TOPIC_FOLLOWS = (("demo-alice", "摄影"), ("demo-chen", "考研"), ("demo-lin", "读书"))


async def seed_demo_community(rules: CommunityRules) -> dict[str, int]:
    """Create what is missing of the demo community, under the community's `rules`; return
    how much exists and was created."""
    created = 0
    members: dict[str, User] = {}
    for openid, nickname, bio, role in DEMO_MEMBERS:
        user, is_new = await find_or_create_member(openid, nickname=nickname)
        if is_new:
            created += 1
            await User.filter(id=user.id).update(bio=bio, role=role)
            user.bio, user.role = bio, role
        members[openid] = user
    posts_created = 0
    for author, title, body, likers, comments in DEMO_POSTS:
        post = await Post.get_or_none(author_id=members[author].id, body=body)
        if post is None:
            post = await create_post(
                members[author], PostDraft(body=body, title=title), NO_SCREENING, rules=rules
            )
            posts_created += 1
            for commenter, text, replies in comments:
                root = await add_comment(
                    members[commenter], post.id, text, screener=NO_SCREENING, rules=rules
                )
                for replier, reply in replies:
                    await add_comment(
                        members[replier],
                        post.id,
                        reply,
                        reply_to_id=root.id,
                        screener=NO_SCREENING,
                        rules=rules,
                    )
        for liker in likers:
            await like_post(members[liker], post.id, rules=rules)
    for name, description, policy, creator, joiners in DEMO_CIRCLES:
        circle = await Circle.get_or_none(name=name)
        if circle is None:
            circle = await create_circle(members[creator], name, description, policy)
        for joiner in joiners:
            result = await join_circle(members[joiner], circle.id)
            if result.pending:
                await approve_member(members[creator], circle.id, members[joiner].id)
    asker, title, body, replies = DEMO_QUESTION
    question = await Post.get_or_none(author_id=members[asker].id, title=title)
    if question is None:
        question = await create_post(
            members[asker],
            PostDraft(body=body, title=title, kind=PostKind.QUESTION),
            NO_SCREENING,
            rules=rules,
        )
        posts_created += 1
        for answerer, text in replies:
            answer, _ = await answer_question(
                members[answerer], question.id, text, NO_SCREENING, rules=rules
            )
        await accept_answer(members[asker], answer.id, rules=rules)
    author, poll_body, options, voters = DEMO_POLL
    poll_post = await Post.get_or_none(author_id=members[author].id, body=poll_body)
    if poll_post is None:
        poll_post = await create_post(
            members[author],
            PostDraft(body=poll_body, kind=PostKind.POLL, poll=PollDraft(list(options))),
            NO_SCREENING,
            rules=rules,
        )
        posts_created += 1
        first_option = (
            await PollOption.filter(poll__post_id=poll_post.id).order_by("position").first()
        )
        for voter in voters:
            await vote_poll(members[voter], poll_post.id, [first_option.id])  # type: ignore[union-attr]
    for word, level in DEMO_WORDS:
        await SensitiveWord.get_or_create(word=word, defaults={"level": level})
    title, description, post_titles = DEMO_COLLECTION
    collection = await Collection.get_or_none(title=title)
    if collection is None:
        collection = await create_collection(
            members["demo-operator"], title, description, screener=NO_SCREENING
        )
        for post_title in post_titles:
            post = await Post.get(title=post_title)
            await add_to_collection(members["demo-operator"], collection.id, post.id)
            await feature_post(members["demo-operator"], post.id, "新人必读", rules=rules)
    if not await Event.filter(title="周末香山徒步").exists():
        start = (datetime.now(UTC) + timedelta(days=3)).replace(
            hour=1, minute=0, second=0, microsecond=0
        )
        event = await create_event(
            members["demo-operator"],
            EventDraft(
                title="周末香山徒步",
                kind=EventKind.OFFLINE,
                starts_at=start,
                ends_at=start + timedelta(hours=5),
                description="香山东门集合，全程约 8 公里，量力而行。",
                location="北京香山公园东门",
                capacity=30,
                points_reward=10,
            ),
            NO_SCREENING,
            rules=rules,
        )
        for member in ("demo-alice", "demo-dong"):
            await sign_up(members[member], event.id)
    if not await Feedback.exists():
        await submit_feedback(
            members["demo-chen"],
            FeedbackCategory.SUGGESTION,
            "希望增加夜间模式，晚上看帖子太亮了",
            screener=NO_SCREENING,
        )
    for follower, followee in DEMO_FOLLOWS:
        await follow_user(members[follower], members[followee].id)
    for follower, name in DEMO_TOPIC_FOLLOWS:
        topic = await Topic.get(name=name)
        await follow_topic(members[follower], topic.id)
    history = await seed_history(members, rules)
    review_tasks = await seed_review_desk(members, rules)
    watch = await seed_desk_and_alerts(rules)
    calendar_items = await seed_content_calendar(members, rules)
    loop = await seed_member_loop(members, rules)
    return {
        **loop,
        **history,
        **watch,
        "members": len(DEMO_MEMBERS),
        "created": created,
        "posts": await Post.all().count(),
        "posts created": posts_created,
        "comments": await Comment.all().count(),
        "review tasks opened": review_tasks,
        "calendar items created": calendar_items,
    }
