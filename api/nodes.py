"""node(id:) and user(id:): objects fetched by global ID through the request's loaders.

Every type with an `id: ID!` is a Node fetched here, under the rule (domain/access.py) of
the list or parent it is otherwise read through; only Viewer (whose id is its User's) and
JobHandle (a queue's job id) are not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.types import Info

from api.alerts import Alert
from api.answers import Answer
from api.circles import Circle
from api.comments import Comment, comment_visible
from api.context import Context
from api.events import Event
from api.featured import Collection
from api.feedback import Feedback
from api.ids import from_global_id, pk_of
from api.mall import MallItem, Redemption
from api.moderation import ModerationLogEntry, Report, Sanction
from api.notifications import Notification
from api.points import PointsEntry
from api.polls import Poll, PollOption
from api.posts import Post
from api.relay import Node
from api.review import ReviewTask
from api.surveys import Survey, SurveyOption, SurveyQuestion
from api.topics import Topic
from api.users import User
from domain import access, models


async def _user_node(context: Context, pk: int) -> Node | None:
    user = await context.loaders.user.load(pk)
    return User.from_model(user) if user else None


async def _can_see_post(context: Context, post_id: int) -> bool:
    post = await context.loaders.post.load(post_id)
    viewer = await context.viewer()
    closed = await context.loaders.closed_circles(viewer)
    return post is not None and access.can_see_post(post, viewer, closed)


async def _post_node(context: Context, pk: int) -> Node | None:
    post = await context.loaders.post.load(pk)
    if post is None or not await _can_see_post(context, pk):
        return None
    return Post.from_model(post)


async def _comment_node(context: Context, pk: int) -> Node | None:
    comment = await context.loaders.comment.load(pk)
    if comment is None:
        return None
    if not await comment_visible(context.loaders, await context.viewer(), comment):
        return None
    return Comment.from_model(comment)


async def _circle_node(context: Context, pk: int) -> Node | None:
    circle = await context.loaders.circle.load(pk)
    return Circle.from_model(circle) if circle else None


async def _answer_node(context: Context, pk: int) -> Node | None:
    answer = await context.loaders.answer.load(pk)
    if answer is None:
        return None
    question = await context.loaders.post.load(answer.question_id)  # type: ignore[attr-defined]
    viewer = await context.viewer()
    closed = await context.loaders.closed_circles(viewer)
    if not access.can_see_answer(answer, question, viewer, closed):
        return None
    return Answer.from_model(answer)


async def _topic_node(context: Context, pk: int) -> Node | None:
    topic = await context.loaders.topic.load(pk)
    return Topic.from_model(topic) if topic else None


async def _poll_node(context: Context, pk: int) -> Node | None:
    """A poll where its post can be seen."""
    poll = await context.loaders.row(models.Poll).load(pk)
    if poll is None or not await _can_see_post(context, poll.post_id):  # type: ignore[attr-defined]
        return None
    return Poll.from_model(poll)


async def _poll_option_node(context: Context, pk: int) -> Node | None:
    option = await context.loaders.row(models.PollOption).load(pk)
    if option is None:
        return None
    poll = await context.loaders.row(models.Poll).load(option.poll_id)  # type: ignore[attr-defined]
    if poll is None or not await _can_see_post(context, poll.post_id):  # type: ignore[attr-defined]
        return None
    return PollOption.from_model(option, poll.total_voters)


async def _event_node(context: Context, pk: int) -> Node | None:
    """Events are listed to everyone (event(id:) alike)."""
    event = await context.loaders.row(models.Event).load(pk)
    return Event.from_model(event) if event else None


async def _collection_node(context: Context, pk: int) -> Node | None:
    collection = await context.loaders.row(models.Collection).load(pk)
    return Collection.from_model(collection) if collection else None


async def _feedback_node(context: Context, pk: int) -> Node | None:
    ticket = await context.loaders.row(models.Feedback).load(pk)
    if ticket is None or not access.can_see_feedback(ticket, await context.viewer()):
        return None
    return Feedback.from_model(ticket)


async def _notification_node(context: Context, pk: int) -> Node | None:
    notification = await context.loaders.row(models.Notification).load(pk)
    recipient_id = notification.recipient_id if notification else 0  # type: ignore[attr-defined]
    if notification is None or not access.can_see_own_record(recipient_id, await context.viewer()):
        return None
    return Notification.from_model(notification)


async def _points_entry_node(context: Context, pk: int) -> Node | None:
    entry = await context.loaders.row(models.PointsEntry).load(pk)
    owner_id = entry.user_id if entry else 0  # type: ignore[attr-defined]
    if entry is None or not access.can_see_own_record(owner_id, await context.viewer()):
        return None
    return PointsEntry.from_model(entry)


async def _report_node(context: Context, pk: int) -> Node | None:
    report = await context.loaders.row(models.Report).load(pk)
    if report is None or not access.can_see_report(report, await context.viewer()):
        return None
    return Report.from_model(report)


async def _review_task_node(context: Context, pk: int) -> Node | None:
    if not access.can_see_review_work(await context.viewer()):
        return None
    task = await context.loaders.row(models.ReviewTask).load(pk)
    return ReviewTask.from_model(task) if task else None


async def _sanction_node(context: Context, pk: int) -> Node | None:
    if not access.can_see_review_work(await context.viewer()):
        return None
    sanction = await context.loaders.row(models.Sanction).load(pk)
    return Sanction.from_model(sanction) if sanction else None


async def _log_entry_node(context: Context, pk: int) -> Node | None:
    if not access.can_read_moderation_log(await context.viewer()):
        return None
    entry = await context.loaders.row(models.ModerationAction).load(pk)
    return ModerationLogEntry.from_model(entry) if entry else None


async def _alert_node(context: Context, pk: int) -> Node | None:
    if not access.can_watch_alerts(await context.viewer()):
        return None
    alert = await context.loaders.row(models.Alert).load(pk)
    return Alert.from_model(alert) if alert else None


async def _mall_item_node(context: Context, pk: int) -> Node | None:
    item = await context.loaders.mall_item.load(pk)
    if item is None or not access.can_see_mall_item(item.active, await context.viewer()):
        return None
    return MallItem.from_model(item)


async def _redemption_node(context: Context, pk: int) -> Node | None:
    redemption = await context.loaders.row(models.Redemption).load(pk)
    owner_id = redemption.user_id if redemption else 0  # type: ignore[attr-defined]
    if redemption is None or not access.can_see_redemption(owner_id, await context.viewer()):
        return None
    return Redemption.from_model(redemption)


async def _survey_node(context: Context, pk: int) -> Node | None:
    """Surveys, their questions and options are open to everyone (survey(id:) alike)."""
    survey = await context.loaders.row(models.Survey).load(pk)
    return Survey.from_model(survey) if survey else None


async def _survey_question_node(context: Context, pk: int) -> Node | None:
    question = await context.loaders.row(models.SurveyQuestion).load(pk)
    if question is None:
        return None
    options = await models.SurveyOption.filter(question_id=pk).order_by("position")
    return SurveyQuestion.from_model(question, options)


async def _survey_option_node(context: Context, pk: int) -> Node | None:
    option = await context.loaders.row(models.SurveyOption).load(pk)
    return SurveyOption.from_model(option) if option else None


# Type name in the global ID (the GraphQL type's) -> how to fetch it under its rule.
NODE_FETCHERS: dict[str, Callable[[Context, int], Awaitable[Node | None]]] = {
    "User": _user_node,
    "Post": _post_node,
    "Comment": _comment_node,
    "Topic": _topic_node,
    "Circle": _circle_node,
    "Answer": _answer_node,
    "Poll": _poll_node,
    "PollOption": _poll_option_node,
    "Event": _event_node,
    "Collection": _collection_node,
    "Feedback": _feedback_node,
    "Notification": _notification_node,
    "PointsEntry": _points_entry_node,
    "Report": _report_node,
    "ReviewTask": _review_task_node,
    "Sanction": _sanction_node,
    "ModerationLogEntry": _log_entry_node,
    "Alert": _alert_node,
    "MallItem": _mall_item_node,
    "Redemption": _redemption_node,
    "Survey": _survey_node,
    "SurveyQuestion": _survey_question_node,
    "SurveyOption": _survey_option_node,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global ID; null when it does not exist or the viewer "
        "may not see it."
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(id)
        fetch = NODE_FETCHERS.get(type_name)
        return await fetch(info.context, pk) if fetch else None

    @strawberry.field(description="A member by global ID; null when there is none.")
    async def user(self, info: Info[Context, None], id: strawberry.ID) -> User | None:
        user = await info.context.loaders.user.load(pk_of(id, "User"))
        return User.from_model(user) if user else None
