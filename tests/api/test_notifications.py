"""Notifications: the inbox, grouping, who is (not) told, and live delivery over WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from tortoise.transactions import in_transaction

from adapters import sql
from api.ids import to_global_id
from domain import notifications
from domain.likes import like_post
from domain.models import Notification, NotificationKind, Role
from quanzi.bootstrap import Runtime
from quanzi.settings import Settings
from tests.conftest import Api, error_codes
from tests.contract import operation
from tests.factories import RULES, make_post, make_user, token_for
from tests.wechat_stub import WeChatStub

ROOT = Path(__file__).resolve().parents[2]


async def _inbox(api: Api, token: str, *, badges: bool = False, **variables: object) -> list[dict]:
    """The inbox; notifications of the member's own progress — badges (every first post earns
    one) and onboarding tasks done (a new member's first acts) — left out unless asked."""
    result = await api.op("Notifications", variables, token=token)
    nodes = [e["node"] for e in result["data"]["notifications"]["edges"]]
    return [n for n in nodes if badges or n["kind"] not in ("BADGE", "TASK_DONE")]


async def test_a_comment_reaches_the_post_author_and_a_reply_the_comment_author(
    api: Api, runtime: Runtime
) -> None:
    author, alice, bob = (
        await make_user(nickname="作者"),
        await make_user(nickname="爱丽丝"),
        await make_user(nickname="鲍勃"),
    )
    post = await make_post(author, "我的帖子")
    gid = to_global_id("Post", post.id)
    root = await api.op(
        "AddComment", {"postId": gid, "body": "写得好"}, token=token_for(runtime, alice)
    )
    root_id = root["data"]["addComment"]["comment"]["id"]
    await api.op(
        "AddComment", {"postId": gid, "body": "我自己顶一下"}, token=token_for(runtime, author)
    )
    await api.op(
        "AddComment",
        {"postId": gid, "body": "同意楼上", "replyToId": root_id},
        token=token_for(runtime, bob),
    )
    author_inbox = await _inbox(api, token_for(runtime, author))
    assert [(n["kind"], n["actor"]["nickname"]) for n in author_inbox] == [
        ("COMMENT", "鲍勃"),
        ("COMMENT", "爱丽丝"),
    ]
    assert author_inbox[1]["text"] == "爱丽丝 评论了你的帖子：写得好"
    assert author_inbox[1]["post"] == {"id": gid, "title": ""}
    alice_inbox = await _inbox(api, token_for(runtime, alice))
    assert [(n["kind"], n["text"]) for n in alice_inbox] == [
        ("REPLY", "鲍勃 回复了你的评论：同意楼上")
    ]
    viewer = await api.op("Viewer", token=token_for(runtime, author))
    # two comments, the first-post badge, and the two onboarding tasks done (the first post
    # and the first comment) told when the author commented
    assert viewer["data"]["viewer"]["unreadNotificationCount"] == 5
    english = await api.op(
        "Notifications", {"first": 1}, token=token_for(runtime, alice), lang="en"
    )
    assert english["data"]["notifications"]["edges"][0]["node"]["text"].startswith("鲍勃 replied")


async def test_marking_read_by_ids_and_all(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    token = token_for(runtime, author)
    post = await make_post(author, "帖子")
    for _ in range(3):
        await api.op(
            "AddComment",
            {"postId": to_global_id("Post", post.id), "body": "评论"},
            token=token_for(runtime, await make_user()),
        )
    inbox = await _inbox(api, token, badges=True)
    assert len(inbox) == 4  # three comments and the first-post badge
    one = await api.op("MarkNotificationsRead", {"ids": [inbox[0]["id"]]}, token=token)
    assert one["data"]["markNotificationsRead"]["unreadCount"] == 3
    unread = await _inbox(api, token, badges=True, unreadOnly=True)
    assert len(unread) == 3 and inbox[0]["id"] not in [n["id"] for n in unread]
    everything = await api.op("MarkNotificationsRead", {"all": True}, token=token)
    assert everything["data"]["markNotificationsRead"]["unreadCount"] == 0
    viewer = await api.op("Viewer", token=token)
    assert viewer["data"]["viewer"]["unreadNotificationCount"] == 0
    other = token_for(runtime, await make_user())
    foreign = await api.op("MarkNotificationsRead", {"ids": [inbox[1]["id"]]}, token=other)
    assert foreign["data"]["markNotificationsRead"]["unreadCount"] == 0
    assert await Notification.filter(recipient_id=author.id, read=False).count() == 0


async def test_thirty_likes_make_one_grouped_notification(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "热帖")
    fans = [await make_user(nickname=f"粉丝{i}") for i in range(30)]
    await asyncio.gather(
        *(
            api.op(
                "LikePost", {"postId": to_global_id("Post", post.id)}, token=token_for(runtime, f)
            )
            for f in fans
        )
    )
    inbox = await _inbox(api, token_for(runtime, author))
    assert len(inbox) == 1
    assert inbox[0]["kind"] == "LIKE"
    assert inbox[0]["text"].endswith("等 30 人赞了你的帖子")
    assert await Notification.filter(kind="LIKE").count() == 1


async def test_blocked_and_pending_content_tells_no_one_until_published(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("AddSensitiveWords", {"words": ["赌博"], "level": "BLOCK"}, token=operator)
    await api.op("AddSensitiveWords", {"words": ["代购"], "level": "REVIEW"}, token=operator)
    author = await make_user()
    post = await make_post(author, "帖子")
    commenter = token_for(runtime, await make_user())
    gid = to_global_id("Post", post.id)
    blocked = await api.op("AddComment", {"postId": gid, "body": "来赌博"}, token=commenter)
    assert error_codes(blocked) == ["CONTENT_REJECTED"]
    await api.op("AddComment", {"postId": gid, "body": "找我代购"}, token=commenter)
    assert await _inbox(api, token_for(runtime, author)) == []
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    task = (await api.op("ReviewQueue", {"stage": "FIRST"}, token=moderator))["data"][
        "reviewQueue"
    ]["edges"][0]["node"]
    await api.op("DecideReview", {"taskId": task["id"], "decision": "APPROVE"}, token=moderator)
    kinds = [n["kind"] for n in await _inbox(api, token_for(runtime, author))]
    assert kinds == ["COMMENT"]


async def test_follows_answers_acceptance_features_badges_and_replies_are_told(
    api: Api, runtime: Runtime
) -> None:
    asker, helper = await make_user(nickname="提问者"), await make_user(nickname="热心人")
    asker_token, helper_token = token_for(runtime, asker), token_for(runtime, helper)
    await api.op("FollowUser", {"userId": to_global_id("User", asker.id)}, token=helper_token)
    question = await api.op(
        "CreatePost",
        {"input": {"kind": "QUESTION", "title": "请教", "body": "怎么办"}},
        token=asker_token,
    )
    qid = question["data"]["createPost"]["post"]["id"]
    answer = await api.op(
        "AnswerQuestion", {"questionId": qid, "body": "这样办"}, token=helper_token
    )
    await api.op(
        "AcceptAnswer",
        {"answerId": answer["data"]["answerQuestion"]["answer"]["id"]},
        token=asker_token,
    )
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("FeaturePost", {"postId": qid}, token=operator)
    ticket = await api.op(
        "SubmitFeedback", {"input": {"category": "BUG", "content": "卡顿"}}, token=asker_token
    )
    await api.op(
        "ReplyFeedback",
        {
            "id": ticket["data"]["submitFeedback"]["feedback"]["id"],
            "reply": "已优化",
            "status": "RESOLVED",
        },
        token=operator,
    )
    asker_kinds = {n["kind"] for n in await _inbox(api, asker_token, badges=True, first=20)}
    assert {"FOLLOW", "ANSWER", "FEATURED", "BADGE", "FEEDBACK_REPLY"} <= asker_kinds
    helper_kinds = {n["kind"] for n in await _inbox(api, helper_token, badges=True, first=20)}
    assert {"ANSWER_ACCEPTED", "BADGE"} <= helper_kinds


async def test_likes_on_your_own_post_tell_no_one(runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "自赞")
    await like_post(author, post.id, rules=RULES)
    assert await Notification.filter(kind="LIKE").count() == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def running_server(settings: Settings, runtime: Runtime) -> object:
    """`quanzi serve` in its own process, on the test database and Redis prefix."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "QUANZI_REDIS_PREFIX": settings.redis_prefix,
        "QUANZI_JWT_SECRET": settings.jwt_secret or "",
        "QUANZI_LOG_LEVEL": "WARNING",
        "QUANZI_DEV_LOGIN": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "quanzi", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield base
    server.send_signal(signal.SIGINT)
    server.wait(30)


async def _subscribe(base: str, token: str | None) -> websockets.ClientConnection:
    ws = await websockets.connect(f"ws://{base}/graphql", subprotocols=["graphql-transport-ws"])
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def test_a_comment_arrives_live_on_an_open_subscription_within_a_second(
    running_server: str, runtime: Runtime
) -> None:
    author, commenter = await make_user(nickname="作者"), await make_user(nickname="评论者")
    post = await make_post(author, "直播")
    ws = await _subscribe(running_server, token_for(runtime, author))
    try:
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": operation("NotificationAdded")},
                }
            )
        )
        await asyncio.sleep(0.3)  # the subscription is listening
        async with httpx.AsyncClient(base_url=f"http://{running_server}") as client:
            started = time.monotonic()
            response = await client.post(
                "/graphql",
                json={
                    "query": operation("AddComment"),
                    "variables": {"postId": to_global_id("Post", post.id), "body": "沙发"},
                },
                headers={"Authorization": f"Bearer {token_for(runtime, commenter)}"},
            )
            assert "errors" not in response.json()
        message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
        while message["payload"]["data"]["notificationAdded"]["kind"] == "BADGE":
            message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
        assert time.monotonic() - started < 1.5
        assert message["type"] == "next"
        added = message["payload"]["data"]["notificationAdded"]
        assert (added["kind"], added["actor"]["nickname"], added["read"]) == (
            "COMMENT",
            "评论者",
            False,
        )
        assert added["post"]["id"] == to_global_id("Post", post.id)
    finally:
        await ws.close()
    assert await Notification.filter(recipient_id=author.id, kind="COMMENT").count() == 1


async def test_a_websocket_without_a_valid_token_is_refused(running_server: str) -> None:
    for token, reason in ((None, "token_missing"), ("not-a-token", "token_invalid")):
        ws = await _subscribe(running_server, token)
        with pytest.raises(websockets.ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 5)
        assert info.value.rcvd is not None
        assert (info.value.rcvd.code, info.value.rcvd.reason) == (4401, reason)


async def test_granted_notifications_go_out_as_wechat_subscribe_messages_from_a_worker(
    runtime: Runtime, wechat: WeChatStub
) -> None:
    import dataclasses

    from taskiq.api import run_receiver_task

    from api.app import create_app
    from jobs import messages  # noqa: F401 - registers the job

    settings = runtime.settings.model_copy(update={"wechat_templates": {"COMMENT": "tmpl-comment"}})
    configured = dataclasses.replace(runtime, settings=settings)
    from prometheus_client import REGISTRY

    runs_before = (
        REGISTRY.get_sample_value(
            "quanzi_job_runs_total", {"job": "quanzi.send_subscribe_message", "outcome": "ok"}
        )
        or 0
    )
    # What the worker's start-up event does: the runtime goes into taskiq's state, where
    # the job receives it by dependency injection.
    configured.broker.state.runtime = configured
    worker = asyncio.create_task(run_receiver_task(configured.broker))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=configured))
        async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
            api = Api(client)
            author = await make_user(openid="o-author")
            post = await make_post(author, "求评论")
            granted = await api.execute(
                'mutation { grantSubscribeMessages(templateIds: ["tmpl-comment"]) { count } }',
                token=token_for(runtime, author),
            )
            assert granted["data"]["grantSubscribeMessages"]["count"] == 1
            wechat.revoked_tokens.add("access-1")  # the first token has expired at WeChat
            for body in ("第一条评论", "第二条评论"):
                await api.op(
                    "AddComment",
                    {"postId": to_global_id("Post", post.id), "body": body},
                    token=token_for(runtime, await make_user()),
                )
            for _ in range(100):  # the worker picks the job up within a few seconds at most
                if wechat.messages:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # anything else would have arrived by now
    finally:
        worker.cancel()
        del configured.broker.state.runtime
    assert len(wechat.messages) == 1  # one grant, one message
    # The worker's metrics saw the job run.
    job = {"job": "quanzi.send_subscribe_message", "outcome": "ok"}
    assert (REGISTRY.get_sample_value("quanzi_job_runs_total", job) or 0) - runs_before >= 1
    message = wechat.messages[0]
    assert (message["touser"], message["template_id"]) == ("o-author", "tmpl-comment")
    assert message["data"]["thing1"]["value"] == "有人评论了你的帖子"  # type: ignore[index]
    assert f"id={post.id}" in str(message["page"])


async def test_members_of_an_event_starting_within_the_hour_are_reminded_once(
    runtime: Runtime,
) -> None:
    from datetime import UTC, datetime, timedelta

    from domain import events
    from jobs import reminders

    operator = await make_user(role=Role.OPERATOR)
    now = datetime.now(UTC)
    soon = await events.create_event(
        operator,
        events.EventDraft(
            title="读书会",
            kind="OFFLINE",  # type: ignore[arg-type]
            starts_at=now + timedelta(minutes=30),
            ends_at=now + timedelta(hours=2),
            signup_deadline=now + timedelta(minutes=20),
        ),
        runtime.screener,
        rules=runtime.rules,
    )
    later = await events.create_event(
        operator,
        events.EventDraft(
            title="下周的活动",
            kind="ONLINE",  # type: ignore[arg-type]
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=7, hours=1),
        ),
        runtime.screener,
        rules=runtime.rules,
    )
    members = [await make_user() for _ in range(3)]
    for member in members:
        await events.sign_up(member, soon.id)
        await events.sign_up(member, later.id)
    assert await reminders.remind_events(runtime) == 3
    assert await reminders.remind_events(runtime) == 0
    reminders_sent = await Notification.filter(kind="EVENT_REMINDER").values_list(
        "recipient_id", "subject_id", "snippet"
    )
    assert sorted(reminders_sent) == sorted((m.id, soon.id, "读书会") for m in members)
    members[0] = await members[0].__class__.get(id=members[0].id)
    assert members[0].unread_notification_count >= 1


async def test_quanzi_worker_runs_queued_jobs_with_the_runtime_its_start_up_built(
    settings: Settings, runtime: Runtime
) -> None:
    from datetime import UTC, datetime, timedelta

    from domain import events
    from jobs import reminders

    operator, member = await make_user(role=Role.OPERATOR), await make_user()
    now = datetime.now(UTC)
    event = await events.create_event(
        operator,
        events.EventDraft(
            title="夜跑",
            kind="OFFLINE",  # type: ignore[arg-type]
            starts_at=now + timedelta(minutes=30),
            ends_at=now + timedelta(hours=1),
        ),
        runtime.screener,
        rules=runtime.rules,
    )
    await events.sign_up(member, event.id)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "QUANZI_REDIS_PREFIX": settings.redis_prefix,
        "QUANZI_JWT_SECRET": settings.jwt_secret or "",
        "QUANZI_LOG_LEVEL": "WARNING",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "quanzi", "worker", env=env, cwd=ROOT, stderr=subprocess.DEVNULL
    )
    try:
        await runtime.enqueue(reminders.remind_events)  # through the API process's broker
        for _ in range(600):
            if await Notification.filter(kind="EVENT_REMINDER", recipient_id=member.id).exists():
                break
            assert worker.returncode is None, "the worker stopped"
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the worker did not run the job")
    finally:
        worker.send_signal(signal.SIGINT)
        await asyncio.wait_for(worker.wait(), 30)
    assert worker.returncode == 0  # its shutdown event stopped the runtime cleanly


async def test_a_recount_that_deadlocks_with_a_transaction_is_run_again(runtime: Runtime) -> None:
    """A transaction holds one member's row and then wants another's, while the unread
    recount of both holds the second and waits for the first: PostgreSQL ends one of them as
    a deadlock's victim. The recount, which only recomputes, gives way and runs again; the
    transaction commits and the counters are right (a storm of likes, comments and follows
    ended a request with INTERNAL_SERVER_ERROR this way: tests/api/test_likes.py)."""
    first, second = await make_user(), await make_user()
    await Notification.create(recipient_id=first.id, kind=NotificationKind.FOLLOW, read=False)
    await Notification.create(recipient_id=second.id, kind=NotificationKind.FOLLOW, read=False)
    holding = asyncio.Event()

    async def transaction() -> None:
        async with in_transaction() as conn:
            await sql.execute("UPDATE users SET bio = 'b' WHERE id = $1", second.id, conn=conn)
            holding.set()
            await asyncio.sleep(0.3)  # the recount has locked `first` and waits for `second`
            await sql.execute("UPDATE users SET bio = 'a' WHERE id = $1", first.id, conn=conn)

    async def recount() -> None:
        await holding.wait()
        await notifications.recount_unread([first.id, second.id])

    await asyncio.wait_for(asyncio.gather(transaction(), recount()), 15)
    for member in (first, second):
        await member.refresh_from_db()
        assert member.unread_notification_count == 1
    assert (first.bio, second.bio) == ("a", "b")
