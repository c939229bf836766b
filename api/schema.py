"""The GraphQL schema: feature types merged into Query and Mutation, extensions attached."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import cards
from api.alerts import AlertsMutation, AlertsQuery
from api.analytics import AnalyticsQuery
from api.answers import AnswersMutation
from api.auth import AuthMutation, DevLoginMutation
from api.circles import CirclesMutation, CirclesQuery
from api.comments import CommentsMutation
from api.compiled import CompiledExecutor
from api.console_login import ConsoleLoginMutation, ConsoleLoginQuery
from api.errors import ErrorFormatter
from api.event_admin import EventAdminMutation, EventAdminQuery
from api.events import EventsMutation, EventsQuery
from api.featured import FeaturedMutation, FeaturedQuery
from api.feedback import FeedbackMutation, FeedbackQuery
from api.feeds import FeedsQuery
from api.follows import FollowsMutation
from api.guards import (
    GuardedValidation,
    Limits,
    StorableLiterals,
    StorableVariables,
    complexity_rule,
)
from api.job_runs import JobRunsQuery
from api.known_operations import (
    Known,
    KnownOperations,
    LearnKnownOperations,
    applies,
    run_known,
)
from api.mall import MallMutation, MallQuery
from api.members import MembersMutation, MembersQuery
from api.moderation import ModerationMutation, ModerationQuery
from api.nodes import NodeQuery
from api.notifications import (
    NotificationDelivery,
    NotificationsMutation,
    NotificationsQuery,
    NotificationsSubscription,
)
from api.points import PointsMutation, PointsQuery
from api.polls import PollsMutation
from api.posts import PostsMutation, PostsQuery
from api.ratelimit import RateLimits
from api.recommender import RecommenderMutation, RecommenderQuery
from api.retention import RetentionMutation, RetentionQuery
from api.review import ReviewMutation, ReviewQuery
from api.review_desk import ReviewDeskMutation, ReviewDeskQuery
from api.scalars import DATE, datetime_scalar
from api.scheduling import SchedulingMutation, SchedulingQuery
from api.search import SearchQuery
from api.strawberry_internals import (
    ExecutionContext,
    ExtensionsRunner,
    SharedParserCache,
    lean_resolvers,
)
from api.surveys import SurveysMutation, SurveysQuery
from api.tasks import TasksMutation, TasksQuery
from api.topics import TopicsMutation, TopicsQuery
from api.tracking import TrackingMutation
from api.trending import TrendingMutation, TrendingQuery
from api.users import ProfileMutation, User, UsersQuery
from api.words import WordsQuery
from domain.calendar import DEFAULT_TIMEZONE

CACHE_SIZE = 1024


class QuanziSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: StrawberryExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return ExtensionsRunner(execution_context=execution_context, extensions=extensions)

    # Query texts run before, run again without Strawberry's set-up (api/known_operations.py);
    # None: every operation the long way (the interpreter's schema).
    known_operations: KnownOperations | None = None
    # Whether a known feed page may be answered with its kept answer (api/kept_answers.py).
    kept_answers: bool = False

    def known(self, query: str | None, operation_name: str | None) -> Known | None:
        """The known operation of this text and name, if it is one (api/known_operations.py)."""
        if self.known_operations is None or query is None:
            return None
        return self.known_operations.get(query, operation_name)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        known = self.known(query, operation_name)
        if known is not None and allowed_operation_types is not None:
            allowed_operation_types = frozenset(allowed_operation_types)  # read twice below
        if known is not None and applies(allowed_operation_types):
            return await run_known(
                self,
                known,
                self.execution_context_class,
                variable_values,
                context_value,
                root_value,
                operation_extensions,
            )
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )

    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Silence Strawberry's own error log: ErrorFormatter logs the unexpected ones once,
        with the request id, and expected errors (bad input, auth) are not worth a traceback."""


DEFAULT_LIMITS = Limits(depth=12, aliases=30, cost=10_000, page_max=50)


def build_schema(
    *,
    dev_login: bool,
    introspection: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    max_tokens: int = 3_000,
    timezone: str = DEFAULT_TIMEZONE,
    compiled: bool = True,
    kept_answers: bool = True,
) -> strawberry.Schema:
    """The served schema. `devLogin` exists only when dev_login is on; every operation is
    held to `limits` and `max_tokens` before it runs; a DateTime given without an offset is
    read in `timezone`, the community's. With `compiled`, query operations run through
    plans compiled once per document (api/compiled.py) rather than graphql-core's
    interpreter, and with `kept_answers` too, a feed page that reads as before is answered
    with its kept answer (api/kept_answers.py)."""
    cards.register()  # feed cards completed once (api/cards.py), under compiled execution
    # The order of the parts is the order of the root fields in schema.graphql.
    query = merge_types(
        "Query",
        (
            NodeQuery,
            UsersQuery,
            FeedsQuery,
            PostsQuery,
            TopicsQuery,
            CirclesQuery,
            SearchQuery,
            ReviewQuery,
            ReviewDeskQuery,
            ModerationQuery,
            MembersQuery,
            WordsQuery,
            ConsoleLoginQuery,
            FeaturedQuery,
            SchedulingQuery,
            PointsQuery,
            EventsQuery,
            EventAdminQuery,
            FeedbackQuery,
            NotificationsQuery,
            AnalyticsQuery,
            TrendingQuery,
            RetentionQuery,
            RecommenderQuery,
            AlertsQuery,
            JobRunsQuery,
            MallQuery,
            TasksQuery,
            SurveysQuery,
        ),
    )
    mutation_parts: tuple[type, ...] = (
        AuthMutation,
        ProfileMutation,
        PostsMutation,
        TrackingMutation,
        CommentsMutation,
        FollowsMutation,
        TopicsMutation,
        CirclesMutation,
        AnswersMutation,
        PollsMutation,
        ReviewMutation,
        ReviewDeskMutation,
        ModerationMutation,
        MembersMutation,
        ConsoleLoginMutation,
        FeaturedMutation,
        SchedulingMutation,
        PointsMutation,
        EventsMutation,
        EventAdminMutation,
        FeedbackMutation,
        NotificationsMutation,
        TrendingMutation,
        RetentionMutation,
        RecommenderMutation,
        AlertsMutation,
        MallMutation,
        TasksMutation,
        SurveysMutation,
    )
    if dev_login:
        mutation_parts += (DevLoginMutation,)
    mutation = merge_types("Mutation", mutation_parts)
    guard = complexity_rule(limits)
    extensions: list = [
        lambda: MaxTokensLimiter(max_tokens),
        lambda: AddValidationRules([guard, StorableLiterals]),
        StorableVariables,
        SharedParserCache,
        lambda: GuardedValidation(limits, CACHE_SIZE),
        ErrorFormatter,
        RateLimits,
        NotificationDelivery,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    if compiled:
        extensions.append(LearnKnownOperations)
    schema = QuanziSchema(
        query=query,
        mutation=mutation,
        subscription=NotificationsSubscription,
        types=[User],
        extensions=extensions,
        execution_context_class=CompiledExecutor if compiled else ExecutionContext,
        config=StrawberryConfig(scalar_map={datetime: datetime_scalar(timezone), date: DATE}),
    )
    if compiled:
        schema.known_operations = KnownOperations(CACHE_SIZE)
        schema.kept_answers = kept_answers
    lean_resolvers(schema)
    return schema


def export_sdl() -> str:
    """The SDL checked in as schema.graphql: the development schema, devLogin included."""
    return build_schema(dev_login=True).as_str() + "\n"
