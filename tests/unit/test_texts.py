"""The one catalogue of human-facing text: pure, no IO."""

from __future__ import annotations

from string import Formatter

import pytest

from domain.badges import BADGES, badge_description, badge_name
from domain.models import NotificationKind
from domain.notifications import render_notification
from domain.texts import LOCALES, TEXTS, render


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_chinese_and_english_that_format_cleanly(key: str) -> None:
    entry = TEXTS[key]
    assert set(entry) == set(LOCALES), key
    fields = {name: "x" for locale in LOCALES for name in _fields(entry[locale])}
    for locale in LOCALES:
        assert entry[locale].strip(), (key, locale)
        entry[locale].format(**fields)  # no stray or positional braces


def test_every_notification_kind_and_badge_has_its_texts() -> None:
    for kind in NotificationKind:
        assert f"notification.{kind.value}" in TEXTS
        assert f"subscribe.{kind.value}" in TEXTS
    for code in BADGES:
        assert badge_name(code, "en") != badge_name(code, "zh")
        assert badge_description(code, "en") and badge_description(code, "zh")


def test_texts_fill_their_fields_and_fall_back_to_chinese() -> None:
    assert render("body_length", "en", max=10) == "The text must be 1 to 10 characters."
    assert render("body_length", "fr", max=10) == "正文需为 1 到 10 个字符"
    assert render("no_such_key", "en") == render("bad_input", "en")


def test_a_grouped_like_names_one_actor_and_counts_the_others() -> None:
    like = {"snippet": "", "on_comment": False}
    assert render_notification("LIKE", "zh", actor="阿杰", actor_count=3, **like) == (
        "阿杰 等 3 人赞了你的帖子"
    )
    assert render_notification("LIKE", "en", actor="Jie", actor_count=3, **like) == (
        "Jie and 2 others liked your post"
    )
