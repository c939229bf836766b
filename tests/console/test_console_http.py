"""The console's HTTP behaviour a browser relies on: headers, cookies, CSRF, the idle timeout,
one-time sign-in links and QR codes, and refusals by role."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from api.ids import to_global_id
from domain.console_login import create_login_link
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.console.conftest import SignIn, csrf_of
from tests.factories import make_user, token_for

NONCE = re.compile(r'data-nonce="([^"]+)"')


async def test_every_console_answer_carries_a_strict_content_security_policy(
    sign_in: SignIn,
) -> None:
    client = await sign_in(await make_user(role=Role.MODERATOR))
    for path in ("/console/", "/console/login", "/console/static/console.css"):
        answer = await client.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert "style-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert answer.headers["x-frame-options"] == "DENY"
    page = await client.get("/console/")
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text


async def test_a_sign_in_link_sets_an_httponly_strict_session_cookie_and_works_once(
    runtime: Runtime, browser: Callable[[], httpx.AsyncClient]
) -> None:
    moderator = await make_user(role=Role.MODERATOR, nickname="老周")
    token = await create_login_link(runtime.store, moderator)
    first, second = browser(), browser()

    # a chat app's preview fetches the link: it is asked to confirm, and nothing is spent
    preview = await second.get("/console/login/link", params={"token": token})
    assert preview.status_code == 200 and "set-cookie" not in preview.headers
    assert "老周" in preview.text and preview.headers["referrer-policy"] == "no-referrer"
    assert preview.headers["cache-control"] == "no-store"
    opened = await first.get("/console/login/link", params={"token": token})
    assert 'name="token"' in opened.text and 'method="post"' in opened.text
    answer = await first.post("/console/login/link", data={"token": token})
    again = await second.post("/console/login/link", data={"token": token})

    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("qz_console=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # outside production; production sets it
    home = await first.get("/console/")
    assert home.status_code == 200 and "老周" in home.text
    assert again.status_code == 410
    assert "登录链接已过期或已使用" in again.text
    spent = await second.get("/console/login/link", params={"token": token})
    assert spent.status_code == 410  # and opening a spent link says so at once
    assert (await second.get("/console/")).status_code == 303


async def test_anonymous_visitors_are_sent_to_the_sign_in_page(
    browser: Callable[[], httpx.AsyncClient],
) -> None:
    client = browser()
    answer = await client.get("/console/words")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/words"
    partial = await client.get("/console/words", headers={"HX-Request": "true"})
    assert partial.status_code == 401 and partial.headers["hx-redirect"] == "/console/login"


async def test_a_post_without_the_session_csrf_token_is_refused(sign_in: SignIn) -> None:
    client = await sign_in(await make_user(role=Role.OPERATOR))
    csrf = csrf_of(await client.get("/console/words"))

    refused = await client.post("/console/words/add", data={"words": "刷单", "level": "BLOCK"})
    wrong = await client.post(
        "/console/words/add",
        data={"words": "刷单", "level": "BLOCK"},
        headers={"X-CSRF-Token": "x" + csrf},
    )
    taken = await client.post(
        "/console/words/add",
        data={"words": "刷单", "level": "BLOCK", "_csrf": csrf},
    )
    by_header = await client.post(
        "/console/words/add",
        data={"words": "代购", "level": "REVIEW"},
        headers={"X-CSRF-Token": csrf},
    )

    assert refused.status_code == 403 and "安全校验失败" in refused.text
    assert wrong.status_code == 403
    assert taken.status_code == 200 and "已添加 1 个词" in taken.text
    assert by_header.status_code == 200
    listed = await client.get("/console/words")
    assert "刷单" in listed.text and "代购" in listed.text


async def test_a_session_idle_past_its_timeout_is_over_and_signing_out_ends_it(
    runtime: Runtime, sign_in: SignIn
) -> None:
    client = await sign_in(await make_user(role=Role.MODERATOR))
    assert (await client.get("/console/")).status_code == 200
    # Only this test's own keys: other test runs may share the Redis database.
    mine = runtime.store.key("console_session", "*")
    [key] = [k async for k in runtime.redis.scan_iter(match=mine)]
    ttl = await runtime.redis.pttl(key)
    assert 29 * 60_000 < ttl <= 30 * 60_000  # slid forward by the request
    await runtime.redis.pexpire(key, 1)  # thirty idle minutes later
    await runtime.redis.delete(key)

    timed_out = await client.get("/console/")

    assert timed_out.status_code == 303
    assert timed_out.headers["location"] == "/console/login?expired=1"
    login = await client.get("/console/login?expired=1")
    assert "登录已超时" in login.text


async def test_signing_out_ends_the_session_on_the_server(sign_in: SignIn) -> None:
    client = await sign_in(await make_user(role=Role.MODERATOR))
    cookie = client.cookies.get("qz_console")
    csrf = csrf_of(await client.get("/console/"))

    out = await client.post("/console/logout", data={"_csrf": csrf})

    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    client.cookies.set("qz_console", cookie or "", path="/console")  # a copy kept elsewhere
    assert (await client.get("/console/")).status_code == 303


async def test_the_qr_code_signs_in_the_browser_it_was_shown_to_once_approved(
    runtime: Runtime, api: Api, browser: Callable[[], httpx.AsyncClient]
) -> None:
    operator = await make_user(role=Role.OPERATOR, nickname="运营小王")
    desk, other = browser(), browser()
    login = await desk.get("/console/login", headers={"User-Agent": "Desk/1.0"})
    assert 'src="data:image/svg+xml' in login.text
    nonce = NONCE.search(login.text).group(1)  # type: ignore[union-attr]

    waiting = await desk.get("/console/login/poll")
    seen = await api.op("ConsoleLoginRequest", {"nonce": nonce}, token=token_for(runtime, operator))
    approved = await api.op(
        "ApproveConsoleLogin", {"nonce": nonce}, token=token_for(runtime, operator)
    )
    elsewhere = await other.get("/console/login/poll")  # another browser has no code cookie
    signed_in = await desk.get("/console/login/poll")

    assert waiting.status_code == 204
    assert seen["data"]["consoleLoginRequest"]["userAgent"] == "Desk/1.0"
    assert approved["data"]["approveConsoleLogin"]["ok"] is True
    assert NONCE.search(elsewhere.text).group(1) != nonce  # type: ignore[union-attr]
    assert signed_in.headers["hx-redirect"] == "/console/"
    assert "运营小王" in (await desk.get("/console/")).text


async def test_an_expired_qr_code_is_replaced_by_a_fresh_one(
    runtime: Runtime, browser: Callable[[], httpx.AsyncClient]
) -> None:
    client = browser()
    nonce = NONCE.search((await client.get("/console/login")).text).group(1)  # type: ignore[union-attr]
    [key] = [k async for k in runtime.redis.scan_iter(match=f"*console_login:{nonce}")]
    ttl = await runtime.redis.pttl(key)
    assert 110_000 < ttl <= 120_000  # two minutes
    await runtime.redis.delete(key)  # two minutes later

    renewed = await client.get("/console/login/poll")

    fresh = NONCE.search(renewed.text).group(1)  # type: ignore[union-attr]
    assert renewed.status_code == 200 and fresh != nonce and "二维码已刷新" in renewed.text
    assert (await client.get("/console/login/poll")).status_code == 204  # the new one waits


async def test_a_member_is_refused_with_a_chinese_403_and_a_moderator_outside_their_role(
    runtime: Runtime, api: Api, sign_in: SignIn
) -> None:
    admin = await make_user(role=Role.ADMIN)
    moderator = await make_user(role=Role.MODERATOR)
    client = await sign_in(moderator)

    log = await client.get("/console/log")
    english = await client.get("/console/log", headers={"Accept-Language": "en-GB,en;q=0.9"})
    demoted = await api.op(
        "SetUserRole",
        {"userId": to_global_id("User", moderator.id), "role": "MEMBER"},
        token=token_for(runtime, admin),
    )
    as_member = await client.get("/console/")

    assert log.status_code == 403 and "你的角色不能打开此页" in log.text
    assert english.status_code == 403 and "Your role cannot open this page" in english.text
    assert demoted["data"]["setUserRole"]["user"]["role"] == "MEMBER"
    assert as_member.status_code == 403 and "运营台仅对版主、运营和管理员开放" in as_member.text
    assert (await client.get("/console/")).status_code == 303  # the session is over
