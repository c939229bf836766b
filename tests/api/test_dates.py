"""DateTime and Date as JavaScript, date pickers and codegen see them: RFC 3339 in UTC with
milliseconds out, local times read on the community's clock, clean messages for bad input."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from api.scalars import parse_date, parse_datetime, serialize_datetime
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api, error_codes
from tests.factories import make_post, make_user, token_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAVASCRIPT_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _event(starts_at: str, ends_at: str = "2031-01-01T00:00:00Z") -> dict:
    return {
        "input": {"title": "读书会", "kind": "OFFLINE", "startsAt": starts_at, "endsAt": ends_at}
    }


def test_an_instant_is_written_as_javascripts_to_iso_string_writes_it() -> None:
    at = datetime(2026, 12, 1, 20, 0, 0, 123456, tzinfo=SHANGHAI)
    assert serialize_datetime(at) == "2026-12-01T12:00:00.123Z"
    assert serialize_datetime(datetime(2026, 12, 1, 12, tzinfo=UTC)) == "2026-12-01T12:00:00.000Z"
    assert serialize_datetime(datetime(2, 1, 1, tzinfo=UTC)) == "0002-01-01T00:00:00.000Z"


def test_offsets_fractions_and_local_times_are_read_as_rfc_3339_says() -> None:
    noon = datetime(2026, 12, 1, 12, tzinfo=UTC)
    for text in (
        "2026-12-01T20:00:00+08:00",
        "2026-12-01T20:00:00+0800",
        "2026-12-01T20:00+08",
        "2026-12-01 12:00:00Z",
        "2026-12-01t12:00:00.000000000z",
        "2026-12-01T07:00:00-05:00",
        "2026-12-01T20:00",  # a date picker's local time, on the community's clock
        "2026-12-01T20:00:00.000",
    ):
        assert parse_datetime(text, SHANGHAI) == noon, text
    precise = parse_datetime("2026-12-01T12:00:00.1234567891Z", SHANGHAI)
    assert precise.microsecond == 123456
    assert parse_date("2026-12-01") == date(2026, 12, 1)


async def test_a_time_round_trips_in_asia_shanghai_as_utc_with_milliseconds(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    created = await api.op("CreateEvent", _event("2030-12-01T20:00:00+08:00"), token=token)
    event = created["data"]["createEvent"]["event"]
    assert event["startsAt"] == "2030-12-01T12:00:00.000Z"
    assert event["endsAt"] == "2031-01-01T00:00:00.000Z"
    post = await make_post(await make_user(), "时间")
    feed = await api.op("Feed", {"kind": "LATEST", "first": 5})
    (edge,) = feed["data"]["feed"]["edges"]
    assert edge["node"]["id"]
    assert JAVASCRIPT_ISO.fullmatch(edge["node"]["createdAt"])
    assert datetime.fromisoformat(edge["node"]["createdAt"]) == post.created_at.replace(
        microsecond=post.created_at.microsecond // 1000 * 1000
    )


async def test_a_local_time_without_an_offset_is_read_in_the_communitys_time_zone(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    created = await api.op("CreateEvent", _event("2030-12-01T20:00"), token=token)
    assert created["data"]["createEvent"]["event"]["startsAt"] == "2030-12-01T12:00:00.000Z"
    async with configured_api(runtime, community_timezone="Europe/Paris") as (paris, _):
        created = await paris.op("CreateEvent", _event("2030-12-01T20:00"), token=token)
    assert created["data"]["createEvent"]["event"]["startsAt"] == "2030-12-01T19:00:00.000Z"


@pytest.mark.parametrize(
    "bad",
    [
        "2030-12-01",  # a date alone is no instant
        "2030-12-01T25:00:00Z",
        "2030-12-01T20:00:00+24:00",
        "2030-1-1T20:00:00Z",
        "20301201T200000Z",
        "2030-W48-1T20:00Z",
        "next tuesday",
        "10000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
    ],
)
async def test_a_datetime_in_another_format_is_refused_naming_the_format(
    api: Api, runtime: Runtime, bad: str
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    refused = await api.op("CreateEvent", _event(bad), token=token)
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "startsAt"}
    assert error["message"].startswith(
        "时间格式不正确，应为 RFC 3339 格式，如 2026-12-01T20:00:00+08:00"
    )
    assert repr(bad) in error["message"]
    english = await api.op("CreateEvent", _event(bad), token=token, lang="en")
    message = english["errors"][0]["message"]
    assert message.startswith("The date and time must be in RFC 3339 format")
    for internals in ("invalid literal", "int()", "base 10", "Variable", "Expected"):
        assert internals not in message


async def test_a_datetime_literal_in_the_query_is_refused_the_same_way(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    query = (
        'mutation { createEvent(input: {title: "x", kind: ONLINE, startsAt: "2030-12-01", '
        'endsAt: "2030-12-02T00:00:00Z"}) { event { id } } }'
    )
    refused = await api.execute(query, token=token, lang="en")
    assert error_codes(refused) == ["BAD_USER_INPUT"]
    assert refused["errors"][0]["message"].startswith("The date and time must be in RFC 3339")


async def test_a_date_is_yyyy_mm_dd_in_and_out(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    metrics = await api.op(
        "CommunityMetrics", {"from": "2026-11-01", "to": "2026-11-02"}, token=token
    )
    assert [d["date"] for d in metrics["data"]["communityMetrics"]["days"]] == [
        "2026-11-01",
        "2026-11-02",
    ]
    for bad in ("2026/11/01", "20261101", "2026-11-01T00:00:00Z", "2026-11-31"):
        refused = await api.op("CommunityMetrics", {"from": bad, "to": "2026-11-02"}, token=token)
        assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "from"}
        assert refused["errors"][0]["message"].startswith("日期格式不正确，应为 YYYY-MM-DD")
    english = await api.op(
        "CommunityMetrics", {"from": "2026/11/01", "to": "2026-11-02"}, token=token, lang="en"
    )
    assert english["errors"][0]["message"] == (
        "The date must be written YYYY-MM-DD, such as 2026-12-01; found: '2026/11/01'."
    )


async def test_both_scalars_name_their_specification_for_strict_codegen(api: Api) -> None:
    query = (
        '{ dt: __type(name: "DateTime") { specifiedByURL } '
        'd: __type(name: "Date") { specifiedByURL } }'
    )
    result = await api.execute(query)
    assert result["data"] == {
        "dt": {"specifiedByURL": "https://scalars.graphql.org/andimarek/date-time"},
        "d": {"specifiedByURL": "https://scalars.graphql.org/andimarek/local-date"},
    }
