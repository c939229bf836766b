"""Feed cards completed once (api/cards.py): kept by their content and reused for every
viewer, they never show anyone something stale — about the post, its author, its topics or
circle — nor another viewer's like; and a card selecting anything about the viewer beyond
`viewerHasLiked` is completed for each request. (tests/api/test_compiled_execution.py compares
kept cards with the interpreter's answers for three viewers in a row.)"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from api import cards, kept_answers
from api.circles import Circle as CircleType
from api.compiled import CompiledExecutor, memo, plan_cache_clear
from api.ids import to_global_id
from api.post_pages import PostStandIn
from api.posts import Image
from api.topics import Topic as TopicType
from api.users import User as UserType
from domain import reads
from domain.models import Circle, Post, Topic, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_circle, make_post, make_topic, make_user, token_for

CARD = """query Cards($first: Int) { feed(kind: LATEST, first: $first) { edges { node {
  id likeCount viewerHasLiked isPinned images { url }
  author { id nickname level } topics { id name } circle { id name }
} } } }"""


def _cards(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert "errors" not in answer, answer
    return {e["node"]["id"]: e["node"] for e in answer["data"]["feed"]["edges"]}


async def _page(api: Api, token: str | None, query: str = CARD) -> dict[str, dict[str, Any]]:
    return _cards(await api.execute(query, {"first": 20}, token=token))


async def test_cards_are_kept_once_and_each_viewer_gets_their_own_like(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_cache_clear()
    author, liker, other = await make_user(), await make_user(), await make_user()
    posts = [await make_post(author, f"第{i}篇") for i in range(3)]
    ids = [to_global_id("Post", p.id) for p in posts]
    liked = await api.op("LikePost", {"postId": ids[1]}, token=token_for(runtime, liker))
    assert "errors" not in liked, liked

    first = await _page(api, token_for(runtime, other))
    kept = len(memo._completed)
    assert kept >= 3  # every card of the page
    infos: list[str] = []  # what kept cards run anew, they run without a resolve info
    build = CompiledExecutor.build_resolve_info

    def counted(self: Any, field_def: Any, nodes: Any, parent: Any, path: Any) -> Any:
        infos.append(path.key)
        return build(self, field_def, nodes, parent, path)

    monkeypatch.setattr(CompiledExecutor, "build_resolve_info", counted)
    mine = await _page(api, token_for(runtime, liker))
    assert "viewerHasLiked" not in infos
    anonymous = await _page(api, None)
    assert len(memo._completed) == kept  # the same cards, reused
    assert [mine[i]["viewerHasLiked"] for i in ids] == [False, True, False]
    assert not any(first[i]["viewerHasLiked"] or anonymous[i]["viewerHasLiked"] for i in ids)
    for i in ids:  # all else the same
        assert {**mine[i], "viewerHasLiked": None} == {**first[i], "viewerHasLiked": None}


async def test_each_alias_of_a_relation_is_part_of_the_key(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, reader = await make_user(nickname="甲"), await make_user()
    pid = to_global_id("Post", (await make_post(author, "两个别名")).id)
    query = CARD.replace(
        "author { id nickname level }", "a: author { nickname avatarUrl } b: author { id }"
    )
    token = token_for(runtime, reader)
    assert (await _page(api, token, query))[pid]["a"]["nickname"] == "甲"
    await User.filter(id=author.id).update(nickname="乙", avatar_url="https://x/y.png")
    card = (await _page(api, token, query))[pid]
    assert card["a"] == {"nickname": "乙", "avatarUrl": "https://x/y.png"}


async def test_a_new_level_threshold_shows_on_kept_cards(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, reader = await make_user(), await make_user()
    await User.filter(id=author.id).update(points=150)
    pid = to_global_id("Post", (await make_post(author, "升级了吗")).id)
    token = token_for(runtime, reader)
    before = (await _page(api, token))[pid]["author"]["level"]
    rules = runtime.rules
    runtime.rules = dataclasses.replace(rules, level_thresholds=(0, 10, 20, 30, 40, 50, 60))
    try:
        after = (await _page(api, token))[pid]["author"]["level"]
    finally:
        runtime.rules = rules
    assert after > before
    assert (await _page(api, token))[pid]["author"]["level"] == before


async def test_renamed_topics_and_circles_show_at_once(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author = await make_user()
    topic = await make_topic("旧话题")
    circle = await make_circle(name="旧圈子", members=[author])
    in_topic = await make_post(author, "#旧话题# 你好")
    in_circle = await make_post(author, "圈内", circle_id=circle.id)
    tid, cid = to_global_id("Post", in_topic.id), to_global_id("Post", in_circle.id)
    token = token_for(runtime, author)
    page = await _page(api, token)
    assert page[tid]["topics"][0]["name"] == "旧话题" and page[cid]["circle"]["name"] == "旧圈子"
    await Topic.filter(id=topic.id).update(name="新话题")
    await Circle.filter(id=circle.id).update(name="新圈子")
    page = await _page(api, token)
    assert page[tid]["topics"][0]["name"] == "新话题" and page[cid]["circle"]["name"] == "新圈子"


async def test_an_expired_pin_is_no_longer_shown_pinned(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, reader = await make_user(), await make_user()
    post = await make_post(author, "置顶一下")
    pid = to_global_id("Post", post.id)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    await Post.filter(id=post.id).update(pin_scope="GLOBAL", pinned_at=soon, pinned_until=soon)
    token = token_for(runtime, reader)
    assert (await _page(api, token))[pid]["isPinned"] is True
    await Post.filter(id=post.id).update(pinned_until=datetime.now(UTC) - timedelta(seconds=1))
    assert (await _page(api, token))[pid]["isPinned"] is False


async def test_a_card_asking_about_the_viewer_is_completed_for_each(
    api: Api, runtime: Runtime
) -> None:
    plan_cache_clear()
    author, follower, other = await make_user(), await make_user(), await make_user()
    pid = to_global_id("Post", (await make_post(author, "关注我")).id)
    follow = await api.execute(
        "mutation($id: ID!) { followUser(userId: $id) { __typename } }",
        {"id": to_global_id("User", author.id)},
        token=token_for(runtime, follower),
    )
    assert "errors" not in follow, follow
    query = CARD.replace("author { id nickname level }", "author { id viewerIsFollowing }")
    theirs = await _page(api, token_for(runtime, other), query)
    mine = await _page(api, token_for(runtime, follower), query)
    assert theirs[pid]["author"]["viewerIsFollowing"] is False
    assert mine[pid]["author"]["viewerIsFollowing"] is True


@pytest.mark.parametrize(
    ("api_type", "model", "row"),
    [
        (UserType, User, {"nickname": "甲", "avatar_url": "https://a/b.png", "points": 7}),
        (TopicType, Topic, {"name": "话题", "description": "说明"}),
        (CircleType, Circle, {"name": "圈", "description": "说明"}),
    ],
)
def test_a_kept_relation_shows_its_row_as_it_is(api_type: Any, model: Any, row: Any) -> None:
    """api/cards.py keys a card's author, topics and circle by the row values of the fields
    the card reads: from_model must copy each plain field from the attribute of its name."""
    instance = model(id=42, created_at=datetime(2026, 1, 2, tzinfo=UTC), **row)
    converted = api_type.from_model(instance)
    for field in dataclasses.fields(converted):
        if not field.init or field.name in ("id", "pk"):
            continue
        assert getattr(converted, field.name) == getattr(instance, field.name), field.name
    assert converted.id == to_global_id(api_type.__name__, 42)
    image = Image(url="u", width=1, height=2)
    assert (image.url, image.width, image.height) == ("u", 1, 2)


async def test_a_page_of_kept_cards_reads_none_of_their_relations(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the versions of the cards' relations read with the page (one statement, which
    reads only the posts' heads), a page of kept cards loads no post row, author, topic or
    circle; a card changed since loads its own."""
    plan_cache_clear()
    author, reader = await make_user(nickname="作者"), await make_user()
    circle = await make_circle(name="圈", members=[author])
    await make_post(author, "#版本# 一")
    changed = await make_post(author, "二", circle_id=circle.id)
    token = token_for(runtime, reader)
    await _page(api, token)  # keeps the cards
    loaded: list[str] = []
    by_ids, topics_of_posts = reads.by_ids, reads.topics_of_posts

    async def rows_by_ids(model: Any, ids: Any) -> Any:
        loaded.append(model.__name__)
        return await by_ids(model, ids)

    async def topics(ids: Any) -> Any:
        loaded.append("Topic")
        return await topics_of_posts(ids)

    monkeypatch.setattr(reads, "by_ids", rows_by_ids)
    monkeypatch.setattr(reads, "topics_of_posts", topics)
    await _page(api, token)
    assert loaded == []
    await Circle.filter(id=circle.id).update(name="新圈")
    page = await _page(api, token)
    assert page[to_global_id("Post", changed.id)]["circle"]["name"] == "新圈"
    # once each, for the changed card
    assert sorted(loaded) == ["Circle", "Post", "Topic", "User"]


async def test_authors_written_by_one_transaction_keep_cards_of_their_own(
    api: Api, runtime: Runtime
) -> None:
    """Rows written by one statement share a version (xmin): a card's key holds the row's id
    beside its version, so two such authors never swap chips."""
    plan_cache_clear()
    first, second = await make_user(nickname="甲"), await make_user(nickname="乙")
    await User.filter(id__in=[first.id, second.id]).update(points=500)  # one xmin for both
    await Topic.filter(id__in=[(await make_topic(n)).id for n in ("话题一", "话题二")]).update(
        description="同一次写入"
    )
    ids = {
        to_global_id("Post", (await make_post(u, f"#{t}# 我的帖子")).id): (u.nickname, t)
        for u, t in ((first, "话题一"), (second, "话题二"))
    }
    for token in (token_for(runtime, first), token_for(runtime, second)):
        page = await _page(api, token)
        for pid, (nickname, topic) in ids.items():
            assert page[pid]["author"]["nickname"] == nickname
            assert [t["name"] for t in page[pid]["topics"]] == [topic]


UNKEPT = """query Unkept($first: Int) { feed(kind: LATEST, first: $first) { edges { node {
  id title body likeCount viewerHasLiked author { id nickname viewerIsFollowing }
} } } }"""


async def test_a_card_seen_kept_but_not_found_kept_is_completed_from_its_row(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read as heads hands out stand-ins for cards seen kept (api.post_pages.PostStandIn).
    Where the kept card is gone since, or the plan at hand keeps nothing, the card is
    completed from the post's row, loaded then: the same answer as a page read whole."""
    plan_cache_clear()
    author, reader = await make_user(nickname="作者"), await make_user()
    posts = [await make_post(author, f"第{i}篇", title=f"题{i}") for i in range(3)]
    token = token_for(runtime, reader)
    liked = await api.op("LikePost", {"postId": to_global_id("Post", posts[0].id)}, token=token)
    assert "errors" not in liked, liked
    first = await _page(api, token)  # keeps the cards, and notes them seen
    hydrated: list[int] = []
    hydrate = PostStandIn.hydrate

    async def counted(self: PostStandIn, context: Any) -> Any:
        hydrated.append(self.pk)
        return await hydrate(self, context)

    monkeypatch.setattr(PostStandIn, "hydrate", counted)
    assert await _page(api, token) == first
    assert hydrated == []  # all kept: nothing loaded
    memo._completed.clear()  # forgotten since: seen, but not found kept
    memo._pages.clear()
    kept_answers.forget_answers()  # (nor the answer: api/kept_answers.py)
    assert await _page(api, token) == first
    assert sorted(hydrated) == sorted(p.id for p in posts)
    assert len(memo._completed) >= 3  # kept again
    # a plan that keeps nothing (the viewer's follow), on cards seen kept by another plan
    unkept = await _page(api, token, UNKEPT)
    assert unkept[to_global_id("Post", posts[0].id)]["viewerHasLiked"] is True
    assert {card["body"] for card in unkept.values()} == {f"第{i}篇" for i in range(3)}
    assert {card["author"]["viewerIsFollowing"] for card in unkept.values()} == {False}


async def test_a_frozen_row_keeps_its_version_and_an_edit_shows(api: Api, runtime: Runtime) -> None:
    """VACUUM FREEZE leaves a row's xmin as it was (PostgreSQL shows the raw xmin of a frozen
    row): a card keyed by it stays kept, and an edit, frozen in turn, shows at once."""
    plan_cache_clear()
    author = await make_user(nickname="作者")
    post = await make_post(author, "#冻结# 原文")
    token = token_for(runtime, await make_user())
    pid = to_global_id("Post", post.id)
    before = await reads.card_versions([post.id], None)
    assert (await _page(api, token))[pid]["author"]["nickname"] == "作者"
    connection = Tortoise.get_connection("default")
    await connection.execute_script("VACUUM FREEZE posts, users, topics")
    assert await reads.card_versions([post.id], None) == before
    await Post.filter(id=post.id).update(body="改过")
    await User.filter(id=author.id).update(nickname="新名")
    await connection.execute_script("VACUUM FREEZE posts, users, topics")
    assert await reads.card_versions([post.id], None) != before
    assert (await _page(api, token))[pid]["author"]["nickname"] == "新名"
    assert (await _page(api, token, UNKEPT))[pid]["body"] == "改过"


async def test_a_page_is_kept_whole_and_each_viewer_sees_their_own_likes(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose edges select only a cursor and a kept card is completed once per content
    (api/cards.py's kept pages): the next viewer's page is a copy with their own likes in it,
    and a like, an edit or a new post makes it a page of its own at once."""
    plan_cache_clear()
    author, liker, other = await make_user(nickname="作者"), await make_user(), await make_user()
    posts = [await make_post(author, f"第{i}篇") for i in range(3)]
    ids = [to_global_id("Post", p.id) for p in posts]
    liked = await api.op("LikePost", {"postId": ids[0]}, token=token_for(runtime, liker))
    assert "errors" not in liked, liked
    overlays: list[bool] = []
    overlay = cards._page_overlay

    def counted(*args: Any) -> Any:
        mine = overlay(*args)
        overlays.append(mine is not None)
        return mine

    monkeypatch.setattr(cards, "_page_overlay", counted)
    plan_cache_clear()  # plans analysed anew, with the counted overlay
    first = await _page(api, token_for(runtime, other))
    assert overlays == []  # completed, and kept
    assert len(memo._pages) == 1  # among the few whole pages (memo.PAGES_MAX)
    theirs = await _page(api, token_for(runtime, liker))
    assert overlays == [True]
    assert theirs[ids[0]]["viewerHasLiked"] is True and theirs[ids[0]]["likeCount"] == 1
    assert {k: v["viewerHasLiked"] for k, v in first.items()} == dict.fromkeys(ids, False)
    assert {k: {**v, "viewerHasLiked": False} for k, v in theirs.items()} == first
    again = await _page(api, token_for(runtime, other))
    assert again == first and overlays == [True, True]
    await api.op("LikePost", {"postId": ids[1]}, token=token_for(runtime, other))
    await Post.filter(id=posts[2].id).update(body="改过")
    await make_post(author, "新的一篇")
    changed = await _page(api, token_for(runtime, other))
    assert overlays == [True, True]  # a page of its own
    assert changed[ids[1]]["viewerHasLiked"] is True and changed[ids[1]]["likeCount"] == 1
    assert len(changed) == 4


async def test_kept_cards_hold_so_much_text_at_most(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cards are kept by count and by text: long posts cannot fill a worker's memory."""
    plan_cache_clear()
    monkeypatch.setattr(memo, "MEMO_TEXT_MAX", 12_000)
    author, reader = await make_user(), await make_user()
    posts = [await make_post(author, f"长文{i}" + "字" * 4_990) for i in range(4)]
    token = token_for(runtime, reader)
    for _ in range(2):
        cards = await _page(api, token, CARD.replace("images { url }", "body images { url }"))
        assert all(cards[to_global_id("Post", p.id)]["body"] == p.body for p in posts)
        kept = sum(memo._text_of(card) for card in memo._completed.values())
        assert kept == memo._text <= 12_000
