"""Alerts through the API (wave2/console-operations.graphql): a report surge opens one
REPORT_SPIKE alert that the WeCom stand-in receives once from the job, operators acknowledge
it, it resolves by itself when the surge is over, and the rules are theirs to set."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from taskiq.api import run_receiver_task
from tortoise.exceptions import IntegrityError

from api.app import create_app
from api.ids import to_global_id
from domain import alert_checks
from domain.models import Alert, AlertKind, AlertStatus, ModerationAction, Role
from jobs import alerts as alert_jobs
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_post, make_report, make_user, token_for
from tests.wecom_stub import WeComStub, start_wecom_stub


@pytest.fixture(scope="module")
def wecom_server() -> Iterator[WeComStub]:
    stub = start_wecom_stub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture
def wecom(wecom_server: WeComStub) -> Iterator[WeComStub]:
    wecom_server.reset()
    yield wecom_server
    wecom_server.reset()


def with_webhook(runtime: Runtime, wecom: WeComStub) -> Runtime:
    settings = runtime.settings.model_copy(update={"alert_webhook": wecom.url})
    return dataclasses.replace(runtime, settings=settings)


@asynccontextmanager
async def worker_and_api(runtime: Runtime) -> AsyncIterator[Api]:
    """A worker consuming the queue with `runtime` (as `quanzi worker` does), and the API."""
    runtime.broker.state.runtime = runtime
    worker = asyncio.create_task(run_receiver_task(runtime.broker))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
            yield Api(client)
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
        del runtime.broker.state.runtime


async def report_surge(count: int) -> None:
    """`count` reports now, of as many posts (one member reporting, to keep sign-ups low)."""
    author, reporter = await make_user(), await make_user()
    for i in range(count):
        await make_report(await make_post(author, f"可疑内容 {i}"), reporter)


async def until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)


async def test_a_report_surge_opens_one_alert_and_the_webhook_hears_of_it_once(
    runtime: Runtime, wecom: WeComStub
) -> None:
    await report_surge(12)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    configured = with_webhook(runtime, wecom)
    async with worker_and_api(configured) as api:
        queued = await api.op("RunAlertChecks", token=operator)
        assert len(queued["data"]["runAlertChecks"]["id"]) == 32  # the queue's job id
        await until(lambda: wecom.messages)
        # Again, on demand and on the schedule: the surge is still on, one alert stays open.
        await api.op("RunAlertChecks", token=operator)
        await alert_jobs.run_alert_checks(runtime=configured)
        await asyncio.sleep(0.5)  # the queued run has had time to finish
        listed = await api.op("Alerts", {"status": "OPEN"}, token=operator)
        english = await api.op("Alerts", {"kind": "REPORT_SPIKE"}, token=operator, lang="en")
        overview = await api.op("ConsoleOverviewOperations", token=operator)
    assert len(wecom.messages) == 1 and wecom.requests == 1
    assert "举报激增" in wecom.messages[0] and "12 条举报" in wecom.messages[0]
    assert '<font color="warning">严重</font>' in wecom.messages[0]
    alerts = listed["data"]["alerts"]
    assert alerts["totalCount"] == 1
    node = alerts["edges"][0]["node"]
    assert (node["kind"], node["severity"], node["status"]) == ("REPORT_SPIKE", "CRITICAL", "OPEN")
    assert (node["value"], node["baseline"], node["acknowledgedBy"]) == (12.0, 0.0, None)
    assert node["message"].startswith("最近 60 分钟收到 12 条举报")
    assert english["data"]["alerts"]["edges"][0]["node"]["message"].startswith(
        "12 reports in the last 60 minutes"
    )
    assert overview["data"]["consoleOverview"] == {"overdueFeedback": 0, "openAlerts": 1}


async def test_an_alert_is_acknowledged_then_resolves_by_itself_and_a_new_surge_opens_another(
    api: Api, runtime: Runtime, wecom: WeComStub
) -> None:
    await report_surge(10)
    configured = with_webhook(runtime, wecom)
    assert (await alert_jobs.run_alert_checks(runtime=configured))["announced"] == 1
    operator = await make_user(role=Role.OPERATOR, nickname="值班运营")
    token = token_for(runtime, operator)
    alert_id = (await api.op("Alerts", token=token))["data"]["alerts"]["edges"][0]["node"]["id"]
    acked = await api.op("AcknowledgeAlert", {"id": alert_id}, token=token)
    state = acked["data"]["acknowledgeAlert"]["alert"]
    assert state["status"] == "ACKNOWLEDGED" and state["acknowledgedAt"]
    again = await api.op("AcknowledgeAlert", {"id": alert_id}, token=token)
    assert again["data"]["acknowledgeAlert"]["alert"] == state  # nothing changes
    assert await ModerationAction.filter(action="ACKNOWLEDGE_ALERT").count() == 1
    # Still true: acknowledged, it stays; 70 minutes on the surge is out of the window.
    assert (await alert_checks.run_checks(RULES)).opened == []
    later = await alert_checks.run_checks(RULES, datetime.now(UTC) + timedelta(minutes=70))
    alert = await Alert.get()
    assert later.resolved == [alert.id] and alert.status == AlertStatus.RESOLVED
    resolved = await api.op("Alerts", {"status": "RESOLVED"}, token=token)
    node = resolved["data"]["alerts"]["edges"][0]["node"]
    assert node["acknowledgedBy"]["nickname"] == "值班运营" and node["resolvedAt"]
    refused = await api.op("AcknowledgeAlert", {"id": alert_id}, token=token)
    assert error_codes(refused) == ["CONFLICT"]
    assert refused["errors"][0]["extensions"]["field"] == "id"
    missing = await api.op("AcknowledgeAlert", {"id": to_global_id("Alert", 10**9)}, token=token)
    assert error_codes(missing) == ["NOT_FOUND"]
    # A second surge is a second alert, announced in its turn.
    await report_surge(10)
    assert (await alert_jobs.run_alert_checks(runtime=configured))["announced"] == 1
    assert await Alert.filter(kind=AlertKind.REPORT_SPIKE).count() == 2
    assert len(wecom.messages) == 2


async def test_two_runs_racing_open_one_alert_and_the_database_refuses_a_second(
    runtime: Runtime,
) -> None:
    await report_surge(10)
    runs = await asyncio.gather(*(alert_checks.run_checks(RULES) for _ in range(4)))
    assert sum(len(run.opened) for run in runs) == 1
    assert await Alert.filter(status=AlertStatus.OPEN).count() == 1
    # Even written by hand: alerts_one_open.
    with pytest.raises(IntegrityError):
        await Alert.create(kind=AlertKind.REPORT_SPIKE, severity="CRITICAL", value=1)


async def test_a_failed_push_is_retried_once_then_logged(
    runtime: Runtime,
    wecom: WeComStub,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(alert_jobs, "RETRY_SECONDS", 0.01)
    configured = with_webhook(runtime, wecom)
    await report_surge(10)
    wecom.fail_next = 1  # busy once: the retry gets through
    assert (await alert_jobs.run_alert_checks(runtime=configured))["announced"] == 1
    assert (wecom.requests, len(wecom.messages)) == (2, 1)
    await alert_checks.run_checks(RULES, datetime.now(UTC) + timedelta(hours=1, minutes=5))
    await report_surge(10)
    wecom.reset()
    wecom.broken_next = 2  # down twice: given up, and said so
    with caplog.at_level(logging.WARNING):
        assert (await alert_jobs.run_alert_checks(runtime=configured))["announced"] == 0
    assert (wecom.requests, wecom.messages) == (2, [])
    assert any("alert webhook" in r.getMessage() for r in caplog.records)
    assert any("was not announced" in r.getMessage() for r in caplog.records)
    # A refusal's errcode is logged (a wrong key: 93000).
    caplog.clear()
    wrong = dataclasses.replace(
        runtime,
        settings=runtime.settings.model_copy(update={"alert_webhook": wecom.url + "x"}),
    )
    await alert_checks.run_checks(RULES, datetime.now(UTC) + timedelta(hours=1, minutes=5))
    await report_surge(10)
    with caplog.at_level(logging.WARNING):
        await alert_jobs.run_alert_checks(runtime=wrong)
    assert any("errcode 93000" in r.getMessage() for r in caplog.records)


async def test_without_a_webhook_alerts_open_and_nothing_is_pushed(runtime: Runtime) -> None:
    await report_surge(10)
    assert runtime.settings.alert_webhook is None
    result = await alert_jobs.run_alert_checks(runtime=runtime)
    assert result == {"opened": 1, "resolved": 0, "announced": 0}


async def test_operators_read_and_set_the_rules(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    rules = (await api.op("AlertRules", token=token))["data"]["alertRules"]
    assert [r["kind"] for r in rules] == [k.value for k in AlertKind]
    assert rules[0] == {
        "kind": "REPORT_SPIKE",
        "enabled": True,
        "threshold": 0.001,
        "minimum": 10,
        "windowMinutes": 60,
    }
    assert rules[3] == {
        "kind": "REVIEW_BACKLOG",
        "enabled": True,
        "threshold": None,
        "minimum": 1,
        "windowMinutes": None,
    }
    changed = await api.op(
        "SetAlertRule",
        {"kind": "REPORT_SPIKE", "enabled": True, "threshold": 0.01, "minimum": 5},
        token=token,
    )
    assert changed["data"]["setAlertRule"]["rule"]["threshold"] == 0.01
    # Null leaves a setting as it was.
    kept = await api.op("SetAlertRule", {"kind": "REPORT_SPIKE", "enabled": False}, token=token)
    assert kept["data"]["setAlertRule"]["rule"] == {
        "kind": "REPORT_SPIKE",
        "enabled": False,
        "threshold": 0.01,
        "minimum": 5,
        "windowMinutes": 60,
    }
    assert await ModerationAction.filter(action="SET_ALERT_RULE").count() == 2
    refusals = [
        ({"kind": "REPORT_SPIKE", "threshold": 0}, "threshold"),
        ({"kind": "REPORT_SPIKE", "threshold": 0.6}, "threshold"),
        ({"kind": "DAU_DROP", "threshold": 1.5}, "threshold"),
        ({"kind": "SIGNUP_SPIKE", "threshold": 0.5}, "threshold"),
        ({"kind": "REVIEW_BACKLOG", "threshold": 1}, "threshold"),
        ({"kind": "FEEDBACK_BACKLOG", "minimum": 0}, "minimum"),
        ({"kind": "NEGATIVE_FEEDBACK_SPIKE", "minimum": 2_000_000}, "minimum"),
    ]
    for variables, field in refusals:
        result = await api.op("SetAlertRule", {"enabled": True, **variables}, token=token)
        assert error_codes(result) == ["BAD_USER_INPUT"], variables
        assert result["errors"][0]["extensions"]["field"] == field
    english = await api.op(
        "SetAlertRule",
        {"kind": "DAU_DROP", "enabled": True, "threshold": 2},
        token=token,
        lang="en",
    )
    assert english["errors"][0]["message"] == "This rule's threshold must be above 0 and at most 1."
    assert await ModerationAction.filter(action="SET_ALERT_RULE").count() == 2


async def test_a_disabled_rule_stays_quiet_and_its_open_alert_resolves(
    api: Api, runtime: Runtime
) -> None:
    await report_surge(10)
    assert len((await alert_checks.run_checks(RULES)).opened) == 1
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("SetAlertRule", {"kind": "REPORT_SPIKE", "enabled": False}, token=token)
    run = await alert_checks.run_checks(RULES)
    assert run.opened == [] and len(run.resolved) == 1
    # A raised minimum keeps the same surge under it once enabled again.
    await api.op(
        "SetAlertRule", {"kind": "REPORT_SPIKE", "enabled": True, "minimum": 11}, token=token
    )
    assert (await alert_checks.run_checks(RULES)).opened == []
    await api.op(
        "SetAlertRule", {"kind": "REPORT_SPIKE", "enabled": True, "minimum": 10}, token=token
    )
    assert len((await alert_checks.run_checks(RULES)).opened) == 1
