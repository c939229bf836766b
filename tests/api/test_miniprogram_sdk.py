"""The mini-program SDK (clients/miniprogram/) against a real server: each test seeds what
one test file of the package needs, serves the app on a real port (uvicorn, in this process)
and runs that file with node's test runner. The SDK runs on a `wx` shim (the package's
test/support/wx.mts: wx.request and uploadFile on Node's fetch, connectSocket on `ws`,
wx.login handing out codes registered with the WeChat stand-in, storage, app show/hide).

`make test` installs the Node packages (`npm ci`); here they are built once per session
(`npm run build`: codegen, `tsc --strict` over the SDK and its example page, the esbuild
bundles the tests import, the tests)."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from tortoise.transactions import in_transaction

from api.ids import to_global_id
from domain import auth, points
from domain.models import PointsReason, PostLike, Redemption, Role, SubscribeGrant, User
from quanzi.bootstrap import Runtime
from tests import node_suites
from tests.conftest import Api
from tests.factories import RULES, make_post, make_user, token_for
from tests.serving import serving_url as serving
from tests.wechat_stub import WeChatStub

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "clients" / "miniprogram"
NODE_SECONDS = 90


@pytest.fixture(scope="session")
def built() -> Path:
    """The SDK built (codegen, tsc --strict, the bundles) and its tests compiled."""
    return node_suites.build(PACKAGE, "miniprogram-deps")


async def run_node(package: Path, name: str, **given: object) -> None:
    """Run test/<name>.test.mts (compiled) with the fixture; fail with node's report."""
    await node_suites.run_node(
        package,
        f"dist-test/test/{name}.test.mjs",
        fixture_variable="MINIPROGRAM",
        given=given,
        seconds=NODE_SECONDS,
        force_exit=True,
    )


def gid(kind: str, row: object) -> str:
    return to_global_id(kind, row.id)


async def stored_session(runtime: Runtime, member: User) -> dict[str, object]:
    """A fresh sign-in of the member's, as the SDK keeps it in wx storage."""
    session = await auth.start_session(runtime.tokens, member, is_new_user=False)
    return {
        "token": session.access_token,
        "refreshToken": session.refresh_token,
        "expiresAt": int(session.expires_at.timestamp() * 1000),
        "viewerId": gid("User", member),
    }


async def expired_session(runtime: Runtime, member: User) -> dict[str, object]:
    """A live sign-in of the member's whose access token has expired on the server."""
    tokens = runtime.tokens
    session = await stored_session(runtime, member)
    family = tokens.verify_access(str(session["token"])).session
    ended = datetime.now(UTC) - tokens.access_ttl - timedelta(minutes=1)
    session["token"], _ = tokens.issue_access(member.id, session=family, now=ended)
    return session


async def test_a_new_member_signs_in_with_an_invite_code(
    runtime: Runtime, wechat: WeChatStub, built: Path
) -> None:
    inviter = await make_user()
    wechat.issue_code("sdk-invited", openid="o-sdk-invited")
    templates = ["tpl-comment", "tpl-event"]
    async with serving(runtime) as url:
        await run_node(
            built,
            "signin",
            url=url,
            code="sdk-invited",
            inviteCode=inviter.invite_code,
            templates=templates,
        )
    member = await User.get(openid="o-sdk-invited")
    assert member.invited_by_id == inviter.id
    grants = await SubscribeGrant.filter(user_id=member.id).values_list("template_id", "remaining")
    assert grants == [("tpl-comment", 1)]


async def test_allow_list_mode_sends_ids_only(
    runtime: Runtime, wechat: WeChatStub, built: Path, tmp_path: Path
) -> None:
    """The server holds the package's persisted-documents.json (QUANZI_PERSISTED_QUERIES_DIR)."""
    allowed = tmp_path / "persisted"
    allowed.mkdir()
    shutil.copy(built / "dist" / "persisted-documents.json", allowed)
    author = await make_user()
    posts = [await make_post(author, f"第{i}条") for i in range(3)]
    wechat.issue_code("sdk-allowlist", openid="o-sdk-allowlist")
    async with serving(runtime, persisted_queries_dir=allowed) as url:
        await run_node(
            built,
            "allowlist",
            url=url,
            code="sdk-allowlist",
            postIds=[gid("Post", p) for p in reversed(posts)],
        )


async def test_a_feed_page_and_the_next(runtime: Runtime, built: Path) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第{i}条") for i in range(8)]
    async with serving(runtime) as url:
        await run_node(built, "feed", url=url, newest=[gid("Post", p) for p in reversed(posts)])


async def test_a_like_updates_the_feeds_cached_card(runtime: Runtime, built: Path) -> None:
    author, reader = await make_user(), await make_user()
    post = await make_post(author, "被点赞的帖子")
    async with serving(runtime) as url:
        await run_node(
            built,
            "like",
            url=url,
            session=await stored_session(runtime, reader),
            postId=gid("Post", post),
        )


async def test_a_request_without_answer_is_sent_again_only_when_safe(
    runtime: Runtime, api: Api, built: Path
) -> None:
    """A query, or a mutation with an idempotency key; the redemption happens once."""
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    item = {"title": "周边徽章", "kind": "VIRTUAL", "pricePoints": 10, "stock": 5}
    created = await api.op("CreateMallItem", {"input": item}, token=operator)
    assert "errors" not in created, created
    member, author = await make_user(), await make_user()
    post = await make_post(author, "重试的帖子")
    async with in_transaction() as conn:
        await points.award(
            member.id, 50, PointsReason.FEATURED, f"t:{member.id}", conn, rules=RULES
        )
    async with serving(runtime) as url:
        await run_node(
            built,
            "retry",
            url=url,
            session=await stored_session(runtime, member),
            postId=gid("Post", post),
            itemId=created["data"]["createMallItem"]["item"]["id"],
            points=50,
            price=10,
        )
    assert await Redemption.filter(user_id=member.id).count() == 1
    assert (await User.get(id=member.id)).points == 40
    assert await PostLike.filter(user_id=member.id).count() == 1  # the like whose answer was lost


async def test_token_expiry_with_ten_parallel_requests_refreshes_once(
    runtime: Runtime, wechat: WeChatStub, built: Path
) -> None:
    tokens = runtime.tokens
    member = await make_user(openid="o-sdk-refresh")
    expired = await expired_session(runtime, member)
    revoked = await stored_session(runtime, member)
    revoked_family = tokens.verify_access(str(revoked["token"])).session
    assert revoked_family is not None
    await auth.revoke_family(revoked_family)
    wechat.issue_code("sdk-again", openid="o-sdk-refresh")
    async with serving(runtime) as url:
        await run_node(
            built,
            "refresh",
            url=url,
            memberId=gid("User", member),
            expired=expired,
            ageing=await stored_session(runtime, member),
            revoked=revoked,
            code="sdk-again",
        )


async def test_notifications_over_the_socket_survive_a_disconnect(
    runtime: Runtime, built: Path
) -> None:
    author, commenter = await make_user(), await make_user()
    banned = await make_user()
    post = await make_post(author, "等评论")
    banned_session = await stored_session(runtime, banned)
    await User.filter(id=banned.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    tokens = runtime.tokens
    short_lived = await stored_session(runtime, author)
    family = tokens.verify_access(str(short_lived["token"])).session
    ending = datetime.now(UTC) - tokens.access_ttl + timedelta(seconds=4)
    short_lived["token"], expires_at = tokens.issue_access(author.id, session=family, now=ending)
    short_lived["expiresAt"] = int(expires_at.timestamp() * 1000)
    async with serving(runtime) as url:
        await run_node(
            built,
            "notifications",
            url=url,
            author=await stored_session(runtime, author),
            commenter=await stored_session(runtime, commenter),
            banned=banned_session,
            shortLived=short_lived,
            postId=gid("Post", post),
        )


async def test_an_uploaded_image_is_used_in_a_post(
    runtime: Runtime, built: Path, tmp_path: Path
) -> None:
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
            session=await stored_session(runtime, member),
            expired=await expired_session(runtime, member),
            image=str(image),
            mediaBase=base,
            width=64,
            height=48,
        )


async def test_a_rate_limited_like_surfaces_retry_after(runtime: Runtime, built: Path) -> None:
    author, member = await make_user(), await make_user()
    posts = [await make_post(author, f"第{i}条") for i in range(3)]
    limits = {"liking": (2, 60)}
    async with serving(runtime, rate_limits_enabled=True, rate_limits=limits) as url:
        await run_node(
            built,
            "ratelimit",
            url=url,
            session=await stored_session(runtime, member),
            postIds=[gid("Post", p) for p in posts],
            limit=2,
        )
