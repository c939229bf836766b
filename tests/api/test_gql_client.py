"""Python `gql`, unmodified, against a real server: a contract query over its aiohttp
transport, a live notification over its websockets transport speaking graphql-transport-ws,
and the refusals (a 401 over HTTP, a 4401 close on the socket) as errors the app can read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from api.ids import to_global_id
from quanzi.bootstrap import Runtime
from tests.contract import operation
from tests.factories import make_post, make_user, token_for
from tests.serving import listening, serving


def _request(name: str, **variables: object) -> GraphQLRequest:
    return GraphQLRequest(operation(name), variable_values=variables, operation_name=name)


def _http(base: str, token: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return Client(transport=AIOHTTPTransport(url=f"http://{base}/graphql", headers=headers))


def _socket(base: str, token: str | None) -> Client:
    transport = WebsocketsTransport(
        url=f"ws://{base}/graphql",
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"authorization": f"Bearer {token}"} if token else {},
    )
    return Client(transport=transport)


async def test_gql_reads_the_feed_over_http(runtime: Runtime) -> None:
    author = await make_user(nickname="作者")
    post = await make_post(author, "gql 读得到")
    async with serving(runtime) as base, _http(base) as session:
        page = await session.execute(_request("Feed", kind="LATEST", first=10))
    [edge] = page["feed"]["edges"]
    assert edge["node"]["id"] == to_global_id("Post", post.id)
    assert edge["node"]["author"]["nickname"] == "作者"
    assert edge["node"]["viewerHasLiked"] is False


async def test_gql_receives_a_notification_when_another_member_comments(
    runtime: Runtime,
) -> None:
    author, commenter = await make_user(), await make_user()
    post = await make_post(author, "等评论")
    comment = {"postId": to_global_id("Post", post.id), "body": "来自 gql 的评论"}
    async with (
        serving(runtime) as base,
        _socket(base, token_for(runtime, author)) as live,
        _http(base, token_for(runtime, commenter)) as http,
    ):
        updates = live.subscribe(_request("NotificationAdded"))
        first = asyncio.ensure_future(anext(updates))
        await listening(base, author.id)
        await http.execute(_request("AddComment", **comment))
        received = await asyncio.wait_for(first, 1.0)
        await updates.aclose()
    notification = received["notificationAdded"]
    assert notification["kind"] == "COMMENT"
    assert notification["post"]["id"] == to_global_id("Post", post.id)


async def test_gql_surfaces_a_refused_sign_in_as_an_error_the_app_can_read(
    runtime: Runtime,
) -> None:
    member = await make_user()
    async with serving(runtime) as base:
        # The socket: closed 4401 token_missing, which gql raises while connecting.
        with pytest.raises(TransportConnectionFailed) as refused:
            async with _socket(base, None) as session:
                await session.execute(_request("Viewer"))
        closed = refused.value.__cause__
        assert isinstance(closed, websockets.ConnectionClosed) and closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (4401, "token_missing")

        # HTTP: the 401's body is read as GraphQL errors, with the reason to act on.
        yesterday = datetime.now(UTC) - timedelta(days=1)
        stale = runtime.tokens.issue_access(member.id, now=yesterday)[0]
        with pytest.raises(TransportQueryError) as expired:
            async with _http(base, stale) as session:
                await session.execute(_request("Viewer"))
        assert expired.value.errors is not None
        assert expired.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert expired.value.errors[0]["extensions"]["reason"] == "token_expired"
