"""Rate limits in Redis: per member by operation class, sign-in per address, counted before
anything runs, every aliased or fragment-hidden root field included, failing open."""

from __future__ import annotations

from collections import Counter

from redis.asyncio import Redis

from adapters.redis import Store
from api.ids import to_global_id
from api.ratelimit import Limiter
from domain.models import PostLike
from quanzi.bootstrap import Runtime
from tests.conftest import configured_api, error_codes
from tests.factories import make_post, make_user, token_for


def _like(post_id: int, alias: str = "") -> str:
    return f'{alias}likePost(postId: "{to_global_id("Post", post_id)}") {{ post {{ likeCount }} }}'


async def test_a_member_over_the_like_limit_waits_and_nothing_more_is_written(
    runtime: Runtime,
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(7)]
    member, other = await make_user(), await make_user()
    async with configured_api(runtime, rate_limits={"liking": (5, 60)}) as (api, client):
        token = token_for(runtime, member)
        for post in posts[:5]:
            assert "errors" not in await api.execute(
                f"mutation {{ {_like(post.id)} }}", token=token
            )
        response = await client.post(
            "/graphql",
            json={"query": f"mutation {{ {_like(posts[5].id)} }}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        refused = response.json()
        assert error_codes(refused) == ["RATE_LIMITED"]
        wait = refused["errors"][0]["extensions"]["retryAfter"]
        assert 0 < wait <= 60 and response.headers["retry-after"] == str(wait)
        assert f"{wait} 秒后再试" in refused["errors"][0]["message"]
        assert await PostLike.filter(user_id=member.id).count() == 5
        # Someone else's budget is their own.
        theirs = await api.execute(
            f"mutation {{ {_like(posts[5].id)} }}", token=token_for(runtime, other)
        )
        assert "errors" not in theirs
        # Reading is not limited.
        for _ in range(10):
            assert "errors" not in await api.execute("{ viewer { id } }", token=token)


async def test_aliases_and_fragments_count_every_root_field(runtime: Runtime) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(6)]
    member = await make_user()
    async with configured_api(runtime, rate_limits={"liking": (5, 60)}) as (api, _):
        token = token_for(runtime, member)
        aliased = " ".join(_like(p.id, f"l{i}: ") for i, p in enumerate(posts))
        assert error_codes(await api.execute(f"mutation {{ {aliased} }}", token=token)) == [
            "RATE_LIMITED"
        ]
        assert await PostLike.filter(user_id=member.id).count() == 0
    async with configured_api(runtime, rate_limits={"liking": (2, 60)}) as (api, _):
        other = token_for(runtime, await make_user())
        hidden = (
            "mutation { ...Likes } fragment Likes on Mutation { "
            + " ".join(_like(p.id, f"l{i}: ") for i, p in enumerate(posts[:3]))
            + " }"
        )
        assert error_codes(await api.execute(hidden, token=other)) == ["RATE_LIMITED"]


async def test_sign_in_is_limited_per_address_and_forwarded_for_only_behind_a_proxy(
    runtime: Runtime,
) -> None:
    async with configured_api(runtime, rate_limits={"signin": (3, 60)}) as (api, _):
        for n in range(3):
            spoofed = {"X-Forwarded-For": f"10.0.0.{n}"}
            ok = await api.op("DevLogin", {"openid": f"script-{n}"}, headers=spoofed)
            assert "errors" not in ok, ok
        fourth = await api.op("DevLogin", {"openid": "script-4"}, headers=spoofed)
        assert error_codes(fourth) == ["RATE_LIMITED"]
    async with configured_api(
        runtime, rate_limits={"signin": (1, 60)}, trust_forwarded_for=True
    ) as (api, _):
        for n in range(3):
            hops = {"X-Forwarded-For": f"1.2.3.4, 203.0.113.{n}"}
            ok = await api.op("DevLogin", {"openid": f"phone-{n}"}, headers=hops)
            assert "errors" not in ok, ok
        again = await api.op(
            "DevLogin", {"openid": "phone-9"}, headers={"X-Forwarded-For": "9.9.9.9, 203.0.113.0"}
        )
        assert error_codes(again) == ["RATE_LIMITED"]


async def test_limits_fail_open_when_redis_is_unreachable(runtime: Runtime) -> None:
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    limiter = Limiter({"liking": (1, 60)})
    try:
        wait = await limiter.check(Store(unreachable, "qz-test:"), Counter(liking=5), 1, "1.2.3.4")
    finally:
        await unreachable.aclose()
    assert wait is None
