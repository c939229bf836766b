"""Shares through the API: a share token per share, counted on the post."""

from __future__ import annotations

from api.ids import to_global_id
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_sharing_returns_a_token_per_share_and_counts(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    first = await api.op(
        "SharePost", {"postId": gid("Post", post.id), "channel": "WECHAT_CHAT"}, token=token
    )
    second = await api.op(
        "SharePost", {"postId": gid("Post", post.id), "channel": "WECHAT_MOMENTS"}, token=token
    )
    a, b = first["data"]["sharePost"], second["data"]["sharePost"]
    assert a["shareToken"] != b["shareToken"] and len(a["shareToken"]) >= 16
    assert b["post"] == {"id": gid("Post", post.id), "shareCount": 2}
