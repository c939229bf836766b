"""Standard clients, unmodified, against a real server: each test seeds what one file of
clients/conformance/ needs, serves the app on a real port (uvicorn, in this process), and runs
that file with node's test runner: Apollo Client (HttpLink, persisted queries, InMemoryCache
with relayStylePagination, GraphQLWsLink), graphql-ws and graphql-codegen's typed documents.

`make test` installs the Node packages (`npm ci`); here they are built once per session
(`npm run build`: codegen, Apollo's persisted-query manifest, `tsc --strict`)."""

from __future__ import annotations

import asyncio
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from PIL import Image

from api.ids import to_global_id
from domain import auth
from domain.featured import PinScope, pin_post
from domain.models import Role, User
from domain.tokens import TokenIssuer
from quanzi.bootstrap import Runtime
from tests import node_suites
from tests.contract import operation
from tests.factories import make_post, make_user, token_for
from tests.serving import listening
from tests.serving import serving_url as serving
from tests.wechat_stub import WeChatStub

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "clients" / "conformance"
NODE_SECONDS = 60


@pytest.fixture(scope="session")
def built() -> Path:
    """The suite compiled: codegen over the schema and the contract, the manifest, tsc."""
    return node_suites.build(PACKAGE, "conformance-deps")


async def run_node(suite: Path, name: str, **given: object) -> None:
    """Run clients/conformance/src/tests/<name>.test.ts (compiled); fail with its report."""
    await node_suites.run_node(
        suite,
        f"dist/tests/{name}.test.js",
        fixture_variable="CONFORMANCE",
        given=given,
        seconds=NODE_SECONDS,
    )


def gid(kind: str, row: object) -> str:
    return to_global_id(kind, row.id)


async def stale_tokens(runtime: Runtime, member: User) -> tuple[str, str]:
    """An access token of a live sign-in of the member's that has expired, and one signed
    with another secret."""
    tokens = runtime.tokens
    session = await auth.start_session(tokens, member, is_new_user=False)
    family = tokens.verify_access(session.access_token).session
    assert family is not None
    expired, _ = tokens.issue_access(
        member.id, session=family, now=datetime.now(UTC) - tokens.access_ttl - timedelta(minutes=1)
    )
    other = TokenIssuer("not-our-secret-" + "y" * 40, tokens.access_ttl, tokens.refresh_ttl)
    forged, _ = other.issue_access(member.id)
    return expired, forged


async def test_a_wechat_code_signs_in_and_the_refresh_token_rotates(
    runtime: Runtime, wechat: WeChatStub, built: Path
) -> None:
    wechat.issue_code("conformance-code", openid="o-conformance")
    async with serving(runtime) as url:
        await run_node(built, "signin", url=url, code="conformance-code")


async def test_three_feed_pages_merge_in_apollo_and_keep_every_pin(
    runtime: Runtime, built: Path
) -> None:
    author, operator = await make_user(), await make_user(role=Role.OPERATOR)
    pinned = [await make_post(author, f"置顶{i}") for i in range(3)]
    regular = [await make_post(author, f"第{i}条") for i in range(runtime.settings.page_max + 5)]
    for post in pinned:  # the last pinned leads
        await pin_post(operator, post.id, PinScope.GLOBAL)
    async with serving(runtime) as url:
        await run_node(
            built,
            "feed",
            url=url,
            pinned=[gid("Post", p) for p in reversed(pinned)],
            newest=[gid("Post", p) for p in reversed(regular)],
            pageMax=runtime.settings.page_max,
        )


async def test_automatic_persisted_queries_over_post_and_get(runtime: Runtime, built: Path) -> None:
    member = await make_user()
    post = await make_post(member, "缓存友好的帖子")
    for i in range(3):
        await make_post(member, f"第{i}条")
    async with serving(runtime) as url:
        await run_node(
            built, "apq", url=url, token=token_for(runtime, member), postId=gid("Post", post)
        )


async def test_allow_list_mode_runs_the_manifests_a_client_build_generates(
    runtime: Runtime, built: Path, tmp_path: Path
) -> None:
    """The allow-list holds Apollo's manifest, codegen's persisted documents and, for raw
    `wx.request` clients, a whole .graphql file (the contract's)."""
    allowed = tmp_path / "persisted"
    allowed.mkdir()
    shutil.copy(built / "persisted-query-manifest.json", allowed)
    shutil.copy(built / "src" / "gql" / "persisted-documents.json", allowed)
    whole_file = ROOT / "tests" / "contract" / "app.graphql"
    shutil.copy(whole_file, allowed)
    author, reader = await make_user(), await make_user()
    post = await make_post(author, "白名单里的帖子")
    for i in range(3):
        await make_post(author, f"第{i}条")
    async with serving(runtime, persisted_queries_dir=allowed) as url:
        await run_node(
            built,
            "allowlist",
            url=url,
            token=token_for(runtime, reader),
            postId=gid("Post", post),
            authorId=gid("User", author),
            wholeFile=whole_file.read_text(encoding="utf-8"),
        )


async def test_a_notification_arrives_over_graphql_ws_within_a_second(
    runtime: Runtime, built: Path
) -> None:
    author, commenter = await make_user(), await make_user()
    post = await make_post(author, "等评论")
    async with serving(runtime) as url:
        await run_node(
            built,
            "notifications",
            url=url,
            authorToken=token_for(runtime, author),
            commenterToken=token_for(runtime, commenter),
            commenterId=gid("User", commenter),
            postId=gid("Post", post),
        )


async def test_socket_refusals_close_with_codes_graphql_ws_can_act_on(
    runtime: Runtime, built: Path
) -> None:
    tokens = runtime.tokens
    member = await make_user()
    expired, forged = await stale_tokens(runtime, member)
    revoked = await auth.start_session(tokens, member, is_new_user=False)
    revoked_family = tokens.verify_access(revoked.access_token).session
    assert revoked_family is not None
    await auth.revoke_family(revoked_family)
    banned = await make_user(banned_until=datetime.now(UTC) + timedelta(days=1))
    async with serving(runtime) as url:
        await run_node(
            built,
            "sockets",
            url=url,
            expired=expired,
            forged=forged,
            revoked=revoked.access_token,
            banned=token_for(runtime, banned),
        )


async def test_a_stale_token_is_refused_at_the_edge_and_a_refresh_link_recovers(
    runtime: Runtime, wechat: WeChatStub, built: Path
) -> None:
    member = await make_user()
    expired, forged = await stale_tokens(runtime, member)
    sessions = [await auth.start_session(runtime.tokens, member, is_new_user=False) for _ in "ab"]
    for i in range(3):
        await make_post(member, f"第{i}条")
    wechat.issue_code("stale-header-code", openid="o-stale-header")
    async with serving(runtime) as url:
        await run_node(
            built,
            "refresh",
            url=url,
            expired=expired,
            forged=forged,
            memberId=gid("User", member),
            refreshTokens=[s.refresh_token for s in sessions],
            code="stale-header-code",
        )


async def test_update_profile_refreshes_cached_author_chips(runtime: Runtime, built: Path) -> None:
    member, other = await make_user(), await make_user()
    posts = [
        await make_post(member, "我的第一条"),
        await make_post(other, "别人的"),
        await make_post(member, "我的第二条"),
    ]
    async with serving(runtime) as url:
        await run_node(
            built,
            "profile",
            url=url,
            token=token_for(runtime, member),
            memberId=gid("User", member),
            postIds=[gid("Post", p) for p in posts if p.author_id == member.id],
        )


async def test_dates_round_trip_in_asia_shanghai(runtime: Runtime, built: Path) -> None:
    operator = await make_user(role=Role.OPERATOR)
    await make_post(operator, "有创建时间的帖子")
    async with serving(runtime) as url:
        await run_node(built, "dates", url=url, operatorToken=token_for(runtime, operator))


async def test_an_uploaded_image_is_used_in_a_post(
    runtime: Runtime, built: Path, tmp_path: Path
) -> None:
    """The public base is configuration (a CDN's address), never the request's Host."""
    member = await make_user()
    image = tmp_path / "photo.png"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="PNG")
    image.write_bytes(out.getvalue())
    base = "https://cdn.quanzi.test/media"
    async with serving(runtime, media_base_url=base) as url:
        await run_node(
            built,
            "upload",
            url=url,
            token=token_for(runtime, member),
            mediaBase=base,
            image=str(image),
            width=64,
            height=48,
        )


async def test_client_mistakes_get_codes_of_their_own(runtime: Runtime, built: Path) -> None:
    member = await make_user()
    async with serving(runtime) as url:
        await run_node(built, "errors", url=url, token=token_for(runtime, member))


async def test_python_gql_reads_the_feed_and_hears_a_notification(runtime: Runtime) -> None:
    """Python's `gql` (HTTPX for the query, graphql-transport-ws for the subscription)."""
    author, commenter = await make_user(), await make_user()
    post = await make_post(author, "给 Python 客户端看的帖子")
    async with serving(runtime) as url:
        feed = GraphQLRequest(operation("Feed"), variable_values={"kind": "LATEST", "first": 2})
        async with Client(transport=HTTPXAsyncTransport(url=f"{url}/graphql")) as http:
            page = await http.execute(feed)
        assert [e["node"]["id"] for e in page["feed"]["edges"]] == [gid("Post", post)]

        socket = WebsocketsTransport(
            url=url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"Authorization": f"Bearer {token_for(runtime, author)}"},
        )
        async with Client(transport=socket) as live:
            notifications = live.subscribe(GraphQLRequest(operation("NotificationAdded")))
            first = asyncio.create_task(anext(notifications))
            await listening(url, author.id)
            comment = {"postId": gid("Post", post), "body": "Python 也收到了"}
            async with httpx.AsyncClient(base_url=url) as client:
                added = await client.post(
                    "/graphql",
                    json={"query": operation("AddComment"), "variables": comment},
                    headers={"Authorization": f"Bearer {token_for(runtime, commenter)}"},
                )
            assert "errors" not in added.json(), added.text
            heard = await asyncio.wait_for(first, 3)
            await notifications.aclose()
        assert heard["notificationAdded"]["kind"] == "COMMENT"
        assert heard["notificationAdded"]["actor"]["id"] == gid("User", commenter)
