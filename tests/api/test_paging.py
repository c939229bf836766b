"""Paging through lists with pinned posts the way a client cache does: page after page by
the end cursor, every edge with a cursor of its own (Apollo's relayStylePagination merges
pages by cursor)."""

from __future__ import annotations

from typing import Any

import pytest

from api.ids import to_global_id
from domain.featured import PinScope, pin_post
from domain.models import Post, Role
from tests.conftest import Api
from tests.factories import make_circle, make_post, make_user


async def _walk(api: Api, name: str, variables: dict[str, Any], path: str) -> list[list[dict]]:
    """Every page of operation `name`, two edges at a time; the edges of each."""
    pages: list[list[dict]] = []
    after = None
    while len(pages) < 20:
        result = await api.op(name, {**variables, "first": 2, "after": after})
        assert "errors" not in result, result
        connection = result["data"]
        for key in path.split("."):
            connection = connection[key]
        pages.append(connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        after = connection["pageInfo"]["endCursor"]
    return pages


async def _pinned_world(scope: PinScope) -> tuple[list[Post], list[Post], dict[str, Any]]:
    """Three pinned and four other posts; the pins (newest pin first), the others (newest
    first), and the variables that name the list."""
    operator = await make_user(role=Role.OPERATOR)
    circle = await make_circle(operator) if scope is PinScope.CIRCLE else None
    circle_id = {"circle_id": circle.id} if circle is not None else {}
    posts = [await make_post(operator, f"帖子{i}", **circle_id) for i in range(7)]
    pins = [posts[1], posts[4], posts[2]]
    for post in pins:
        await pin_post(operator, post.id, scope)
    others = [p for p in reversed(posts) if p not in pins]
    variables = (
        {"id": to_global_id("Circle", circle.id)} if circle is not None else {"kind": "LATEST"}
    )
    return list(reversed(pins)), others, variables


@pytest.mark.parametrize(
    ("scope", "operation", "path"),
    [(PinScope.GLOBAL, "Feed", "feed"), (PinScope.CIRCLE, "CircleFeed", "circle.posts")],
)
async def test_pages_of_two_show_three_pins_and_every_post_once(
    api: Api, scope: PinScope, operation: str, path: str
) -> None:
    pins, others, variables = await _pinned_world(scope)
    pages = await _walk(api, operation, variables, path)
    edges = [edge for page in pages for edge in page]
    expected = [to_global_id("Post", p.id) for p in pins + others]
    assert [e["node"]["id"] for e in edges] == expected
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    # Page two starts with the last pin, after the one page one ended on.
    assert [e["node"]["isPinned"] for e in pages[1]] == [True, False]
    cursors = [e["cursor"] for e in edges]
    assert len(set(cursors)) == len(cursors)
    assert "pinned" not in cursors


async def test_a_cursor_from_before_unique_pin_cursors_still_pages_on(api: Api) -> None:
    """The cursor every pinned edge had ("pinned") goes on with the regular list."""
    _, others, _ = await _pinned_world(PinScope.GLOBAL)
    result = await api.op("Feed", {"kind": "LATEST", "first": 10, "after": "pinned"})
    ids = [e["node"]["id"] for e in result["data"]["feed"]["edges"]]
    assert ids == [to_global_id("Post", p.id) for p in others]


async def test_a_forged_pin_cursor_is_bad_input(api: Api) -> None:
    from domain.pagination import encode_cursor

    await _pinned_world(PinScope.GLOBAL)
    for cursor in (
        encode_cursor(["pin", "yesterday", 1]),
        encode_cursor(["nip", "2024-01-01T00:00:00+00:00", 1]),
    ):
        result = await api.op("Feed", {"kind": "LATEST", "after": cursor})
        assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
