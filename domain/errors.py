"""One error hierarchy: every expected failure carries a stable code the client can act on."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONTENT_REJECTED = "CONTENT_REJECTED"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    MUTED = "MUTED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    # An upstream service (WeChat) failed or timed out, PostgreSQL or Redis is unreachable,
    # or a write was rolled back in a conflict with another: the client may retry.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class QuanziError(Exception):
    """An expected failure. `message_key` names a text in domain/texts/errors.py."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT
    default_key: str = "bad_input"

    def __init__(
        self, message_key: str | None = None, *, field: str | None = None, **params: Any
    ) -> None:
        self.message_key = message_key or self.default_key
        self.field = field
        self.params = params
        super().__init__(self.message_key)


class Unauthenticated(QuanziError):
    code = ErrorCode.UNAUTHENTICATED
    default_key = "unauthenticated"


class Forbidden(QuanziError):
    code = ErrorCode.FORBIDDEN
    default_key = "forbidden"


class NotFound(QuanziError):
    code = ErrorCode.NOT_FOUND
    default_key = "not_found"


class BadInput(QuanziError):
    code = ErrorCode.BAD_USER_INPUT
    default_key = "bad_input"


class ContentRejected(QuanziError):
    code = ErrorCode.CONTENT_REJECTED
    default_key = "content_rejected"


class Conflict(QuanziError):
    code = ErrorCode.CONFLICT
    default_key = "conflict"


class RateLimited(QuanziError):
    code = ErrorCode.RATE_LIMITED
    default_key = "rate_limited"


class Muted(QuanziError):
    code = ErrorCode.MUTED
    default_key = "muted"


class QueryTooComplex(QuanziError):
    code = ErrorCode.QUERY_TOO_COMPLEX
    default_key = "query_too_complex"


class ServiceUnavailable(QuanziError):
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_key = "service_unavailable"


class TryAgain(QuanziError):
    """PostgreSQL rolled the write back whole in a conflict with another (a deadlock's
    victim): nothing of it was kept, and doing it again succeeds."""

    code = ErrorCode.SERVICE_UNAVAILABLE
    default_key = "try_again"
