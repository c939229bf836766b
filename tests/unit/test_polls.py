"""A poll's options and closing time are checked before anything is stored (no IO)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import BadInput
from domain.polls import OPTION_TEXT_MAX, OPTIONS_MAX, PollDraft, clean_poll

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_options_are_trimmed_and_keep_their_order() -> None:
    cleaned = clean_poll(PollDraft(["  周六  上午 ", "周日"]), now=NOW)
    assert cleaned.options == ["周六 上午", "周日"]


@pytest.mark.parametrize(
    "options",
    [
        ["只有一个"],
        [f"选项{i}" for i in range(OPTIONS_MAX + 1)],
        ["甲", " "],
        ["甲", "乙" * (OPTION_TEXT_MAX + 1)],
        ["Yes", "yes"],
    ],
)
def test_too_few_too_many_empty_long_or_repeated_options_are_bad_input(
    options: list[str],
) -> None:
    with pytest.raises(BadInput) as info:
        clean_poll(PollDraft(options), now=NOW)
    assert info.value.field == "poll.options"


def test_a_poll_cannot_close_in_the_past() -> None:
    with pytest.raises(BadInput) as info:
        clean_poll(PollDraft(["甲", "乙"], closes_at=NOW), now=NOW)
    assert info.value.field == "poll.closesAt"


def test_a_closing_time_without_a_zone_is_read_as_utc() -> None:
    naive = (NOW + timedelta(days=1)).replace(tzinfo=None)
    cleaned = clean_poll(PollDraft(["甲", "乙"], multiple_choice=True, closes_at=naive), now=NOW)
    assert cleaned.closes_at == NOW + timedelta(days=1)
    assert cleaned.multiple_choice
