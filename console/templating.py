"""The console's Jinja2 environment: autoescaped templates, versioned static URLs and the
filters pages share (times on the community's clock, ages, SLA colours)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from console.texts import text

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@cache
def _static_version(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """A static file's URL with its content's hash, so it may be cached for a year."""
    return f"/console/static/{path}?v={_static_version(path)}"


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def age_text(seconds: float, locale: str) -> str:
    """A duration the way a desk reads it: 45 秒, 12 分钟, 3 小时, 2 天."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return text("ago.s", locale, n=seconds)
    if seconds < 3600:
        return text("ago.m", locale, n=seconds // 60)
    if seconds < 86400:
        return text("ago.h", locale, n=seconds // 3600)
    return text("ago.d", locale, n=seconds // 86400)


def sla_colour(entered: datetime | None, due: datetime | None, now: datetime) -> str:
    """green while under two thirds of the SLA is spent, amber until it is due, red after."""
    if entered is None or due is None:
        return "green"
    total = (due - entered).total_seconds() or 1
    spent = (now - entered).total_seconds()
    if spent >= total:
        return "red"
    return "amber" if spent >= total * 2 / 3 else "green"


def build_environment(timezone: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(timezone)

    def local(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        moment = parse_time(value)
        return moment.astimezone(zone).strftime(fmt) if moment else "—"

    env.filters["local"] = local
    env.filters["iso"] = lambda v: (parse_time(v) or datetime.now(UTC)).isoformat()
    env.globals["static"] = static_url
    return env
