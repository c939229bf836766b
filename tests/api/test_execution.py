"""The execution shortcuts of the hot path give the same answers as the long way round: fields
answered from a prefetched page (the shortcuts that need no server are in
tests/unit/test_execution.py)."""

from __future__ import annotations

from domain.likes import like_post
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


async def test_prefetched_cards_answer_like_cards_loaded_one_by_one(
    api: Api, runtime: Runtime
) -> None:
    """The feed's cards (relations loaded up front) and the same posts read one at a time
    through post(id:) (relations loaded on demand) say the same thing."""
    viewer = await make_user()
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇 #话题{i % 3}#") for i in range(6)]
    for post in posts[::2]:
        await like_post(viewer, post.id)
    token = token_for(runtime, viewer)
    feed = await api.op("Feed", {"kind": "LATEST", "first": 6}, token=token)
    cards = [edge["node"] for edge in feed["data"]["feed"]["edges"]]
    assert [c["viewerHasLiked"] for c in cards] == [False, True] * 3  # newest first
    assert {c["author"]["nickname"] for c in cards} == {author.nickname}
    for card in cards:
        single = await api.op("PostDetail", {"id": card["id"], "first": 5}, token=token)
        detail = single["data"]["post"]
        assert {k: detail[k] for k in card} == card
    anonymous = await api.op("Feed", {"kind": "LATEST", "first": 6})
    assert [e["node"]["viewerHasLiked"] for e in anonymous["data"]["feed"]["edges"]] == [False] * 6


async def test_rows_become_the_models_tortoise_would_build(api: Api, runtime: Runtime) -> None:
    """sql.build (the hot read paths) and Tortoise's own constructor agree on every attribute
    of members, posts (JSON images, enums, every timestamp) and topics."""
    from adapters import sql
    from domain.models import Post, Topic, User

    author = await make_user()
    post = await make_post(author, "带图和话题的帖子 #比较#")
    await Post.filter(id=post.id).update(images=[{"url": "/media/a.jpg", "width": 1, "height": 2}])
    for model, pk in ((User, author.id), (Post, post.id), (Topic, None)):
        where = "id = $1" if pk else "true"
        rows = await sql.fetch_records(
            f"SELECT {sql.columns(model)} FROM {model._meta.db_table} WHERE {where}",
            *([pk] if pk else []),
        )
        assert rows
        for row in rows:
            ours, theirs = sql.build(model, row), model._init_from_db(**row)
            assert vars(ours) == vars(theirs)
            assert {k: (type(v), getattr(v, "tzinfo", None)) for k, v in vars(ours).items()} == {
                k: (type(v), getattr(v, "tzinfo", None)) for k, v in vars(theirs).items()
            }


async def test_an_empty_latest_page_still_says_whether_posts_follow(
    api: Api, runtime: Runtime
) -> None:
    """first: 0 answers no cards, and hasNextPage tells whether there is anything to read
    (the LATEST statement asks for one row more than it shows, pins or not)."""
    query = "{ feed(kind: LATEST, first: 0) { edges { cursor } pageInfo { hasNextPage } } }"
    empty = await api.execute(query)
    assert empty["data"]["feed"] == {"edges": [], "pageInfo": {"hasNextPage": False}}
    await make_post(await make_user(), "第一篇")
    one = await api.execute(query)
    assert one["data"]["feed"] == {"edges": [], "pageInfo": {"hasNextPage": True}}
