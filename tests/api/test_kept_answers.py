"""Answers kept whole (api/kept_answers.py): a Feed page read as it read before is answered
with the same bytes, without executing; and no kept answer ever shows a member something
stale about themselves (their like, their vote) or a post they may no longer see — each
request reads its page first, and a change is a different page at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from api import kept_answers, known_operations
from api.ids import to_global_id
from domain import hot
from domain.models import Post, PostStatus, Topic, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api, error_codes
from tests.contract import operation
from tests.factories import make_circle, make_poll, make_post, make_user, token_for


class Executions:
    """How many known operations were executed, and how many answered from a kept answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = self.kept = 0
        run, recall = known_operations.execute, kept_answers.recall

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return run(*args, **kwargs)

        def recalled(*args: Any, **kwargs: Any) -> Any:
            answer = recall(*args, **kwargs)
            self.kept += answer is not None
            return answer

        monkeypatch.setattr(known_operations, "execute", counted)
        monkeypatch.setattr(kept_answers, "recall", recalled)


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> Executions:
    kept_answers.forget_answers()
    return Executions(monkeypatch)


async def _feed(api: Api, token: str | None, kind: str = "LATEST") -> dict[str, Any]:
    answer = await api.op("Feed", {"kind": kind, "first": 20}, token=token)
    assert "errors" not in answer, answer
    return answer


def _cards(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["node"]["id"]: e["node"] for e in answer["data"]["feed"]["edges"]}


async def kept_answer(
    api: Api, query: str, variables: dict[str, Any], executions: Executions, **kw: Any
) -> dict[str, Any]:
    """The answer, asked until it comes from a kept answer (the first time a text runs the
    long way, the next completes the kept page, the one after keeps the answer)."""
    for _ in range(5):
        before = executions.kept
        answer = await api.execute(query, variables, **kw)
        assert "errors" not in answer, answer
        if executions.kept == before + 1:
            return answer
    raise AssertionError("never answered from a kept answer")


async def _kept(
    api: Api, token: str | None, executions: Executions, kind: str = "LATEST"
) -> dict[str, Any]:
    """The Feed page, asked until it is answered from a kept answer."""
    variables = {"kind": kind, "first": 20}
    return await kept_answer(api, operation("Feed"), variables, executions, token=token)


async def test_a_page_read_as_before_is_answered_without_executing_and_the_same(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, reader = await make_user(), await make_user()
    for i in range(3):
        await make_post(author, f"第{i}篇")
    token = token_for(runtime, reader)
    executed = await _feed(api, token)
    kept = await _kept(api, token, executions)
    assert kept == executed
    before, kept_before = executions.count, executions.kept
    for _ in range(3):
        assert await _feed(api, token) == executed
    assert (executions.count, executions.kept) == (before, kept_before + 3)


async def test_my_like_and_unlike_show_on_the_next_page_and_not_on_anyone_elses(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, me, other = await make_user(), await make_user(), await make_user()
    pid = to_global_id("Post", (await make_post(author, "点个赞")).id)
    mine, theirs = token_for(runtime, me), token_for(runtime, other)
    await _kept(api, mine, executions)
    await _kept(api, theirs, executions)

    assert "errors" not in await api.op("LikePost", {"postId": pid}, token=mine)
    card = _cards(await _feed(api, mine))[pid]
    assert (card["viewerHasLiked"], card["likeCount"]) == (True, 1)
    card = _cards(await _feed(api, theirs))[pid]
    assert (card["viewerHasLiked"], card["likeCount"]) == (False, 1)

    await _kept(api, mine, executions)
    assert "errors" not in await api.op("UnlikePost", {"postId": pid}, token=mine)
    card = _cards(await _feed(api, mine))[pid]
    assert (card["viewerHasLiked"], card["likeCount"]) == (False, 0)


async def test_a_post_hidden_or_deleted_leaves_the_page_at_once(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, reader = await make_user(), await make_user()
    hidden = await make_post(author, "将被隐藏")
    deleted = await make_post(author, "将被删除")
    token = token_for(runtime, reader)
    cards = _cards(await _kept(api, token, executions))
    assert {to_global_id("Post", hidden.id), to_global_id("Post", deleted.id)} <= set(cards)

    # as another process would: the row alone changes
    await Post.filter(id=hidden.id).update(status=PostStatus.HIDDEN)
    assert to_global_id("Post", hidden.id) not in _cards(await _feed(api, token))
    await Post.filter(id=deleted.id).update(status=PostStatus.DELETED)
    assert to_global_id("Post", deleted.id) not in _cards(await _feed(api, token))


async def test_a_renamed_author_or_topic_shows_on_the_next_page(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, reader = await make_user(nickname="旧名字"), await make_user()
    post = await make_post(author, "改名", topics=["旧话题"])
    topic = await Topic.get(name="旧话题")
    pid, token = to_global_id("Post", post.id), token_for(runtime, reader)
    await _kept(api, token, executions)

    await User.filter(id=author.id).update(nickname="新名字")
    assert _cards(await _feed(api, token))[pid]["author"]["nickname"] == "新名字"
    await _kept(api, token, executions)
    await Topic.filter(id=topic.id).update(name="新话题")
    assert [t["name"] for t in _cards(await _feed(api, token))[pid]["topics"]] == ["新话题"]


async def test_a_pin_that_runs_out_is_no_longer_shown_pinned(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, reader = await make_user(), await make_user()
    circle = await make_circle(members=[author])
    post = await make_post(author, "圈内置顶一会儿", circle_id=circle.id)
    now = datetime.now(UTC)
    until = now + timedelta(seconds=1.5)
    # pinned in its circle: in LATEST it keeps its place, and only the clock ends isPinned
    await Post.filter(id=post.id).update(pin_scope="CIRCLE", pinned_at=now, pinned_until=until)
    pid, token = to_global_id("Post", post.id), token_for(runtime, reader)
    assert _cards(await _kept(api, token, executions))[pid]["isPinned"] is True
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.1)
    assert _cards(await _feed(api, token))[pid]["isPinned"] is False


async def test_a_page_with_a_poll_is_never_kept_and_my_vote_shows(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    reader = await make_user()
    poll = await make_poll()
    pid = to_global_id("Post", poll.post.id)
    token = token_for(runtime, reader)
    for _ in range(3):
        await _feed(api, token)
    assert not kept_answers._answers  # the poll's card is completed every time
    option = to_global_id("PollOption", poll.options[0].id)
    voted = await api.op("VotePoll", {"postId": pid, "optionIds": [option]}, token=token)
    assert "errors" not in voted, voted
    card = _cards(await _feed(api, token))[pid]
    assert card["poll"]["viewerVotedOptionIds"] == [option]
    assert card["poll"]["options"][0]["voteCount"] == 1


async def test_a_member_banned_since_their_page_was_kept_is_refused(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    reader = await make_user()
    await make_post(await make_user(), "封禁之前")
    token = token_for(runtime, reader)
    await _kept(api, token, executions)
    await User.filter(id=reader.id).update(banned_until=datetime.now(UTC) + timedelta(days=1))
    refused = await api.op("Feed", {"kind": "LATEST", "first": 20}, token=token)
    assert error_codes(refused) == ["FORBIDDEN"], refused
    assert not refused.get("data")


async def test_each_viewer_language_and_page_is_kept_apart(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    author, one, two = await make_user(), await make_user(), await make_user()
    posts = [await make_post(author, f"分页{i}") for i in range(3)]
    first, second = token_for(runtime, one), token_for(runtime, two)
    await _kept(api, first, executions)
    # another viewer's first page is read and completed for them, not taken from the first's
    before, kept_before = executions.count, executions.kept
    await _feed(api, second)
    assert (executions.count, executions.kept) == (before + 1, kept_before)
    # a second page of the same list is another answer
    page = await api.op("Feed", {"kind": "LATEST", "first": 1}, token=first)
    after = page["data"]["feed"]["pageInfo"]["endCursor"]
    following = await api.op("Feed", {"kind": "LATEST", "first": 1, "after": after}, token=first)
    assert (
        following["data"]["feed"]["edges"][0]["node"]["id"]
        != page["data"]["feed"]["edges"][0]["node"]["id"]
    )
    assert to_global_id("Post", posts[-1].id) == page["data"]["feed"]["edges"][0]["node"]["id"]


async def test_a_bad_page_is_refused_as_before(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    token = token_for(runtime, await make_user())
    for _ in range(3):
        refused = await api.op(
            "Feed", {"kind": "LATEST", "first": 20, "after": "不是游标"}, token=token
        )
        assert error_codes(refused) == ["BAD_USER_INPUT"], refused
        assert refused["errors"][0]["path"] == ["feed"]
    assert not kept_answers._answers


@pytest.mark.parametrize("kind", ["HOT", "RECOMMENDED"])
async def test_hot_and_recommended_pages_are_never_stale_either(
    api: Api, runtime: Runtime, executions: Executions, kind: str
) -> None:
    """HOT, and RECOMMENDED of a member without a list yet (its HOT page), read a list of ids
    written minutes ago: the posts are read with every page all the same."""
    author, reader = await make_user(), await make_user()
    liked, hidden = await make_post(author, "热门甲"), await make_post(author, "热门乙")
    for post in (liked, hidden):
        await Post.filter(id=post.id).update(like_count=50, comment_count=20)
    await hot.build_snapshot(runtime.store)
    token = token_for(runtime, reader)
    ids = {p.id: to_global_id("Post", p.id) for p in (liked, hidden)}
    assert set(ids.values()) <= set(_cards(await _kept(api, token, executions, kind)))

    assert "errors" not in await api.op("LikePost", {"postId": ids[liked.id]}, token=token)
    await Post.filter(id=hidden.id).update(status=PostStatus.HIDDEN)
    cards = _cards(await _feed(api, token, kind))
    assert cards[ids[liked.id]]["viewerHasLiked"] is True
    assert ids[hidden.id] not in cards


async def test_with_kept_answers_off_every_page_is_executed(
    runtime: Runtime, executions: Executions
) -> None:
    reader = await make_user()
    await make_post(await make_user(), "关掉之后")
    token = token_for(runtime, reader)
    async with configured_api(runtime, kept_answers=False) as (api, _):
        for _ in range(4):
            await _feed(api, token)
    assert executions.kept == 0
    assert executions.count == 3  # the first run of the text goes the long way
    assert not kept_answers._answers


async def test_an_answer_that_cannot_be_kept_is_still_answered(
    api: Api, runtime: Runtime, executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What orjson refuses (an integer past 64 bits) the view writes another way: such an
    answer is not kept, and the page is answered all the same."""
    reader = await make_user()
    await make_post(await make_user(), "写不进去")
    token = token_for(runtime, reader)

    def refuses(*_: Any, **__: Any) -> bytes:
        raise TypeError("Integer exceeds 64-bit range")

    monkeypatch.setattr(kept_answers, "orjson", SimpleNamespace(dumps=refuses))
    for _ in range(4):
        await _feed(api, token)
    assert not kept_answers._answers and executions.kept == 0


async def test_a_page_its_field_does_not_take_is_not_read_ahead_again(
    api: Api, runtime: Runtime, executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An anonymous reader of plain card fields reads no versions: the field reads its own
    page, so the one read ahead would be a second read for nothing, every time."""
    await make_post(await make_user(), "只读标题")
    plain = "query Plain { feed(kind: LATEST, first: 5) { edges { node { id body } } } }"
    reads = 0
    read = kept_answers._reader[0]

    async def counted(context: Any, ask: kept_answers.FeedAsk) -> Any:
        nonlocal reads
        reads += 1
        return await read(context, ask)

    monkeypatch.setattr(kept_answers, "_reader", [counted])
    for _ in range(4):
        answer = await api.execute(plain)
        assert "errors" not in answer and answer["data"]["feed"]["edges"], answer
    assert reads == 1  # once, not taken: never again
