"""The composition root: what one process (API or job worker) needs, started and stopped once."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import ParamSpec, TypeVar

import httpx
from redis.asyncio import Redis
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, AsyncTaskiqTask

from adapters.database import close_db, init_db
from adapters.images import PillowImages
from adapters.redis import Store
from adapters.storage import LocalStorage, open_s3_storage
from adapters.webhooks import WeComRobot
from adapters.wechat import WeChatClient
from domain import search, subscribe_messages
from domain.calendar import Calendar
from domain.ports import AlertPusher, ImageInspector, MediaStore
from domain.rules import CommunityRules
from domain.screening import Screener
from domain.tokens import TokenIssuer
from jobs.broker import enqueue, make_broker
from jobs.messages import send_subscribe_message
from quanzi.settings import Settings
from recommend.model import Params
from recommend.registry import RecommenderConfig

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The Redis store as api/ names it: api/ reaches the adapters only through this module.
RedisStore = Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    http: httpx.AsyncClient
    tokens: TokenIssuer
    media: MediaStore
    rules: CommunityRules
    recommender: RecommenderConfig
    # The process's one job broker: the API's own, or the worker's (which starts and stops it).
    broker: AsyncBroker
    owns_broker: bool = field(default=True, repr=False)
    images: ImageInspector = field(default_factory=PillowImages)
    # What closes with the runtime besides the connections above (the S3 client).
    resources: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def enqueue(
        self, job: AsyncTaskiqDecoratedTask[_P, _R], *args: _P.args, **kwargs: _P.kwargs
    ) -> AsyncTaskiqTask[_R]:
        """Put a job on the queue."""
        return await enqueue(self.broker, job, *args, **kwargs)

    async def send_subscribe(self, notification_id: int, kind: str, recipient_id: int) -> None:
        """Queue a notification as a WeChat subscribe message when its kind has a template
        and the member still has a grant for it; the request never waits for WeChat."""
        template = self.settings.wechat_templates.get(kind)
        if template is None or not self.settings.wechat_appid:
            return
        if await subscribe_messages.take_grant(recipient_id, template):
            await self.enqueue(send_subscribe_message, notification_id, template)

    @property
    def redis(self) -> Redis:
        return self.store.redis

    @property
    def wechat(self) -> WeChatClient:
        """The WeChat client (sign-in codes, content checks, subscribe messages), on this
        runtime's connections: its access-token cache follows `store`."""
        return WeChatClient(
            http=self.http,
            store=self.store,
            api_base=self.settings.wechat_api_base,
            appid=self.settings.wechat_appid,
            secret=self.settings.wechat_secret,
            timeout=self.settings.wechat_timeout,
        )

    @property
    def alert_pusher(self) -> AlertPusher | None:
        """The WeCom group robot new alerts are announced to (QUANZI_ALERT_WEBHOOK), if any."""
        url = self.settings.alert_webhook
        return WeComRobot(self.http, url, self.settings.wechat_timeout) if url else None

    @property
    def screener(self) -> Screener:
        """Screens member text: the word filter, plus WeChat's check when it is configured."""
        wechat = self.wechat
        return Screener(self.store, wechat if wechat.configured else None)


async def start_runtime(settings: Settings, *, broker: AsyncBroker | None = None) -> Runtime:
    """Connect to PostgreSQL and Redis (their URLs must be known by now) and build services.
    Without a `broker` (the API), the runtime starts its own to enqueue jobs; the worker
    passes the one it receives with."""
    if not settings.database_url or not settings.redis_url:
        raise RuntimeError("start_runtime needs DATABASE_URL and REDIS_URL (or embedded servers)")
    if not settings.jwt_secret:
        raise RuntimeError("start_runtime needs a JWT secret; use load_settings()")
    await init_db(
        settings.database_url,
        pool_max=settings.db_pool_max,
        read_batch_size=settings.read_batch_size,
    )
    # jieba loads its dictionary once (about a second): now, not in the first search or post.
    await asyncio.to_thread(search.warm_up)
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=5,
        health_check_interval=30,
    )
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.wechat_timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"User-Agent": "quanzi"},
    )
    resources = AsyncExitStack()
    return Runtime(
        settings=settings,
        store=Store(redis, settings.redis_prefix),
        http=http,
        tokens=TokenIssuer(
            secret=settings.jwt_secret,
            access_ttl=timedelta(seconds=settings.access_token_ttl),
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl),
        ),
        media=await _media_store(settings, resources),
        images=PillowImages(),
        rules=community_rules(settings),
        recommender=recommender_config(settings),
        broker=broker or await _start_broker(settings),
        owns_broker=broker is None,
        resources=resources,
    )


async def _start_broker(settings: Settings) -> AsyncBroker:
    broker = make_broker(settings.redis_url or "", settings.redis_prefix)
    await broker.startup()
    return broker


async def _media_store(settings: Settings, resources: AsyncExitStack) -> MediaStore:
    if settings.s3_bucket:
        return await resources.enter_async_context(
            open_s3_storage(
                endpoint=settings.s3_endpoint or "",
                bucket=settings.s3_bucket,
                access_key=settings.s3_access_key or "",
                secret_key=settings.s3_secret_key or "",
                region=settings.s3_region,
            )
        )
    return LocalStorage(settings.media_root)


def community_rules(settings: Settings) -> CommunityRules:
    """The community's rules as the operators set them (the defaults live in Settings)."""
    return CommunityRules(
        calendar=Calendar(settings.community_timezone),
        post=settings.points_post,
        post_daily=settings.points_post_daily,
        reply=settings.points_reply,
        reply_daily=settings.points_reply_daily,
        like_received=settings.points_like_received,
        like_received_daily=settings.points_like_received_daily,
        accepted_answer=settings.points_accepted_answer,
        featured=settings.points_featured,
        checkin=settings.points_checkin,
        checkin_streak_bonus=settings.points_checkin_streak_bonus,
        checkin_streak_days=settings.points_checkin_streak_days,
        invite=settings.points_invite,
        bounty_max=settings.bounty_max,
        circle_event_reward_max=settings.circle_event_reward_max,
        level_thresholds=tuple(settings.level_thresholds),
        review_sla_hours=(
            settings.review_sla_first_hours,
            settings.review_sla_second_hours,
            settings.review_sla_final_hours,
        ),
        review_claim_minutes=settings.review_claim_minutes,
        feedback_sla_hours=settings.feedback_sla_hours,
        task_rewards=tuple(sorted(settings.task_rewards.items())),
        onboarding_days=settings.task_onboarding_days,
    )


def recommender_config(settings: Settings) -> RecommenderConfig:
    return RecommenderConfig(
        days=settings.recommender_days,
        params=Params(
            components=settings.recommender_components,
            epochs=settings.recommender_epochs,
            learning_rate=settings.recommender_learning_rate,
            loss=settings.recommender_loss,
            item_alpha=settings.recommender_alpha,
            user_alpha=settings.recommender_alpha,
            threads=settings.recommender_threads,
        ),
        candidates=settings.recommender_candidates,
        models_dir=settings.var_dir / "models",
        level_thresholds=tuple(settings.level_thresholds),
        explore_share=settings.recommender_explore_share,
    )


async def stop_runtime(runtime: Runtime) -> None:
    if runtime.owns_broker:
        await runtime.broker.shutdown()
    await runtime.resources.aclose()
    await runtime.http.aclose()
    await runtime.store.stop_tracking()
    await runtime.redis.aclose()
    await close_db()
