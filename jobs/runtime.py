"""What a job runs with: the process's runtime, kept in taskiq's state by the worker's
start-up event and handed to each job by taskiq's dependency injection.

Jobs name what they use (this protocol) rather than import the composition root that
builds it: the worker (`quanzi/worker.py`) wires the two together."""

from __future__ import annotations

from typing import Protocol

from taskiq import TaskiqDepends, TaskiqState

from adapters.redis import Store
from adapters.wechat import WeChatClient
from domain.ports import AlertPusher
from domain.rules import CommunityRules
from domain.screening import Screener
from domain.tokens import TokenIssuer
from recommend.registry import RecommenderConfig


class JobRuntime(Protocol):
    store: Store
    rules: CommunityRules
    recommender: RecommenderConfig
    tokens: TokenIssuer

    @property
    def wechat(self) -> WeChatClient:
        """The WeChat client on the runtime's connections."""

    @property
    def alert_pusher(self) -> AlertPusher | None:
        """Where new alerts are announced (the WeCom group robot), None when nowhere."""

    @property
    def screener(self) -> Screener:
        """Screens text as a request does (the word list, WeChat's check when configured)."""

    async def send_subscribe(self, notification_id: int, kind: str, recipient_id: int) -> None:
        """Queue a notification as a WeChat subscribe message when the member allowed it."""


def job_runtime(state: TaskiqState = TaskiqDepends()) -> JobRuntime:
    """The runtime the worker's start-up put into the broker's state."""
    runtime: JobRuntime | None = getattr(state, "runtime", None)
    if runtime is None:
        raise RuntimeError("jobs need a runtime: start them with `quanzi worker`")
    return runtime


# A job's parameter `runtime: JobRuntime = FromWorker` receives it.
FromWorker = TaskiqDepends(job_runtime)
