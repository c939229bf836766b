"""The range picker of the numbers pages: the last 7, 30 or 90 days (today included, on the
community's calendar) or a custom span of at most CUSTOM_MAX_DAYS, and the period of the same
length just before it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from console.desk import Desk

PRESETS = ("7", "30", "90")
DEFAULT = "30"
# A custom range spans at most a quarter: the dashboard runs one query per day of it.
CUSTOM_MAX_DAYS = 92


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    key: str  # "7", "30", "90" or "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Span:
        return Span(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "")

    @property
    def query(self) -> str:
        """The span as the picker sends it, for links to the page's data and exports."""
        if self.key == "custom":
            return urlencode({"range": "custom", "from": self.start, "to": self.end})
        return urlencode({"range": self.key})

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def pick_span(params: Mapping[str, str], today: date) -> Span:
    """The span the query string asks for; anything unreadable is the default 30 days."""
    key = params.get("range", DEFAULT)
    if key == "custom":
        start, end = _day(params.get("from")), _day(params.get("to"))
        if start and end and start <= end <= today and (end - start).days < CUSTOM_MAX_DAYS:
            return Span(start, end, "custom")
        key = DEFAULT
    if key not in PRESETS:
        key = DEFAULT
    return Span(today - timedelta(days=int(key) - 1), today, key)


def span_of(desk: Desk) -> Span:
    today = desk.console.runtime(desk.request).rules.calendar.today()
    return pick_span(desk.request.query_params, today)
