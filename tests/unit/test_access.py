"""Who may see and who may do (domain.access), decided over plain objects: no database."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from domain import access
from domain.models import PostStatus, Role

AUTHOR_ID = 1
STATUSES = [s.value for s in PostStatus]  # comments and answers use the same words


def _user(user_id: int, role: Role = Role.MEMBER) -> Any:
    return SimpleNamespace(id=user_id, role=role.value)


def _item(status: str, author_id: int = AUTHOR_ID) -> Any:
    return SimpleNamespace(status=status, author_id=author_id, circle_id=None)


VIEWERS: dict[str, Any] = {
    "anonymous": None,
    "member": _user(2),
    "author": _user(AUTHOR_ID),
    "moderator": _user(3, Role.MODERATOR),
    "operator": _user(4, Role.OPERATOR),
    "admin": _user(5, Role.ADMIN),
    "circle admin": _user(6),  # a member who runs a circle: no say over content visibility
}

# Who sees a post or question in each status.
POST_SEEN_BY = {
    "PUBLISHED": set(VIEWERS),
    "PENDING_REVIEW": {"author", "moderator", "operator", "admin"},
    "HIDDEN": {"author", "moderator", "operator", "admin"},
    "REJECTED": {"author", "moderator", "operator", "admin"},
    "DELETED": set(),
    # Written by an operator for later: its author and staff only, until it goes out.
    "SCHEDULED": {"author", "moderator", "operator", "admin"},
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_a_post_is_public_when_published_else_for_author_and_staff_and_gone_once_deleted(
    status: str, viewer: str
) -> None:
    expected = viewer in POST_SEEN_BY[status]
    assert access.can_see_post(_item(status), VIEWERS[viewer], ()) is expected
    assert access.can_see_question(_item(status), VIEWERS[viewer], ()) is expected


@pytest.mark.parametrize("post_status", STATUSES)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_a_comment_is_seen_only_when_published_and_under_a_post_its_reader_may_see(
    post_status: str, status: str, viewer: str
) -> None:
    comment, post = _item(status, author_id=7), _item(post_status)
    expected = status == "PUBLISHED" and viewer in POST_SEEN_BY[post_status]
    assert access.can_see_comment(comment, post, VIEWERS[viewer], ()) is expected
    own = _item(status, author_id=AUTHOR_ID)  # its own author included
    assert access.can_see_comment(own, post, VIEWERS[viewer], ()) is expected


@pytest.mark.parametrize("question_status", STATUSES)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_an_answer_is_seen_only_when_published_and_under_a_question_its_reader_may_see(
    question_status: str, status: str, viewer: str
) -> None:
    answer, question = _item(status, author_id=7), _item(question_status)
    expected = status == "PUBLISHED" and viewer in POST_SEEN_BY[question_status]
    assert access.can_see_answer(answer, question, VIEWERS[viewer], ()) is expected


def test_nothing_is_seen_under_a_missing_post_or_question() -> None:
    published = _item("PUBLISHED")
    for viewer in VIEWERS.values():
        assert not access.can_see_comment(published, None, viewer, ())
        assert not access.can_see_answer(published, None, viewer, ())


@pytest.mark.parametrize("question_status", STATUSES)
@pytest.mark.parametrize("status", STATUSES)
def test_only_a_published_answer_under_a_published_question_takes_votes(
    question_status: str, status: str
) -> None:
    expected = status == question_status == "PUBLISHED"
    assert access.can_vote_answer(_item(status), _item(question_status)) is expected
    assert not access.can_vote_answer(_item(status), None)


@pytest.mark.parametrize("status", STATUSES)
def test_only_published_posts_take_likes_comments_and_answers(status: str) -> None:
    published = status == "PUBLISHED"
    assert access.can_interact_with_post(_item(status), VIEWERS["member"], ()) is published


@pytest.mark.parametrize("status", STATUSES)
def test_a_reply_target_is_shown_only_when_published(status: str) -> None:
    assert access.can_see_reply(_item(status)) is (status == "PUBLISHED")


@pytest.mark.parametrize(
    ("viewer", "staff", "operator"),
    [
        ("anonymous", False, False),
        ("member", False, False),
        ("author", False, False),
        ("circle admin", False, False),
        ("moderator", True, False),
        ("operator", True, True),
        ("admin", True, True),
    ],
)
def test_role_gates_follow_the_role_order(viewer: str, staff: bool, operator: bool) -> None:
    assert access.is_staff(VIEWERS[viewer]) is staff
    assert access.is_operator(VIEWERS[viewer]) is operator
    assert access.can_create_circle(VIEWERS[viewer]) is operator
    assert access.can_work_feedback_desk(VIEWERS[viewer]) is operator
    # The operations side of the console: scheduling, the calendar, curation, who runs a
    # circle, the community's numbers.
    for rule in (
        access.can_schedule_posts,
        access.can_plan_content,
        access.can_curate,
        access.can_appoint_circle_admins,
        access.can_read_operations,
    ):
        assert rule(VIEWERS[viewer]) is operator, rule.__name__


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("is_circle_admin", [False, True])
def test_a_circle_is_run_by_operators_and_by_its_own_admins(
    viewer: str, is_circle_admin: bool
) -> None:
    expected = viewer in ("operator", "admin") or (viewer != "anonymous" and is_circle_admin)
    assert access.can_moderate_circle(VIEWERS[viewer], is_circle_admin) is expected
    assert access.can_run_event(VIEWERS[viewer], 9, is_circle_admin) is expected


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_site_events_are_run_by_operators_only(viewer: str) -> None:
    expected = viewer in ("operator", "admin")
    assert access.can_run_event(VIEWERS[viewer], None, is_circle_admin=True) is expected


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_a_feedback_ticket_is_read_by_its_author_and_the_desk(viewer: str) -> None:
    expected = viewer in ("author", "operator", "admin")
    assert access.can_see_feedback(_item("OPEN"), VIEWERS[viewer]) is expected


def test_a_member_sees_their_own_drafts_and_nobody_elses() -> None:
    assert access.can_see_own_drafts(VIEWERS["author"], AUTHOR_ID)
    assert not access.can_see_own_drafts(VIEWERS["member"], AUTHOR_ID)
    assert not access.can_see_own_drafts(VIEWERS["moderator"], AUTHOR_ID)
    assert not access.can_see_own_drafts(None, AUTHOR_ID)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_moderators_decide_the_first_review_stages_and_operators_the_final_one(
    viewer: str,
) -> None:
    staff = viewer in ("moderator", "operator", "admin")
    assert access.can_review(VIEWERS[viewer], final_stage=False) is staff
    assert access.can_review(VIEWERS[viewer], final_stage=True) is (viewer in ("operator", "admin"))
