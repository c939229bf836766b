"""The other writes that share rows, many at once: circles joined, left, approved and run;
events signed up for, checked in to, changed and called off; polls voted; the points mall
redeemed, restocked and refunded; pins, features and collections; mutes, bans and their
lifting; tasks claimed; shares; daily check-ins; posts written into circles and deleted —
mixed with likes and comments on the same posts. Whatever order they interleave in, no
write fails but for a reason its author is told, none is a deadlock's victim, and every
denormalised counter, stock and balance equals what it counts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from adapters import sql
from domain import (
    checkins,
    circles,
    comments,
    event_changes,
    events,
    featured,
    likes,
    mall,
    polls,
    posts,
    sanctions,
    shares,
    tasks,
)
from domain import collections as curated
from domain.counters import recount_all
from domain.models import (
    CircleMember,
    Collection,
    CollectionItem,
    Comment,
    JoinPolicy,
    MallItemKind,
    MembershipStatus,
    Poll,
    PollOption,
    Post,
    PostKind,
    PostStatus,
    Redemption,
    RedemptionStatus,
    Role,
    Sanction,
    SanctionKind,
    ShareChannel,
    User,
)
from domain.publishing import NO_SCREENING
from domain.users import Attribution, find_or_create_member
from quanzi.bootstrap import Runtime
from tests.concurrency import Action, members_at_work, pick
from tests.factories import (
    RULES,
    grant_points,
    make_circle,
    make_collection,
    make_comment,
    make_event,
    make_operator,
    make_poll,
    make_post,
    make_user,
)

WORKERS = 8
STEPS = 300  # per worker
TOPICS = ["甲话题", "乙话题", "丙话题"]

# Every invariant below is a query for the rows that break it: none may come back.
INVARIANTS: dict[str, str] = {
    # A member's points are the sum of their ledger.
    "points": "SELECT u.id, u.points, (SELECT COALESCE(sum(amount), 0) FROM points_entries e "
    "WHERE e.user_id = u.id) AS ledger FROM users u WHERE u.points <> "
    "(SELECT COALESCE(sum(amount), 0) FROM points_entries e WHERE e.user_id = u.id)",
    "circle member_count": "SELECT c.id, c.member_count, (SELECT count(*) FROM circle_members m "
    "WHERE m.circle_id = c.id AND m.status = 'ACTIVE') AS active FROM circles c "
    "WHERE c.member_count <> (SELECT count(*) FROM circle_members m "
    "WHERE m.circle_id = c.id AND m.status = 'ACTIVE')",
    "event counters": "SELECT e.id, e.signup_count, e.checkin_count, e.capacity, s.signups, "
    "s.checkins FROM events e, LATERAL (SELECT count(*) AS signups, "
    "count(checked_in_at) AS checkins FROM event_signups x WHERE x.event_id = e.id) s "
    "WHERE e.signup_count <> s.signups OR e.checkin_count <> s.checkins "
    "OR e.signup_count > e.capacity",
    # The reward paid at a check-in is the event's: it changes only before the first one.
    "event rewards": "SELECT p.user_id, p.target_id AS event_id, p.amount, e.points_reward "
    "FROM points_entries p JOIN events e ON e.id = p.target_id "
    "WHERE p.reason = 'EVENT_CHECKIN' AND p.amount <> e.points_reward",
    "poll voters": "SELECT p.id, p.total_voters, (SELECT count(*) FROM poll_voters v "
    "WHERE v.poll_id = p.id) AS voters FROM polls p WHERE p.total_voters <> "
    "(SELECT count(*) FROM poll_voters v WHERE v.poll_id = p.id)",
    "poll option votes": "SELECT o.id, o.vote_count, (SELECT count(*) FROM poll_voters v "
    "WHERE v.poll_id = o.poll_id AND v.option_ids @> jsonb_build_array(o.id)) AS votes "
    "FROM poll_options o WHERE o.vote_count <> (SELECT count(*) FROM poll_voters v "
    "WHERE v.poll_id = o.poll_id AND v.option_ids @> jsonb_build_array(o.id))",
    "mall stock": "SELECT i.id, i.kind, i.stock, i.remaining, (SELECT COALESCE(sum(quantity), 0) "
    "FROM redemptions r WHERE r.item_id = i.id AND r.status <> 'CANCELLED') AS out "
    "FROM mall_items i WHERE i.remaining < 0 OR (i.kind <> 'COUPON' AND i.stock IS NOT NULL "
    "AND i.stock - i.remaining <> (SELECT COALESCE(sum(quantity), 0) FROM redemptions r "
    "WHERE r.item_id = i.id AND r.status <> 'CANCELLED'))",
    "mall coupon codes": "SELECT i.id, i.stock, i.remaining, c.codes, c.free, c.issued, r.out "
    "FROM mall_items i, LATERAL (SELECT count(*) AS codes, "
    "count(*) FILTER (WHERE status = 'FREE') AS free, "
    "count(*) FILTER (WHERE status = 'ISSUED') AS issued "
    "FROM coupon_codes WHERE item_id = i.id) c, LATERAL (SELECT count(*) AS out "
    "FROM redemptions WHERE item_id = i.id AND status <> 'CANCELLED') r "
    "WHERE i.kind = 'COUPON' AND (i.stock <> c.codes OR i.remaining <> c.free "
    "OR c.issued <> r.out)",
    "mall per-member limit": "SELECT r.user_id, r.item_id, sum(r.quantity) AS n, "
    "i.per_member_limit FROM redemptions r JOIN mall_items i ON i.id = r.item_id "
    "WHERE r.status <> 'CANCELLED' AND i.per_member_limit IS NOT NULL "
    "GROUP BY r.user_id, r.item_id, i.per_member_limit HAVING sum(r.quantity) > i.per_member_limit",
    # Each redemption spent its points once, and a cancelled one got them back once.
    "mall ledger": "SELECT r.id, r.status, r.points_spent, "
    "(SELECT array_agg(amount) FROM points_entries e WHERE e.target_type = 'REDEMPTION' "
    "AND e.target_id = r.id AND e.reason = 'MALL_REDEMPTION') AS spent, "
    "(SELECT array_agg(amount) FROM points_entries e WHERE e.target_type = 'REDEMPTION' "
    "AND e.target_id = r.id AND e.reason = 'MALL_REFUND') AS refunded FROM redemptions r "
    "WHERE (SELECT array_agg(amount) FROM points_entries e WHERE e.target_type = 'REDEMPTION' "
    "AND e.target_id = r.id AND e.reason = 'MALL_REDEMPTION') "
    "IS DISTINCT FROM ARRAY[-r.points_spent] OR (SELECT array_agg(amount) FROM points_entries e "
    "WHERE e.target_type = 'REDEMPTION' AND e.target_id = r.id AND e.reason = 'MALL_REFUND') "
    "IS DISTINCT FROM CASE WHEN r.status = 'CANCELLED' THEN ARRAY[r.points_spent] END",
    # A member's mute and ban end when the latest of their sanctions still in force ends.
    "sanction ends": "SELECT u.id, u.muted_until, u.banned_until, m.until AS mute, b.until AS ban, "
    "(SELECT array_agg(concat_ws(' ', s.id, s.kind, 'until', s.until, 'given', s.created_at, "
    "'lifted', s.lifted_at) ORDER BY s.id) FROM sanctions s WHERE s.user_id = u.id) AS sanctions "
    "FROM users u, LATERAL (SELECT max(until) AS until FROM sanctions s WHERE s.user_id = u.id "
    "AND s.kind = 'MUTE' AND s.lifted_at IS NULL AND s.until > now()) m, "
    "LATERAL (SELECT max(until) AS until FROM sanctions s WHERE s.user_id = u.id "
    "AND s.kind = 'BAN' AND s.lifted_at IS NULL AND s.until > now()) b "
    "WHERE u.muted_until IS DISTINCT FROM m.until OR u.banned_until IS DISTINCT FROM b.until",
    # A banned member runs no circle.
    "banned circle admins": "SELECT m.circle_id, m.user_id, u.banned_until FROM circle_members m "
    "JOIN users u ON u.id = m.user_id WHERE m.role = 'ADMIN' AND u.banned_until > now()",
    # A claimed task paid its reward once.
    "task rewards": "SELECT t.user_id, t.code, t.period, t.points FROM member_tasks t "
    "WHERE t.claimed_at IS NOT NULL AND t.points > 0 AND (SELECT count(*) FROM points_entries e "
    "WHERE e.idempotency_key = 'task:' || t.user_id || ':' || t.code || ':' "
    "|| COALESCE(NULLIF(t.period, ''), 'once') AND e.amount = t.points) <> 1",
    "checkin streaks": "SELECT u.id, u.last_checkin_day, u.checkin_streak FROM users u "
    "WHERE u.last_checkin_day IS DISTINCT FROM (SELECT max(day) FROM checkins c "
    "WHERE c.user_id = u.id) OR (u.last_checkin_day IS NOT NULL AND u.checkin_streak <> "
    "(SELECT streak FROM checkins c WHERE c.user_id = u.id AND c.day = u.last_checkin_day)) "
    "OR (SELECT count(*) FROM checkins c WHERE c.user_id = u.id) <> (SELECT count(*) "
    "FROM points_entries e WHERE e.user_id = u.id AND e.reason = 'CHECKIN')",
    # One counted share per member, post and channel a day (the run is within one day).
    "counted shares": "SELECT user_id, post_id, channel, count(*) FROM shares WHERE counted "
    "GROUP BY user_id, post_id, channel HAVING count(*) > 1",
    "collection positions": "SELECT collection_id, position, count(*) FROM collection_items "
    "GROUP BY collection_id, position HAVING count(*) > 1",
    # Featuring pays the author: never for a post deleted before it was featured.
    "featured after deletion": "SELECT id, deleted_at, featured_at FROM posts "
    "WHERE featured_at > deleted_at",
    "pinned after deletion": "SELECT id, status, pin_scope FROM posts "
    "WHERE status = 'DELETED' AND pinned_at > deleted_at",
}


async def test_other_writes_interleaved_neither_deadlock_nor_drift(runtime: Runtime) -> None:
    rng = random.Random(20261207)
    operator = await make_operator()
    moderator = await make_user(role=Role.MODERATOR)
    members = [await make_user() for _ in range(4)]
    # Two invited by the first members: their first post pays their inviters too
    # (rewards.lock_earners takes both rows).
    for inviter in members[:2]:
        invited, _ = await find_or_create_member(
            f"invited-by-{inviter.id}", attribution=Attribution(invite_code=inviter.invite_code)
        )
        members.append(invited)
    for member in members:
        await grant_points(member, 30, f"seed:{member.id}")
    open_circle = await make_circle(operator, members=members[:3])
    closed_circle = await make_circle(
        operator, join_policy=JoinPolicy.APPROVAL, members=members[2:4]
    )
    await circles.set_circle_admin(operator, closed_circle.id, members[2].id, True)
    circle_ids = [open_circle.id, closed_circle.id]

    poll_a = await make_poll(members[3], ("甲", "乙", "丙"))
    poll_b = await make_poll(
        members[1], ("周六", "周日", "都行"), multiple_choice=True, circle_id=open_circle.id
    )
    board = [
        await make_post(members[0], topics=rng.sample(TOPICS, 2)),
        await make_post(members[1], circle_id=open_circle.id, topics=rng.sample(TOPICS, 1)),
        await make_post(members[2], circle_id=closed_circle.id),
        await Post.get(id=poll_a.post.id),
        await Post.get(id=poll_b.post.id),
    ]
    for post in board[:3]:
        await make_comment(post, members[3])

    # Two events under way (sign-up open until the last hour), one to come.
    began, lasts, deadline = -timedelta(minutes=10), timedelta(hours=3), timedelta(hours=2)
    site_event = await make_event(
        operator,
        starts_in=began,
        lasts=lasts,
        signup_deadline=datetime.now(UTC) + deadline,
        capacity=4,
        points_reward=5,
        signed_up=members[:2],
    )
    circle_event = await make_event(
        operator,
        starts_in=began,
        lasts=lasts,
        signup_deadline=datetime.now(UTC) + deadline,
        circle=closed_circle,
        points_reward=3,
        signed_up=[members[2]],
    )
    upcoming = await make_event(operator, starts_in=timedelta(days=2), capacity=3)
    all_events = [site_event, circle_event, upcoming]

    virtual = await mall.create_item(
        operator,
        mall.ItemDraft(
            title="头像框", kind=MallItemKind.VIRTUAL, price_points=3, stock=5, per_member_limit=2
        ),
    )
    physical = await mall.create_item(
        operator,
        mall.ItemDraft(title="帆布袋", kind=MallItemKind.PHYSICAL, price_points=5, stock=3),
    )
    coupon = await mall.create_item(
        operator, mall.ItemDraft(title="咖啡券", kind=MallItemKind.COUPON, price_points=4)
    )
    await mall.add_codes(operator, coupon.id, ["C1", "C2", "C3"])
    items = [virtual, physical, coupon]
    codes = iter(range(100, 10_000))
    await make_collection(operator, posts=board[:2])

    async def some_post() -> Post:
        """Mostly the shared board; otherwise any post, the new and the deleted too."""
        if rng.random() < 0.6:
            return rng.choice(board)
        found = await pick(rng, Post)
        return found if found is not None else rng.choice(board)

    def some_member() -> User:
        return rng.choice(members)

    # Members and what they write on the same posts -----------------------------------------

    async def like(user: User) -> None:
        post = await some_post()
        await (likes.like_post if rng.random() < 0.7 else likes.unlike_post)(
            user, post.id, rules=RULES
        )

    async def comment(user: User) -> None:
        post = await some_post()
        target = await pick(rng, Comment, post_id=post.id) if rng.random() < 0.4 else None
        await comments.add_comment(
            user,
            post.id,
            "接着说",
            reply_to_id=target.id if target is not None else None,
            screener=NO_SCREENING,
            rules=RULES,
        )

    async def delete_comment(user: User) -> None:
        own = await pick(rng, Comment, author_id=user.id, status="PUBLISHED")
        if own is not None:
            await comments.delete_comment(user, own.id)

    async def write_post(user: User) -> None:
        circle_id = rng.choice([None, *circle_ids])
        poll = rng.random() < 0.25
        draft = posts.PostDraft(
            body="圈里说两句",
            topics=rng.sample(TOPICS, rng.randint(0, 2)),
            circle_id=circle_id,
            kind=PostKind.POLL if poll else PostKind.POST,
            poll=polls.PollDraft(["是", "否"]) if poll else None,
        )
        await posts.create_post(user, draft, NO_SCREENING, rules=RULES)

    async def delete_post(user: User) -> None:
        # Now and then a post of the board, with everything else going on around it.
        board_ids = {p.id for p in board} if rng.random() < 0.85 else set()
        own = [
            p
            for p in await Post.filter(author_id=user.id, status=PostStatus.PUBLISHED)
            if p.id not in board_ids
        ]
        if own:
            await posts.delete_post(user, rng.choice(own).id, rules=RULES)

    async def share(user: User) -> None:
        post = await some_post()
        channel = rng.choice([ShareChannel.WECHAT_CHAT, ShareChannel.POSTER])
        await shares.share_post(user, post.id, channel, rules=RULES)

    async def vote(user: User) -> None:
        poll = await pick(rng, Poll)
        if poll is None:
            return
        options = await PollOption.filter(poll_id=poll.id).values_list("id", flat=True)
        count = rng.randint(1, len(options)) if poll.multiple_choice else 1
        chosen = [int(o) for o in rng.sample(list(options), count)]  # type: ignore[call-overload]
        await polls.vote_poll(user, poll.post_id, chosen)  # type: ignore[attr-defined]

    async def daily_check_in(user: User) -> None:
        await checkins.check_in(user, rules=RULES)

    async def task(user: User) -> None:
        if rng.random() < 0.7:
            await tasks.claim(user, rng.choice(tasks.CODES), rules=RULES)
        else:
            await tasks.announce_after_action(user, rules=RULES)

    # Circles ------------------------------------------------------------------------------

    async def join_or_leave(user: User) -> None:
        circle_id = rng.choice(circle_ids)
        if rng.random() < 0.6:
            await circles.join_circle(user, circle_id)
        else:
            await circles.leave_circle(user, circle_id)

    async def approve_or_reject(user: User) -> None:
        waiting = await pick(
            rng, CircleMember, circle_id=closed_circle.id, status=MembershipStatus.PENDING
        )
        if waiting is None:
            return
        actor = operator if rng.random() < 0.4 else user  # the member: its admin, or refused
        decide = circles.approve_member if rng.random() < 0.7 else circles.reject_member
        await decide(actor, closed_circle.id, waiting.user_id)  # type: ignore[attr-defined]

    async def set_admin(_: User) -> None:
        await circles.set_circle_admin(
            operator, rng.choice(circle_ids), some_member().id, rng.random() < 0.6
        )

    # Events -------------------------------------------------------------------------------

    async def sign_up(user: User) -> None:
        event = rng.choice(all_events)
        if rng.random() < 0.65:
            await events.sign_up(user, event.id)
        else:
            await events.cancel_signup(user, event.id)

    async def event_check_in(user: User) -> None:
        event = rng.choice(all_events[:2])
        code = events.checkin_code(event)
        await events.check_in(user, event.id, code, rules=RULES, store=runtime.store)

    async def run_event(user: User) -> None:
        event = rng.choice(all_events)
        # A site event is its operator's; a circle's also its admins' (or refused).
        actor = operator if event.circle_id is None or rng.random() < 0.5 else user  # type: ignore[attr-defined]
        if event is upcoming and rng.random() < 0.1:
            await event_changes.cancel_event(actor, event.id, "改期", NO_SCREENING)
            return
        roll = rng.random()
        if roll < 0.4:
            changes = event_changes.EventChanges(capacity=rng.randint(1, 6))
        elif roll < 0.5:
            changes = event_changes.EventChanges(remove_capacity=True)
        elif roll < 0.75:
            changes = event_changes.EventChanges(points_reward=rng.choice([0, 2, 5, 8]))
        else:
            changes = event_changes.EventChanges(location=rng.choice(["一楼", "二楼", "天台"]))
        await event_changes.update_event(actor, event.id, changes, NO_SCREENING, rules=RULES)

    # The points mall ----------------------------------------------------------------------

    async def redeem(user: User) -> None:
        item = rng.choice(items)
        quantity = 1 if item.kind is MallItemKind.COUPON else rng.randint(1, 2)
        shipping = mall.Shipping("张三", "13800000000", "某路一号")
        await mall.redeem(
            user,
            item.id,
            quantity,
            f"key-{rng.randrange(4)}",  # a retried tap now and then
            shipping if item.kind is MallItemKind.PHYSICAL else None,
            rules=RULES,
        )

    async def run_mall(_: User) -> None:
        roll = rng.random()
        if roll < 0.3:
            item = rng.choice([virtual, physical])
            await mall.update_item(operator, item.id, mall.ItemDraft(stock=rng.randint(1, 8)))
        elif roll < 0.45:
            await mall.add_codes(operator, coupon.id, [f"C{next(codes)}"])
        elif roll < 0.8:
            done = await pick(rng, Redemption, status__not=RedemptionStatus.CANCELLED)
            if done is not None:
                await mall.cancel(operator, done.id, "缺货", rules=RULES)
        else:
            waiting = await pick(rng, Redemption, status=RedemptionStatus.PENDING)
            if waiting is not None:
                await mall.fulfil(operator, waiting.id, "SF123")

    # Pins, features, collections ----------------------------------------------------------

    async def pin(user: User) -> None:
        post = await some_post()
        in_circle = post.circle_id is not None and rng.random() < 0.6  # type: ignore[attr-defined]
        actor = user if in_circle and rng.random() < 0.7 else operator
        if rng.random() < 0.65:
            scope = featured.PinScope.CIRCLE if in_circle else featured.PinScope.GLOBAL
            await featured.pin_post(actor, post.id, scope)
        else:
            await featured.unpin_post(actor, post.id)

    async def feature(_: User) -> None:
        post = await some_post()
        if rng.random() < 0.7:
            await featured.feature_post(operator, post.id, "好帖", rules=RULES)
        else:
            await featured.unfeature_post(operator, post.id)

    async def collect(_: User) -> None:
        roll = rng.random()
        if roll < 0.08:
            await featured.create_collection(operator, "新专题", screener=NO_SCREENING)
            return
        collection = await pick(rng, Collection)
        if collection is None:
            return
        post = await some_post()
        if roll < 0.15:
            await curated.delete_collection(operator, collection.id)
        elif roll < 0.6:
            await featured.add_to_collection(operator, collection.id, post.id)
        elif roll < 0.8:
            await featured.remove_from_collection(operator, collection.id, post.id)
        else:
            item = await pick(rng, CollectionItem, collection_id=collection.id)
            if item is not None:
                await curated.move_in_collection(
                    operator,
                    collection.id,
                    item.post_id,  # type: ignore[attr-defined]
                    rng.randrange(4),
                )

    # Sanctions ----------------------------------------------------------------------------

    async def sanction(_: User) -> None:
        roll = rng.random()
        if roll < 0.4:
            await sanctions.sanction_user(
                moderator, some_member().id, SanctionKind.MUTE, rng.randint(1, 48), "刷屏"
            )
        elif roll < 0.6:
            await sanctions.sanction_user(
                operator, some_member().id, SanctionKind.BAN, rng.randint(1, 48), "广告"
            )
        else:
            given = await pick(rng, Sanction, lifted_at__isnull=True)
            if given is not None:
                await sanctions.lift_sanction(operator, given.id)

    actions: list[tuple[Action, int]] = [
        (like, 5),
        (comment, 4),
        (delete_comment, 1),
        (write_post, 3),
        (delete_post, 2),
        (share, 3),
        (vote, 3),
        (daily_check_in, 1),
        (task, 2),
        (join_or_leave, 4),
        (approve_or_reject, 2),
        (set_admin, 2),
        (sign_up, 4),
        (event_check_in, 2),
        (run_event, 2),
        (redeem, 4),
        (run_mall, 2),
        (pin, 2),
        (feature, 2),
        (collect, 2),
        (sanction, 3),
    ]
    failures = await members_at_work(runtime, rng, actions, members, workers=WORKERS, steps=STEPS)

    # Read before recount_all, which would repair what drifted (points among it).
    broken = {name: await sql.fetch(query) for name, query in INVARIANTS.items()}
    repaired = await recount_all()
    found = {
        "failures": failures,
        "repaired by recount_all": {table: n for table, n in repaired.items() if n},
        **broken,
    }
    assert {name: rows for name, rows in found.items() if rows} == {}
