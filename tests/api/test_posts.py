"""Posts through the API: create, read, edit, delete; topics; bad input writes nothing."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import Post, PostTopic, Topic, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for


async def test_a_member_publishes_a_post_and_it_leads_the_latest_feed(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user(nickname="作者")
    token = token_for(runtime, author)
    await make_post(author, "更早的帖子")
    created = await api.op(
        "CreatePost",
        {
            "input": {
                "title": "周末去爬山",
                "body": "有人一起去香山吗？#户外# #周末#",
                "topics": ["爬山"],
            }
        },
        token=token,
    )
    post = created["data"]["createPost"]["post"]
    assert post["kind"] == "POST" and post["status"] == "PUBLISHED"
    assert [t["name"] for t in post["topics"]] == ["爬山", "户外", "周末"]
    assert post["author"]["nickname"] == "作者"
    assert (post["likeCount"], post["commentCount"], post["viewerHasLiked"]) == (0, 0, False)
    assert (post["isPinned"], post["isFeatured"], post["poll"], post["circle"]) == (
        False,
        False,
        None,
        None,
    )
    feed = await api.op("Feed", {"kind": "LATEST", "first": 10})
    titles = [e["node"]["title"] for e in feed["data"]["feed"]["edges"]]
    assert titles == ["周末去爬山", ""]
    await author.refresh_from_db()
    assert author.post_count == 2
    assert (await Topic.get(name="户外")).post_count == 1


async def test_post_detail_shows_the_post_with_its_comments(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "详情页")
    result = await api.op("PostDetail", {"id": to_global_id("Post", post.id), "first": 10})
    detail = result["data"]["post"]
    assert detail["body"] == "详情页"
    assert detail["editedAt"] is None and detail["acceptedAnswer"] is None
    assert detail["comments"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_bad_posts_are_refused_with_the_field_and_write_nothing(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    cases = {
        "body": {"body": "   "},
        "title": {"title": "标" * 61, "body": "正文"},
        "topics": {"body": "#一##二##三##四##五##六#"},
        "imageUrls": {"body": "图", "imageUrls": ["https://evil.example.com/a.jpg"]},
    }
    for field, post_input in cases.items():
        result = await api.op("CreatePost", {"input": post_input}, token=token)
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    long_body = await api.op("CreatePost", {"input": {"body": "字" * 5001}}, token=token)
    assert long_body["errors"][0]["extensions"]["field"] == "body"
    ten_images = await api.op(
        "CreatePost", {"input": {"body": "图", "imageUrls": ["x"] * 10}}, token=token
    )
    assert ten_images["errors"][0]["extensions"]["field"] == "imageUrls"
    assert await Post.all().count() == 0
    assert await Topic.all().count() == 0
    assert (await User.first()).post_count == 0  # type: ignore[union-attr]


async def test_a_5000_character_body_with_five_topics_is_accepted(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    body = "#一##二##三##四##五#" + "字" * (5000 - 15)
    result = await api.op("CreatePost", {"input": {"body": body}}, token=token)
    assert len(result["data"]["createPost"]["post"]["topics"]) == 5


async def test_anonymous_members_cannot_post(api: Api) -> None:
    result = await api.op("CreatePost", {"input": {"body": "匿名"}})
    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_the_author_edits_a_post_and_editedat_is_set(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    post = await make_post(author, "原文 #旧话题#")
    result = await api.op(
        "EditPost",
        {"id": to_global_id("Post", post.id), "input": {"body": "新的正文", "topics": ["新话题"]}},
        token=token_for(runtime, author),
    )
    edited = result["data"]["editPost"]["post"]
    assert edited["body"] == "新的正文"
    assert edited["editedAt"] is not None
    assert [t["name"] for t in edited["topics"]] == ["新话题"]
    assert (await Topic.get(name="旧话题")).post_count == 0
    assert (await Topic.get(name="新话题")).post_count == 1


async def test_only_the_author_may_edit_or_delete(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user(), "别人的帖子")
    other = token_for(runtime, await make_user())
    gid = to_global_id("Post", post.id)
    edit = await api.op("EditPost", {"id": gid, "input": {"body": "改掉"}}, token=other)
    delete = await api.op("DeletePost", {"id": gid}, token=other)
    assert error_codes(edit) == ["FORBIDDEN"] and error_codes(delete) == ["FORBIDDEN"]
    await post.refresh_from_db()
    assert post.body == "别人的帖子"


async def test_a_deleted_post_disappears_from_lists_and_counters(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    post = await make_post(author, "要删除的 #话题#")
    token = token_for(runtime, author)
    gid = to_global_id("Post", post.id)
    assert (await api.op("DeletePost", {"id": gid}, token=token))["data"]["deletePost"]["ok"]
    feed = await api.op("Feed", {"kind": "LATEST"})
    assert feed["data"]["feed"]["edges"] == []
    assert (await api.op("PostDetail", {"id": gid}))["data"]["post"] is None
    topic = await api.op("TopicFeed", {"name": "话题"})
    assert topic["data"]["topic"]["postCount"] == 0
    assert topic["data"]["topic"]["posts"]["edges"] == []
    profile = await api.op("UserProfile", {"id": to_global_id("User", author.id)})
    assert profile["data"]["user"]["postCount"] == 0
    assert profile["data"]["user"]["posts"]["edges"] == []
    assert await PostTopic.all().count() == 0
    again = await api.op("DeletePost", {"id": gid}, token=token)
    assert error_codes(again) == ["NOT_FOUND"]


async def test_topic_feed_lists_a_topics_posts_newest_first(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    first = await make_post(author, "第一篇 #读书#")
    await make_post(author, "无关的帖子")
    second = await make_post(author, "第二篇", topics=["读书"])
    result = await api.op("TopicFeed", {"name": "#读书#", "orderBy": "LATEST", "first": 10})
    topic = result["data"]["topic"]
    assert topic["name"] == "读书" and topic["postCount"] == 2
    ids = [e["node"]["id"] for e in topic["posts"]["edges"]]
    assert ids == [to_global_id("Post", second.id), to_global_id("Post", first.id)]
    assert (await api.op("TopicFeed", {"name": "不存在"}))["data"]["topic"] is None


async def test_user_profile_lists_their_posts(api: Api, runtime: Runtime) -> None:
    author = await make_user(nickname="博主")
    for i in range(3):
        await make_post(author, f"帖子{i}")
    result = await api.op("UserProfile", {"id": to_global_id("User", author.id), "first": 2})
    user = result["data"]["user"]
    assert user["nickname"] == "博主" and user["postCount"] == 3
    assert [e["node"]["body"] for e in user["posts"]["edges"]] == ["帖子2", "帖子1"]
    assert user["posts"]["pageInfo"]["hasNextPage"] is True
    more = await api.op(
        "UserProfile",
        {
            "id": to_global_id("User", author.id),
            "first": 2,
            "after": user["posts"]["pageInfo"]["endCursor"],
        },
    )
    assert [e["node"]["body"] for e in more["data"]["user"]["posts"]["edges"]] == ["帖子0"]


async def test_first_over_the_cap_is_capped_and_a_negative_one_is_bad_input(api: Api) -> None:
    author = await make_user()
    for i in range(52):
        await make_post(author, f"帖子{i}")
    capped = await api.op("Feed", {"kind": "LATEST", "first": 51})
    assert "errors" not in capped
    feed = capped["data"]["feed"]
    assert [e["node"]["body"] for e in feed["edges"]] == [f"帖子{i}" for i in range(51, 1, -1)]
    assert feed["pageInfo"]["hasNextPage"] is True
    after = feed["pageInfo"]["endCursor"]
    rest = await api.op("Feed", {"kind": "LATEST", "first": 1000, "after": after})
    assert [e["node"]["body"] for e in rest["data"]["feed"]["edges"]] == ["帖子1", "帖子0"]
    negative = await api.op("Feed", {"kind": "LATEST", "first": -1}, lang="en")
    error = negative["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert error["message"] == "first must not be negative (a page holds at most 50)."


async def test_paging_the_feed_never_skips_or_repeats_while_posts_arrive(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    original = [await make_post(author, f"旧帖 {i}") for i in range(25)]
    seen: list[str] = []
    after = None
    while True:
        page = await api.op("Feed", {"kind": "LATEST", "first": 7, "after": after})
        feed = page["data"]["feed"]
        seen += [e["node"]["id"] for e in feed["edges"]]
        await make_post(author, "新帖")  # arrives while the reader scrolls
        if not feed["pageInfo"]["hasNextPage"]:
            break
        after = feed["pageInfo"]["endCursor"]
    assert seen == [to_global_id("Post", p.id) for p in reversed(original)]
