"""DateTime and Date as clients' libraries write and read them: RFC 3339 instants in UTC with
milliseconds out (JavaScript's `toISOString()`), `YYYY-MM-DD` days; input held to the same
formats, a local time without an offset read on the community's clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from domain.errors import BadInput

# A year inside either end of the calendar: moving an instant to UTC, to community time or
# a day further (what the rules do with it) must not fall off it as an OverflowError.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)

DATETIME_SPEC = "https://scalars.graphql.org/andimarek/date-time"
DATE_SPEC = "https://scalars.graphql.org/andimarek/local-date"

_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
# RFC 3339's date-time (`T` or a space between, any number of fractional digits), plus what
# date pickers send: seconds left out, and no offset at all.
_DATETIME = re.compile(
    _DATE + r"[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_DATE_ONLY = re.compile(_DATE, re.ASCII)
# What a bad value may show of itself in the message.
_SHOWN = 40


def serialize_datetime(value: datetime) -> str:
    """`2026-12-01T12:00:00.123Z`: UTC, exactly three fractional digits (a naive value is
    taken as UTC, as the database keeps it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"


def _offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def _refuse(key: str, value: object, english: str) -> GraphQLError:
    """BAD_USER_INPUT in the caller's language (api/errors.py renders the BadInput); the
    English text stands wherever no formatter runs."""
    shown = repr(value if not isinstance(value, str) else value[:_SHOWN])
    cause = BadInput(key, value=shown, earliest=EARLIEST.year, latest=LATEST.year)
    return GraphQLError(f"{english}; found: {shown}.", original_error=cause)


def parse_datetime(value: object, zone: ZoneInfo) -> datetime:
    """An RFC 3339 instant; a local time without an offset is read in `zone` (the
    community's). A date alone, another format or a year out of bounds is refused."""
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    at: datetime | None = None
    if match is not None:
        fields = match.groupdict()
        try:
            at = datetime(
                int(fields["year"]),
                int(fields["month"]),
                int(fields["day"]),
                int(fields["hour"]),
                int(fields["minute"]),
                int(fields["second"] or 0),
                int((fields["fraction"] or "0")[:6].ljust(6, "0")),
                tzinfo=_offset(fields["offset"]) if fields["offset"] else zone,
            )
            if not EARLIEST <= at.astimezone(UTC) <= LATEST:
                at = None
        except (ValueError, OverflowError):
            at = None
    if at is None:
        raise _refuse(
            "datetime_format",
            value,
            "DateTime must be an RFC 3339 date and time such as 2026-12-01T20:00:00+08:00 "
            f"(a local time without an offset is read in the community's time zone), between "
            f"the years {EARLIEST.year} and {LATEST.year}",
        )
    return at


def parse_date(value: object) -> date:
    """A calendar day, `YYYY-MM-DD`. What a day may be for (a report's range...) is the
    domain's to check, naming the argument."""
    match = _DATE_ONLY.fullmatch(value) if isinstance(value, str) else None
    day: date | None = None
    if match is not None:
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            day = None
    if day is None:
        raise _refuse(
            "date_format", value, "Date must be a day written YYYY-MM-DD, e.g. 2026-12-01"
        )
    return day


def datetime_scalar(timezone_name: str) -> ScalarDefinition:
    """The DateTime scalar of a community whose clock is `timezone_name`."""
    zone = ZoneInfo(timezone_name)

    def parse(value: object) -> datetime:
        return parse_datetime(value, zone)

    return strawberry.scalar(
        name="DateTime",
        description=(
            "An instant, RFC 3339. Out: always UTC with milliseconds, "
            "`2026-12-01T12:00:00.000Z` (what JavaScript's `toISOString()` writes). In: with "
            "an offset or `Z` (`2026-12-01T20:00:00+08:00`, any number of fractional digits); "
            "a local time without one (`2026-12-01T20:00`) is read in the community's time "
            "zone (QUANZI_COMMUNITY_TIMEZONE, Asia/Shanghai by default). A date alone is "
            "refused."
        ),
        specified_by_url=DATETIME_SPEC,
        serialize=serialize_datetime,
        parse_value=parse,
    )


DATE: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="A calendar day, `YYYY-MM-DD` (`2026-12-01`), in and out.",
    specified_by_url=DATE_SPEC,
    serialize=date.isoformat,
    parse_value=parse_date,
)
