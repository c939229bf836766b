"""The GraphQL schema: feature types merged into Query and Mutation, extensions attached."""

from __future__ import annotations

from types import GeneratorType
from typing import Any

import strawberry
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types

from quanzi.api.analytics import (
    AnalyticsQuery,
    RecommenderMutation,
    RecommenderQuery,
    TrendsMutation,
    TrendsQuery,
)
from quanzi.api.auth import AuthMutation, AuthQuery, DevLoginMutation
from quanzi.api.community import CommunityMutation, CommunityQuery
from quanzi.api.errors import ErrorFormatter
from quanzi.api.events import EventsMutation, EventsQuery
from quanzi.api.guards import Limits, NoNulInLiterals, NoNulInVariables, complexity_rule
from quanzi.api.moderation import ModerationMutation, ModerationQuery
from quanzi.api.nodes import NodeQuery
from quanzi.api.notifications import (
    NotificationDelivery,
    NotificationsMutation,
    NotificationsQuery,
    NotificationsSubscription,
)
from quanzi.api.points import PointsMutation, PointsQuery
from quanzi.api.ratelimit import RateLimits
from quanzi.api.social import SocialMutation, SocialQuery
from quanzi.api.types.users import User

CACHE_SIZE = 1024


_NEVER_AWAITED: dict[type, bool] = {}


def is_awaitable(value: object) -> bool:
    """Strawberry's check, remembered by type: graphql-core asks three times a field, and
    for every object type, enum and datetime Strawberry's fast path falls through to
    isinstance and hasattr. (Generators are asked each time: a flag on their code decides.)"""
    kind = type(value)
    known = _NEVER_AWAITED.get(kind)
    if known is not None:
        return known
    answer = optimized_is_awaitable(value)
    if kind is not GeneratorType and len(_NEVER_AWAITED) < 4096:
        _NEVER_AWAITED[kind] = answer
    return answer


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # type: ignore[assignment]


class QuanziSchema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Silence Strawberry's own error log: ErrorFormatter logs the unexpected ones once,
        with the request id, and expected errors (bad input, auth) are not worth a traceback."""


DEFAULT_LIMITS = Limits(depth=12, aliases=30, cost=10_000, page_max=50)


def build_schema(
    *,
    dev_login: bool,
    introspection: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    max_tokens: int = 5_000,
) -> strawberry.Schema:
    """The served schema. `devLogin` exists only when dev_login is on; every operation is
    held to `limits` and `max_tokens` before it runs."""
    query = merge_types(
        "Query",
        (
            NodeQuery,
            AuthQuery,
            SocialQuery,
            CommunityQuery,
            ModerationQuery,
            PointsQuery,
            EventsQuery,
            NotificationsQuery,
            AnalyticsQuery,
            TrendsQuery,
            RecommenderQuery,
        ),
    )
    mutation_parts: tuple[type, ...] = (
        AuthMutation,
        SocialMutation,
        CommunityMutation,
        ModerationMutation,
        PointsMutation,
        EventsMutation,
        NotificationsMutation,
        TrendsMutation,
        RecommenderMutation,
    )
    if dev_login:
        mutation_parts += (DevLoginMutation,)
    mutation = merge_types("Mutation", mutation_parts)
    guard = complexity_rule(limits)
    extensions: list = [
        lambda: MaxTokensLimiter(max_tokens),
        lambda: AddValidationRules([guard, NoNulInLiterals]),
        NoNulInVariables,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        ErrorFormatter,
        RateLimits,
        NotificationDelivery,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return QuanziSchema(
        query=query,
        mutation=mutation,
        subscription=NotificationsSubscription,
        types=[User],
        extensions=extensions,
        execution_context_class=ExecutionContext,
    )


def export_sdl() -> str:
    """The SDL checked in as schema.graphql: the development schema, devLogin included."""
    return build_schema(dev_login=True).as_str() + "\n"
