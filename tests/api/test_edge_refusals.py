"""What /graphql refuses over HTTP before anything runs: a subscription (it needs the
WebSocket), and a bearer token that does not hold (401, decided once, so a public page never
comes back blank and a client's refresh-and-retry link can act on it)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.ids import to_global_id
from domain import auth
from domain.models import Post, PostLike, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.contract import operation
from tests.factories import make_post, make_user, token_for
from tests.wechat_stub import WeChatStub

FEED = {"kind": "LATEST", "first": 10}


async def _bad_tokens(runtime: Runtime) -> dict[str, str]:
    """One token for each reason a bearer is refused, by reason."""
    member, signed_out = await make_user(), await make_user()
    ended = await auth.start_session(runtime.tokens, signed_out, is_new_user=False)
    await auth.revoke_all_sessions(signed_out.id)
    stale = datetime.now(UTC) - timedelta(days=1)
    return {
        "token_expired": runtime.tokens.issue_access(member.id, now=stale)[0],
        "token_invalid": "garbage",
        "session_revoked": ended.access_token,
    }


async def test_a_subscription_over_http_is_refused_before_it_runs(
    client: httpx.AsyncClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    token = token_for(runtime, await make_user())
    subscription = {"query": operation("NotificationAdded")}
    with caplog.at_level(logging.INFO):
        answers = [
            await client.post("/graphql", json=subscription),
            await client.post(
                "/graphql", json=subscription, headers={"Authorization": f"Bearer {token}"}
            ),
            # What asks for Strawberry's multipart subscriptions is refused the same way.
            await client.post(
                "/graphql",
                json=subscription,
                headers={"Accept": "multipart/mixed;subscriptionSpec=1.0, application/json"},
            ),
        ]
        english = await client.post(
            "/graphql", json=subscription, headers={"Accept-Language": "en"}
        )
        # Over GET: text never goes (405); behind a hash it is told the same as over POST.
        as_text = await client.get("/graphql", params=subscription)
        digest = hashlib.sha256(subscription["query"].encode()).hexdigest()
        hashed = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        await client.post("/graphql", json={**subscription, "extensions": hashed})
        answers.append(await client.get("/graphql", params={"extensions": json.dumps(hashed)}))
    assert as_text.status_code == 405, as_text.text
    assert as_text.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "errors": [
                {
                    "message": "订阅请通过 WebSocket（graphql-transport-ws 协议）连接 /graphql",
                    "extensions": {
                        "code": "SUBSCRIPTION_NEEDS_WEBSOCKET",
                        "requestId": answer.headers["x-request-id"],
                    },
                }
            ]
        }
    assert english.status_code == 400
    assert "WebSocket" in english.json()["errors"][0]["message"]
    assert "订阅" not in english.json()["errors"][0]["message"]
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.INFO] == []


async def test_a_bad_token_on_a_public_feed_is_one_401_not_a_blank_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    author = await make_user()
    await make_post(author, "公开的帖子")
    feed = {"query": operation("Feed"), "variables": FEED}
    for reason, token in (await _bad_tokens(runtime)).items():
        for language, expected in (("zh", None), ("en", "sign")):
            response = await client.post(
                "/graphql",
                json=feed,
                headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
            )
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
            body = response.json()
            assert "data" not in body
            [error] = body["errors"]
            assert error["extensions"] == {
                "code": "UNAUTHENTICATED",
                "reason": reason,
                "requestId": response.headers["x-request-id"],
            }
            if expected is None:
                assert "登录" in error["message"], error
            else:
                assert expected in error["message"].lower(), error
    # Without a token the same page reads anonymously.
    anonymous = await client.post("/graphql", json=feed)
    assert anonymous.status_code == 200
    [edge] = anonymous.json()["data"]["feed"]["edges"]
    assert edge["node"]["viewerHasLiked"] is False


async def test_a_bad_token_stops_a_mutation_before_it_writes(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user(), "别点赞")
    tokens = await _bad_tokens(runtime)
    liked = await api.op(
        "LikePost", {"postId": to_global_id("Post", post.id)}, token=tokens["token_expired"]
    )
    assert error_codes(liked) == ["UNAUTHENTICATED"]
    assert await PostLike.filter(post_id=post.id).count() == 0
    assert (await Post.get(id=post.id)).like_count == 0


async def test_signing_in_or_refreshing_with_a_stale_header_still_works(
    api: Api, runtime: Runtime, wechat: WeChatStub
) -> None:
    """A client's refresh link often keeps the stale Authorization header: the operations
    that only sign in or refresh do not need a bearer, so they ignore a bad one."""
    session = (await api.op("DevLogin", {"openid": "o-stale"}))["data"]["devLogin"]
    for reason, stale in (await _bad_tokens(runtime)).items():
        refreshed = await api.op(
            "RefreshToken", {"refreshToken": session["refreshToken"]}, token=stale
        )
        assert "errors" not in refreshed, (reason, refreshed)
        session = refreshed["data"]["refreshToken"]
        again = await api.op("DevLogin", {"openid": "o-stale"}, token=stale)
        assert again["data"]["devLogin"]["viewer"]["id"] == session["viewer"]["id"]
        wechat.issue_code(f"code-{reason}", openid="o-wechat")
        signed_in = await api.op("WechatLogin", {"code": f"code-{reason}"}, token=stale)
        assert signed_in["data"]["wechatLogin"]["token"], signed_in
    # The new token works; the refresh answered as anyone would be answered (not as the
    # member the stale header named).
    viewer = await api.op("Viewer", token=session["token"])
    assert viewer["data"]["viewer"]["id"] == session["viewer"]["id"]

    # Anything else in the same request needs the bearer, so the whole request is refused.
    mixed = (
        "mutation R($r: String!) { refreshToken(refreshToken: $r) { token } checkIn { streak } }"
    )
    refused = await api.execute(mixed, {"r": session["refreshToken"]}, token="garbage")
    assert error_codes(refused) == ["UNAUTHENTICATED"] and "data" not in refused
    unused = await api.op("RefreshToken", {"refreshToken": session["refreshToken"]})
    assert "errors" not in unused  # the refused request did not spend the refresh token


async def test_a_banned_members_token_is_refused_with_403_before_anything_runs(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    await User.filter(id=member.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    response = await client.post(
        "/graphql",
        json={"query": operation("Feed"), "variables": FEED},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "reason": "account_banned",
        "requestId": response.headers["x-request-id"],
    }
    assert response.json()["errors"][0]["message"] == "账号已被封禁"


async def test_without_a_token_public_reads_work_and_member_fields_say_sign_in(
    api: Api,
) -> None:
    await make_post(await make_user(), "谁都能看")
    page = await api.op("Feed", FEED)
    assert len(page["data"]["feed"]["edges"]) == 1
    assert await api.op("Viewer") == {"data": {"viewer": None}}
    checked_in = await api.op("CheckIn")
    assert error_codes(checked_in) == ["UNAUTHENTICATED"]


async def test_a_client_that_asks_for_graphql_response_json_gets_it_on_every_answer(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Apollo Client 4 reads a 4xx body as GraphQL errors only under GraphQL over HTTP's own
    media type: its refresh-on-UNAUTHENTICATED recipe then fires on the 401."""
    await make_post(await make_user(), "公开的帖子")
    feed = {"query": operation("Feed"), "variables": FEED}
    apollo = {"Accept": "application/graphql-response+json,application/json;q=0.9"}
    expired = (await _bad_tokens(runtime))["token_expired"]
    refused = await client.post(
        "/graphql", json=feed, headers={**apollo, "Authorization": f"Bearer {expired}"}
    )
    read = await client.post("/graphql", json=feed, headers=apollo)
    plain = await client.post("/graphql", json=feed, headers={"Accept": "*/*"})
    declined = await client.post(
        "/graphql",
        json=feed,
        headers={"Accept": "application/graphql-response+json;q=0, application/json"},
    )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for answer in (refused, read):
        assert answer.headers["content-type"].startswith("application/graphql-response+json")
    for answer in (plain, declined):
        assert answer.headers["content-type"].startswith("application/json")
    assert read.json()["data"]["feed"]["edges"]
