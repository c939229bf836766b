"""The community's calendar: a day begins and ends at midnight in the community's time zone,
wherever the server runs. Daily caps, check-ins, leaderboards and metrics count its days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Where the community lives unless QUANZI_COMMUNITY_TIMEZONE says otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Calendar:
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches its instances

    def today(self, now: datetime | None = None) -> date:
        """The community's calendar day now (or at `now`)."""
        return self.day_of(now or datetime.now(UTC))

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def local(self, moment: datetime) -> datetime:
        """A moment on the community's clock."""
        return moment.astimezone(self.zone)

    def start_of(self, day: date) -> datetime:
        """The instant a community day begins."""
        return datetime.combine(day, time(), self.zone)

    def bounds(self, start: date, end: date) -> tuple[datetime, datetime]:
        """UTC instants of the start of `start` and of the day after `end`."""
        return (
            self.start_of(start).astimezone(UTC),
            self.start_of(end + timedelta(days=1)).astimezone(UTC),
        )
