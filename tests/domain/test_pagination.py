"""Keyset pagination over a real table: stable pages, a cap on `first`, checked cursors."""

from __future__ import annotations

import pytest

from domain.errors import BadInput
from domain.models import User
from domain.pagination import encode_cursor, keyset_page
from tests.factories import make_user

ORDER = ("-created_at", "-id")


async def _walk(size: int) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = await keyset_page(User.all(), first=size, after=after, order=ORDER, cap=50)
        seen += [u.id for u in page.items]
        if not page.has_next:
            return seen
        after = page.end_cursor


async def test_pages_cover_every_row_once_in_order(runtime: object) -> None:
    users = [await make_user() for _ in range(7)]
    expected = [u.id for u in sorted(users, key=lambda u: (u.created_at, u.id), reverse=True)]
    assert await _walk(3) == expected
    assert await _walk(50) == expected


async def test_rows_inserted_ahead_of_the_reader_do_not_shift_the_next_page(
    runtime: object,
) -> None:
    for _ in range(4):
        await make_user()
    first = await keyset_page(User.all(), first=2, after=None, order=ORDER, cap=50)
    await make_user()  # newest: sorts before everything already read
    second = await keyset_page(User.all(), first=2, after=first.end_cursor, order=ORDER, cap=50)
    ids = [u.id for u in first.items + second.items]
    assert len(set(ids)) == 4
    assert second.has_next is False


async def test_rows_with_the_same_timestamp_are_ordered_by_id(runtime: object) -> None:
    users = [await make_user() for _ in range(5)]
    same = users[0].created_at
    await User.all().update(created_at=same)
    assert await _walk(2) == sorted((u.id for u in users), reverse=True)


async def test_first_zero_reports_whether_anything_is_there(runtime: object) -> None:
    empty = await keyset_page(User.all(), first=0, after=None, order=ORDER, cap=50)
    assert (empty.items, empty.has_next) == ([], False)
    await make_user()
    page = await keyset_page(User.all(), first=0, after=None, order=ORDER, cap=50)
    assert (page.items, page.has_next) == ([], True)


@pytest.mark.parametrize(
    "cursor",
    ["not base64!", "W10", encode_cursor(["yesterday", 1]), encode_cursor([1.5, 2]), "e30"],
)
async def test_a_forged_cursor_is_bad_input_on_after(runtime: object, cursor: str) -> None:
    with pytest.raises(BadInput) as info:
        await keyset_page(User.all(), first=5, after=cursor, order=ORDER, cap=50)
    assert info.value.field == "after"


async def test_a_page_becomes_a_relay_connection(runtime: object) -> None:
    from api.relay import connection_from_page

    for _ in range(3):
        await make_user()
    page = await keyset_page(User.all(), first=2, after=None, order=ORDER, cap=50)
    connection = connection_from_page(page, lambda u: u.id)  # type: ignore[attr-defined]
    assert [e.node for e in connection.edges] == [u.id for u in page.items]
    assert connection.page_info.has_next_page is True
    assert connection.page_info.end_cursor == connection.edges[-1].cursor
    assert connection.page_info.start_cursor == connection.edges[0].cursor
