"""The execution shortcuts of the hot path give the same answers as the long way round:
look-ahead on a connection's selection, fields answered from a prefetched page, resolvers
called directly, awaitability remembered by type."""

from __future__ import annotations

import types
from types import SimpleNamespace

from graphql import FieldNode, OperationDefinitionNode, parse

from api.lookahead import node_fields
from api.schema import build_schema
from api.strawberry_internals import is_awaitable
from domain.likes import like_post
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


def _info_for_root_field(document: str) -> SimpleNamespace:
    """What node_fields reads of a resolver's info, for the first root field of `document`."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if hasattr(d, "type_condition")}
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    return SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[root], fragments=fragments))


def test_look_ahead_sees_fields_through_fragments_aliases_and_inline_fragments() -> None:
    info = _info_for_root_field(
        """
        query {
          feed(kind: LATEST) {
            pageInfo { hasNextPage }
            edges { cursor node { ...Card ... on Post { writer: author { id } } } }
          }
        }
        fragment Card on Post { id topics { name } ...Deeper }
        fragment Deeper on Post { viewerHasLiked }
        """
    )
    assert node_fields(info) == {"id", "topics", "author", "viewerHasLiked"}  # type: ignore[arg-type]


def test_look_ahead_of_a_page_that_reads_no_relations_is_empty_of_them() -> None:
    info = _info_for_root_field("query { feed(kind: LATEST) { edges { cursor } } }")
    assert node_fields(info) == frozenset()  # type: ignore[arg-type]


def test_look_ahead_survives_a_fragment_that_spreads_itself() -> None:
    # Invalid (validation refuses the cycle before execution), but never a hang here.
    info = _info_for_root_field(
        "query { feed(kind: LATEST) { edges { node { ...A } } } } fragment A on Post { id ...A }"
    )
    assert node_fields(info) == {"id"}  # type: ignore[arg-type]


def test_remembered_awaitability_still_asks_each_generator() -> None:
    def plain() -> types.GeneratorType:
        yield 1

    @types.coroutine
    def old_style() -> types.GeneratorType:
        yield None

    async def native() -> None:
        return None

    assert not is_awaitable(plain())
    assert is_awaitable(old_style())  # a generator too, but a coroutine by its code's flag
    coroutine = native()
    assert is_awaitable(coroutine)
    coroutine.close()
    assert not is_awaitable(SimpleNamespace())
    assert not is_awaitable(SimpleNamespace())  # remembered, same answer


def test_direct_resolvers_only_where_strawberry_would_add_nothing() -> None:
    schema = build_schema(dev_login=False)._schema
    post = schema.type_map["Post"].fields  # type: ignore[union-attr]
    direct = post["author"].resolve
    assert direct is not None and direct.__qualname__.startswith("_direct")
    # Fields with arguments keep Strawberry's chain, which converts them.
    assert not post["comments"].resolve.__qualname__.startswith("_direct")  # type: ignore[union-attr]


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
