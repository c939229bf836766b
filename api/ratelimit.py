"""Rate limits in Redis, per member (or per IP when signed out; sign-in always per IP), by
operation class. Checked once per request before execution, counting every root field of
the class (aliases included), so an over-limit request runs nothing and answers
RATE_LIMITED with `retryAfter` seconds. When Redis fails the limits fail open and log."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator

from graphql import DocumentNode, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection
from strawberry.extensions import SchemaExtension

from api.context import Context
from api.selections import root_fields
from domain.errors import RateLimited
from quanzi.bootstrap import RedisStore

log = logging.getLogger("quanzi.ratelimit")

# Root fields by class. Anything not listed is not rate limited here.
CLASSES: dict[str, frozenset[str]] = {
    "signin": frozenset({"wechatLogin", "devLogin", "refreshToken"}),
    "posting": frozenset({"createPost", "schedulePost", "editPost", "createEvent", "createCircle"}),
    "commenting": frozenset(
        {
            "addComment",
            "addAnswerComment",
            "answerQuestion",
            "submitFeedback",
            "submitSurveyResponse",
        }
    ),
    "liking": frozenset(
        {
            "likePost",
            "unlikePost",
            "likeComment",
            "unlikeComment",
            "voteAnswer",
            "votePoll",
            "followUser",
            "unfollowUser",
            "followTopic",
            "unfollowTopic",
            "sharePost",
            "redeemItem",
            "claimTaskReward",
        }
    ),
    "reporting": frozenset({"reportContent", "appealRejection"}),
    "tracking": frozenset({"trackEvents"}),
    # Event check-in codes are six digits: guesses are what this class slows down.
    "checkin": frozenset({"checkInEvent"}),
}
FIELD_CLASS = {field: name for name, fields in CLASSES.items() for field in fields}
PER_IP = frozenset({"signin"})

# [requests, seconds] per class: generous for a person, tight for a script.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signin": (60, 60),  # per address: carrier NATs put many phones behind one
    "posting": (10, 60),
    "commenting": (30, 60),
    "liking": (120, 60),
    "reporting": (10, 3600),
    "tracking": (60, 60),
    "checkin": (10, 60),
}

# INCRBY and start the window on the first hit; answer the count and the seconds left.
_HIT = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {n, ttl}
"""


class Limiter:
    def __init__(
        self, limits: dict[str, tuple[int, int]], *, trust_forwarded_for: bool = False
    ) -> None:
        unknown = set(limits) - set(DEFAULT_LIMITS)
        if unknown:
            raise ValueError(f"unknown rate limit classes: {sorted(unknown)}")
        self.limits = {**DEFAULT_LIMITS, **{k: (int(v[0]), int(v[1])) for k, v in limits.items()}}
        self.trust_forwarded_for = trust_forwarded_for

    async def check(
        self, store: RedisStore, counts: Counter[str], member_id: int | None, ip: str
    ) -> int | None:
        """Count the request's hits; the seconds to wait when one class is over, else None."""
        script = store.redis.register_script(_HIT)  # a hash of a short text: cheap
        wait = None
        for name, hits in sorted(counts.items()):
            limit, window = self.limits[name]
            subject = f"m{member_id}" if member_id is not None and name not in PER_IP else ip
            key = store.key("rl", name, subject)
            try:
                used, ttl = await script(keys=[key], args=[hits, window])
            except (RedisError, OSError) as exc:
                log.warning("rate limit %s not checked, Redis failed: %s", name, exc)
                continue
            if int(used) > limit:
                wait = max(wait or 0, int(ttl) or 1)
        return wait


class RateLimits(SchemaExtension):
    """Refuses an over-limit request before execution (the validated document is known)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        refused = await over_limit(
            execution.context, execution.graphql_document, execution.operation_name
        )
        if refused is not None:
            execution.result = refused
        yield


async def over_limit(
    context: object, document: DocumentNode | None, operation_name: str | None
) -> GraphQLExecutionResult | None:
    """RATE_LIMITED (and a Retry-After header on the answer) when the operation's root
    fields are over their classes' limits for this caller; None when it may run."""
    request = getattr(context, "request", None)
    limiter: Limiter | None = getattr(request.app.state, "limiter", None) if request else None
    if limiter is None or request is None or document is None:
        return None
    counts = Counter(
        FIELD_CLASS[f] for f in root_fields(document, operation_name) if f in FIELD_CLASS
    )
    if not counts:
        return None
    wait = await limiter.check(
        context.runtime.store,  # type: ignore[attr-defined]
        counts,
        _member_id(context),
        _client_ip(request, limiter.trust_forwarded_for),
    )
    if wait is None:
        return None
    refused = RateLimited(retry_after=wait)
    response = getattr(context, "response", None)
    if response is not None:
        response.headers["Retry-After"] = str(wait)
    error = GraphQLError(str(refused), original_error=refused)
    return GraphQLExecutionResult(data=None, errors=[error])


def _member_id(context: object) -> int | None:
    viewer = context.known_viewer() if isinstance(context, Context) else None
    return viewer.id if viewer is not None else None


def _client_ip(request: HTTPConnection, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]  # the address our own proxy saw, which a client cannot forge
    client = request.client
    return client.host if client is not None else "unknown"
