"""Client events (trackEvents): views counted once a day, bad batches refused whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain.models import (
    ClientEvent,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_views_count_once_per_member_per_post_per_day(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    now = datetime.now(UTC)
    view = {"kind": "VIEW", "postId": gid("Post", post.id), "occurredAt": now.isoformat()}
    events = [
        view,
        view,
        {"kind": "IMPRESSION", "postId": gid("Post", post.id)},
        {"kind": "DWELL", "postId": gid("Post", post.id), "durationMs": 5200},
        {"kind": "SHARE_OPEN", "shareToken": "abc123"},
        {"kind": "VIEW", "postId": gid("Post", 99999)},  # deleted a moment ago: dropped
    ]
    result = await api.op("TrackEvents", {"events": events}, token=token)
    assert result["data"]["trackEvents"]["accepted"] == 5
    await api.op("TrackEvents", {"events": [view]}, token=token)
    await post.refresh_from_db()
    assert post.view_count == 1
    assert await ClientEvent.all().count() == 6
    # Another member's view counts; an anonymous one is stored but not counted.
    await api.op("TrackEvents", {"events": [view]}, token=token_for(runtime, await make_user()))
    await api.op("TrackEvents", {"events": [view]})
    await post.refresh_from_db()
    assert post.view_count == 2


async def test_bad_event_batches_are_refused_whole(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    ok = {"kind": "VIEW", "postId": gid("Post", post.id)}
    too_many = await api.op("TrackEvents", {"events": [ok] * 101}, token=token)
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "events"}
    far_future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad = [
        ({"kind": "DWELL", "postId": gid("Post", post.id)}, "events.1.durationMs"),
        ({"kind": "VIEW"}, "events.1.postId"),
        ({"kind": "SHARE_OPEN"}, "events.1.shareToken"),
        (
            {"kind": "VIEW", "postId": gid("Post", post.id), "occurredAt": far_future},
            "events.1.occurredAt",
        ),
    ]
    for event, field in bad:
        result = await api.op("TrackEvents", {"events": [ok, event]}, token=token)
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await ClientEvent.all().count() == 0
    await post.refresh_from_db()
    assert post.view_count == 0
