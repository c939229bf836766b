"""Topic names from a post: the ones given, then #话题# in the text; at most five (no IO)."""

from __future__ import annotations

import pytest

from domain.errors import BadInput
from domain.topics import TOPIC_NAME_MAX, TOPICS_PER_POST_MAX, clean_topic_names, topics_in_text


def test_hashtags_are_read_in_order_of_appearance() -> None:
    assert topics_in_text("周末 #爬山# 和 #摄影# 都不错") == ["爬山", "摄影"]


def test_a_lone_hash_or_a_spaced_tag_is_not_a_topic() -> None:
    assert topics_in_text("第 #1 名") == []
    assert topics_in_text("# 爬山 #") == []


def test_given_topics_come_first_and_repeats_are_dropped_whatever_their_case() -> None:
    assert clean_topic_names(["Python", " 摄影 "], "学 #python# 和 #摄影#") == ["Python", "摄影"]


def test_a_given_name_may_carry_its_hashes() -> None:
    assert clean_topic_names(["#读书#"], "") == ["读书"]


def test_six_topics_are_one_too_many() -> None:
    names = [f"话题{i}" for i in range(TOPICS_PER_POST_MAX)]
    assert clean_topic_names(names, "") == names
    with pytest.raises(BadInput) as info:
        clean_topic_names(names, "还有 #第六个#")
    assert (info.value.field, info.value.message_key) == ("topics", "too_many_topics")


@pytest.mark.parametrize("name", ["", "   ", "长" * (TOPIC_NAME_MAX + 1), "a#b"])
def test_an_empty_overlong_or_hashed_name_is_bad_input_on_topics(name: str) -> None:
    with pytest.raises(BadInput) as info:
        clean_topic_names([name], "")
    assert info.value.field == "topics"


def test_more_than_five_given_names_are_refused_before_any_name_is_read() -> None:
    with pytest.raises(BadInput) as info:
        clean_topic_names(["#" * 100_000] * (TOPICS_PER_POST_MAX + 1), "")
    assert info.value.message_key == "too_many_topics"
