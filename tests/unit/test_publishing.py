"""The publishing pipeline's own rules, without IO: sanctions, lengths, the explicit bypass
and the status a verdict leads to."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from domain import answers, comments, events, feedback, posts, publishing, users
from domain.errors import BadInput, Muted
from domain.models import PostStatus
from domain.screening import Scene, Verdict


def _member(muted_until: datetime | None = None) -> Any:
    return SimpleNamespace(id=1, role="MEMBER", muted_until=muted_until, openid="o")


def test_a_muted_member_is_stopped_before_anything_else() -> None:
    publishing.check_can_publish(_member())
    publishing.check_can_publish(
        _member(datetime.now(UTC) - timedelta(minutes=1))
    )  # the mute is over
    with pytest.raises(Muted):
        publishing.check_can_publish(_member(datetime.now(UTC) + timedelta(hours=1)))


def test_a_text_is_stripped_and_kept_within_its_bounds() -> None:
    assert publishing.check_length("  你好  ", "body", max=5) == "你好"
    assert publishing.check_length("", "title", max=5, min=0) == ""
    with pytest.raises(BadInput) as empty:
        publishing.check_length("   ", "body", max=5)
    assert empty.value.field == "body"
    with pytest.raises(BadInput) as long:
        publishing.check_length("一二三四五六", "content", max=5, key="feedback_content")
    assert long.value.field == "content"


def test_words_that_need_a_look_send_the_text_to_review_and_nothing_else_does() -> None:
    assert publishing.status_for(Verdict()) is PostStatus.PUBLISHED
    assert publishing.status_for(Verdict(["敏感词：x"])) is PostStatus.PENDING_REVIEW


async def test_the_explicit_bypass_screens_nothing_and_says_why() -> None:
    verdict = await publishing.screen_texts(
        publishing.NO_SCREENING, _member(), [("body", "任何文字")], Scene.FORUM
    )
    assert not verdict.needs_review
    assert publishing.NO_SCREENING.reason


@pytest.mark.parametrize(
    "write",
    [
        posts.create_post,
        posts.edit_post,
        comments.add_comment,
        answers.answer_question,
        events.create_event,
        feedback.submit,
        users.update_profile,
    ],
)
def test_every_write_path_requires_a_screening(write: Any) -> None:
    parameter = inspect.signature(write).parameters["screener"]
    assert parameter.default is inspect.Parameter.empty
