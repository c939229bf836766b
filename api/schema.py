"""The GraphQL schema: feature types merged into Query and Mutation, extensions attached."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import GeneratorType
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.tools import merge_types
from strawberry.types.field import StrawberryField

from api.analytics import (
    AnalyticsQuery,
    RecommenderMutation,
    RecommenderQuery,
    TrendsMutation,
    TrendsQuery,
)
from api.auth import AuthMutation, AuthQuery, DevLoginMutation
from api.community import CommunityMutation, CommunityQuery
from api.errors import ErrorFormatter
from api.events import EventsMutation, EventsQuery
from api.guards import Limits, NoNulInLiterals, NoNulInVariables, complexity_rule
from api.moderation import ModerationMutation, ModerationQuery
from api.nodes import NodeQuery
from api.notifications import (
    NotificationDelivery,
    NotificationsMutation,
    NotificationsQuery,
    NotificationsSubscription,
)
from api.points import PointsMutation, PointsQuery
from api.ratelimit import RateLimits
from api.social import SocialMutation, SocialQuery
from api.types.users import User

CACHE_SIZE = 1024


_AWAITABLE_BY_TYPE: dict[type, bool] = {}


def is_awaitable(value: object) -> bool:
    """Strawberry's check, remembered by type: graphql-core asks three times a field, and
    for every object type, enum and datetime Strawberry's fast path falls through to
    isinstance and hasattr. (Generators are asked each time: a flag on their code decides.)"""
    kind = type(value)
    known = _AWAITABLE_BY_TYPE.get(kind)
    if known is not None:
        return known
    answer = optimized_is_awaitable(value)
    if kind is not GeneratorType and len(_AWAITABLE_BY_TYPE) < 4096:
        _AWAITABLE_BY_TYPE[kind] = answer
    return answer


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # type: ignore[assignment]


def lean_resolvers(schema: strawberry.Schema) -> None:
    """Call resolvers that take only (self, info) directly.

    Strawberry routes every resolver field through a general chain (arguments converted,
    field extensions composed with partial(), closures built per call) that costs more than
    a card field's own work; a feed page has a hundred such fields. Fields with arguments,
    field extensions or permission classes keep Strawberry's chain."""
    info_class = schema.config.info_class
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        if graphql_type is schema._schema.subscription_type:
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or field.base_resolver is None:
                continue
            if field.extensions or field.arguments:
                continue
            function = field.base_resolver.wrapped_func
            if isinstance(function, staticmethod | classmethod):
                continue
            if list(inspect.signature(function).parameters) != ["self", "info"]:
                continue
            graphql_field.resolve = _direct(function, field, info_class)


def _direct(function: Callable[..., Any], field: object, info_class: type) -> Callable[..., Any]:
    def resolve(source: object, info: GraphQLResolveInfo) -> Any:
        return function(source, info_class(_raw_info=info, _field=field))

    return resolve


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
    schema = QuanziSchema(
        query=query,
        mutation=mutation,
        subscription=NotificationsSubscription,
        types=[User],
        extensions=extensions,
        execution_context_class=ExecutionContext,
    )
    lean_resolvers(schema)
    return schema


def export_sdl() -> str:
    """The SDL checked in as schema.graphql: the development schema, devLogin included."""
    return build_schema(dev_login=True).as_str() + "\n"
