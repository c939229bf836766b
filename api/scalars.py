"""Scalars whose parsing Quanzi narrows: a DateTime is an instant PostgreSQL and Python both
hold, wherever the client's offset puts it."""

from __future__ import annotations

from datetime import UTC, datetime

import dateutil.parser
import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

# A year inside either end of the calendar: moving an instant to UTC, to community time or
# a day further (what the rules do with it) must not fall off it as an OverflowError.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 instant; without an offset it is UTC (as the database would take it).
    Anything else is a GraphQLError, answered BAD_USER_INPUT naming the variable."""
    at: datetime | None = None
    if isinstance(value, str):
        try:
            at = dateutil.parser.isoparse(value)
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            if not EARLIEST <= at.astimezone(UTC) <= LATEST:
                at = None
        except (ValueError, OverflowError):
            at = None
    if at is None:
        raise GraphQLError(
            f"DateTime must be an ISO 8601 date and time between the years {EARLIEST.year} "
            f"and {LATEST.year}; found: {value!r}."
        )
    return at


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="Date with time (isoformat)",
    serialize=datetime.isoformat,
    parse_value=parse_datetime,
)
