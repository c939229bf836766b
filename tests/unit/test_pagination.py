"""Pagination cursors and page sizes, without a database: what a cursor carries, and that a
forged one is BAD_USER_INPUT on `after`, never a server error."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import BadInput
from domain.pagination import (
    MAX_LIST_OFFSET,
    Page,
    check_first,
    decode_offset_cursor,
    decode_values,
    encode_cursor,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_first_over_the_cap_is_capped_and_a_negative_one_is_bad_input_on_first() -> None:
    assert check_first(None, cap=50) == 20
    assert check_first(50, cap=50) == 50
    assert check_first(51, cap=50) == check_first(10_000, cap=50) == 50
    assert check_first(0, cap=50) == 0
    for bad in (-1, -10_000):
        with pytest.raises(BadInput) as info:
            check_first(bad, cap=50)
        assert info.value.field == "first"
        assert info.value.params == {"max": 50}


def test_without_first_the_page_is_the_default_or_the_cap_when_smaller() -> None:
    assert check_first(None, cap=5) == 5
    assert check_first(None, cap=100, default=30) == 30
    assert check_first(0, cap=50) == 0


def test_a_cursor_round_trips_a_timestamp_and_an_id() -> None:
    at = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    cursor = encode_cursor([at, 42])
    assert decode_values(cursor, [datetime, int]) == [at, 42]


def test_a_cursor_keeps_the_offset_of_its_timestamp() -> None:
    shanghai = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 1, 20, 0, tzinfo=shanghai)
    (decoded,) = decode_values(encode_cursor([at]), [datetime])
    assert decoded == at and decoded.utcoffset() == timedelta(hours=8)


def test_a_cursor_carries_text_flags_and_scores() -> None:
    cursor = encode_cursor(["话题", True, 2.5, 7])
    assert decode_values(cursor, [str, bool, float, int]) == ["话题", True, 2.5, 7]


def test_a_whole_number_score_reads_back_as_a_float() -> None:
    (score,) = decode_values(encode_cursor([3]), [float])
    assert score == 3.0 and isinstance(score, float)


def test_cursors_are_url_safe_without_padding() -> None:
    cursor = encode_cursor([datetime(2026, 1, 1, tzinfo=UTC), 123456789])
    assert not set(cursor) & set("=+/")


@pytest.mark.parametrize(
    ("cursor", "types"),
    [
        ("not base64!", [int]),
        ("W10", [datetime, int]),  # []: the wrong number of values
        ("e30", [int]),  # {}: not a list
        (encode_cursor(["yesterday", 1]), [datetime, int]),
        (encode_cursor([1.5, 2]), [datetime, int]),
        (encode_cursor([True]), [int]),  # a flag where an id belongs
        (encode_cursor([1]), [bool]),
        (encode_cursor(["7"]), [int]),
        (_b64(b"\xff\xfe"), [int]),
        (_b64(b"[1, 2"), [int, int]),
    ],
)
def test_a_forged_cursor_is_bad_input_on_after(cursor: str, types: list[type]) -> None:
    with pytest.raises(BadInput) as info:
        decode_values(cursor, types)
    assert (info.value.field, info.value.message_key) == ("after", "bad_cursor")


def test_a_pages_end_cursor_is_its_last_cursor_or_none_when_empty() -> None:
    assert Page(items=[], cursors=[], has_next=False).end_cursor is None
    assert Page(items=[], cursors=["a", "b"], has_next=True).end_cursor == "b"


def test_a_cursor_past_what_the_database_holds_is_bad_input_on_after() -> None:
    for values, types in (
        ([2**63], [int]),
        ([-(2**63) - 1], [int]),
        (["2026-03-01T08:00:00"], [datetime]),  # no offset: never written by us
        (["9999-12-31T23:00:00-05:00"], [datetime]),
        (["0001-01-01T00:00:00+05:00"], [datetime]),
        (["a\ud800"], [str]),
        (["a\x00"], [str]),
        ([10**400], [float]),
        ([4.86e259], [float]),  # past a PostgreSQL real: found by bench/fuzz_bench.py
    ):
        raw = json.dumps(values).encode()
        with pytest.raises(BadInput) as info:
            decode_values(_b64(raw), types)
        assert info.value.field == "after", values
    assert decode_values(encode_cursor([2**63 - 1]), [int]) == [2**63 - 1]


def test_a_cursor_number_that_is_not_finite_is_bad_input() -> None:
    for raw in (b"[NaN]", b"[Infinity]", b"[-Infinity]"):
        with pytest.raises(BadInput):
            decode_values(_b64(raw), [float])


def test_an_offset_into_a_precomputed_list_is_bounded() -> None:
    """Found by fuzzing HOT (seed 7): an offset near 2**63 overflowed Redis's range and the
    page answered SERVICE_UNAVAILABLE instead of a bad cursor."""
    assert decode_offset_cursor(encode_cursor(["all:", 40])) == ("all:", 40)
    for offset in (-1, MAX_LIST_OFFSET + 1, 2**63 - 2):
        with pytest.raises(BadInput) as refused:
            decode_offset_cursor(encode_cursor(["all:", offset]))
        assert refused.value.field == "after"


class _Row(tuple):  # type: ignore[type-arg]
    """A row as asyncpg gives it: values by place, and its columns' names."""

    names: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        return self.names


def _rows(names: tuple[str, ...], *values: tuple[object, ...]) -> list[_Row]:
    rows = [_Row(v) for v in values]
    for row in rows:
        row.names = names
    return rows


def test_a_page_is_keyed_by_its_rows_versions_and_what_the_statement_computed() -> None:
    """Kept answers (api/kept_answers.py) are keyed by rows_key: two reads of a page key the
    same exactly when each post's row version, relations' versions, the viewer's like and
    what the statement computed are the same, in the same order; a column computed but not
    named is refused rather than left out of the key."""
    from domain.reads import rows_key

    names = ("_row", "id", "status", "_v_post", "_pinned", "_v_author", "_v_topics")
    names += ("_v_circle", "_v_liked")
    one = (1, 7, "PUBLISHED", 900, False, 11, "3:40", None, True)
    two = (2, 8, "PUBLISHED", 901, False, 12, "", None, False)
    page = rows_key(_rows(names, one, two), "_pinned")
    assert page == rows_key(_rows(names, one, two), "_pinned")
    assert page != rows_key(_rows(names, two, one), "_pinned")  # another order
    for place in (1, 3, 4, 5, 6, 8):  # the post, its version, a pin ending, relations, a like
        changed = list(one)
        changed[place] = "other"
        assert page != rows_key(_rows(names, tuple(changed), two), "_pinned")
    with pytest.raises(ValueError, match="_pinned"):
        rows_key(_rows(names, one, two))
    assert rows_key([]) == ()
