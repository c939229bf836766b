"""Attacks on what the service keeps between requests (issue 22's kept cards and pages, the
held HOT and RECOMMENDED lists, the public GET answers): a write racing the read that builds
a cache entry, a member's own changes, access changing under a cursor taken before. Each
test asserts what the member must see on the very next request."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.compiled import plan_cache_clear
from api.ids import to_global_id
from api.persisted import sha256
from domain import hot, trending
from domain.models import Circle, JoinPolicy, Post, PostStatus, Role, User
from quanzi.bootstrap import Runtime
from tests.background import until
from tests.conftest import Api
from tests.factories import (
    make_circle,
    make_circle_member,
    make_post,
    make_user,
    token_for,
)
from tests.locks import table_locked, waiting

# The statement that reads a page's card versions after the page (domain.reads.card_versions)
CARD_VERSIONS = "SELECT p.id, "
# The circles closed to a reader (domain.circles.closed_circles), read before a list's page
CLOSED_CIRCLES = "SELECT c.id FROM circles c"


def _nodes(connection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["node"]["id"]: e["node"] for e in connection["edges"]}


def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer
    return answer["data"]


async def _soon(work: Any) -> Any:
    """The write or read at hand, within 10 s (one waiting on the test's lock fails it)."""
    return await asyncio.wait_for(work, 10)


async def _statement_waits(lock: Any, start: str) -> None:
    async def waits() -> bool:
        return await waiting(lock, start) >= 1

    await until(waits, f"no statement {start!r} waited on the lock")


SHARE = """mutation($id: ID!) { sharePost(postId: $id, channel: WECHAT_CHAT) { shareToken } }"""

# ------------------------------------------------------------------ kept cards: write races

EDIT = """mutation($id: ID!) { editPost(id: $id, input: {body: "已删除号码"}) { post { id } } }"""
RENAME = """mutation { updateProfile(input: {nickname: "新名字"}) { user { id } } }"""
FOLLOWING = """query Following { feed(kind: FOLLOWING, first: 10) { edges { node {
  id status body author { id nickname }
} } } }"""


async def test_an_edit_racing_a_following_page_is_shown_on_the_next_request(
    api: Api, runtime: Runtime
) -> None:
    """FOLLOWING (and a member's posts, a circle's, a topic's LATEST, FEATURED) read their
    rows first and their cards' versions in a statement of their own after: an edit that
    lands between the two must not be kept as the card of the edited version."""
    plan_cache_clear()
    author, reader = await make_user(nickname="作者"), await make_user()
    post = await make_post(author, "手机号 13800000000 发错了")
    pid = to_global_id("Post", post.id)
    token = token_for(runtime, reader)
    follow = await api.op("FollowUser", {"userId": to_global_id("User", author.id)}, token=token)
    assert "errors" not in follow, follow

    async with table_locked(runtime, "post_likes") as lock:
        racing = asyncio.create_task(api.execute(FOLLOWING, token=token))
        await _statement_waits(lock, CARD_VERSIONS)  # the page's rows are read: old body
        edited = await _soon(api.execute(EDIT, {"id": pid}, token=token_for(runtime, author)))
        assert "errors" not in edited, edited
    _ok(await _soon(racing))  # whatever it showed, it was read before the edit

    for viewer in (reader, author):  # the next request of anyone (FOLLOWING: one's own too)
        page = _ok(await api.execute(FOLLOWING, token=token_for(runtime, viewer)))
        assert _nodes(page["feed"])[pid]["body"] == "已删除号码"


MY_POSTS = """query Mine($id: ID!) { user(id: $id) { id posts(first: 10) { edges { node {
  id status body
  author { id }
} } } } }"""


async def test_a_post_hidden_while_its_author_reads_their_list_shows_hidden_to_them(
    api: Api, runtime: Runtime
) -> None:
    """The author's own list shows their hidden posts with their status: a moderator's
    hiding that lands while the list is read must show as HIDDEN on the next request, not
    as the PUBLISHED card kept under the hidden row's version."""
    plan_cache_clear()
    author = await make_user()
    operator = await make_user(role=Role.OPERATOR)
    post = await make_post(author, "马上被隐藏")
    pid = to_global_id("Post", post.id)
    token = token_for(runtime, author)
    variables = {"id": to_global_id("User", author.id)}

    async with table_locked(runtime, "post_likes") as lock:
        racing = asyncio.create_task(api.execute(MY_POSTS, variables, token=token))
        await _statement_waits(lock, CARD_VERSIONS)
        hide = await _soon(
            api.execute(
                "mutation($u: ID!, $s: DateTime!) { hideMemberContent(userId: $u, since: $s,"
                ' reason: "广告") { __typename } }',
                {"u": to_global_id("User", author.id), "s": "2000-01-01T00:00:00Z"},
                token=token_for(runtime, operator),
            )
        )
        assert "errors" not in hide, hide
    _ok(await _soon(racing))

    mine = _nodes(_ok(await api.execute(MY_POSTS, variables, token=token))["user"]["posts"])
    assert mine[pid]["status"] == "HIDDEN"


PROFILE = """query Profile($id: ID!) { user(id: $id) { id nickname posts(first: 10) {
  edges { node { id body author { id nickname } } }
} } }"""


async def test_a_rename_racing_a_profile_page_shows_on_every_card_next(
    api: Api, runtime: Runtime
) -> None:
    """A profile (the client's UserProfile) loads the member before their posts; their
    cards' author chips are keyed by the author's version read with the page. A rename
    landing between the two must not leave the old name kept under the new version."""
    plan_cache_clear()
    # a member of long standing (a new one's rename reads their onboarding tasks: circles)
    author = await make_user(nickname="旧名字", created_at=datetime.now(UTC) - timedelta(days=90))
    reader = await make_user()
    post = await make_post(author, "我的帖子")
    pid = to_global_id("Post", post.id)
    variables = {"id": to_global_id("User", author.id)}
    token = token_for(runtime, reader)

    async with table_locked(runtime, "circle_members") as lock:
        racing = asyncio.create_task(api.execute(PROFILE, variables, token=token))
        # the member is loaded; their posts wait for the circles closed to the reader
        await _statement_waits(lock, CLOSED_CIRCLES)
        renamed = await _soon(api.execute(RENAME, token=token_for(runtime, author)))
        assert "errors" not in renamed, renamed
    _ok(await _soon(racing))

    for viewer in (reader, author, None):
        user = _ok(
            await api.execute(
                PROFILE, variables, token=token_for(runtime, viewer) if viewer else None
            )
        )["user"]
        assert user["nickname"] == "新名字"
        assert _nodes(user["posts"])[pid]["author"]["nickname"] == "新名字"


CIRCLE_FEED = """query CircleFeed($id: ID!) { circle(id: $id) { id name posts(first: 10) {
  edges { node { id body circle { id name } } }
} } }"""


async def test_a_circle_renamed_while_its_feed_is_read_shows_its_new_name_next(
    api: Api, runtime: Runtime
) -> None:
    """The circle's page (the client's CircleFeed) loads the circle before its posts; a
    rename between the two must not leave the old name on cards kept under the new row."""
    plan_cache_clear()
    author = await make_user()
    circle = await make_circle(name="旧圈名", members=[author])
    post = await make_post(author, "圈里的帖子", circle_id=circle.id)
    pid = to_global_id("Post", post.id)
    variables = {"id": to_global_id("Circle", circle.id)}
    token = token_for(runtime, author)

    async with table_locked(runtime, "circle_members") as lock:
        racing = asyncio.create_task(api.execute(CIRCLE_FEED, variables, token=token))
        await _statement_waits(lock, CLOSED_CIRCLES)  # the circle is loaded, its posts wait
        await Circle.filter(id=circle.id).update(name="新圈名")  # an operator's console edit
    _ok(await _soon(racing))

    circle_page = _ok(await api.execute(CIRCLE_FEED, variables, token=token))["circle"]
    assert circle_page["name"] == "新圈名"
    assert _nodes(circle_page["posts"])[pid]["circle"]["name"] == "新圈名"


# ------------------------------------------------------------------ attacks that hold

CARDS = """query Cards($kind: FeedKind!, $after: String) {
  feed(kind: $kind, first: 2, after: $after) {
    edges { cursor node { id likeCount viewerHasLiked author { id nickname level } } }
    pageInfo { hasNextPage endCursor }
} }"""


async def test_a_kept_page_built_by_a_member_never_carries_their_likes_to_anyone_else(
    api: Api, runtime: Runtime
) -> None:
    """A page kept whole by a member's request, then read by another member and by an
    anonymous GET-able read: their own viewerHasLiked only, and the liker's own like and
    unlike at once on a page another viewer built."""
    plan_cache_clear()
    author, liker, other = await make_user(), await make_user(), await make_user()
    posts = [await make_post(author, f"第{i}篇") for i in range(2)]
    ids = [to_global_id("Post", p.id) for p in posts]
    tokens = {"liker": token_for(runtime, liker), "other": token_for(runtime, other)}
    await api.op("LikePost", {"postId": ids[0]}, token=tokens["liker"])
    variables = {"kind": "LATEST"}
    mine = _nodes(_ok(await api.execute(CARDS, variables, token=tokens["liker"]))["feed"])
    assert mine[ids[0]]["viewerHasLiked"] is True
    for token in (tokens["other"], None):
        theirs = _nodes(_ok(await api.execute(CARDS, variables, token=token))["feed"])
        assert {i: theirs[i]["viewerHasLiked"] for i in ids} == dict.fromkeys(ids, False)
        assert theirs[ids[0]]["likeCount"] == 1
    # the other builds the next version of the page; the liker's unlike shows at once on it
    await api.op("UnlikePost", {"postId": ids[0]}, token=tokens["liker"])
    theirs = _nodes(_ok(await api.execute(CARDS, variables, token=tokens["other"]))["feed"])
    mine = _nodes(_ok(await api.execute(CARDS, variables, token=tokens["liker"]))["feed"])
    assert mine[ids[0]] == {**theirs[ids[0]], "viewerHasLiked": False}
    assert mine[ids[0]]["likeCount"] == 0
    await api.op("LikePost", {"postId": ids[1]}, token=tokens["liker"])
    mine = _nodes(_ok(await api.execute(CARDS, variables, token=tokens["liker"]))["feed"])
    assert (mine[ids[1]]["viewerHasLiked"], mine[ids[1]]["likeCount"]) == (True, 1)


async def test_members_of_different_circles_never_get_each_others_kept_page(
    api: Api, runtime: Runtime
) -> None:
    """Two members each in a closed circle of their own read LATEST, HOT and RECOMMENDED
    (a page kept whole for one is never the other's); staff see both, a member removed
    from a circle stops seeing its posts at once on every feed, a second page included."""
    plan_cache_clear()
    admin = await make_user()
    first, second = await make_user(), await make_user()
    red = await make_circle(name="红圈", join_policy=JoinPolicy.APPROVAL, members=[admin])
    blue = await make_circle(name="蓝圈", join_policy=JoinPolicy.APPROVAL, members=[admin])
    await make_circle_member(red, first)
    await make_circle_member(blue, second)
    in_red = to_global_id("Post", (await make_post(admin, "红圈内", circle_id=red.id)).id)
    in_blue = to_global_id("Post", (await make_post(admin, "蓝圈内", circle_id=blue.id)).id)
    public = [to_global_id("Post", (await make_post(admin, f"公开{i}")).id) for i in range(3)]
    moderator = await make_user(role=Role.MODERATOR)
    await hot.build_snapshot(runtime.store)
    tokens = {u.id: token_for(runtime, u) for u in (first, second, moderator)}

    async def everything(token: str, kind: str) -> set[str]:
        seen: set[str] = set()
        after = None
        for _ in range(10):
            feed = _ok(await api.execute(CARDS, {"kind": kind, "after": after}, token=token))
            seen |= set(_nodes(feed["feed"]))
            if not feed["feed"]["pageInfo"]["hasNextPage"]:
                break
            after = feed["feed"]["pageInfo"]["endCursor"]
        return seen

    for kind in ("LATEST", "HOT", "RECOMMENDED"):
        for _ in range(2):  # the second time from kept pages
            assert await everything(tokens[first.id], kind) == {in_red, *public}
            assert await everything(tokens[second.id], kind) == {in_blue, *public}
            assert await everything(tokens[moderator.id], kind) == {in_red, in_blue, *public}

    # a cursor taken before the removal pages on without the circle's posts
    pages = {}
    for kind in ("LATEST", "HOT"):
        feed = _ok(await api.execute(CARDS, {"kind": kind}, token=tokens[first.id]))["feed"]
        pages[kind] = feed["pageInfo"]["endCursor"]
    left = await api.op(
        "LeaveCircle", {"circleId": to_global_id("Circle", red.id)}, token=tokens[first.id]
    )
    assert "errors" not in left, left
    for kind in ("LATEST", "HOT", "RECOMMENDED"):
        assert in_red not in await everything(tokens[first.id], kind)
    for kind, after in pages.items():
        rest = _ok(await api.execute(CARDS, {"kind": kind, "after": after}, token=tokens[first.id]))
        assert in_red not in _nodes(rest["feed"])


async def test_a_demoted_moderator_loses_closed_circles_at_once(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    admin = await make_user()
    closed = await make_circle(name="闭圈", join_policy=JoinPolicy.APPROVAL, members=[admin])
    inside = to_global_id("Post", (await make_post(admin, "闭圈内", circle_id=closed.id)).id)
    moderator = await make_user(role=Role.MODERATOR)
    await hot.build_snapshot(runtime.store)
    token = token_for(runtime, moderator)
    for kind in ("LATEST", "HOT"):
        assert inside in _nodes(_ok(await api.execute(CARDS, {"kind": kind}, token=token))["feed"])
    await User.filter(id=moderator.id).update(role=Role.MEMBER)
    for kind in ("LATEST", "HOT", "RECOMMENDED"):
        feed = _ok(await api.execute(CARDS, {"kind": kind}, token=token))["feed"]
        assert inside not in _nodes(feed)


# ------------------------------------------------------------------ the trending board

TRENDING = "query { trendingTopics(first: 10) { topic { name } } }"


async def _trending(api: Api, token: str | None = None) -> list[str]:
    board = _ok(await api.execute(TRENDING, token=token))["trendingTopics"]
    return [t["topic"]["name"] for t in board]


async def test_a_removed_post_s_likes_keep_no_topic_trending(api: Api, runtime: Runtime) -> None:
    """The board (one for every reader, kept in Redis) counts a topic's posts, shares,
    comments and likes: a post deleted or hidden by a moderator takes its likes, shares
    and comments along at the next refresh, as it takes itself."""
    author = await make_user()
    spam = await make_post(author, "加我微信 #刷单返利#")
    hidden = await make_post(author, "违规内容 #违规话题#")
    await make_post(author, "正常 #日常#")
    for post in (spam, hidden):
        for _ in range(3):
            liker = token_for(runtime, await make_user())
            pid = to_global_id("Post", post.id)
            assert "errors" not in await api.op("LikePost", {"postId": pid}, token=liker)
            assert "errors" not in await api.execute(SHARE, {"id": pid}, token=liker)
    await trending.refresh(runtime.store)
    assert {"刷单返利", "违规话题", "日常"} <= set(await _trending(api))

    gone = await api.op(
        "DeletePost", {"id": to_global_id("Post", spam.id)}, token=token_for(runtime, author)
    )
    assert gone["data"]["deletePost"]["ok"] is True
    await Post.filter(id=hidden.id).update(status=PostStatus.HIDDEN)  # a moderator's
    await trending.refresh(runtime.store)  # the job's next run
    assert await _trending(api) == ["日常"]


async def test_a_topic_only_an_approval_circle_talks_about_trends_for_nobody_outside(
    api: Api, runtime: Runtime
) -> None:
    """An APPROVAL circle's posts are read by its members only: the one board every reader
    gets (signed out included) does not show what only they may read."""
    member = await make_user()
    closed = await make_circle(name="内部圈", join_policy=JoinPolicy.APPROVAL, members=[member])
    inside = await make_post(member, "内部消息 #裁员名单#", circle_id=closed.id)
    pid = to_global_id("Post", inside.id)
    assert "errors" not in await api.op(
        "LikePost", {"postId": pid}, token=token_for(runtime, member)
    )
    await make_post(await make_user(), "公开 #日常#")
    await trending.refresh(runtime.store)
    outsider = token_for(runtime, await make_user())
    for token in (None, outsider):
        assert await _trending(api, token) == ["日常"]


# ------------------------------------------------------------------ cursors taken before

HOT_PAGE = """query Hot($after: String) { feed(kind: HOT, first: 2, after: $after) {
  edges { node { id author { id } } } pageInfo { hasNextPage endCursor }
} }"""


async def test_a_second_hot_page_from_a_cursor_taken_before_shows_nothing_removed_since(
    api: Api, runtime: Runtime
) -> None:
    """A HOT snapshot (held in this process) is paged on with a cursor taken before a post of
    its second page was deleted, hidden or its circle closed to the reader: none shows."""
    author, reader = await make_user(), await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[author, reader])
    posts = [await make_post(author, f"第{i}篇") for i in range(2)]
    deleted = await make_post(author, "会被删除")
    hidden = await make_post(author, "会被隐藏")
    inside = await make_post(author, "圈内", circle_id=circle.id)
    kept = await make_post(author, "一直在")
    await hot.build_snapshot(runtime.store)
    token = token_for(runtime, reader)
    first = _ok(await api.execute(HOT_PAGE, token=token))["feed"]
    shown = set(_nodes(first))
    after = first["pageInfo"]["endCursor"]
    later = {to_global_id("Post", p.id) for p in (deleted, hidden, inside, kept, *posts)} - shown
    assert len(later) == 4

    await api.op(
        "DeletePost", {"id": to_global_id("Post", deleted.id)}, token=token_for(runtime, author)
    )
    await Post.filter(id=hidden.id).update(status=PostStatus.HIDDEN)  # a moderator's
    left = await api.op("LeaveCircle", {"circleId": to_global_id("Circle", circle.id)}, token=token)
    assert "errors" not in left, left
    rest: set[str] = set()
    while after:  # a page whose every post was removed since still says where to go on
        page = _ok(await api.execute(HOT_PAGE, {"after": after}, token=token))["feed"]
        rest |= set(_nodes(page))
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    removed = {to_global_id("Post", p.id) for p in (deleted, hidden, inside)}
    assert rest and not rest & removed
    assert rest | shown == {to_global_id("Post", p.id) for p in (*posts, kept)} | (shown & removed)


# ------------------------------------------------------------------ public GET answers


async def test_a_public_get_answer_never_carries_the_member_who_built_its_kept_page(
    api: Api, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A page a member's request kept whole is answered to a signed-out GET (publicly
    cacheable) with nobody's likes in it; the same GET signed in is the member's, private."""
    plan_cache_clear()
    author, liker = await make_user(), await make_user()
    pid = to_global_id("Post", (await make_post(author, "可以缓存")).id)
    token = token_for(runtime, liker)
    assert "errors" not in await api.op("LikePost", {"postId": pid}, token=token)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(CARDS)}}
    variables = {"kind": "LATEST"}
    mine = await client.post(
        "/graphql",
        json={"query": CARDS, "variables": variables, "extensions": extensions},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert _nodes(mine.json()["data"]["feed"])[pid]["viewerHasLiked"] is True
    params = {"variables": json.dumps(variables), "extensions": json.dumps(extensions)}
    public = await client.get("/graphql", params=params)
    assert public.headers["cache-control"].startswith("public")
    assert _nodes(public.json()["data"]["feed"])[pid]["viewerHasLiked"] is False
    private = await client.get(
        "/graphql", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert private.headers["cache-control"] == "private, no-store"
    assert _nodes(private.json()["data"]["feed"])[pid]["viewerHasLiked"] is True
