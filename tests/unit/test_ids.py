"""Global IDs: opaque, round-tripping, and BAD_USER_INPUT when forged (no IO)."""

from __future__ import annotations

import base64

import pytest

from api.ids import from_global_id, pk_of, to_global_id
from domain.errors import BadInput


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_global_ids_are_opaque_and_round_trip() -> None:
    gid = to_global_id("User", 42)
    assert "42" not in gid
    assert from_global_id(gid) == ("User", 42)


@pytest.mark.parametrize("bad", ["", "???", "VXNlcg", to_global_id("User", 0) + "x", "VXNlcjot"])
def test_malformed_global_ids_are_bad_input(bad: str) -> None:
    with pytest.raises(BadInput):
        from_global_id(bad)


def test_global_ids_carry_no_padding_and_are_url_safe() -> None:
    for pk in (1, 12, 123, 2**62):
        gid = to_global_id("Post", pk)
        assert "=" not in gid and "+" not in gid and "/" not in gid
        assert from_global_id(gid) == ("Post", pk)


@pytest.mark.parametrize("raw", ["Post:0", "Post:-3", f"Post:{2**63}", ":7", "Post:", "Post:1.5"])
def test_ids_outside_a_primary_keys_range_are_bad_input(raw: str) -> None:
    with pytest.raises(BadInput):
        from_global_id(_raw(raw))


def test_the_error_names_the_field_the_id_came_in() -> None:
    with pytest.raises(BadInput) as info:
        from_global_id("%%%", field="postId")
    assert (info.value.field, info.value.message_key) == ("postId", "bad_id")


def test_an_id_of_another_type_is_bad_input_where_one_type_is_expected() -> None:
    assert pk_of(to_global_id("Comment", 9), "Comment") == 9
    with pytest.raises(BadInput) as info:
        pk_of(to_global_id("Post", 9), "Comment", field="commentId")
    assert info.value.field == "commentId"


@pytest.mark.parametrize("raw", ["Post: 1 ", "Post:+1", "Post:01", "Post:١", "Post:1_0", " Post:1"])
def test_only_the_canonical_spelling_of_an_id_is_read(raw: str) -> None:
    with pytest.raises(BadInput):
        from_global_id(_raw(raw))


def test_padding_or_spare_bits_in_the_base64_make_another_id() -> None:
    gid = to_global_id("Post", 12)  # 7 bytes: the last character carries two spare bits
    spare = gid[:-1] + chr(ord(gid[-1]) + 1)
    assert base64.urlsafe_b64decode(spare + "==") == base64.urlsafe_b64decode(gid + "==")
    for variant in (gid + "=", gid + "==", spare):
        with pytest.raises(BadInput):
            from_global_id(variant)
