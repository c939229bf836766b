"""Attacks on kept answers (api/kept_answers.py): a Feed page answered from a kept answer
is exactly the page the operation asks for, as this viewer sees it now — whatever else the
document says (directives, aliases, operations, variables), whichever app it is sent to."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from api import kept_answers
from api.ids import from_global_id, to_global_id
from api.telemetry import operation_label
from domain import hot
from domain.auth import revoke_all_sessions
from domain.likes import like_post
from domain.models import Circle, CircleMember, JoinPolicy, Post, Role, User
from quanzi.bootstrap import Runtime
from tests.api.test_kept_answers import Executions, kept_answer
from tests.conftest import Api, configured_api, error_codes
from tests.contract import operation
from tests.factories import make_circle, make_post, make_user, token_for


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> Executions:
    kept_answers.forget_answers()
    return Executions(monkeypatch)


async def _often(api: Api, query: str, variables: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """The answer, asked as often as it takes to be kept if it is ever kept."""
    for _ in range(3):
        answer = await api.execute(query, variables, **kw)
        assert "errors" not in answer, answer
    return answer


def _ids(answer: dict[str, Any], key: str = "feed") -> list[str]:
    return [e["node"]["id"] for e in answer["data"][key]["edges"]]


MAYBE_BODIES = """
query MaybeBodies($kind: FeedKind!, $first: Int, $bodies: Boolean!) {
  feed(kind: $kind, first: $first) {
    edges { cursor node { id title body @include(if: $bodies) author { id nickname } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_a_field_left_out_by_a_variable_is_left_out_of_a_page_kept_with_it(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "正文可选")
    token = token_for(runtime, await make_user())
    asked = {"kind": "LATEST", "first": 10}
    shown = await _often(api, MAYBE_BODIES, {**asked, "bodies": True}, token=token)
    assert "body" in shown["data"]["feed"]["edges"][0]["node"]
    left_out = await api.execute(MAYBE_BODIES, {**asked, "bodies": False}, token=token)
    assert "errors" not in left_out, left_out
    assert "body" not in left_out["data"]["feed"]["edges"][0]["node"]


SKIPPED_SPREAD = """
query SkippedSpread($first: Int, $plain: Boolean!) {
  feed(kind: LATEST, first: $first) {
    edges { node { id ...Words @skip(if: $plain) } }
  }
}
fragment Words on Post { title body author { nickname } }
"""


async def test_a_fragment_skipped_by_a_variable_is_skipped_on_a_kept_page_too(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "片段可选")
    await _often(api, SKIPPED_SPREAD, {"first": 5, "plain": False})
    plain = await api.execute(SKIPPED_SPREAD, {"first": 5, "plain": True})
    assert "errors" not in plain, plain
    assert plain["data"]["feed"]["edges"][0]["node"] == {
        "id": plain["data"]["feed"]["edges"][0]["node"]["id"]
    }


FEED = {"kind": "LATEST", "first": 20}


async def _feed_ids(api: Api, token: str | None) -> list[str]:
    answer = await api.op("Feed", FEED, token=token)
    assert "errors" not in answer, answer
    return _ids(answer)


async def _kept_feed(api: Api, token: str | None, executions: Executions) -> list[str]:
    return _ids(await kept_answer(api, operation("Feed"), FEED, executions, token=token))


async def test_a_member_who_leaves_a_closed_circle_no_longer_sees_its_posts(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    me = await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[me])
    post = to_global_id("Post", (await make_post(me, "圈内", circle_id=circle.id)).id)
    token = token_for(runtime, me)
    assert post in await _kept_feed(api, token, executions)
    left = await api.op("LeaveCircle", {"circleId": to_global_id("Circle", circle.id)}, token=token)
    assert "errors" not in left, left
    assert post not in await _feed_ids(api, token)


async def test_a_removed_member_no_longer_sees_the_closed_circles_posts(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    me, author = await make_user(), await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[me, author])
    post = to_global_id("Post", (await make_post(author, "圈内", circle_id=circle.id)).id)
    token = token_for(runtime, me)
    assert post in await _kept_feed(api, token, executions)
    # as another process would: the membership row alone goes
    await CircleMember.filter(circle_id=circle.id, user_id=me.id).delete()
    assert post not in await _feed_ids(api, token)


async def test_a_circle_closed_to_outsiders_leaves_their_page_at_once(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, outsider = await make_user(), await make_user()
    circle = await make_circle(members=[author])
    post = to_global_id("Post", (await make_post(author, "开放圈", circle_id=circle.id)).id)
    token = token_for(runtime, outsider)
    assert post in await _kept_feed(api, token, executions)
    await Circle.filter(id=circle.id).update(join_policy=JoinPolicy.APPROVAL)
    assert post not in await _feed_ids(api, token)


async def test_a_demoted_moderator_no_longer_sees_closed_circles(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, moderator = await make_user(), await make_user(role=Role.MODERATOR)
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[author])
    post = to_global_id("Post", (await make_post(author, "闭圈", circle_id=circle.id)).id)
    token = token_for(runtime, moderator)
    assert post in await _kept_feed(api, token, executions)
    await User.filter(id=moderator.id).update(role=Role.MEMBER)
    assert post not in await _feed_ids(api, token)


async def test_a_revoked_sign_in_is_refused_where_its_page_was_kept(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "登出之前")
    signed_in = (await api.op("DevLogin", {"openid": "o-kept-answer"}))["data"]["devLogin"]
    await _kept_feed(api, signed_in["token"], executions)
    await revoke_all_sessions(from_global_id(signed_in["viewer"]["id"])[1])
    refused = await api.op("Feed", FEED, token=signed_in["token"])
    assert error_codes(refused) == ["UNAUTHENTICATED"], refused
    assert not refused.get("data")


TWO_OPERATIONS = """
query Latest { feed(kind: LATEST, first: 1) { edges { node { id title } } } }
query Hot { feed(kind: HOT, first: 2) { edges { node { id title } } } }
"""


async def test_each_operation_of_a_document_answers_its_own_page(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author = await make_user()
    for i in range(3):
        await make_post(author, f"两个操作{i}")
    await hot.build_snapshot(runtime.store)

    async def ask(name: str) -> dict[str, Any]:
        response = await api.client.post(
            "/graphql", json={"query": TWO_OPERATIONS, "operationName": name}
        )
        answer = response.json()
        assert "errors" not in answer, answer
        return answer

    for _ in range(3):
        latest = await ask("Latest")
    for _ in range(3):
        assert len(_ids(await ask("Hot"))) == 2
    assert len(_ids(await ask("Latest"))) == 1
    assert _ids(await ask("Latest")) == _ids(latest)


async def test_a_page_size_of_the_wrong_type_is_refused_after_the_right_one_was_kept(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "类型")
    token = token_for(runtime, await make_user())
    await kept_answer(
        api, operation("Feed"), {"kind": "LATEST", "first": 1}, executions, token=token
    )
    for first in ("1", True, [1]):
        refused = await api.op("Feed", {"kind": "LATEST", "first": first}, token=token)
        assert error_codes(refused) == ["BAD_USER_INPUT"], refused
    refused = await api.op("Feed", {"kind": "LATEST", "first": 1, "after": 1}, token=token)
    assert error_codes(refused) == ["BAD_USER_INPUT"], refused


async def test_another_app_answers_the_same_text_itself(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    """Tests build several apps on one process (a schema each, with its own settings): an
    answer kept by one is never another's."""
    await make_post(await make_user(), "两个应用")
    token = token_for(runtime, await make_user())
    kept = await kept_answer(api, operation("Feed"), FEED, executions, token=token)
    async with configured_api(runtime, community_timezone="America/New_York") as (other, _):
        before = executions.kept
        for _ in range(2):  # the long way, then the known way completing its own page
            assert await other.op("Feed", FEED, token=token) == kept
        assert executions.kept == before
        assert await kept_answer(other, operation("Feed"), FEED, executions, token=token) == kept
        assert await api.op("Feed", FEED, token=token) == kept


async def test_a_read_ahead_that_fails_leaves_the_page_to_the_usual_way(
    api: Api, runtime: Runtime, executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_post(await make_user(), "读不出")
    token = token_for(runtime, await make_user())
    kept = await kept_answer(api, operation("Feed"), FEED, executions, token=token)

    async def broken(context: Any, ask: Any) -> Any:
        raise RuntimeError("the read-ahead failed")

    monkeypatch.setattr(kept_answers, "_reader", [broken])
    assert await api.op("Feed", FEED, token=token) == kept


async def test_the_pages_a_reader_asks_for_keep_within_the_bytes_kept(
    api: Api, runtime: Runtime, executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page size and cursor is an answer of its own, each a copy of its long posts:
    asking for them all keeps no more than the budget."""
    budget = 60_000
    monkeypatch.setattr(kept_answers, "ANSWERS_BYTES_MAX", budget, raising=False)
    author = await make_user()
    for i in range(8):
        await make_post(author, f"{i}" + "长" * 4_999)
    for first in range(1, 9):
        await _often(api, operation("Feed"), {"kind": "LATEST", "first": first})
    kept = [len(orjson.dumps(answer.json)) for answer in kept_answers._answers.values()]
    assert kept, "nothing kept"
    assert sum(kept) <= budget


async def test_a_kept_answer_is_counted_in_the_operations_metrics(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "计数")
    token = token_for(runtime, await make_user())
    await kept_answer(api, operation("Feed"), FEED, executions, token=token)

    def answered() -> float:
        sample = REGISTRY.get_sample_value(
            "quanzi_graphql_operation_duration_seconds_count",
            {"operation": operation_label("Feed")},
        )
        return sample or 0.0

    before, kept_before = answered(), executions.kept
    for _ in range(3):
        await api.op("Feed", FEED, token=token)
    assert executions.kept == kept_before + 3
    assert answered() == before + 3


PAGE = "feed(kind: LATEST, first: 2) { edges { node { id author { id } } } }"
AROUND_THE_FEED = {
    "typename": "query { __typename " + PAGE + " }",
    "alias": "query { mine: " + PAGE + " }",
    "plain": "query { " + PAGE + " }",
}


async def test_the_page_keeps_its_response_key_and_its_neighbours(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "别名")
    for _ in range(3):
        for query in AROUND_THE_FEED.values():
            assert "errors" not in await api.execute(query)
    before = executions.kept
    answers = {name: await api.execute(q) for name, q in AROUND_THE_FEED.items()}
    assert executions.kept == before + 2  # the alias and the plain page
    assert set(answers["typename"]["data"]) == {"__typename", "feed"}
    assert answers["typename"]["data"]["__typename"] == "Query"
    assert set(answers["alias"]["data"]) == {"mine"}
    assert answers["alias"]["data"]["mine"] == answers["plain"]["data"]["feed"]


REQUIRED_SIZE = """
query RequiredSize($first: Int!) {
  feed(kind: LATEST, first: $first) { edges { node { id title author { id } } } }
}
"""


async def test_a_required_page_size_left_out_is_refused_after_a_page_was_kept(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "必填")
    await kept_answer(api, REQUIRED_SIZE, {"first": 20}, executions)
    for variables in ({}, {"first": None}):
        refused = await api.execute(REQUIRED_SIZE, variables)
        assert refused.get("errors"), refused
        assert not refused.get("data")


async def test_variables_that_are_no_object_are_refused_as_the_usual_way_refuses_them(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "变量")
    await kept_answer(api, operation("Feed"), FEED, executions)
    for variables in ([1], "LATEST", 20):
        response = await api.client.post(
            "/graphql", json={"query": operation("Feed"), "variables": variables}
        )
        assert response.status_code == 400, response.text


async def test_a_like_and_an_edit_racing_the_read_ahead_show_on_the_next_page(
    api: Api, runtime: Runtime, executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write between the page read ahead and its execution: what is kept under the page
    read is at least as new as it, and the next request reads the page after the write."""
    me = await make_user()
    post = await make_post(await make_user(), "赛跑")
    pid, token = to_global_id("Post", post.id), token_for(runtime, me)
    await kept_answer(api, operation("Feed"), FEED, executions, token=token)
    read = kept_answers._reader[0]

    async def raced(context: Any, ask: Any) -> Any:
        page = await read(context, ask)
        await like_post(me, post.id, rules=runtime.rules)
        await Post.filter(id=post.id).update(title="改过的标题")
        return page

    monkeypatch.setattr(kept_answers, "_reader", [raced])
    await api.op("Feed", FEED, token=token)
    monkeypatch.setattr(kept_answers, "_reader", [read])
    for _ in range(3):
        card = {
            e["node"]["id"]: e["node"]
            for e in (await api.op("Feed", FEED, token=token))["data"]["feed"]["edges"]
        }[pid]
        assert (card["viewerHasLiked"], card["likeCount"]) == (True, 1)
        assert card["title"] == "改过的标题"


async def test_pages_of_each_size_and_cursor_are_kept_apart(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author = await make_user()
    posts = [to_global_id("Post", (await make_post(author, f"第{i}页")).id) for i in range(3)]
    token = token_for(runtime, await make_user())
    query = operation("Feed")
    first = await kept_answer(api, query, {"kind": "LATEST", "first": 1}, executions, token=token)
    after = first["data"]["feed"]["pageInfo"]["endCursor"]
    asks: list[dict[str, Any]] = [
        {"kind": "LATEST", "first": 1},
        {"kind": "LATEST", "first": 1, "after": after},
        {"kind": "LATEST", "first": 2},
        {"kind": "LATEST", "first": 2, "after": after},
        {"kind": "LATEST"},
    ]
    for ask in asks[1:]:
        await kept_answer(api, query, ask, executions, token=token)
    expected = [posts[2:], posts[1:2], posts[:0:-1], posts[1::-1], posts[::-1]]
    for ask, ids in [*zip(asks, expected, strict=True)][::-1]:
        assert _ids(await api.op("Feed", ask, token=token)) == ids, ask


@pytest.mark.parametrize("kind", ["HOT", "RECOMMENDED"])
async def test_an_edit_shows_on_the_next_hot_and_recommended_page(
    api: Api, runtime: Runtime, executions: Executions, kind: str
) -> None:
    post = await make_post(await make_user(), "热门编辑")
    await Post.filter(id=post.id).update(like_count=50, comment_count=20)
    await hot.build_snapshot(runtime.store)
    pid, token = to_global_id("Post", post.id), token_for(runtime, await make_user())
    ask = {"kind": kind, "first": 20}
    assert pid in _ids(await kept_answer(api, operation("Feed"), ask, executions, token=token))
    await Post.filter(id=post.id).update(title="新标题", body="新正文")
    answer = await api.op("Feed", ask, token=token)
    card = {e["node"]["id"]: e["node"] for e in answer["data"]["feed"]["edges"]}[pid]
    assert (card["title"], card["body"]) == ("新标题", "新正文")
