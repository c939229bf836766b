"""WebSockets as a hostile member uses them: identity checked per operation, bounded
subscriptions on one pub/sub connection, errors in the HTTP shape, text frames. A real
server (uvicorn, in this process) and the `websockets` client speaking graphql-transport-ws."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from redis.asyncio import Redis

from adapters.redis import Store
from api.ids import to_global_id
from domain import auth
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from quanzi.embedded import _stop_process, start_redis
from tests.conftest import error_codes
from tests.contract import operation
from tests.factories import make_post, make_user, token_for
from tests.serving import listening, serving


class Socket:
    """A graphql-transport-ws client: every frame must be text JSON."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0

    @classmethod
    async def open(
        cls, base: str, token: str | None, *, header: str | None = None, **payload: object
    ) -> Socket:
        """A socket sending `token` in `connection_init` and `header` (a token) as the
        upgrade request's Authorization, as `wx.connectSocket({header})` does."""
        ws = await websockets.connect(
            f"ws://{base}/graphql",
            subprotocols=["graphql-transport-ws"],
            additional_headers={"Authorization": f"Bearer {header}"} if header else None,
        )
        if token is not None:
            payload["authorization"] = f"Bearer {token}"
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        return cls(ws)

    async def recv(self, within: float = 5) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), within)
        assert isinstance(frame, str), "a binary frame"
        return json.loads(frame)  # type: ignore[no-any-return]

    async def acked(self) -> Socket:
        assert (await self.recv())["type"] == "connection_ack"
        return self

    async def subscribe(self, name: str, variables: dict[str, object] | None = None) -> str:
        self.next_id += 1
        payload = {"query": operation(name), "variables": variables or {}}
        await self.ws.send(
            json.dumps({"id": str(self.next_id), "type": "subscribe", "payload": payload})
        )
        return str(self.next_id)

    async def run(self, name: str, variables: dict[str, object] | None = None) -> dict:
        """An operation that ends at once (a query, a mutation, a refused subscription):
        its `next` frame, or its `error` frame."""
        op_id = await self.subscribe(name, variables)
        answer: dict = {}
        while True:
            message = await self.recv()
            if message.get("id") == op_id:
                answer = message if message["type"] != "complete" else answer
                if message["type"] in ("complete", "error"):
                    return answer

    async def closed(self, within: float = 5) -> tuple[int, str]:
        with pytest.raises(websockets.ConnectionClosed) as info:
            while True:
                await self.recv(within)
        assert info.value.rcvd is not None
        return info.value.rcvd.code, info.value.rcvd.reason

    async def close(self) -> None:
        await self.ws.close()


def _codes(errors: list[dict]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


async def _http(base: str, name: str, variables: dict, token: str) -> dict:
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        response = await client.post(
            "/graphql",
            json={"query": operation(name), "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.json()  # type: ignore[no-any-return]


async def test_a_banned_member_and_a_demoted_operator_are_refused_on_their_open_sockets(
    runtime: Runtime,
) -> None:
    member, operator = await make_user(), await make_user(role=Role.OPERATOR)
    admin = token_for(runtime, await make_user(role=Role.ADMIN))
    async with serving(runtime) as base:
        member_socket = await (await Socket.open(base, token_for(runtime, member))).acked()
        operator_socket = await (await Socket.open(base, token_for(runtime, operator))).acked()
        live = await member_socket.subscribe("NotificationAdded")
        post = {"input": {"kind": "POST", "title": "", "body": "封号前发的"}}
        before = await member_socket.run("CreatePost", post)
        assert "errors" not in before["payload"], before
        tickets = await operator_socket.run("FeedbackTickets")
        assert "errors" not in tickets["payload"], tickets

        banned = await _http(
            base,
            "SanctionUser",
            {"userId": to_global_id("User", member.id), "kind": "BAN", "reason": "刷屏"},
            admin,
        )
        assert "errors" not in banned, banned
        demoted = await _http(
            base,
            "SetUserRole",
            {"userId": to_global_id("User", operator.id), "role": "MEMBER"},
            admin,
        )
        assert "errors" not in demoted, demoted

        await member_socket.subscribe("CheckIn")
        assert await member_socket.closed() == (4403, "account_banned")
        refused = await operator_socket.run("FeedbackTickets")
        assert refused["type"] == "next" and _codes(refused["payload"]["errors"]) == ["FORBIDDEN"]
        assert refused["payload"]["errors"][0]["message"] == "没有权限执行此操作"
        await operator_socket.close()
    assert live == "1"
    assert await User.filter(id=member.id, checkin_streak__gt=0).count() == 0


async def test_an_idle_socket_is_closed_when_its_token_expires_or_its_member_is_banned(
    runtime: Runtime,
) -> None:
    member, other = await make_user(), await make_user()
    short = dataclasses.replace(runtime.tokens, access_ttl=timedelta(seconds=2))
    async with serving(runtime, ws_recheck_seconds=0.5) as base:
        expiring = await (await Socket.open(base, short.issue_access(member.id)[0])).acked()
        await expiring.subscribe("NotificationAdded")
        started = time.monotonic()
        assert await expiring.closed(within=5) == (4401, "token_expired")
        assert time.monotonic() - started < 4

        idle = await (await Socket.open(base, token_for(runtime, other))).acked()
        await idle.subscribe("NotificationAdded")
        await listening(base, other.id)  # the ban comes while the socket idles
        await User.filter(id=other.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
        assert await idle.closed(within=3) == (4403, "account_banned")


async def test_a_socket_refused_at_connection_init_is_told_why(runtime: Runtime) -> None:
    """4401 with the token's reason (graphql-ws reports it at once instead of retrying),
    4403 for a ban: the reason is the machine string the client branches on."""
    expired = dataclasses.replace(runtime.tokens, access_ttl=timedelta(seconds=-5))
    member, banned, signed_out = await make_user(), await make_user(), await make_user()
    await User.filter(id=banned.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    ended = await auth.start_session(runtime.tokens, signed_out, is_new_user=False)
    await auth.revoke_all_sessions(signed_out.id)
    async with serving(runtime) as base:
        for token, closed in (
            (None, (4401, "token_missing")),
            ("", (4401, "token_missing")),
            ("not-a-token", (4401, "token_invalid")),
            ("tökén.ä.ö", (4401, "token_invalid")),
            (expired.issue_access(member.id)[0], (4401, "token_expired")),
            (ended.access_token, (4401, "session_revoked")),
            (token_for(runtime, banned), (4403, "account_banned")),
        ):
            payload = {} if token is None else {"authorization": token}
            refused = await Socket.open(base, None, **payload)
            assert await refused.closed() == closed, token
        legacy = await websockets.connect(f"ws://{base}/graphql", subprotocols=["graphql-ws"])
        with pytest.raises(websockets.ConnectionClosed) as info:
            await asyncio.wait_for(legacy.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4406


async def test_a_socket_signs_in_with_the_upgrade_requests_authorization_header(
    runtime: Runtime,
) -> None:
    header_member, payload_member = await make_user(), await make_user()
    by_header = token_for(runtime, header_member)
    async with serving(runtime) as base:
        for payload in ({}, None):  # no token in connection_init: the header's
            ws = await websockets.connect(
                f"ws://{base}/graphql",
                subprotocols=["graphql-transport-ws"],
                additional_headers={"Authorization": f"Bearer {by_header}"},
            )
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            socket = await Socket(ws).acked()
            viewer = await socket.run("Viewer")
            assert viewer["payload"]["data"]["viewer"]["id"] == to_global_id(
                "User", header_member.id
            )
            await socket.close()

        # Both: connection_init's token wins, whatever the header holds.
        for header in (by_header, "not-a-token"):
            both = await (
                await Socket.open(base, token_for(runtime, payload_member), header=header)
            ).acked()
            viewer = await both.run("Viewer")
            assert viewer["payload"]["data"]["viewer"]["id"] == to_global_id(
                "User", payload_member.id
            )
            await both.close()

        bad_header = await Socket.open(base, None, header="not-a-token")
        assert await bad_header.closed() == (4401, "token_invalid")


async def test_a_session_signed_out_elsewhere_closes_the_open_socket_as_revoked(
    runtime: Runtime,
) -> None:
    member = await make_user()
    session = await auth.start_session(runtime.tokens, member, is_new_user=False)
    async with serving(runtime) as base:
        socket = await (await Socket.open(base, session.access_token)).acked()
        assert "errors" not in (await socket.run("Viewer"))["payload"]
        await auth.revoke_all_sessions(member.id)
        await socket.subscribe("Viewer")
        assert await socket.closed() == (4401, "session_revoked")


async def test_socket_errors_carry_the_http_shape_in_the_sockets_language(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    async with serving(runtime, rate_limits={"posting": (1, 60)}) as base:
        english = await (await Socket.open(base, token, locale="en")).acked()
        refused = await english.run("FeedbackTickets")
        assert refused["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
        assert refused["payload"]["errors"][0]["message"] == "You are not allowed to do this."
        post = {"input": {"kind": "POST", "title": "", "body": "一条"}}
        assert "errors" not in (await english.run("CreatePost", post))["payload"]
        limited = await english.run("CreatePost", post)
        error = limited["payload"]["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 0 < error["extensions"]["retryAfter"] <= 60
        assert error["message"] != "rate_limited"
        await english.close()

        chinese = await (await Socket.open(base, token)).acked()
        for query, code in (
            ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
            ("subscription { notificationAdded { nope } }", "GRAPHQL_VALIDATION_FAILED"),
            ("{ viewer { id ", "GRAPHQL_PARSE_FAILED"),
            ("{" + " viewer { id }" * 800 + " }", "QUERY_TOO_COMPLEX"),
        ):
            await chinese.ws.send(
                json.dumps({"id": query, "type": "subscribe", "payload": {"query": query}})
            )
            message = await chinese.recv()
            assert (message["id"], message["type"]) == (query, "error"), query
            assert _codes(message["payload"]) == [code], query
        await chinese.close()
    # The client's mistakes are not logged as the server's.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_three_hundred_subscriptions_from_one_member_leave_redis_and_limits_working(
    runtime: Runtime,
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    async with serving(
        runtime, ws_subscriptions_per_socket=100, ws_subscriptions_per_member=300
    ) as base:
        sockets = [await (await Socket.open(base, token)).acked() for _ in range(3)]
        for s in sockets:
            for _ in range(100):
                await s.subscribe("NotificationAdded")
        await listening(base, member.id, 300)
        async with httpx.AsyncClient(base_url=f"http://{base}") as client:
            health = await client.get("/healthz")
            assert health.status_code == 200, health.text
        post = {"input": {"kind": "POST", "title": "", "body": "限流还在"}}
        answers = [await _http(base, "CreatePost", post, token) for _ in range(11)]
        assert [error_codes(a) for a in answers[:10]] == [[]] * 10
        assert error_codes(answers[10]) == ["RATE_LIMITED"]

        # Every one of the 300 still hears: one comment reaches all of them.
        author_post = await make_post(member, "评论我")
        commenter = token_for(runtime, await make_user())
        await _http(
            base,
            "AddComment",
            {"postId": to_global_id("Post", author_post.id), "body": "沙发"},
            commenter,
        )
        for s in sockets:
            kinds = []
            while len([k for k in kinds if k == "COMMENT"]) < 100:
                message = await s.recv()
                kinds.append(message["payload"]["data"]["notificationAdded"]["kind"])
            await s.close()


async def test_subscriptions_past_the_socket_and_member_caps_are_refused_clearly(
    runtime: Runtime,
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    async with serving(
        runtime, ws_subscriptions_per_socket=2, ws_subscriptions_per_member=3
    ) as base:
        first = await (await Socket.open(base, token)).acked()
        for _ in range(2):
            await first.subscribe("NotificationAdded")
        await listening(base, member.id, 2)  # (operations run concurrently)
        third = await first.run("NotificationAdded")
        assert third["type"] == "next"
        assert _codes(third["payload"]["errors"]) == ["RATE_LIMITED"]
        second = await (await Socket.open(base, token)).acked()
        await second.subscribe("NotificationAdded")
        await listening(base, member.id, 3)
        fourth = await second.run("NotificationAdded")
        assert _codes(fourth["payload"]["errors"]) == ["RATE_LIMITED"]
        assert "3" in fourth["payload"]["errors"][0]["message"]
        await first.close()
        await listening(base, member.id, 1)  # the closed socket's subscriptions are released
        again = await second.subscribe("NotificationAdded")
        with pytest.raises(TimeoutError):
            await second.recv(within=0.5)  # listening, no error
        assert again == "3"
        await second.close()


async def test_live_notifications_come_back_by_themselves_after_a_redis_outage(
    runtime: Runtime,
) -> None:
    directory = Path(tempfile.mkdtemp(prefix="qz-hub-"))
    url, process = start_redis(directory)
    assert process is not None
    redis = Redis.from_url(url, decode_responses=True, socket_timeout=1)
    own = dataclasses.replace(runtime, store=Store(redis, runtime.store.prefix))
    author = await make_user()
    post = await make_post(author, "断线重连")
    commenter = token_for(runtime, await make_user())
    comment = {"postId": to_global_id("Post", post.id), "body": "来了"}
    try:
        async with serving(own) as base:
            live = await (await Socket.open(base, token_for(runtime, author))).acked()
            await live.subscribe("NotificationAdded")
            await listening(base, author.id)
            _stop_process(process)  # Redis goes away under the listening hub
            await asyncio.sleep(0.5)
            url_again, process = start_redis(directory)
            assert url_again == url and process is not None
            for _ in range(50):  # the hub is back within its backoff
                if await redis.execute_command("PUBSUB", "NUMPAT"):
                    break
                await asyncio.sleep(0.1)
            await _http(base, "AddComment", comment, commenter)
            kinds = []
            while "COMMENT" not in kinds:
                message = await live.recv(within=3)
                kinds.append(message["payload"]["data"]["notificationAdded"]["kind"])
            await live.close()
    finally:
        await redis.aclose()
        if process is not None:
            _stop_process(process)


async def test_a_message_over_the_body_limit_closes_only_its_own_socket(runtime: Runtime) -> None:
    """A socket's message is bounded as a /graphql body is (256 KB), where uvicorn would
    take 16 MB for the event loop to decode; the server goes on serving other sockets."""
    member = await make_user()
    token = token_for(runtime, member)
    async with serving(runtime) as base:
        hostile = await (await Socket.open(base, token)).acked()
        other = await (await Socket.open(base, token)).acked()
        variables = {"input": {"body": "话题很多", "topics": ["a"] * 70_000}}  # ~350 KB
        payload = {"query": operation("CreatePost"), "variables": variables}
        await hostile.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        code, _ = await hostile.closed()
        assert code == 1009  # message too big
        viewer = await other.run("Viewer")
        assert viewer["payload"]["data"]["viewer"]["id"] == to_global_id("User", member.id)
        await other.close()
