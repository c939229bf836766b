"""Search works for Chinese and English, finds only published content, and pages."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import Post, PostKind
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


async def _search(api: Api, query: str, kind: str = "POSTS", **extra: object) -> dict:
    result = await api.op("Search", {"query": query, "kind": kind, **extra})
    assert "errors" not in result, result
    return result["data"]["search"]


def _ids(search: dict) -> list[str]:
    return [e["node"]["id"] for e in search["edges"]]


async def test_a_chinese_post_is_found_by_a_two_character_word_inside_a_sentence(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    hit = await make_post(author, "周末我们去香山公园看红叶，顺便野餐")
    await make_post(author, "今天加班到很晚")
    found = await _search(api, "红叶")
    assert _ids(found) == [to_global_id("Post", hit.id)]
    assert found["edges"][0]["node"]["__typename"] == "Post"
    assert _ids(await _search(api, "公园")) == [to_global_id("Post", hit.id)]
    assert _ids(await _search(api, "香山 野餐")) == [to_global_id("Post", hit.id)]
    assert _ids(await _search(api, "火锅")) == []


async def test_an_english_post_is_found_by_a_word_in_any_case(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    hit = await make_post(author, "Notes on Cardano staking pools and saturation")
    await make_post(author, "Bitcoin halving thoughts")
    assert _ids(await _search(api, "staking")) == [to_global_id("Post", hit.id)]
    assert _ids(await _search(api, "CARDANO")) == [to_global_id("Post", hit.id)]


async def test_questions_are_searched_apart_from_posts(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    created = await api.op(
        "CreatePost",
        {"input": {"kind": "QUESTION", "title": "如何冲泡咖啡", "body": "手冲有什么技巧？"}},
        token=token,
    )
    question_id = created["data"]["createPost"]["post"]["id"]
    post = await make_post(await make_user(), "咖啡店推荐")
    poll = await api.op(
        "CreatePost",
        {"input": {"kind": "POLL", "body": "喝咖啡还是茶", "poll": {"options": ["咖啡", "茶"]}}},
        token=token,
    )
    poll_id = poll["data"]["createPost"]["post"]["id"]
    assert _ids(await _search(api, "咖啡", "QUESTIONS")) == [question_id]
    assert _ids(await _search(api, "咖啡", "POSTS")) == [poll_id, to_global_id("Post", post.id)]


async def test_only_published_posts_are_found_and_edits_are_searchable(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    token = token_for(runtime, author)
    post = await make_post(author, "原来的内容")
    await api.op(
        "EditPost",
        {"id": to_global_id("Post", post.id), "input": {"body": "改成了徒步路线"}},
        token=token,
    )
    assert _ids(await _search(api, "徒步")) == [to_global_id("Post", post.id)]
    assert _ids(await _search(api, "原来")) == []
    await api.op("DeletePost", {"id": to_global_id("Post", post.id)}, token=token)
    assert _ids(await _search(api, "徒步")) == []


async def test_results_rank_by_relevance_then_recency_and_page(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    older = await make_post(author, "读书 读书 读书，读书会的读书笔记")
    posts = [await make_post(author, f"第{i}次读书会") for i in range(4)]
    first = await _search(api, "读书", first=2)
    assert _ids(first)[0] == to_global_id("Post", older.id)
    assert first["pageInfo"]["hasNextPage"] is True
    seen = _ids(first)
    after = first["pageInfo"]["endCursor"]
    while after:
        page = await _search(api, "读书", first=2, after=after)
        seen += _ids(page)
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert sorted(seen) == sorted(to_global_id("Post", p.id) for p in [older, *posts])
    assert len(seen) == len(set(seen))


async def test_members_and_topics_are_found_by_name(api: Api, runtime: Runtime) -> None:
    alice = await make_user(nickname="爱丽丝的相机")
    await make_user(nickname="鲍勃")
    await make_post(alice, "新相机到了 #摄影器材#")
    users = await _search(api, "相机", "USERS")
    assert users["edges"][0]["node"] == {
        "__typename": "User",
        "id": to_global_id("User", alice.id),
        "nickname": "爱丽丝的相机",
        "avatarUrl": "",
        "level": 1,
    }
    topics = await _search(api, "摄影", "TOPICS")
    assert [e["node"]["name"] for e in topics["edges"]] == ["摄影器材"]
    assert _ids(await _search(api, "100%", "USERS")) == []
    assert _ids(await _search(api, "%", "USERS")) == []  # a literal %, not a wildcard


async def test_empty_or_huge_queries_are_bad_input(api: Api) -> None:
    for query in ("", "   ", "长" * 51):
        result = await api.op("Search", {"query": query, "kind": "POSTS"})
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "query"}


async def test_punctuation_only_queries_find_nothing_rather_than_fail(api: Api) -> None:
    await make_post(await make_user(), "！？。")
    assert _ids(await _search(api, "！？")) == []
    assert _ids(await _search(api, "' & | !")) == []
    assert await Post.filter(kind=PostKind.POST).count() == 1
